"""Rules of the clinic's webhooks: what a subscription may name, where it may send, and how it is signed.

- the event is one the registry declares (``<endpoint>_<event>``, L13903), and WebHookEvents lists them all;
- the ``webhook_url`` is an http(s) URL; a loopback, link-local or private address is refused (a server-side
  request forgery would reach the clinic's own network) unless ``OPENVET_WEBHOOK_PRIVATE_TARGETS=allow``. A
  name is checked when it is resolved, at each delivery (``private_address``), since a name may change;
- a new WebHook gets a secret, shown once: it is worked out from a random seed kept with the WebHook and the
  installation's webhook key (``server_key`` row ``webhook``), so the database keeps no secret of its own
  and no read can give it back. Deliveries are signed with it as Standard Webhooks says (``signature``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import secrets
import socket
from typing import Any
from urllib.parse import urlsplit

from openvet.services.changes import Change, listing, rule

SECRET_PREFIX = "whsec_"
PRIVATE_TARGETS = "OPENVET_WEBHOOK_PRIVATE_TARGETS"


def private_targets_allowed() -> bool:
    """Whether webhooks may send to loopback, link-local and private addresses (a developer's own receiver)."""
    return os.environ.get(PRIVATE_TARGETS, "").strip().lower() == "allow"


def event_names(registry: dict[str, Any]) -> list[str]:
    """Every event a WebHook may subscribe to, in endpoint order."""
    return sorted(name for resource in registry.values() for name in resource.event_names())


@listing
def webhook_events(registry: dict[str, Any]) -> list[dict[str, Any]]:
    """WebHookEvents' one item: the list of every event (L13883)."""
    return [{"webhookevents": event_names(registry)}]


@rule
def webhook_subscribes_to_a_known_event(change: Change) -> None:
    if "event" not in change.values or change.refused("event"):
        return
    event = change.values["event"]
    if event not in event_names(change.engine.registry):
        change.refuse("event", f"{event!r} is not an event: GET /v1/webhookevents lists them "
                               "(<endpoint>_<event>, e.g. animal_created)")


@rule
def webhook_url_is_a_public_http_url(change: Change) -> None:
    if "webhook_url" not in change.values or change.refused("webhook_url"):
        return
    reason = url_problem(change.values["webhook_url"] or "")
    if reason:
        change.refuse("webhook_url", reason)


def url_problem(url: str) -> str | None:
    """Why a webhook cannot send to ``url``, or None."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return "must be an http or https URL"
    if parts.scheme not in ("http", "https") or not parts.hostname or url.strip() != url:
        return "must be an http or https URL, e.g. https://example.com/hooks?key=…"
    if parts.username or parts.password:
        return "must not carry a user name or password: add query parameters instead (L13983)"
    if port == 0:
        return "must name a port from 1 to 65535"
    if private_targets_allowed():
        return None
    host = parts.hostname
    if host == "localhost" or host.endswith(".localhost") or _private(host):
        return (f"names a loopback, link-local or private address ({host}), which webhooks may not reach "
                f"unless the server sets {PRIVATE_TARGETS}=allow")
    return None


def _private(host: str) -> bool:
    """Whether ``host``, an IP address, is not a public one (a name is not an address: False)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def private_address(url: str) -> str | None:
    """At delivery: the first loopback, link-local or private address the URL's host resolves to (None when
    every address is public, or when private targets are allowed). A name that does not resolve raises
    ``OSError``."""
    if private_targets_allowed():
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return host
    for *_, address in socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                          type=socket.SOCK_STREAM):
        if _private(address[0]):
            return address[0]
    return None


@rule
def webhook_gets_a_secret(change: Change) -> None:
    """A new WebHook's signing secret, answered once (the answer to the create) and never kept."""
    if not change.creating:
        return
    seed = secrets.token_hex(16)
    change.derive("secret_seed", seed)
    change.derive("secret", secret_of(change.engine.server_key("webhook"), seed))


def secret_of(key: bytes, seed: str) -> str:
    """The webhook's secret: ``whsec_`` and the base64 of 32 bytes, as Standard Webhooks writes it."""
    return SECRET_PREFIX + base64.b64encode(hmac.new(key, seed.encode(), hashlib.sha256).digest()).decode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header: ``v1,`` and the base64 HMAC-SHA256 of ``id.timestamp.body``, keyed with
    the secret's bytes (what follows ``whsec_``, base64-decoded)."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


@rule
def replay_sends_an_attempts_event_again(change: Change) -> None:
    """A replay names an attempt of this clinic; it is sent to that attempt's WebHook, which must be active
    (a WebHook disabled after three failures is activated again first, by PATCH active true)."""
    attempt = change.lookup("webhookattempt", change.record.get("attempt_id"))
    if attempt is None:
        return  # the link check names it
    webhook = change.lookup("webhooks", attempt["webhook_id"])
    if webhook is None or not webhook.get("active"):
        change.refuse("attempt_id", f"its WebHook {attempt['webhook_id']} is not active: activate it first "
                                    "(PATCH /v1/webhooks/{id} with active true)")
        return
    change.derive("webhook_id", attempt["webhook_id"])
    change.derive("event_id", attempt["event_id"])
