"""The payment page a Provet Pay payment link opens: ``/pay/<provet_id>/<external_id>``.

openvet takes no card: the page shows what is asked (amount, description, department) and lets the client
accept the payment or abort it, which is what a real payment provider reports back. Accepting a Pending link
makes it Accepted (5), aborting makes it Aborted (4), through the engine and its rules
(``services/payments.py``), with the record's events; then the client is sent to the link's ``return_url``
when it has one. An expired, accepted or aborted link shows its status and takes nothing more.
"""

from __future__ import annotations

import html
import time
from decimal import Decimal
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from openvet.engine import Condition, Engine, ValidationFailed, unavailable
from openvet.engine.offload import offload
from openvet.request_body import BodyTooLarge, read_limited
from openvet.resources import REGISTRY
from openvet.resources.payments import PAYMENT_STATUSES
from openvet.services.payments import ABORTED, ACCEPTED, PENDING, link_status

OUTCOMES = {"accept": ACCEPTED, "abort": ABORTED}
STYLE = ("body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1d2b36}"
         "h1{font-size:1.4rem}.amount{font-size:2rem;font-weight:600}.status{padding:.6rem;background:#eef3f6}"
         "button{font-size:1rem;padding:.6rem 1.2rem;margin-right:.6rem}small{color:#5b6b78}")


def _find(engine: Engine, clinic_id: int, external_id: str) -> dict | None:
    page = engine.list(clinic_id, REGISTRY["postransaction"], [Condition("link_external_id", "eq", external_id)],
                       1, 1)
    return page.records[0] if page.records else None


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(f"<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport "
                        f"content='width=device-width'><title>{html.escape(title)}</title><style>{STYLE}</style>"
                        f"<body>{body}</body></html>", status_code=status)


def _view(engine: Engine, clinic_id: int, record: dict, note: str = "") -> HTMLResponse:
    department = engine.list(clinic_id, REGISTRY["separation"], [Condition("id", "eq", record["separation_id"])],
                             1, 1).records
    place = department[0].get("name") if department else ""
    status = link_status(record, int(time.time()))
    amount = Decimal(record["amount"]).quantize(Decimal("0.01"))
    what = record.get("link_description") or record.get("description") or "Payment"
    parts = [f"<h1>{html.escape(place or 'Payment')}</h1>", f"<p>{html.escape(what)}</p>",
             f"<p class=amount>{amount}</p>"]
    if note:
        parts.append(f"<p class=status role=alert>{html.escape(note)}</p>")
    if status == PENDING:
        parts.append("<form method=post><button name=outcome value=accept>Pay</button>"
                     "<button name=outcome value=abort>Cancel</button></form>"
                     "<p><small>openvet test payment page: no card is charged.</small></p>")
    else:
        parts.append(f"<p class=status>This payment is {PAYMENT_STATUSES[status]}.</p>")
    return _page(f"Pay {amount}", "".join(parts))


def _missing() -> HTMLResponse:
    return _page("Payment link not found", "<h1>Payment link not found</h1><p>Check the link you were sent.</p>",
                 404)


def _clinic(request: Request) -> int | None:
    raw = request.path_params["provet_id"]
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


async def payment_page(request: Request) -> Response:
    clinic_id, external_id = _clinic(request), request.path_params["external_id"]
    if clinic_id is None or len(external_id) > 64:
        return _missing()
    outcome = None
    if request.method == "POST":
        try:
            raw = await read_limited(request)
        except BodyTooLarge:
            return _page("Too large", "<p>The form is too large.</p>", 413)
        chosen = parse_qs(raw.decode("utf-8", "replace")).get("outcome", [""])[-1]
        outcome = OUTCOMES.get(chosen)
        if outcome is None:
            return _page("Choose", "<p>Choose Pay or Cancel.</p>", 400)
    try:
        return await offload(request.app.state.settings.db_threads, _answer, request.app.state.engine, clinic_id,
                             external_id, outcome, str(request.url))
    except Exception as error:
        if not unavailable(error):
            raise
        return _page("Try again", "<p>The payment service cannot be reached just now; try again shortly.</p>", 503)


def _answer(engine: Engine, clinic_id: int, external_id: str, outcome: int | None, here: str) -> Response:
    record = _find(engine, clinic_id, external_id)
    if record is None:
        return _missing()
    if outcome is None:
        return _view(engine, clinic_id, record)
    try:
        engine.update(clinic_id, REGISTRY["postransaction"], [Condition("id", "eq", record["id"])],
                      {"link_payment_status": outcome}, None, 1)
    except ValidationFailed as failed:
        return _view(engine, clinic_id, record, "; ".join(p.reason for p in failed.problems))
    if outcome == ACCEPTED and record.get("link_return_url"):
        return RedirectResponse(record["link_return_url"], status_code=303)
    return RedirectResponse(here, status_code=303)  # back to the page, which shows the new status


def routes() -> list[Route]:
    return [Route("/pay/{provet_id}/{external_id}", payment_page, methods=["GET", "POST"])]
