"""``Authorization: Token <key>`` (DRF TokenAuthentication), and the clinic the path names.

A key belongs to one clinic: a path naming another ``provet_id`` answers 404, exactly as if that clinic
did not exist, so a key never learns anything about another clinic.
"""

from __future__ import annotations

from starlette.requests import Request

from openvet.provet.exceptions import NOT_FOUND, detail
from openvet.provet.hyperlinks import whole
from openvet.services import credentials
from openvet.services.credentials import Identity, Refused

CHALLENGE = {"WWW-Authenticate": "Token"}


def authenticate(request: Request) -> Identity:
    scheme, _, key = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "token":
        raise detail(401, "Authentication credentials were not provided.", CHALLENGE)
    key = key.strip()
    if not key:
        raise detail(401, "Invalid token header. No credentials provided.", CHALLENGE)
    if " " in key:
        raise detail(401, "Invalid token header. Token string should not contain spaces.", CHALLENGE)
    try:
        with request.app.state.engine.db.connect() as conn:
            identity = credentials.authenticate(conn, key, "provet")
    except Refused:
        raise detail(401, "Invalid token.", CHALLENGE) from None
    if identity.clinic_id != whole(request.path_params["provet_id"]):
        raise detail(404, NOT_FOUND)
    return identity


def permit(identity: Identity, scope: str) -> None:
    if not identity.allows(scope):
        raise detail(403, "You do not have permission to perform this action.")
