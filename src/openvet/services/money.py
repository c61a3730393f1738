"""Money as the clinic's books write it: Decimal end to end, to the cent.

Two roundings, each where the document's samples show it (``docs/decisions.md``, "Billing"): a figure the
clinic works out from a rate or a percentage is rounded half up to the cent (2.26 at 10 % -> 0.23, L10302); an
invoice line's quantity times its price is cut toward zero (1.25 x 2.26 -> 2.82, L6898-L7032).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


def to_cents(value: Decimal) -> Decimal:
    """A worked-out amount, rounded half up to the cent (163.16, 28.5: L10302)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def cut(value: Decimal) -> Decimal:
    """A line's quantity x price, cut toward zero to the cent (L7108-L7116)."""
    return value.quantize(CENT, rounding=ROUND_DOWN)
