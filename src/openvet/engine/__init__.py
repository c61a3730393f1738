"""The generic engine: list, get, create, update and delete for every declared resource.

Dialects call it with field names and parsed conditions; it validates against the declaration, runs the
business rules the declaration names (``openvet.services``), and writes through the store.
"""

from openvet.engine.engine import Engine, Outcome, Page
from openvet.engine.problems import RETRY_AFTER, NotFound, Problem, ValidationFailed, unavailable
from openvet.store.filters import OPERATORS, Condition

__all__ = ["OPERATORS", "RETRY_AFTER", "Condition", "Engine", "NotFound", "Outcome", "Page", "Problem",
           "ValidationFailed", "unavailable"]
