"""The generic engine: list, get, create, update and delete for every declared resource.

Dialects call it with an ``Actor`` (who is calling), field names and parsed conditions; it validates against
the declaration, runs the business rules the declaration names (``openvet.services``), writes through the
store, and records the events of every record written, all in one transaction (``writing.py``).
"""

from openvet.engine.actors import Actor
from openvet.engine.engine import ANSWERS, WARNINGS, Engine, Outcome, Page, expanded
from openvet.engine.problems import RETRY_AFTER, Forbidden, NotFound, Problem, ValidationFailed, unavailable
from openvet.store.filters import OPERATORS, Condition

__all__ = ["ANSWERS", "OPERATORS", "RETRY_AFTER", "Actor", "Condition", "Engine", "Forbidden", "NotFound", "Outcome",
           "Page", "Problem", "ValidationFailed", "WARNINGS", "expanded", "unavailable"]
