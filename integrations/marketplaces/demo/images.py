"""Generated product images: PNG pictures (category shape, kind tint, brand band and initial, colour
variant fill; cached on disk) and the older SVG cards. Nothing downloaded."""

from __future__ import annotations

import colorsys
import hashlib
import io
import os
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from shop.taxonomy import NODES, ancestors

_ICONS = {  # simple shapes per category, drawn in a 120x120 box
    "phones": '<rect x="35" y="10" width="50" height="100" rx="8" fill="none" stroke="{c}" stroke-width="5"/>'
              '<circle cx="60" cy="98" r="4" fill="{c}"/>',
    "laptops": '<rect x="20" y="25" width="80" height="55" rx="4" fill="none" stroke="{c}" stroke-width="5"/>'
               '<rect x="10" y="82" width="100" height="10" rx="3" fill="{c}"/>',
    "tablets": '<rect x="22" y="15" width="76" height="95" rx="8" fill="none" stroke="{c}" stroke-width="5"/>',
    "earphones": '<path d="M25 70 A35 35 0 0 1 95 70" fill="none" stroke="{c}" stroke-width="6"/>'
                 '<rect x="15" y="65" width="18" height="30" rx="6" fill="{c}"/>'
                 '<rect x="87" y="65" width="18" height="30" rx="6" fill="{c}"/>',
    "running_shoes": '<path d="M15 85 L20 50 L55 60 L100 75 Q110 85 100 92 L15 92 Z" fill="{c}"/>',
    "sportswear": '<path d="M35 15 L85 15 L110 40 L95 55 L85 45 L85 105 L35 105 L35 45 L25 55 L10 40 Z" fill="{c}"/>',
    "home_appliances": '<rect x="30" y="10" width="60" height="100" rx="6" fill="none" stroke="{c}" stroke-width="5"/>'
                       '<line x1="30" y1="45" x2="90" y2="45" stroke="{c}" stroke-width="5"/>',
    "kitchen": '<ellipse cx="60" cy="65" rx="40" ry="30" fill="{c}"/><rect x="50" y="22" width="20" height="14" fill="{c}"/>',
    "beauty": '<rect x="45" y="40" width="30" height="70" rx="4" fill="{c}"/><rect x="50" y="15" width="20" height="25" fill="{c}"/>',
    "baby": '<circle cx="60" cy="50" r="28" fill="none" stroke="{c}" stroke-width="5"/>'
            '<circle cx="50" cy="47" r="4" fill="{c}"/><circle cx="70" cy="47" r="4" fill="{c}"/>',
    "groceries": '<path d="M20 40 L100 40 L90 105 L30 105 Z" fill="{c}"/>',
    "books": '<rect x="25" y="15" width="70" height="90" rx="3" fill="{c}"/>'
             '<line x1="35" y1="15" x2="35" y2="105" stroke="#fff" stroke-width="3"/>',
    "furniture": '<rect x="15" y="55" width="90" height="30" rx="6" fill="{c}"/>'
                 '<rect x="15" y="35" width="15" height="50" fill="{c}"/><rect x="90" y="35" width="15" height="50" fill="{c}"/>',
    "toys": '<rect x="20" y="55" width="80" height="45" fill="{c}"/>'
            '<circle cx="40" cy="50" r="9" fill="{c}"/><circle cx="80" cy="50" r="9" fill="{c}"/>',
}
_COLOURS = {"taobao": "#ff5000", "jd": "#e1251b", "pdd": "#e02e24"}
# groups of the taxonomy drawn with the icon of a kin kind
_GROUP_ICONS = {"phones_accessories": "phones", "computers_office": "laptops", "digital": "earphones",
                "shoes_bags": "running_shoes", "clothing": "sportswear", "sports": "sportswear",
                "home": "furniture", "household": "groceries", "health": "beauty", "pets": "baby",
                "car": "home_appliances", "jewellery_luxury": "beauty", "handcraft": "kitchen",
                "books_stationery": "books"}
# a product's first colour variant fills its icon, so colours (and products) tell apart
_VARIANT_FILLS = {"黑色": "#222222", "白色": "#d8d8d8", "灰色": "#8a8a8a", "蓝色": "#2f6fd6", "红色": "#d63031",
                  "绿色": "#2e9e5b", "粉色": "#f08fb3", "紫色": "#8e5bd6", "银色": "#b8bcc2", "金色": "#d4a93c",
                  "米色": "#e6d5b8", "卡其色": "#b59a6a", "深空灰": "#4a4d52", "藏青色": "#243a66",
                  "钛金属原色": "#9c9a94", "星光色": "#e9dfcf"}


def _icon(category: str) -> str | None:
    for key in ancestors(category) if category in NODES else (category,):
        if key in _ICONS:
            return _ICONS[key]
        if key in _GROUP_ICONS:
            return _ICONS[_GROUP_ICONS[key]]
    return None


def _title_lines(title: str, width: int = 26, most: int = 3) -> list[str]:
    """The title in at most `most` lines, broken between words (inside a word with no spaces)."""
    lines: list[str] = []
    for word in title.split():
        while len(word) > width:
            lines.append(word[:width])
            word = word[width:]
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][:width - 1] + "…"
    return lines


def product_svg(product: dict[str, Any], platform: str) -> str:
    """A 320x320 SVG card for a catalog product: its icon, brand and English title (one image serves
    every shopper, so it carries the brand and the title every shopper can read)."""
    colour = _COLOURS.get(platform, "#555")
    first = next(iter((product.get("variants") or {}).get("colour") or []), None)
    fill = _VARIANT_FILLS.get(first or "", colour)
    icon = (_icon(product["category"]) or '<circle cx="60" cy="60" r="40" fill="{c}"/>').replace("{c}", fill)
    lines = _title_lines(str(product.get("title_en") or product["title"]))
    text = "".join(f'<text x="160" y="{250 + 22 * n}" font-size="15" text-anchor="middle" '
                   f'fill="#333">{escape(line)}</text>' for n, line in enumerate(lines))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="320" viewBox="0 0 320 320">'
        '<rect width="320" height="320" fill="#fafafa"/>'
        f'<g transform="translate(100,40)">{icon}</g>'
        f'<text x="160" y="215" font-size="22" font-weight="bold" text-anchor="middle" '
        f'fill="{colour}">{escape(str(product["brand"]))}</text>{text}</svg>'
    )


# ---- PNG pictures (Telegram and WeChat cannot show SVG) ---------------------------------------

PNG_SIZE = 320
_DEFAULT_FILL = "#5a6b7d"


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _hue_colour(text: str, saturation: float = 0.55, value: float = 0.75) -> tuple[int, int, int]:
    """A steady colour for a name (the same brand gets the same band everywhere)."""
    hue = int(hashlib.sha1(text.encode()).hexdigest()[:4], 16) / 0xFFFF
    r, g, b = colorsys.hsv_to_rgb(hue, saturation, value)
    return round(r * 255), round(g * 255), round(b * 255)


def _icon_key(category: str) -> str:
    for key in ancestors(category) if category in NODES else (category,):
        if key in _ICONS:
            return key
        if key in _GROUP_ICONS:
            return _GROUP_ICONS[key]
    return "other"


def picture_key(product: dict[str, Any]) -> tuple[str, str, str, str]:
    """What a product's picture is drawn from: (shape family, leaf category, brand, first colour)."""
    colour = next(iter((product.get("variants") or {}).get("colour") or []), "")
    return _icon_key(str(product["category"])), str(product["category"]), str(product["brand"]), str(colour)


def _draw_shape(draw: Any, shape: str, fill: tuple[int, int, int], box: tuple[int, int, int]) -> None:
    """The shape of a category family, in a square of side `s` at (x, y)."""
    x, y, s = box

    def p(px: float, py: float) -> tuple[float, float]:  # a point of the 120x120 design box
        return x + px * s / 120, y + py * s / 120

    def rect(x0: float, y0: float, x1: float, y1: float, r: float = 0, outline: bool = False) -> None:
        xy = [p(x0, y0), p(x1, y1)]
        if outline:
            draw.rounded_rectangle(xy, radius=r * s / 120, outline=fill, width=max(3, s // 24))
        else:
            draw.rounded_rectangle(xy, radius=r * s / 120, fill=fill)

    if shape == "phones":
        rect(35, 10, 85, 110, 8, outline=True)
        draw.ellipse([p(56, 94), p(64, 102)], fill=fill)
    elif shape == "laptops":
        rect(20, 25, 100, 80, 4, outline=True)
        rect(10, 82, 110, 92, 3)
    elif shape == "tablets":
        rect(22, 15, 98, 110, 8, outline=True)
    elif shape == "earphones":
        draw.arc([p(25, 35), p(95, 105)], 180, 360, fill=fill, width=max(3, s // 20))
        rect(15, 65, 33, 95, 6)
        rect(87, 65, 105, 95, 6)
    elif shape == "running_shoes":
        draw.polygon([p(15, 85), p(20, 50), p(55, 60), p(100, 75), p(108, 86), p(100, 92), p(15, 92)], fill=fill)
    elif shape == "sportswear":
        draw.polygon([p(35, 15), p(85, 15), p(110, 40), p(95, 55), p(85, 45), p(85, 105), p(35, 105),
                      p(35, 45), p(25, 55), p(10, 40)], fill=fill)
    elif shape == "home_appliances":
        rect(30, 10, 90, 110, 6, outline=True)
        draw.line([p(30, 45), p(90, 45)], fill=fill, width=max(3, s // 24))
    elif shape == "kitchen":
        draw.ellipse([p(20, 35), p(100, 95)], fill=fill)
        rect(50, 22, 70, 36)
    elif shape == "beauty":
        rect(45, 40, 75, 110, 4)
        rect(50, 15, 70, 40)
    elif shape == "baby":
        draw.ellipse([p(32, 22), p(88, 78)], outline=fill, width=max(3, s // 24))
        draw.ellipse([p(46, 43), p(54, 51)], fill=fill)
        draw.ellipse([p(66, 43), p(74, 51)], fill=fill)
    elif shape == "groceries":
        draw.polygon([p(20, 40), p(100, 40), p(90, 105), p(30, 105)], fill=fill)
    elif shape == "books":
        rect(25, 15, 95, 105, 3)
        draw.line([p(35, 15), p(35, 105)], fill=(255, 255, 255), width=max(2, s // 40))
    elif shape == "furniture":
        rect(15, 55, 105, 85, 6)
        rect(15, 35, 30, 85)
        rect(90, 35, 105, 85)
    elif shape == "toys":
        rect(20, 55, 100, 100)
        draw.ellipse([p(31, 41), p(49, 59)], fill=fill)
        draw.ellipse([p(71, 41), p(89, 59)], fill=fill)
    else:
        draw.ellipse([p(20, 20), p(100, 100)], fill=fill)


def _font(size: int) -> Any:
    try:
        return ImageFont.load_default(size)
    except (OSError, TypeError, ValueError):  # a Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def product_png(product: dict[str, Any]) -> bytes:
    """A 320x320 PNG picture of a catalog product that tells it apart from others: the shape of
    its category family, a tint of its own kind behind it, a band in its brand's colour with the
    brand's initial, and the shape filled with its first colour variant."""
    shape, category, brand, colour = picture_key(product)
    kind_tint = tuple(255 - (255 - c) // 6 for c in _hue_colour(category))
    image = Image.new("RGB", (PNG_SIZE, PNG_SIZE), kind_tint)
    draw = ImageDraw.Draw(image)
    fill = _hex(_VARIANT_FILLS[colour]) if colour in _VARIANT_FILLS else _hue_colour(category, 0.6, 0.55)
    _draw_shape(draw, shape, fill, (70, 30, 180))
    band = _hue_colour(brand or "?", 0.7, 0.6)
    draw.rectangle([0, 240, PNG_SIZE, PNG_SIZE], fill=band)
    initial = next((ch for ch in brand if ch.isalnum() and ch.isascii()), "") or "·"
    draw.ellipse([16, 252, 72, 308], fill=(255, 255, 255))
    draw.text((44, 280), initial.upper(), fill=band, font=_font(34), anchor="mm")
    name = "".join(ch for ch in brand if ch.isascii())[:16]
    draw.text((88, 280), name, fill=(255, 255, 255), font=_font(26), anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def default_picture_dir() -> Path:
    """Where pictures are kept when the app names no directory (its var/pictures)."""
    import tempfile

    return Path(tempfile.gettempdir()) / "shopbot-pictures"


class PictureCache:
    """PNG pictures drawn once per (family, kind, brand, colour) and kept on disk under `directory`
    (a restart draws nothing again); the last few are also kept in memory."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self._memory: dict[str, bytes] = {}

    def png(self, product: dict[str, Any]) -> bytes:
        key = hashlib.sha1("\x1f".join(picture_key(product)).encode()).hexdigest()[:20]
        found = self._memory.get(key)
        if found is not None:
            return found
        path = self.directory / f"{key}.png"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = product_png(product)
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        if len(self._memory) >= 512:
            self._memory.pop(next(iter(self._memory)))
        self._memory[key] = data
        return data
