"""The Provet Cloud dialect (api/0.1): hyperlinked JSON over the same records as the ezyVet API.

It translates the wire format only (routing, Token authentication, DRF paging and errors, hyperlinks,
codes and labels); every read and write goes through ``openvet.engine``.
"""

from openvet.provet.routes import routes

__all__ = ["routes"]
