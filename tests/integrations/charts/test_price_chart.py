"""The matplotlib price chart: a real PNG, CJK text in a CJK font, target line, lowest point."""

from __future__ import annotations

import io
import struct
import warnings
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from matplotlib import font_manager
from matplotlib.image import imread

from integrations.charts.price_chart import MatplotlibPriceChart, find_cjk_font
from shop.charts import ChartRequest

D = Decimal
T0 = datetime(2026, 11, 1, tzinfo=UTC)
SERIES = {
    "jd": [(T0, D("5999")), (T0 + timedelta(days=3), D("5499")), (T0 + timedelta(days=9), D("5799"))],
    "taobao": [(T0 + timedelta(days=1), D("5899")), (T0 + timedelta(days=5), D("5699"))],
}


def request(language: str = "zh") -> ChartRequest:
    return ChartRequest("华为 MateBook 14 笔记本", SERIES, language, D("5400"), T0 + timedelta(days=12))


def test_png_is_valid_with_sane_dimensions():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would warn ("Glyph … missing from font")
        png = MatplotlibPriceChart(width=960, height=540).render_png(request())
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (960, 540)
    pixels = imread(io.BytesIO(png))
    assert pixels.shape[:2] == (540, 960)
    assert pixels[..., :3].std() > 0.05  # not a blank canvas


def test_chinese_title_uses_a_cjk_font():
    family = find_cjk_font()
    assert family is not None, "install fonts-noto-cjk"
    fig = MatplotlibPriceChart().build_figure(request())
    ax = fig.axes[0]
    assert ax.get_title() == "华为 MateBook 14 笔记本 价格走势"
    path = font_manager.findfont(ax.title.get_fontproperties(), fallback_to_default=False)
    font = font_manager.get_font(path)
    assert all(font.get_char_index(ord(ch)) for ch in "华为笔记本价格走势")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["京东", "淘宝", "目标价 ¥5,400.00"]


def test_one_line_per_platform_dashed_target_and_lowest_point_marked():
    fig = MatplotlibPriceChart().build_figure(request("en"))
    ax = fig.axes[0]
    steps = [line for line in ax.get_lines() if line.get_label() in ("JD", "Taobao")]
    assert len(steps) == 2
    target = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(target) == 1 and list(target[0].get_ydata()) == [5400.0, 5400.0]
    lowest = [line for line in ax.get_lines() if line.get_gid() == "lowest"]
    assert len(lowest) == 1
    assert list(lowest[0].get_ydata()) == [5499.0]
    labels = [t.get_text() for t in ax.texts]
    assert "lowest ¥5,499.00" in labels
