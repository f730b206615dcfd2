"""Budgets in other currencies: "$300", "under five hundred dollars", "300美元" are converted to
yuan at the rates of the `CURRENCY_RATES` setting, and the reply says so ("$300 ≈ ¥2,160")."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$", "JPY": "JP¥"}
DEFAULT_RATES = "USD:7.2,EUR:7.8,GBP:9.1,HKD:0.92,JPY:0.048"


def parse_rates(text: str) -> dict[str, Decimal]:
    """`"USD:7.2,EUR:7.8"` → {"USD": Decimal("7.2"), …} (yuan per unit); ValueError on a bad entry."""
    rates: dict[str, Decimal] = {}
    for entry in (e.strip() for e in text.split(",") if e.strip()):
        code, _, value = entry.partition(":")
        try:
            rate = Decimal(value.strip())
        except InvalidOperation as exc:
            raise ValueError(f"currency rate {entry!r} is not CODE:number") from exc
        if not code.strip() or not rate.is_finite() or rate <= 0:
            raise ValueError(f"currency rate {entry!r} is not CODE:positive number")
        rates[code.strip().upper()] = rate
    return rates


def in_yuan(amount: Decimal | None, currency: str, rates: Mapping[str, Decimal]) -> Decimal | None:
    """The amount in whole yuan (a budget needs no fen)."""
    if amount is None:
        return None
    return (amount * rates[currency]).quantize(Decimal(1))


def conversion_note(lo: Decimal | None, hi: Decimal | None, currency: str, rates: Mapping[str, Decimal]) -> str:
    """"$300 ≈ ¥2,160", "$300–500 ≈ ¥2,160–3,600"."""
    symbol = SYMBOLS.get(currency, currency + " ")

    def num(d: Decimal) -> str:
        return f"{d.normalize():,f}"

    given = [d for d in (lo, hi) if d is not None]
    converted = [in_yuan(d, currency, rates) for d in given]
    left = symbol + "–".join(num(d) for d in given)
    right = "¥" + "–".join(num(d) for d in converted if d is not None)
    return f"{left} ≈ {right}"
