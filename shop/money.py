"""`Money`: an amount of one currency, in its major unit (yuan), as a Decimal.

Immutable; arithmetic keeps the currency (adding yuan to dollars raises `CurrencyMismatch`);
`rounded()` rounds to cents ROUND_HALF_UP, as the platforms do at checkout. `str(money)` is
the plain decimal string payloads carry ("5219.00"); how a shopper sees it (¥5,219.00) is the
presentation layer's business (dialogue/presentation/money.py). Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import total_ordering

CENT = Decimal("0.01")
DEFAULT_CURRENCY = "CNY"


class CurrencyMismatch(ValueError):
    """Two amounts of different currencies were added, subtracted or compared."""


def cents(value: Decimal) -> Decimal:
    """`value` rounded to cents, ROUND_HALF_UP."""
    return value.quantize(CENT, ROUND_HALF_UP)


@total_ordering
@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money needs a Decimal amount, not {type(self.amount).__name__}")
        if not self.amount.is_finite():
            raise ValueError(f"Money amount must be finite, not {self.amount}")

    @classmethod
    def of(cls, value: Decimal | int | str, currency: str = DEFAULT_CURRENCY) -> Money:
        """Money from a Decimal, an int or a decimal string ("3999.00"); never from a float."""
        if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
            raise TypeError(f"Money.of takes a Decimal, int or str, not {type(value).__name__}")
        try:
            return cls(Decimal(value), currency)
        except InvalidOperation as exc:
            raise ValueError(f"not an amount of money: {value!r}") from exc

    @classmethod
    def zero(cls, currency: str = DEFAULT_CURRENCY) -> Money:
        return cls(Decimal(0), currency)

    def rounded(self) -> Money:
        """This amount rounded to cents (ROUND_HALF_UP)."""
        return Money(cents(self.amount), self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int | Decimal):
            return NotImplemented
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    def split(self, parts: int) -> Money:
        """One of `parts` equal shares, rounded to cents (the unit price of a total)."""
        if parts < 1:
            raise ValueError("parts must be at least 1")
        return Money(cents(self.amount / parts), self.currency)

    def __str__(self) -> str:
        return str(cents(self.amount))
