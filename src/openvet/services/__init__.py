"""Business rules: small functions that a resource declaration names in ``rules``.

A rule looks at one ``Change`` (the record as it will be, and as it was) and refuses what the clinic would
refuse, works out values of the record, or plans writes to other records (see ``changes.py``). It never
writes itself; the engine writes everything in one transaction, only when no rule refused anything.
Values worked out on read (signed links) are ``@computed`` functions. One module per clinic area.
"""

from __future__ import annotations

from openvet.services.changes import (
    COMPUTED,
    LISTINGS,
    QUESTIONS,
    RULES,
    Change,
    Effect,
    Pending,
    Reading,
    Rule,
    computed,
    listing,
    question,
    rule,
)

__all__ = ["COMPUTED", "LISTINGS", "QUESTIONS", "RULES", "Change", "Effect", "Pending", "Reading", "Rule", "computed",
           "listing", "question", "rule"]

from openvet.services import (  # noqa: E402,F401  (registers their rules)
    animals,
    billing,
    clinical,
    contacts,
    correspondence,
    diagnostics,
    files,
    jobs,
    payments,
    purchasing,
    scheduling,
    stock,
    webhooks,
    wellness,
)
