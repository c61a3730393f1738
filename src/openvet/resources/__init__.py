"""The registry: every resource openvet serves, declared once (see ``declaration.py``).

Each module here declares the resources of one area of the clinic (the clinic itself, contacts, animals,
scheduling, clinical, diagnostics, correspondence, stock, payments, integration); ``REGISTRY`` maps endpoint names
to declarations. Adding a resource means adding a declaration to one of these modules.
"""

from __future__ import annotations

from openvet.resources import (
    animals,
    billing,
    clinic,
    clinical,
    contacts,
    correspondence,
    diagnostics,
    integration,
    payments,
    purchasing,
    scheduling,
    stock,
    wellness,
)
from openvet.resources.declaration import Endpoint, Operation, Resource
from openvet.resources.fields import Field

AREAS = {"clinic": clinic, "contacts": contacts, "animals": animals, "scheduling": scheduling,
         "clinical": clinical, "diagnostics": diagnostics, "correspondence": correspondence, "stock": stock,
         "purchasing": purchasing, "billing": billing, "wellness": wellness, "payments": payments,
         "integration": integration}
RESOURCES: tuple[Resource, ...] = tuple(r for module in AREAS.values() for r in module.RESOURCES)
REGISTRY: dict[str, Resource] = {r.name: r for r in RESOURCES}
AREA_OF: dict[str, str] = {r.name: area for area, module in AREAS.items() for r in module.RESOURCES}

__all__ = ["AREAS", "AREA_OF", "REGISTRY", "RESOURCES", "Endpoint", "Field", "Operation", "Resource"]
