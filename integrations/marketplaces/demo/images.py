"""Generated product images (SVG): a category icon, the brand and the title. Nothing downloaded."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

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
