"""Events after the write: the outbox's events delivered to webhooks (``dispatcher.py``), and the job queue's
jobs run (``jobs.py``), in the same rounds.

The engine writes each change's events to the outbox in the change's transaction; everything here reads the
outbox afterwards, in ``openvet serve`` (by default) or in ``openvet worker`` processes.
"""

from openvet.events.dispatcher import ATTEMPTS, Dispatcher
from openvet.events.jobs import JobRunner

__all__ = ["ATTEMPTS", "Dispatcher", "JobRunner"]
