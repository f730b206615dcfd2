"""Personal data as staff see it by default (issue 19.4): enough to recognise, not to use.

138****8000 for a phone number, z***@example.com for an e-mail address, 张* for a name, an
address with its street masked (上海市浦东新区****). A supervisor may reveal one value; that
is the console's business (audited), not this module's.
"""

from __future__ import annotations

import re

from shop.accounts import mask as mask_address_or_phone

STARS = "****"
# the administrative part of a Chinese address: up to the last 省/市/区/县/旗/镇 before the street
_REGION = re.compile(r"^(.*?(?:省|自治区|市|区|县|旗|镇))(?=[^省市区县旗镇]*(?:路|街|道|巷|弄|号|村|大厦|小区|\d))")


def mask_phone(phone: str) -> str:
    """138****8000 (a +86 prefix dropped); short numbers all stars."""
    return mask_address_or_phone(phone.strip())


def mask_email(email: str) -> str:
    """z***@example.com."""
    return mask_address_or_phone(email.strip())


def mask_name(name: str) -> str:
    """张* / 欧*** / L*****: the first character, a star for each of the others."""
    name = name.strip()
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def mask_address(address: str) -> str:
    """The province, city and district stay; the street, number and room are masked:
    上海市浦东新区世纪大道 1 号 → 上海市浦东新区****; "1 Main St, Springfield" → "****, Springfield"."""
    address = address.strip()
    if not address:
        return address
    region = _REGION.match(address)
    if region is not None:
        return region.group(1) + STARS
    head, comma, tail = address.rpartition(",")
    if comma and head and tail.strip() and not any(ch.isdigit() for ch in tail):
        return f"{STARS},{tail}"
    return STARS


def mask_value(field: str, value: str) -> str:
    """The masked form of one personal field (phone, email, receiver_name / display_name / name, address)."""
    if field == "phone":
        return mask_phone(value)
    if field == "email":
        return mask_email(value)
    if field == "address":
        return mask_address(value)
    return mask_name(value)
