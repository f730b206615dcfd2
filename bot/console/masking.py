"""What the console shows of a shopper's personal data: masked (138****8000, z***@example.com,
张*, 上海市浦东新区****) in the queue, the profile, the transcript and the collected data; a
supervisor reveals one value at a time through an audited call (api.py, `reveal`)."""

from __future__ import annotations

import re
from typing import Any

from shop.masking import mask_email, mask_phone, mask_value

# fields a supervisor may reveal, as the shopper's profile names them
REVEALABLE = ("display_name", "receiver_name", "phone", "email", "address")
PHONE = re.compile(r"(?<![\d*])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def known_values(shopper: Any) -> dict[str, str]:
    """The shopper's own personal values → their masks (longest first when replaced)."""
    known: dict[str, str] = {}
    for field in REVEALABLE:
        value = getattr(shopper, field, None)
        if isinstance(value, str) and len(value.strip()) >= 2:
            known[value.strip()] = mask_value(field, value)
    return dict(sorted(known.items(), key=lambda kv: -len(kv[0])))


def scrub_text(text: str, known: dict[str, str]) -> str:
    """The shopper's known name, phone, address and e-mail masked, and any phone number or
    e-mail address in the text too."""
    for value, masked in known.items():
        if value in text:
            text = text.replace(value, masked)
    text = PHONE.sub(lambda m: mask_phone(m.group(0)), text)
    return EMAIL.sub(lambda m: mask_email(m.group(0)), text)


def scrub(value: Any, known: dict[str, str]) -> Any:
    """Every string inside a JSON-like value scrubbed (transcript lines, collected slots)."""
    if isinstance(value, str):
        return scrub_text(value, known)
    if isinstance(value, dict):
        return {k: scrub(v, known) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, known) for v in value]
    return value
