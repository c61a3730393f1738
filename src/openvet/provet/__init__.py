"""The Provet Cloud dialect (api/0.1): hyperlinked JSON over the same records as the ezyVet API."""

from starlette.routing import Route


def routes() -> list[Route]:
    return []
