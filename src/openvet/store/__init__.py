"""The store: SQL only. Tables come from the registry's declarations; nothing here knows about HTTP."""
