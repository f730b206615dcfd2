"""The Pillow price chart: a real PNG, CJK text in a CJK font, target line, lowest point."""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from PIL import Image, ImageChops, ImageFont, ImageStat

from dialogue.presentation.charts import chart_labels
from integrations.charts.price_chart import PillowPriceChart, find_cjk_font, load_font
from shop.charts import ChartRequest

D = Decimal
T0 = datetime(2026, 11, 1, tzinfo=UTC)
SERIES = {
    "jd": [(T0, D("5999")), (T0 + timedelta(days=3), D("5499")), (T0 + timedelta(days=9), D("5799"))],
    "taobao": [(T0 + timedelta(days=1), D("5899")), (T0 + timedelta(days=5), D("5699"))],
}


def request(language: str = "zh") -> ChartRequest:
    labels = chart_labels("华为 MateBook 14 笔记本", SERIES, language, D("5400"))
    return ChartRequest(SERIES, labels, D("5400"), T0 + timedelta(days=12))


def test_png_is_valid_with_sane_dimensions():
    png = PillowPriceChart(width=960, height=540).render_png(request())
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (960, 540)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (960, 540)
    assert max(ImageStat.Stat(image).stddev) > 10  # not a blank canvas


def glyph(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, ch: str) -> Image.Image:
    return font.getmask(ch).convert("L") if hasattr(font, "getmask") else Image.new("L", (1, 1))  # type: ignore[return-value]


def test_chinese_title_uses_a_cjk_font():
    choice = find_cjk_font()
    assert choice.cjk and choice.path is not None, "install fonts-noto-cjk"
    layout = PillowPriceChart().layout(request())
    assert layout.title == "华为 MateBook 14 笔记本 价格走势"
    font = load_font(layout.font, 22)
    missing = glyph(font, "\U000f0000")  # a private-use code point: the font's 'missing glyph' box
    for ch in "华为笔记本价格走势":  # every character has its own glyph, not the missing-glyph box
        drawn = glyph(font, ch)
        assert drawn.getbbox() is not None
        assert drawn.size != missing.size or ImageChops.difference(drawn, missing).getbbox() is not None, ch
    assert [label for label, _, _ in layout.legend] == ["京东", "淘宝", "目标价 ¥5,400.00"]


def test_one_line_per_platform_dashed_target_and_lowest_point_marked():
    chart = PillowPriceChart()
    layout = chart.layout(request("en"))
    assert [line.label for line in layout.lines] == ["JD", "Taobao"]
    assert layout.target is not None and layout.target.dashed and layout.target.data_y == [5400.0, 5400.0]
    assert layout.lowest is not None and layout.lowest.price == D("5499")
    assert layout.lowest.label == "lowest ¥5,499.00"
    left, top, right, bottom = layout.plot
    # the lowest point is drawn below every other price of the chart and above the target line
    assert top < layout.lowest.y < layout.target.points[0][1] < bottom
    assert left <= layout.lowest.x <= right
    image = Image.open(io.BytesIO(chart.paint(layout))).convert("RGB")
    marker = image.getpixel((round(layout.lowest.x), round(layout.lowest.y - 4)))
    assert marker == (0x15, 0x65, 0xC0)  # the lowest point's marker is painted where the layout says
