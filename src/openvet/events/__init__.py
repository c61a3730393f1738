"""Events after the write: the outbox's events delivered to webhooks (``dispatcher.py``).

The engine writes each change's events to the outbox in the change's transaction; everything here reads the
outbox afterwards, in ``openvet serve`` (by default) or in ``openvet worker`` processes.
"""

from openvet.events.dispatcher import ATTEMPTS, Dispatcher

__all__ = ["ATTEMPTS", "Dispatcher"]
