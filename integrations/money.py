"""The one money parser of the adapters: vendor amounts in, ``Decimal`` yuan out (and back).

Vendors write money as yuan text ("5999.00"), yuan numbers, or integer fen (分). Every adapter
(demo platforms, affiliate APIs, payments) reads and writes amounts through these functions, so
a price is parsed one way everywhere: floats are refused (money never passes through binary
floating point), as are booleans, blanks, non-finite and negative amounts.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")


def parse_yuan(value: Any, *, signed: bool = False) -> Decimal | None:
    """A yuan amount ("88.00", "88", 88, Decimal) with 2 places; None when missing, invalid or
    negative (``signed=True``: a negative amount is returned, for the caller to judge)."""
    if value is None or isinstance(value, (bool, float)) or value == "":
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or (amount < 0 and not signed):
        return None
    return amount.quantize(CENT)


def fen_to_yuan(value: Any, *, text_ok: bool = True, signed: bool = False) -> Decimal | None:
    """An integer amount of fen as yuan; None when missing, invalid or negative.

    ``text_ok=False`` accepts JSON integers only (an API documented to send numbers).
    """
    if value is None or isinstance(value, (bool, float)):
        return None
    if not text_ok and not isinstance(value, int):
        return None
    if type(value) is int:
        fen = value
    else:
        try:
            fen = int(str(value).strip())
        except ValueError:
            return None
    if fen < 0 and not signed:
        return None
    return Decimal(fen).scaleb(-2)  # exact, two places: 12345 -> 123.45, 100 -> 1.00


def to_fen(amount: Decimal) -> int:
    """Yuan → integer fen; refuses negative and sub-fen amounts rather than rounding money."""
    fen = amount * 100
    if amount < 0 or fen != fen.to_integral_value():
        raise ValueError(f"not a payable yuan amount: {amount}")
    return int(fen)


def yuan_text(amount: Decimal) -> str:
    """Yuan as vendors' amount text ("88.80"); refuses negative or sub-fen amounts."""
    if amount < 0 or amount != amount.quantize(CENT):
        raise ValueError(f"not a payable yuan amount: {amount}")
    return f"{amount.quantize(CENT):f}"
