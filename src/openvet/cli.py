"""The ``openvet`` command: serve, worker, migrate, clinics, credentials and demo data."""

from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.console import Console

from openvet.config import Settings

app = typer.Typer(help="openvet: a veterinary practice server speaking the ezyVet and Provet Cloud APIs.",
                  no_args_is_help=True, add_completion=False)
clinic_app = typer.Typer(help="Create and list clinics.", no_args_is_help=True)
credentials_app = typer.Typer(help="Create API credentials for a clinic.", no_args_is_help=True)
app.add_typer(clinic_app, name="clinic")
app.add_typer(credentials_app, name="credentials")
wellness_app = typer.Typer(help="Wellness plan memberships: bills due, renewals and credit refreshes.",
                           no_args_is_help=True)
app.add_typer(wellness_app, name="wellness")
console = Console(stderr=True)
DEMO_SLUG = "demo"


def _engine():
    from openvet.engine import Engine
    from openvet.store.database import connect

    return Engine(connect(Settings.from_environment().database_url))


def _clinic_id(engine, slug: str) -> int:
    from openvet.store import accounts

    with engine.db.connect() as conn:
        row = accounts.clinic_by_slug(conn, slug)
    if row is None:
        console.print(f"[red]No clinic {slug!r}.[/] Create it with: openvet clinic create {slug} --name NAME")
        raise typer.Exit(1)
    return row.id


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (OPENVET_DATABASE_URL, default ./data/openvet.sqlite3)."""
    from openvet.services import clinics
    from openvet.store.migrate import upgrade

    url = Settings.from_environment().database_url
    upgrade(url)
    count = clinics.seed_every_clinic(_engine())
    console.print(f"[green]Database is up to date[/] ({_safe(url)}); standard lists checked for {count} clinic(s)")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (use several on PostgreSQL).")] = 1,
    demo: Annotated[bool, typer.Option(help="Create a demo clinic with demo data and credentials if absent.")]
    = False,
) -> None:
    """Migrate the database, then serve the ezyVet and Provet APIs."""
    import uvicorn

    from openvet.services import clinics
    from openvet.store.database import refresh_statistics
    from openvet.store.migrate import upgrade

    try:
        settings = Settings.from_environment()  # a setting that cannot be read stops here, said plainly
    except ValueError as error:
        console.print(f"[red]Cannot start:[/] {error}")
        raise typer.Exit(2) from None
    if settings.rate_limit is not None and settings.redis_url:
        _check_redis(settings.redis_url)
    upgrade(settings.database_url)
    clinics.seed_every_clinic(_engine())
    if demo:
        made = _ensure_demo()
    refresh_statistics(_engine().db)
    if demo:
        _print_demo(made, host, port)
    uvicorn.run("openvet.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)


def _check_redis(url: str) -> None:
    """The throttling counters' Redis answers, or ``serve`` stops here saying so (not a 503 on every call)."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
        client.ping()
        client.close()
    except (ValueError, redis.RedisError) as error:
        shown = re.sub(r"//([^:/@]*):[^@]*@", r"//\1:***@", url)  # no password on the screen
        console.print(f"[red]Cannot start:[/] OPENVET_REDIS_URL ({shown}) cannot be reached: {error}")
        raise typer.Exit(2) from None


@app.command()
def worker() -> None:
    """Deliver webhooks and run queued jobs apart from the API (run several on PostgreSQL; each takes its own
    share). Set OPENVET_DISPATCHER=off on `openvet serve` to leave them to workers. Stops on SIGTERM or Ctrl-C."""
    import signal
    import threading

    from openvet.app import dispatcher

    settings = Settings.from_environment()
    running = dispatcher(settings, _engine())
    stop = threading.Event()
    for name in ("SIGTERM", "SIGINT"):
        signal.signal(getattr(signal, name), lambda *_: stop.set())
    console.print(f"[green]Delivering webhooks and running jobs[/] from {_safe(settings.database_url)}; Ctrl-C stops")
    running.start()
    stop.wait()
    running.stop()


@wellness_app.command("renew")
def wellness_renew(
    at: Annotated[int | None, typer.Option(help="The moment to renew as of, in epoch seconds (default: now).")]
    = None,
    clinic: Annotated[str | None, typer.Option(help="Slug of one clinic (default: every clinic).")] = None,
) -> None:
    """Raise the subscription bills due, renew the memberships whose term ended and refresh the credits past their
    end, in every clinic, as of now (or --at). Idempotent: for a cron, when no `openvet serve` or `openvet worker`
    runs it every few minutes."""
    import time

    from openvet.services.wellness import renew_due

    engine = _engine()
    done = renew_due(engine, int(time.time()) if at is None else at,
                     None if clinic is None else [_clinic_id(engine, clinic)])
    typer.echo(" ".join(f"{what}={n}" for what, n in done.items()))


@clinic_app.command("create")
def clinic_create(
    slug: Annotated[str, typer.Argument(help="Short name of the clinic, used by the other commands.")],
    name: Annotated[str, typer.Option(help="The clinic's display name.")],
    timezone: Annotated[str, typer.Option(help="IANA timezone of the clinic.")] = "UTC",
) -> None:
    """Create a clinic (a tenant: its records and credentials are its own) with its standard lists."""
    from openvet.services import clinics

    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", slug):
        console.print(f"[red]{slug!r} is not a usable slug:[/] lower-case letters, digits and dashes, "
                      "starting with a letter or digit, at most 63 characters.")
        raise typer.Exit(2)
    if not name.strip():
        console.print("[red]--name cannot be empty.[/]")
        raise typer.Exit(2)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        console.print(f"[red]{timezone!r} is not an IANA timezone[/] (e.g. Pacific/Auckland, Europe/London).")
        raise typer.Exit(2) from None
    try:
        clinic_id = clinics.create_clinic(_engine(), slug, name.strip(), timezone)
    except ValueError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    console.print(f"[green]Clinic {slug} created[/] (provet_id {clinic_id}), with species, breeds, sexes, "
                  "colours, countries and contact detail types.")


@clinic_app.command("list")
def clinic_list() -> None:
    """List the clinics."""
    from openvet.services import clinics

    for row in clinics.list_clinics(_engine()):
        typer.echo(f"{row.slug}\t{row.name}\tprovet_id={row.id}")


@credentials_app.command("create")
def credentials_create(
    clinic: Annotated[str, typer.Option(help="Slug of the clinic.")],
    scope: Annotated[list[str] | None, typer.Option(help="A scope, read-<endpoint> or write-<endpoint> of "
                                                           "any endpoint of the ezyVet document (read-animal, "
                                                           "write-contact…); repeat. None: all scopes.")] = None,
    kind: Annotated[str, typer.Option(help="ezyvet (OAuth client credentials) or provet (API token).")]
    = "ezyvet",
    user: Annotated[int | None, typer.Option(help="The ID of the clinic's User the credentials act as (the "
                                                  "created_by and approved_by of what they write). None: a new "
                                                  "User named after them, e.g. 'API openvet_…'.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only.")] = False,
) -> None:
    """Create credentials for a clinic. The secret is shown once; only its hash is kept."""
    from openvet.ezyvet.scopes import known_scopes
    from openvet.services import credentials

    if kind not in ("ezyvet", "provet"):
        console.print("[red]--kind must be ezyvet or provet[/]")
        raise typer.Exit(2)
    engine = _engine()
    clinic_id = _clinic_id(engine, clinic)
    scopes = [s for item in scope or [] for s in item.replace(",", " ").split()]
    unknown = [s for s in scopes if s not in known_scopes()]
    if unknown:
        for name in unknown:
            near = difflib.get_close_matches(name, sorted(known_scopes()), n=1)
            hint = f" Did you mean {near[0]}?" if near else ""
            console.print(f"[red]Unknown scope {name}.[/]{hint}", highlight=False)
        console.print("Scopes are read-<endpoint> and write-<endpoint> of an endpoint of the ezyVet API "
                      "document, e.g. read-animal, write-contact.", highlight=False)
        raise typer.Exit(2)
    try:
        made = credentials.create_credentials(engine, clinic_id, kind, scopes, user)
    except ValueError as refused:
        console.print(f"[red]--user: {refused}.[/] `GET /v1/user` lists the clinic's users.", highlight=False)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(made))
    else:
        for key, value in made.items():
            typer.echo(f"{key}: {value}")


@app.command("demo-data")
def demo_data_command(
    clinic: Annotated[str, typer.Option(help="Slug of the clinic.")],
    animals: Annotated[int, typer.Option(min=1, help="How many animals (each with an owner) to add.")] = 1000,
) -> None:
    """Add realistic demo animals and their owners to a clinic, in bulk, with a progress bar."""
    from openvet import demo as demo_data
    from openvet.demo.wellness import seed_wellness_billing
    from openvet.store.database import refresh_statistics

    engine = _engine()
    clinic_id = _clinic_id(engine, clinic)
    demo_data.seed_lookups(engine, clinic_id)
    demo_data.load_animals(engine, clinic_id, animals, show_progress=True)
    seed_wellness_billing(engine, clinic_id)  # wellness memberships (and their joining invoices), once
    refresh_statistics(engine.db)


@app.command("load")
def load_command(
    file: Annotated[Path, typer.Argument(help="A JSON fixture file: {\"records\": [{\"resource\", \"key\", "
                                              "\"fields\"}, ...]} (see docs/fixtures.md).")],
    clinic: Annotated[str, typer.Option(help="Slug of the clinic the records are for.")],
) -> None:
    """Load records of any resource from a fixture file, through the engine (rules, links, events), in one
    transaction: the file loads whole or not at all, and a refusal names the record and the field."""
    import json as json_module

    from rich.progress import Progress

    from openvet.services import fixtures

    engine = _engine()
    clinic_id = _clinic_id(engine, clinic)
    try:
        entries = fixtures.entries_of(json_module.loads(file.read_text(encoding="utf-8")))
    except OSError as error:
        console.print(f"[red]Cannot read {file}:[/] {error.strerror or error}")
        raise typer.Exit(2) from None
    except (ValueError, fixtures.FixtureError) as error:
        console.print(f"[red]{file} is not a fixture file:[/] {error}")
        raise typer.Exit(2) from None
    try:
        with Progress(console=console, transient=True, disable=len(entries) < 200) as progress:
            task = progress.add_task(f"Loading {file.name}", total=len(entries))
            loaded = fixtures.load(engine, clinic_id, entries, lambda n: progress.advance(task, n))
    except fixtures.FixtureError as error:
        console.print(f"[red]Nothing was loaded:[/] {error}")
        raise typer.Exit(1) from None
    made = ", ".join(f"{n} {name}" for name, n in sorted(loaded.counts.items())) or "nothing"
    console.print(f"[green]Loaded {loaded.total} records[/] into {clinic}: {made}")


def _ensure_demo() -> dict:
    """The demo clinic and its credentials, made on first run and kept in <data dir>/demo-credentials.json.

    Saved credentials are reused only while they still open this database (the database URL may have
    changed under the same data directory); otherwise new ones are made and saved.
    """
    from openvet import demo as demo_data
    from openvet.demo.billing import seed_billing
    from openvet.demo.wellness import seed_wellness_billing
    from openvet.services import clinics, credentials
    from openvet.store import accounts

    engine = _engine()
    saved = Path(Settings.from_environment().data_dir) / "demo-credentials.json"
    with engine.db.connect() as conn:
        existing = accounts.clinic_by_slug(conn, DEMO_SLUG)
        if existing and saved.exists():
            made = json.loads(saved.read_text())
            found = accounts.credential_by_client_id(conn, made.get("ezyvet", {}).get("client_id", ""))
            if found is not None and found.clinic_id == existing.id:
                return made
    if existing is None:
        clinic_id = clinics.create_clinic(engine, DEMO_SLUG, "Riverside Veterinary Clinic (demo)", "Pacific/Auckland")
        demo_data.seed_lookups(engine, clinic_id)
        demo_data.load_animals(engine, clinic_id, 250, show_progress=False)
        seed_billing(engine, clinic_id)  # billing: an invoice for each consult, payments
        seed_wellness_billing(engine, clinic_id)  # wellness: a credit used by an invoice line, a cancellation's fee
    else:
        clinic_id = existing.id
    made = {"ezyvet": credentials.create_credentials(engine, clinic_id, "ezyvet", []),
            "provet": credentials.create_credentials(engine, clinic_id, "provet", [])}
    saved.parent.mkdir(parents=True, exist_ok=True)
    # Secrets inside: the file is created readable by its owner only, never world-readable for a moment.
    with os.fdopen(os.open(saved, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:
        file.write(json.dumps(made, indent=2))
    return made


def _print_demo(made: dict, host: str, port: int) -> None:
    base = f"http://{host}:{port}"
    ez, pv = made["ezyvet"], made["provet"]
    console.print(f"\n[bold green]openvet[/] is serving the demo clinic on [bold]{base}[/]"
                  f"  (docs: {base}/docs)\n")
    console.print("[bold]ezyVet API[/] — fetch a token, then list animals:")
    typer.echo(
        f"TOKEN=$(curl -s -X POST {base}/v1/oauth/access_token "
        f"-d partner_id={ez['partner_id']} -d client_id={ez['client_id']} "
        f"-d client_secret={ez['client_secret']} -d grant_type=client_credentials "
        "| python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')\n"
        f"curl -s -H \"Authorization: Bearer $TOKEN\" '{base}/v1/animal?limit=5'\n")
    console.print("[bold]Provet Cloud API[/] — list patients:")
    typer.echo(f"curl -s -H 'Authorization: Token {pv['token']}' {base}/{pv['provet_id']}/api/0.1/patient/\n")
    console.print(f"(credentials kept in {Settings.from_environment().data_dir}/demo-credentials.json)\n")


def _safe(url: str) -> str:
    import sqlalchemy as sa

    return sa.make_url(url).render_as_string(hide_password=True)
