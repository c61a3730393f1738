"""The OpenAPI 3.1 document, generated from the registry (being written)."""

from starlette.requests import Request
from starlette.responses import JSONResponse


async def document(request: Request):
    return JSONResponse({"openapi": "3.1.0", "info": {"title": "openvet", "version": "0.1.0"}, "paths": {}})


async def docs_page(request: Request):
    return JSONResponse({})
