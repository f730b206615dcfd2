"""How a shopper sees an amount of money: ¥5,219.00 in both languages ($ for USD)."""

from __future__ import annotations

from decimal import Decimal

from shop.money import Money

SYMBOLS = {"CNY": "¥", "USD": "$"}


def as_money(amount: Money | Decimal | str | int, currency: str = "CNY") -> Money:
    """A Money from a Money, a Decimal, an int or a payload's decimal string."""
    return amount if isinstance(amount, Money) else Money.of(amount, currency)


def format_money(amount: Money | Decimal | str | int | None, language: str | None = None,
                 currency: str = "CNY") -> str:
    """¥5,219.00 (cents rounded half up); "-" for no amount. The same in every language."""
    if amount is None:
        return "-"
    money = as_money(amount, currency).rounded()
    symbol = SYMBOLS.get(money.currency, money.currency + " ")
    sign = "-" if money.amount < 0 else ""
    return f"{sign}{symbol}{abs(money.amount):,.2f}"
