"""Pages for people, not programs: the payment page a Provet Pay link opens (``pay.py``)."""

from __future__ import annotations

from openvet.pages import pay


def routes():
    return pay.routes()
