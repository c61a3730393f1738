"""Column types the databases do not agree on."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa


class ExactDecimal(sa.types.TypeDecorator):
    """A Decimal that stays exact on both databases.

    PostgreSQL has NUMERIC. SQLite has no decimal type (it would keep a float), so there the value is
    stored as an integer count of 10^-scale units: exact, and still ordered for lt/gt comparisons.
    """

    impl = sa.Numeric
    cache_ok = True

    def __init__(self, precision: int = 18, scale: int = 4):
        super().__init__(precision, scale, asdecimal=True)
        self.scale = scale

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.Numeric(self.impl.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None or dialect.name != "sqlite":
            return value
        return int(Decimal(value).scaleb(self.scale).to_integral_value())

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(value).scaleb(-self.scale)
        return Decimal(value)
