"""The ezyVet dialect (v1 and v2): routing, OAuth, envelope, paging, filters, typing, errors.

It translates the wire format only; every read and write goes through ``openvet.engine``.
"""

from openvet.ezyvet.routes import routes

__all__ = ["routes"]
