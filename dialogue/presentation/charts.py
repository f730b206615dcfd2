"""The words of a price chart: title, axis, legend and the two labelled amounts.

The renderer (integrations/charts) only draws; what a chart says is decided here, with the
platform names and the money format every other place uses.
"""

from __future__ import annotations

from decimal import Decimal

from dialogue.presentation.money import format_money
from dialogue.presentation.products import platform_name
from shop.charts import ChartLabels, Series

TEXT = {
    "zh": {"title": "{title} 价格走势", "target": "目标价 {v}", "lowest": "最低 {v}", "price": "价格 (元)"},
    "en": {"title": "{title} — price history", "target": "target {v}", "lowest": "lowest {v}",
           "price": "price (CNY)"},
}


def chart_labels(title: str, series: Series, language: str, target: Decimal | None) -> ChartLabels:
    """What the chart of `series` says to a shopper of `language`."""
    lang = "en" if language.startswith("en") else "zh"
    text = TEXT[lang]
    prices = [price for points in series.values() for _, price in points]
    return ChartLabels(
        title=text["title"].format(title=title),
        y_label=text["price"],
        platforms={platform: platform_name(platform, lang) for platform in series},
        target=None if target is None else text["target"].format(v=format_money(target)),
        lowest=text["lowest"].format(v=format_money(min(prices))) if prices else None,
    )
