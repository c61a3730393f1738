"""The API documents, generated from the registry: ``/openapi.json`` (OpenAPI 3.1) and ``/docs`` (HTML).

Both describe exactly what ``openvet.ezyvet.routes`` serves for each declaration: the operations each
version declares, their filters, bodies, answers, errors and scopes (``document.py``), each field type's
schema for reading and writing (``values.py``), and the guide for people (``guide.py``). They are static for
the life of the process, so each is built once, on first request. The Provet dialect is not described.
"""

from openvet.openapi.document import build_document, document, served_operations
from openvet.openapi.guide import docs_html, docs_page

__all__ = ["build_document", "docs_html", "docs_page", "document", "served_operations"]
