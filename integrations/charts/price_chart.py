"""Pillow renderer of price-history charts (implements `shop.charts.PriceChartRenderer`).

One step line per platform, the shopper's target as a dashed line, the lowest point marked and
labelled, a title, a y axis in yuan with gridlines, dates (MM-DD) on the x axis and a legend.
`layout` computes what is drawn (pixel coordinates, texts, colours) as plain values, and
`render_png` paints that layout with Pillow, so the picture can be checked without reading
pixels. Pillow draws in the calling thread without global state (safe in worker threads).

Chinese text needs a CJK font: `find_cjk_font` looks for Noto Sans CJK (Debian
`fonts-noto-cjk`) or another known CJK font file in the usual font directories; without one
the chart still renders in DejaVu Sans or Pillow's built-in font (CJK glyphs become boxes) and
a warning is logged once.
"""

from __future__ import annotations

import io
import logging
import math
import os
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from shop.charts import ChartRequest

log = logging.getLogger(__name__)

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.fonts"),
             os.path.expanduser("~/.local/share/fonts"), "/System/Library/Fonts", "/Library/Fonts",
             "C:/Windows/Fonts")  # fmt: skip
# file names of CJK fonts, most wanted first (matched lowercased, without '-' and '_')
CJK_FILES = ("notosanscjkregular", "notosanscjksc", "notosanssc", "sourcehansans", "wqyzenhei", "wqymicrohei",
             "notoserifcjkregular", "simhei", "msyh", "pingfang", "droidsansfallback")  # fmt: skip
LATIN_FILES = ("dejavusans.ttf", "liberationsansregular.ttf", "arial.ttf")

COLORS = {"taobao": "#ff8f00", "jd": "#c62828", "pdd": "#2e7d32"}
OTHER_COLOR = "#6a1b9a"
TARGET_COLOR = "#555555"
LOWEST_COLOR = "#1565c0"
GRID_COLOR = "#e6e6e6"
AXIS_COLOR = "#333333"


@dataclass(frozen=True)
class FontChoice:
    path: str | None  # None: Pillow's built-in font
    index: int = 0  # face index in a .ttc collection
    cjk: bool = False


def _normalised(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "").replace(" ", "")


def _font_files() -> list[Path]:
    files: list[Path] = []
    for root in FONT_DIRS:
        if os.path.isdir(root):
            for dirpath, _, names in os.walk(root):
                files.extend(Path(dirpath) / n for n in names if n.lower().endswith((".ttf", ".ttc", ".otf")))
    return files


def _sc_face(path: Path) -> int:
    """The index of the Simplified Chinese face in a collection (Noto CJK: JP, KR, SC, TC, HK)."""
    if path.suffix.lower() != ".ttc":
        return 0
    for index in range(16):
        try:
            family = ImageFont.truetype(str(path), 12, index=index).getname()[0] or ""
        except OSError:
            break
        if family.endswith(" SC"):
            return index
    return 0


@lru_cache(maxsize=1)
def find_cjk_font() -> FontChoice:
    """The best CJK font file installed, else a Latin one (with a warning), else the built-in font."""
    files = _font_files()
    by_name = {_normalised(p.stem) + p.suffix.lower(): p for p in files}
    for wanted in CJK_FILES:
        for name, path in sorted(by_name.items()):
            if name.startswith(wanted):
                return FontChoice(str(path), _sc_face(path), cjk=True)
    log.warning("no CJK font found (install fonts-noto-cjk): Chinese chart text will not render")
    for wanted in LATIN_FILES:
        for name, path in sorted(by_name.items()):
            if name == _normalised(wanted):
                return FontChoice(str(path))
    return FontChoice(None)


def load_font(choice: FontChoice, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if choice.path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(choice.path, size, index=choice.index)


@dataclass(frozen=True)
class Line:
    label: str
    color: str
    points: list[tuple[float, float]]  # pixel coordinates
    dashed: bool = False
    data_y: list[float] = field(default_factory=list)  # the prices drawn (yuan)


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    price: Decimal
    label: str
    color: str = LOWEST_COLOR


@dataclass(frozen=True)
class Layout:
    """Everything a chart shows, in pixels of a `width`×`height` canvas."""

    width: int
    height: int
    font: FontChoice
    title: str
    y_label: str
    plot: tuple[int, int, int, int]  # left, top, right, bottom
    lines: list[Line]
    target: Line | None
    lowest: Marker | None
    y_ticks: list[tuple[float, str]]  # (pixel y, label)
    x_ticks: list[tuple[float, str]]  # (pixel x, label)
    legend: list[tuple[str, str, bool]]  # (label, colour, dashed)


def _nice_step(span: float, count: int = 5) -> float:
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


class PillowPriceChart:
    """Draws `ChartRequest`s as PNGs of `width`×`height` pixels."""

    def __init__(self, width: int = 960, height: int = 540) -> None:
        self.width, self.height = width, height

    def layout(self, req: ChartRequest) -> Layout:
        """What the chart shows, where (exposed for tests); `render_png` paints it."""
        words = req.labels
        scale = min(self.width / 960, self.height / 540)
        left, top = int(90 * scale), int(56 * scale)
        right, bottom = self.width - int(24 * scale), self.height - int(48 * scale)

        series = [(p, pts) for p, pts in sorted(req.series.items()) if pts]
        times = [t for _, pts in series for t, _ in pts] + ([req.now] if req.now is not None else [])
        prices = [float(v) for _, pts in series for _, v in pts]
        if req.target is not None:
            prices.append(float(req.target))
        t0 = min(times) if times else datetime.now()
        t1 = max(times) if times else t0
        span_t = (t1 - t0).total_seconds() or 86400.0
        lo, hi = (min(prices), max(prices)) if prices else (0.0, 1.0)
        pad = (hi - lo) * 0.08 or max(hi * 0.05, 1.0)
        y_min, y_max = lo - pad - (hi - lo + 2 * pad) * 0.12, hi + pad  # room below for the lowest label

        def px(t: datetime) -> float:
            return left + (t - t0).total_seconds() / span_t * (right - left)

        def py(v: float) -> float:
            return bottom - (v - y_min) / (y_max - y_min) * (bottom - top)

        lines: list[Line] = []
        lowest: tuple[datetime, Decimal] | None = None
        for platform, points in series:
            xs = [t for t, _ in points]
            ys = [float(v) for _, v in points]  # drawing only: money stays Decimal elsewhere
            if req.now is not None and req.now > xs[-1]:
                xs.append(req.now)
                ys.append(ys[-1])
            path: list[tuple[float, float]] = []
            for i, (t, v) in enumerate(zip(xs, ys, strict=True)):  # a step line: the price holds until the next
                if i:
                    path.append((px(t), py(ys[i - 1])))
                path.append((px(t), py(v)))
            label = words.platforms.get(platform, platform)
            lines.append(Line(label, COLORS.get(platform, OTHER_COLOR), path, data_y=ys))
            for when, price in points:
                if lowest is None or price < lowest[1]:
                    lowest = (when, price)

        target = None
        if req.target is not None:
            y = py(float(req.target))
            target = Line(words.target or "", TARGET_COLOR, [(left, y), (right, y)],
                          dashed=True, data_y=[float(req.target)] * 2)  # fmt: skip
        marker = None
        if lowest is not None:
            when, price = lowest
            marker = Marker(px(when), py(float(price)), price, words.lowest or "")

        step = _nice_step(y_max - y_min)
        first = math.ceil(y_min / step) * step
        y_ticks = []
        value = first
        while value <= y_max + 1e-9:
            y_ticks.append((py(value), f"{value:,.0f}" if step >= 1 else f"{value:,.2f}"))
            value += step
        days = max(1, round(span_t / 86400 / 6))
        x_ticks = []
        day = t0.replace(hour=0, minute=0, second=0, microsecond=0)
        while day <= t1:
            if day >= t0:
                x_ticks.append((px(day), day.strftime("%m-%d")))
            day = day.fromordinal(day.toordinal() + days).replace(tzinfo=day.tzinfo)

        legend = [(line.label, line.color, False) for line in lines]
        if target is not None:
            legend.append((target.label, target.color, True))
        return Layout(
            width=self.width, height=self.height, font=find_cjk_font(),
            title=words.title, y_label=words.y_label, plot=(left, top, right, bottom),
            lines=lines, target=target, lowest=marker, y_ticks=y_ticks, x_ticks=x_ticks, legend=legend,
        )  # fmt: skip

    def render_png(self, request: ChartRequest) -> bytes:
        """PNG bytes of the chart."""
        return self.paint(self.layout(request))

    def paint(self, lay: Layout) -> bytes:
        scale = min(lay.width / 960, lay.height / 540)
        img = Image.new("RGB", (lay.width, lay.height), "white")
        draw = ImageDraw.Draw(img)
        title_font = load_font(lay.font, max(10, int(22 * scale)))
        font = load_font(lay.font, max(8, int(15 * scale)))
        small = load_font(lay.font, max(8, int(13 * scale)))
        left, top, right, bottom = lay.plot
        width = max(1, int(2 * scale))

        for y, label in lay.y_ticks:
            draw.line([(left, y), (right, y)], fill=GRID_COLOR, width=1)
            draw.text((left - 6, y), label, fill=AXIS_COLOR, font=small, anchor="rm")
        for x, label in lay.x_ticks:
            draw.line([(x, top), (x, bottom)], fill=GRID_COLOR, width=1)
            draw.text((x, bottom + 6), label, fill=AXIS_COLOR, font=small, anchor="mt")
        draw.rectangle([left, top, right, bottom], outline=AXIS_COLOR, width=1)
        draw.text(((left + right) / 2, top / 2), lay.title, fill="black", font=title_font, anchor="mm")
        y_label = Image.new("RGBA", (int(draw.textlength(lay.y_label, font=font)) + 4, int(24 * scale) + 4))
        ImageDraw.Draw(y_label).text((2, 2), lay.y_label, fill=AXIS_COLOR, font=font)
        rotated = y_label.rotate(90, expand=True)
        img.paste(rotated, (int(8 * scale), int((top + bottom - rotated.height) / 2)), rotated)

        for line in lay.lines:
            draw.line(line.points, fill=line.color, width=width + 1, joint="curve")
        if lay.target is not None:
            (x0, y), (x1, _) = lay.target.points
            dash = 10 * scale
            x = x0
            while x < x1:
                draw.line([(x, y), (min(x + dash, x1), y)], fill=lay.target.color, width=width)
                x += dash * 1.6
        if lay.lowest is not None:
            m = lay.lowest
            r = 8 * scale
            draw.polygon([(m.x - r, m.y - r * 1.2), (m.x + r, m.y - r * 1.2), (m.x, m.y + r * 0.4)], fill=m.color)
            draw.text((m.x, m.y + 10 * scale), m.label, fill="black", font=font, anchor="mt")

        # legend, upper right
        row = int(22 * scale)
        swatch = int(26 * scale)
        text_w = max((draw.textlength(label, font=font) for label, _, _ in lay.legend), default=0)
        box_w = int(swatch + 14 * scale + text_w + 12 * scale)
        bx1, by0 = right - int(10 * scale), top + int(10 * scale)
        bx0 = bx1 - box_w
        draw.rectangle([bx0, by0, bx1, by0 + row * len(lay.legend) + int(8 * scale)], fill="white",
                       outline="#cccccc")  # fmt: skip
        for i, (label, color, dashed) in enumerate(lay.legend):
            y = by0 + int(4 * scale) + row * i + row / 2
            x0 = bx0 + int(6 * scale)
            if dashed:
                draw.line([(x0, y), (x0 + swatch * 0.4, y)], fill=color, width=width)
                draw.line([(x0 + swatch * 0.6, y), (x0 + swatch, y)], fill=color, width=width)
            else:
                draw.line([(x0, y), (x0 + swatch, y)], fill=color, width=width + 1)
            draw.text((x0 + swatch + int(8 * scale), y), label, fill="black", font=font, anchor="lm")

        buf = io.BytesIO()
        img.save(buf, format="PNG", optimize=False)
        return buf.getvalue()
