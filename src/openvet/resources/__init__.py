"""The registry: every resource openvet serves, declared once (see ``declaration.py``).

Each module here declares the resources of one area of the clinic; ``REGISTRY`` maps endpoint names
to declarations. Adding a resource means adding a declaration to one of these modules.
"""

from __future__ import annotations

from openvet.resources import animals, clinic, contacts
from openvet.resources.declaration import Endpoint, Resource
from openvet.resources.fields import Field

RESOURCES: tuple[Resource, ...] = (*clinic.RESOURCES, *contacts.RESOURCES, *animals.RESOURCES)
REGISTRY: dict[str, Resource] = {r.name: r for r in RESOURCES}

__all__ = ["REGISTRY", "RESOURCES", "Endpoint", "Field", "Resource"]
