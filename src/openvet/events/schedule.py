"""Periodic work of the dispatcher's rounds (``openvet serve``, ``openvet worker``):

- wellness memberships whose term ended are renewed and credits past their end refreshed
  (``services.wellness.renew_due``), at most every ``OPENVET_WELLNESS_RENEW_SECONDS`` (300 by default; 0 turns
  it off). ``renew_due`` is idempotent and takes its rows under lock, so several workers may run it; a cron may
  run ``openvet wellness renew`` instead;
- PostgreSQL: the changes writers appended to the record and trigram counts are folded into them, at most every
  ``FOLD_EVERY`` seconds (``store.records.fold_counts``; one worker at a time, the others skip their turn).
  A count is right without it; folding keeps what a count adds up small.
"""

from __future__ import annotations

import logging
import time

from openvet.services.wellness import renew_due
from openvet.store.records import fold_counts

log = logging.getLogger("openvet.events")
DEFAULT_EVERY = 300
FOLD_EVERY = 2.0  # seconds between folds of the appended counts (PostgreSQL)
_last_run: dict[int, int] = {}  # id(engine) -> when it last ran in this process
_last_fold: dict[int, float] = {}  # id(engine) -> when this process last folded its counts


def tick(engine, now: int | None = None, every: int = DEFAULT_EVERY) -> bool:
    """Run what is due if the last run in this process is ``every`` seconds old or more (0: never; the setting
    ``OPENVET_WELLNESS_RENEW_SECONDS``, read and checked with the others in ``config.Settings``). Whether it ran. A
    failure is logged, not raised: webhooks and jobs go on, and the next tick tries again."""
    period = every
    now = int(time.time()) if now is None else now
    last = _last_run.get(id(engine))
    if period == 0 or (last is not None and now - last < period):
        return False
    _last_run[id(engine)] = now
    try:
        done = renew_due(engine, now)
    except Exception:  # noqa: BLE001 (the dispatcher's rounds must outlive it)
        log.exception("wellness renewal failed; trying again in %s s", period)
        return False
    if any(done.values()):
        log.info("wellness: %s", ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in done.items() if n))
    return True


def fold(engine, every: float = FOLD_EVERY) -> bool:
    """Fold the appended counts (PostgreSQL) if this process last did ``every`` seconds ago or more; whether it
    did. A failure is logged, not raised: a count is right without it."""
    if engine.db.dialect.name != "postgresql":
        return False
    now = time.monotonic()
    if now - _last_fold.get(id(engine), -every) < every:
        return False
    _last_fold[id(engine)] = now
    try:
        with engine.db.begin() as conn:
            return fold_counts(conn, engine.tables.values())
    except Exception:  # noqa: BLE001 (the dispatcher's rounds must outlive it)
        log.exception("folding the counts failed; trying again in %s s", every)
        return False
