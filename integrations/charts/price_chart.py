"""Matplotlib renderer of price-history charts (implements `shop.charts.PriceChartRenderer`).

Agg backend, object-oriented API only (no pyplot global state, safe in worker threads): one
step line per platform, the shopper's target as a dashed line, the lowest point marked and
labelled. Chinese text needs a CJK font: `find_cjk_font` asks matplotlib's font manager for
Noto Sans CJK (Debian `fonts-noto-cjk`) or another known CJK family, registering system font
files the cached font list missed; without one the chart still renders (CJK glyphs become
boxes) and a warning is logged once.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib import dates as mdates
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from shop.charts import ChartRequest

log = logging.getLogger(__name__)

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Serif CJK SC",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Droid Sans Fallback",
)
_CJK_FILE_HINTS = ("notosanscjk", "notoserifcjk", "sourcehan", "wqy", "droidsansfallback", "simhei", "msyh")

PLATFORM_LABELS = {
    "zh": {"taobao": "淘宝", "jd": "京东", "pdd": "拼多多"},
    "en": {"taobao": "Taobao", "jd": "JD", "pdd": "Pinduoduo"},
}
TEXT = {
    "zh": {"title": "{title} 价格走势", "target": "目标价 ¥{v}", "lowest": "最低 ¥{v}", "price": "价格 (元)"},
    "en": {
        "title": "{title} — price history",
        "target": "target ¥{v}",
        "lowest": "lowest ¥{v}",
        "price": "price (CNY)",
    },
}
COLORS = {"taobao": "#ff8f00", "jd": "#c62828", "pdd": "#2e7d32"}


@lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """The family name of an installed CJK font, or None (with a warning)."""
    known = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            return family
    # fonts installed after matplotlib cached its font list: register them now
    for path in font_manager.findSystemFonts():
        if any(h in path.lower().replace("-", "").replace("_", "") for h in _CJK_FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError) as exc:
                log.debug("cannot load font %s: %s", path, exc)
    known = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in known:
            return family
    log.warning("no CJK font found (install fonts-noto-cjk): Chinese chart text will not render")
    return None


class MatplotlibPriceChart:
    """Draws `ChartRequest`s as PNGs of `width`×`height` pixels."""

    def __init__(self, width: int = 960, height: int = 540, dpi: int = 120) -> None:
        self.width, self.height, self.dpi = width, height, dpi

    def build_figure(self, req: ChartRequest) -> Figure:
        """The figure (exposed for tests: fonts, lines, markers); `render_png` draws it."""
        lang = req.language if req.language in TEXT else "zh"
        text = TEXT[lang]
        family = find_cjk_font()
        fig = Figure(figsize=(self.width / self.dpi, self.height / self.dpi), dpi=self.dpi)
        if family:
            fig.set_layout_engine("tight")
        ax = fig.add_subplot()
        fp = font_manager.FontProperties(family=[family, "DejaVu Sans"]) if family else None

        lowest: tuple[datetime, Decimal, str] | None = None
        for platform, points in sorted(req.series.items()):
            if not points:
                continue
            xs = [t for t, _ in points]
            ys = [float(p) for _, p in points]  # plotting only: money stays Decimal elsewhere
            if req.now is not None and req.now > xs[-1]:
                xs.append(req.now)
                ys.append(ys[-1])
            label = PLATFORM_LABELS[lang].get(platform, platform)
            ax.step(
                mdates.date2num(xs), ys, where="post", label=label, color=COLORS.get(platform), linewidth=2
            )
            for t, p in points:
                if lowest is None or p < lowest[1]:
                    lowest = (t, p, platform)

        if req.target is not None:
            ax.axhline(
                float(req.target),
                linestyle="--",
                color="#555555",
                linewidth=1.5,
                label=text["target"].format(v=f"{req.target:,.2f}"),
            )
        if lowest is not None:
            t, p, _ = lowest
            ax.plot(
                [mdates.date2num(t)],
                [float(p)],
                marker="v",
                markersize=11,
                color="#1565c0",
                linestyle="none",
                gid="lowest",
            )
            ax.annotate(
                text["lowest"].format(v=f"{p:,.2f}"),
                (mdates.date2num(t), float(p)),
                xytext=(0, -22),
                textcoords="offset points",
                ha="center",
                fontproperties=fp,
            )
        ax.set_title(text["title"].format(title=req.title), fontproperties=fp)
        ax.set_ylabel(text["price"], fontproperties=fp)
        ax.xaxis_date()
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
        ax.grid(True, alpha=0.3)
        ymin, ymax = ax.get_ylim()
        ax.set_ylim(ymin - (ymax - ymin) * 0.12, ymax)  # room for the lowest-point label
        ax.legend(loc="upper right", prop=fp)
        return fig

    def render_png(self, request: ChartRequest) -> bytes:
        """PNG bytes of the chart."""
        fig = self.build_figure(request)
        FigureCanvasAgg(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=self.dpi)
        return buf.getvalue()
