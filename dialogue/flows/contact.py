"""A shipping contact typed the way people type it: address, name and phone in one line or
several, Chinese or English ("上海市浦东新区世纪大道100号 张三", "+86 138 1234 5678",
"Zhang San, 100 Century Avenue, Pudong, Shanghai"). Pure functions, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PHONE_CN = re.compile(r"(?<![\d])(?:\+?86[\s-]?|0086[\s-]?)?(1[3-9]\d(?:[\s-]?\d){8})(?![\d])")
_PHONE_ANY = re.compile(r"(?<![\d])(\+?\d[\d\s()-]{6,18}\d)(?![\d])")
_ZH_ADDRESS_CHARS = re.compile(r"[省市区县镇乡路街道号村巷弄栋幢室楼单元小区大厦广场]")
_ZH_NAME = re.compile(r"^(?:收件人|收货人|姓名|名字|联系人)?[::]?\s*([\u4e00-\u9fff·]{2,4})$")
_EN_ADDRESS_WORDS = re.compile(
    r"\b(street|st|road|rd|avenue|ave|lane|ln|apt|building|bldg|district|city|province|floor|room|unit|no|"
    r"drive|dr|way|blvd|boulevard|square|sq|block|tower|village|town|county|beijing|shanghai|guangzhou|"
    r"shenzhen|hangzhou|chengdu|pudong|chaoyang|haidian)\b", re.IGNORECASE)
_EN_NAME = re.compile(r"^(?:name[:\s]+)?([A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,2})$")
_SEPARATORS = " ,,;;"
MUNICIPALITIES = ("北京", "上海", "天津", "重庆", "香港", "澳门")
_ZH_PARTS = re.compile(r"^(?P<province>[\u4e00-\u9fff]{2,7}?(?:省|自治区|特别行政区))?"
                       r"(?P<city>[\u4e00-\u9fff]{2,6}?市)?(?P<district>[\u4e00-\u9fff]{1,6}?(?:区|县|旗))?"
                       r"(?P<street>.*)$")


@dataclass
class Contact:
    """What one message gave: any of address, name, phone; `missing` names the address parts absent."""

    address: str | None = None
    name: str | None = None
    phone: str | None = None
    parts: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def normalise_phone(text: str, *, any_country: bool = False) -> str | None:
    """A mainland mobile number without the +86 / spaces / dashes; other numbers (7-15 digits,
    with their +) only when `any_country`."""
    m = _PHONE_CN.search(text)
    if m:
        return re.sub(r"\D", "", m.group(1))
    if any_country:
        m = _PHONE_ANY.search(text)
        if m:
            digits = re.sub(r"[^\d+]", "", m.group(1))
            if 7 <= len(digits.lstrip("+")) <= 15:
                return digits
    return None


def _cut_phone(text: str, language: str) -> tuple[str, str | None]:
    m = _PHONE_CN.search(text) or (_PHONE_ANY.search(text) if language == "en" else None)
    if not m:
        return text, None
    phone = normalise_phone(m.group(0), any_country=language == "en")
    if phone is None:
        return text, None
    return (text[:m.start()] + " " + text[m.end():]).strip(_SEPARATORS), phone


def parse_contact(text: str, language: str) -> Contact:
    """Split a message into address, receiver name and phone (whatever of them it holds)."""
    rest, phone = _cut_phone(text.strip(), language)
    contact = Contact(phone=phone)
    if language == "zh" or any("\u4e00" <= ch <= "\u9fff" for ch in rest):
        pieces = [p.strip() for p in re.split(r"[,,;;\n]+|\s+", rest) if p.strip()]
        kept = []
        for piece in pieces:
            m = _ZH_NAME.match(piece)
            if m and not _ZH_ADDRESS_CHARS.search(m.group(1)) and contact.name is None:
                contact.name = m.group(1)
            else:
                kept.append(piece)
        address = "".join(kept)
        if address:
            contact.address = address
            parts = _ZH_PARTS.match(address)
            found = {k: v for k, v in (parts.groupdict() if parts else {}).items() if v}
            contact.parts = found
            if not found.get("province") and not found.get("city") and not address.startswith(MUNICIPALITIES):
                contact.missing.append("city")
            street = found.get("street") or ""
            if not re.search(r"\d|号|村|组|室|楼", street):
                contact.missing.append("street")
        return contact
    pieces = [p.strip() for p in re.split(r"[,,;;\n]+", rest) if p.strip()]
    kept = []
    for n, piece in enumerate(pieces):
        m = _EN_NAME.match(piece)
        if m and not _EN_ADDRESS_WORDS.search(piece) and contact.name is None and len(pieces) > 1 \
                and n in (0, len(pieces) - 1):
            contact.name = m.group(1)
        else:
            kept.append(piece)
    if kept:
        contact.address = ", ".join(kept)
        if not any(re.search(r"\d", p) for p in kept):
            contact.missing.append("street")
        if len(kept) < 2 and not _EN_ADDRESS_WORDS.search(contact.address or ""):
            contact.missing.append("city")
    return contact


def looks_like_address(text: str) -> bool:
    """Does the text look like (part of) an address rather than a request?"""
    return bool(_ZH_ADDRESS_CHARS.search(text) and re.search(r"\d|号|路|街", text)) or \
        bool(_EN_ADDRESS_WORDS.search(text) and re.search(r"\d", text))


# The commonest Chinese surnames (about 85% of people), for telling a bare name ("王芳") typed
# before it was asked from other short answers ("随便", "白色").
_ZH_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
                   "姚卢姜崔钟谭陆汪范廖石贾韦夏付方邹熊孟秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_NOT_NAME_ENDINGS = tuple("的色款个吧了啊呢吗呀哦嘛版号码")
_EN_NOT_NAME = {"yes", "no", "ok", "okay", "the", "one", "first", "second", "third", "last", "buy", "it", "please", "thanks",
                "large", "small", "medium", "size", "colour", "color", "dark", "light", "space", "rose", "sky", "midnight",
                "starlight", "ocean", "forest", "mint", "cream", "sand", "natural", "classic", "pro", "max", "plus", "mini",
                "ultra", "lite", "standard", "edition", "version", "any", "whatever", "either", "sure"}


def bare_name(text: str, language: str, colour_words: set[str] | frozenset[str] = frozenset()) -> str | None:
    """A person's name typed on its own ("王芳", "Wang Fang"), or None. Strict on purpose: it is
    used where another answer is expected, so a colour, a size or a word of agreement never is one."""
    text = text.strip()
    if re.fullmatch(r"[\u4e00-\u9fff]{2,3}", text):
        if text[0] in _ZH_SURNAMES and not text.endswith(_NOT_NAME_ENDINGS) and not _ZH_ADDRESS_CHARS.search(text):
            return text
        return None
    m = re.fullmatch(r"([A-Z][a-z]{1,15})\s+([A-Z][a-z]{1,15})", text)
    if m and not ({w.lower() for w in m.groups()} & (_EN_NOT_NAME | set(colour_words))):
        return text
    return None

