"""Provet Pay payment links: ``postransaction`` (P111–P269), and the ``department`` and ``user`` it links to.

A ``postransaction`` is a POS transaction record (``resources/payments.py``); its ``payment_link_data`` and
``prepayment_data`` objects are written to the record's ``link_*`` fields and its client, and its
``payment_link`` is read back from them, with the link's URL on this server's payment page
(``/pay/<provet_id>/<external_id>``, ``openvet.pages.pay``). A ``department`` is an ezyVet Separation; every
department takes Provet Pay payments (``allow_nhp_processing``), since openvet serves the payment page itself.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from openvet.provet.serializers import Context, ReadOnlySerializer, Record, Serializer, code, number, plain_number, text
from openvet.resources.fields import Invalid
from openvet.services.payments import link_status

LINK_DATA = {"duration": "link_duration", "email": "link_email", "phone": "link_phone",
             "delivery_method": "link_delivery_method", "description": "link_description",
             "return_url": "link_return_url", "tokenize": "link_tokenize", "recurring_model": "link_recurring_model"}
PREPAYMENT_DATA = ("client_id", "department_id", "description")


def pay_url(ctx: Context, record: Record) -> str:
    return f"{ctx.links.base}/pay/{ctx.clinic_id}/{record['link_external_id']}"


def _utc(epoch: int | None) -> str | None:
    """The link's expiry as the example writes it: UTC, to the second, with Z (P210)."""
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _object(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(f'Invalid data. Expected a dictionary, but got {type(value).__name__}.')
    return value


class PosTransactionSerializer(Serializer):
    kind = "postransaction"
    resource = "postransaction"
    required = ("amount", "department", "payment_link_data")
    read_only = frozenset({"id", "task_id", "created", "modified", "aborted", "cashier_desk", "payment_method",
                           "payment", "unallocated_payment", "refunded_transaction", "payment_link"})
    field_names = {"amount": "amount", "terminal_id": "terminal_id", "payment_type": "payment_type",
                   "transaction_type": "transaction_type", "creator_id": "creator", "separation_id": "department",
                   "invoice_id": "invoice", "contact_id": "prepayment_data.client_id",
                   "description": "prepayment_data.description",
                   **{stored: f"payment_link_data.{name}" for name, stored in LINK_DATA.items()}}
    writable = ("amount", "terminal_id", "payment_type", "transaction_type", "creator", "department", "invoice",
                "payment_link_data", "prepayment_data")

    def read(self, ctx: Context, records: list[Record]) -> list[dict[str, Any]]:
        now = int(time.time())
        return [{
            "id": r["id"], "amount": plain_number(r.get("amount")), "task_id": "",
            "created": ctx.moment(r.get("created_at")), "modified": ctx.moment(r.get("modified_at")),
            "aborted": ctx.moment(r.get("aborted_at")), "cashier_desk": None,
            "invoice": ctx.links.url("invoice", r.get("invoice_id")), "terminal_id": r.get("terminal_id"),
            "department": ctx.links.url("department", r.get("separation_id")),
            "transaction_type": r.get("transaction_type"), "payment_type": r.get("payment_type"),
            "payment_method": ctx.links.url("paymentmethod", r.get("payment_method_id")),
            "payment": ctx.links.url("payment", r.get("payment_id") if r.get("invoice_id") else None),
            "unallocated_payment": ctx.links.url("unallocatedpayment",
                                                 None if r.get("invoice_id") else r.get("payment_id")),
            "refunded_transaction": None,
            "creator": ctx.links.url("user", r.get("creator_id")),
            "payment_link": {"external_id": r.get("link_external_id"), "url": pay_url(ctx, r),
                             "expiration_time": _utc(r.get("link_expires_at")),
                             "payment_status": link_status(r, now),
                             "delivery_status": r.get("link_delivery_status")},
        } for r in records]

    def write(self, ctx: Context, data: dict[str, Any], before: Record | None, partial: bool,
              errors: dict[str, Any]) -> dict[str, Any]:
        kept = self.screen(data, before is None, partial, errors, self.writable)
        body: dict[str, Any] = {}
        for key, value in kept.items():
            try:
                if key == "payment_link_data":
                    self._link(_object(value, key), body, errors)
                elif key == "prepayment_data":
                    self._prepayment(ctx, _object(value, key), body, errors)
                else:
                    self._field(ctx, key, value, body)
            except Invalid as error:
                errors[key] = [str(error)]
        department = body.pop("prepayment_department", None)
        if department is not None and "separation_id" not in body and "department" not in errors:
            body["separation_id"] = department  # the prepayment's department_id stands for a missing department
            errors.pop("department", None)
        return body

    @staticmethod
    def _field(ctx: Context, key: str, value: Any, body: dict[str, Any]) -> None:
        if key == "amount":
            if value is None:
                raise Invalid("This field may not be null.")
            body["amount"] = number(value)
        elif key in ("terminal_id", "payment_type", "transaction_type"):
            body[key] = code(value)
        elif key == "creator":
            body["creator_id"] = None if value is None else ctx.linked(value, "user", "user")
        elif key == "department":
            if value is None:
                raise Invalid("This field may not be null.")
            body["separation_id"] = ctx.linked(value, "department", "separation")
        elif key == "invoice":
            body["invoice_id"] = None if value is None else ctx.links.record_id(value, "invoice")

    @staticmethod
    def _link(data: dict[str, Any], body: dict[str, Any], errors: dict[str, Any]) -> None:
        problems: dict[str, list[str]] = {}
        for name, value in data.items():
            try:
                if name == "invoice_id":  # "defining invoice_id in payment_link_data" (P126)
                    body["invoice_id"] = code(value)
                elif name not in LINK_DATA:
                    problems[name] = [f"Unknown field: payment_link_data has no field {name!r}."]
                elif name in ("duration", "delivery_method"):
                    body[LINK_DATA[name]] = code(value)
                else:
                    body[LINK_DATA[name]] = text(value, max_length=2048)
            except Invalid as error:
                problems[name] = [str(error)]
        if "duration" not in data:
            problems.setdefault("duration", ["This field is required."])
        if problems:
            errors["payment_link_data"] = problems

    @staticmethod
    def _prepayment(ctx: Context, data: dict[str, Any], body: dict[str, Any], errors: dict[str, Any]) -> None:
        problems: dict[str, list[str]] = {}
        for name, value in data.items():
            try:
                if name not in PREPAYMENT_DATA:
                    problems[name] = [f"Unknown field: prepayment_data has no field {name!r}."]
                elif name == "client_id":
                    client_id = code(value)
                    if client_id is None or not ctx.by_id("contact", [client_id]):
                        raise Invalid(f'Invalid pk "{value}" - object does not exist.')
                    body["contact_id"] = client_id
                elif name == "department_id":
                    department_id = code(value)
                    if department_id is None or not ctx.by_id("separation", [department_id]):
                        raise Invalid(f'Invalid pk "{value}" - object does not exist.')
                    body["prepayment_department"] = department_id
                else:
                    body["description"] = text(value, max_length=1024)
            except Invalid as error:
                problems[name] = [str(error)]
        if "client_id" not in data:
            problems.setdefault("client_id", ["This field is required."])
        if problems:
            errors["prepayment_data"] = problems


class DepartmentSerializer(ReadOnlySerializer):
    """A department is an ezyVet Separation; each takes Provet Pay payments through openvet's payment page."""

    kind = "department"
    resource = "separation"

    def read(self, ctx: Context, records: list[Record]) -> list[dict[str, Any]]:
        return [{"id": r["id"], "url": ctx.links.url("department", r["id"]), "name": r.get("name") or "",
                 "allow_nhp_processing": True} for r in records]


class UserSerializer(ReadOnlySerializer):
    """A user (the ``creator`` of a transaction) is an ezyVet User."""

    kind = "user"
    resource = "user"

    def read(self, ctx: Context, records: list[Record]) -> list[dict[str, Any]]:
        out = []
        for r in records:
            first, _, last = (r.get("name") or "").partition(" ")
            out.append({"id": r["id"], "url": ctx.links.url("user", r["id"]), "username": r.get("code") or "",
                        "first_name": first, "last_name": last, "is_vet": bool(r.get("is_vet"))})
        return out


POS_TRANSACTION = PosTransactionSerializer()
DEPARTMENT = DepartmentSerializer()
USER = UserSerializer()
