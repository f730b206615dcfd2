"""Return parcels a shopper types: "SF1234567890", "顺丰 SF1234567890", "中通 731000123456789".

`read_parcel(text)` finds a carrier and a tracking number in what the shopper wrote and checks
the number against the carrier's format: `ParcelNumber` (carrier code, number) when it fits,
`BadParcelNumber` when the message is about a parcel (a carrier named, or a number-like token)
but the number does not fit any carrier, None when the message is not about a parcel at all.

Formats (the carriers' published waybill formats, as the shop accepts them):
SF (顺丰) "SF" + 10–15 digits; JD (京东物流) "JD" + 2 letters or digits + 9–13 digits;
YTO (圆通) "YT" + 13–15 digits; ZTO (中通), STO (申通), YD (韵达) 12–15 digits (the carrier
must be named: the digits alone fit several); EMS 2 letters + 9 digits + "CN", or 13 digits
starting with 1 (named).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Carrier:
    code: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...]  # lower-case words that name it
    pattern: re.Pattern[str]  # the whole tracking number
    prefixed: bool  # the number alone says the carrier


CARRIERS: tuple[Carrier, ...] = (
    Carrier("SF", "顺丰", "SF Express", ("顺丰", "顺丰速运", "sf express", "sf"), re.compile(r"SF\d{10,15}"), True),
    Carrier("JD", "京东物流", "JD Logistics", ("京东物流", "京东快递", "京东", "jd logistics", "jd"),
            re.compile(r"JD[A-Z0-9]{2}\d{9,13}"), True),
    Carrier("YTO", "圆通", "YTO Express", ("圆通", "圆通速递", "yto"), re.compile(r"YT\d{13,15}"), True),
    Carrier("ZTO", "中通", "ZTO Express", ("中通", "中通快递", "zto"), re.compile(r"\d{12,15}"), False),
    Carrier("STO", "申通", "STO Express", ("申通", "申通快递", "sto"), re.compile(r"\d{12,15}"), False),
    Carrier("YD", "韵达", "Yunda Express", ("韵达", "韵达快递", "yunda"), re.compile(r"\d{13,15}"), False),
    Carrier("EMS", "EMS", "EMS", ("ems", "邮政", "中国邮政", "china post"),
            re.compile(r"[A-Z]{2}\d{9}CN|1\d{12}"), False),
)
BY_CODE = {c.code: c for c in CARRIERS}
_TOKEN = re.compile(r"[A-Za-z]{0,4}\d[A-Za-z0-9]{2,}")  # a waybill-looking token: letters then digits
_ALIAS = sorted(((a, c) for c in CARRIERS for a in c.aliases), key=lambda ac: -len(ac[0]))
_ASCII_WORD = re.compile(r"[a-z ]+")
_PREFIX = {"SF": "SF", "JD": "JD", "YTO": "YT"}
_MOBILE = re.compile(r"1[3-9]\d{9}")


@dataclass(frozen=True)
class ParcelNumber:
    carrier: Carrier
    tracking_number: str


@dataclass(frozen=True)
class BadParcelNumber:
    carrier: Carrier | None  # the carrier named, if any
    typed: str  # what looked like the number ("" when none was given)


def carrier_named(text: str) -> Carrier | None:
    """The carrier a message names (longest name first; Latin names as whole words)."""
    low = text.lower()
    for alias, carrier in _ALIAS:
        if _ASCII_WORD.fullmatch(alias):
            if re.search(rf"(?<![a-z]){re.escape(alias)}(?![a-z])", low):
                return carrier
        elif alias in low:
            return carrier
    return None


def read_parcel(text: str) -> ParcelNumber | BadParcelNumber | None:
    """The return parcel in a shopper's message (see the module's docstring)."""
    tokens = [t.upper() for t in _TOKEN.findall(text)]
    named = carrier_named(_TOKEN.sub(" ", text))
    for token in tokens:
        if named is not None:
            for candidate in (token, _PREFIX.get(named.code, "") + token):  # "顺丰 1234567890"
                if named.pattern.fullmatch(candidate):
                    return ParcelNumber(named, candidate)
            continue
        for carrier in CARRIERS:
            if carrier.prefixed and carrier.pattern.fullmatch(token):
                return ParcelNumber(carrier, token)
    # about a parcel, but no number fits: a carrier named with a number, a carrier's prefix,
    # or a long run of digits that is not a mobile phone number
    for token in tokens:
        if named is not None or token[:2] in _PREFIX.values() or (
                token.isdigit() and len(token) >= 10 and not _MOBILE.fullmatch(token)):
            return BadParcelNumber(named, token)
    return None


def carrier_name(code: str, language: str) -> str:
    """The carrier's name for the shopper ("顺丰" / "SF Express"); the code when unknown."""
    carrier = BY_CODE.get(code)
    if carrier is None:
        return code
    return carrier.name_en if language == "en" else carrier.name_zh


def valid_parcel(code: str, tracking_number: str) -> bool:
    """Whether the number fits the carrier's format (an unknown carrier never does)."""
    carrier = BY_CODE.get(code)
    return carrier is not None and carrier.pattern.fullmatch(tracking_number) is not None
