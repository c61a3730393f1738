"""Alembic environment: the target metadata is built from the registry, as the running server builds it."""

from __future__ import annotations

from alembic import context

from openvet.config import Settings
from openvet.resources import REGISTRY
from openvet.store.database import connect
from openvet.store.schema import build_metadata, search_objects

config = context.config
target_metadata = build_metadata(REGISTRY.values())
SEARCH_OBJECTS = search_objects(target_metadata)


def include_name(name, _type, _parents) -> bool:
    """Autogenerate leaves the search indexes alone: Alembic cannot see them; create_search writes them."""
    return name not in SEARCH_OBJECTS


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        context.configure(connection=connectable, target_metadata=target_metadata, render_as_batch=True,
                          include_name=include_name)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = connect(config.get_main_option("sqlalchemy.url") or Settings.from_environment().database_url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          include_name=include_name)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url") or Settings.from_environment().database_url,
                      target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
