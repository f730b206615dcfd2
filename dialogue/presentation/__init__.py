"""Presentation: domain values (Money, PriceQuote, SearchResult, Order) → channel-neutral payloads and texts.

One place formats money (`money.format_money`, ¥5,219.00 in every language) and price
breakdowns (`prices`); the payloads of contracts/channels.md are built here, not in `shop/`.
"""
