"""Number normalisation: Arabic and full-width digits, Chinese numerals (via cn2an), k / w / 千 / 万
suffixes and English number words.

`parse_number(text)` returns an int when the value is whole, a float otherwise, or None when the
text holds no number. It never raises.
"""

from __future__ import annotations

import re
from functools import lru_cache

import cn2an

FULLWIDTH = str.maketrans("０１２３４５６７８９．，％＄￥", "0123456789.,%$¥")
CN_DIGITS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟萬億"
_CN_RUN = re.compile(f"[{CN_DIGITS}]+")
_NUM_RUN = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_SUFFIX = {"k": 1000, "K": 1000, "w": 10000, "W": 10000, "千": 1000, "万": 10000, "萬": 10000,
           "百": 100, "亿": 100_000_000, "m": 1_000_000, "M": 1_000_000}

EN_UNITS = {
    "zero": 0, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "couple": 2, "dozen": 12, "half": 0.5,
}
EN_SCALES = {"hundred": 100, "thousand": 1000, "grand": 1000, "k": 1000, "million": 1_000_000,
             "billion": 1_000_000_000}
EN_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "last": -1,
    "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6, "7th": 7, "8th": 8, "9th": 9,
    "10th": 10,
}
EN_NUMBER_WORDS = set(EN_UNITS) | set(EN_SCALES) | {"and"}


MAX_VALUE = 1e15  # anything larger is no price, quantity or ordinal: treated as "no number"


def whole(value: float) -> int | float:
    """Return an int when `value` is whole, else the float rounded to 4 places."""
    if value == int(value):
        return int(value)
    return round(value, 4)


def to_halfwidth(text: str) -> str:
    """Fold full-width digits and signs to ASCII."""
    return text.translate(FULLWIDTH)


@lru_cache(maxsize=4096)
def parse_chinese(text: str) -> int | float | None:
    """Parse a run of Chinese numerals (五千, 两万三, 三千五, 一百零一); None if not a number."""
    if not text or len(text) > 24 or not _CN_RUN.fullmatch(text):
        return None
    if text in ("十",):
        return 10
    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return _parse_chinese_fallback(text)
    return whole(float(value))


def _parse_chinese_fallback(text: str) -> int | float | None:
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")}
    digits.update({"〇": 0, "两": 2, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7,
                   "捌": 8, "玖": 9})
    units = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
    big = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
    if all(c in digits for c in text):  # 一二三 read digit by digit
        return int("".join(str(digits[c]) for c in text))
    total, section, current, last_unit = 0, 0, 0, 1
    for ch in text:
        if ch in digits:
            current = digits[ch]
        elif ch in units:
            section += (current or 1) * units[ch]
            last_unit, current = units[ch], 0
        elif ch in big:
            total += (section + current) * big[ch]
            last_unit, section, current = big[ch], 0, 0
        else:
            return None
    if current:  # 三千五 -> 3500
        section += current * (last_unit // 10 if last_unit >= 10 else 1)
    return total + section


@lru_cache(maxsize=4096)
def parse_english(text: str) -> int | float | None:
    """Parse English number words: 'five hundred', 'two thousand five hundred', 'a dozen'."""
    words = [w for w in re.split(r"[\s\-]+", text.lower().strip()) if w and w != "and"]
    if not words:
        return None
    total, current, seen = 0.0, 0.0, False
    for w in words:
        if w in EN_UNITS:
            current += EN_UNITS[w]
            seen = True
        elif w in EN_SCALES:
            current = (current or 1) * EN_SCALES[w]
            if EN_SCALES[w] >= 1000:
                total, current = total + current, 0.0
            seen = True
        else:
            num = _parse_arabic(w)
            if num is None:
                return None
            current += num
            seen = True
    return whole(total + current) if seen else None


def _parse_arabic(text: str) -> int | float | None:
    m = re.fullmatch(r"(\d+(?:,\d{3})*(?:\.\d+)?)([kKwWmM千万萬百亿]?)", text)
    if not m:
        return None
    value = float(m.group(1).replace(",", ""))
    if m.group(2):
        value *= _SUFFIX[m.group(2)]
    return whole(value)


_MIXED = re.compile(
    r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<suf>[kKwW](?![a-zA-Z])|千|万|萬|亿|百)?"
    r"(?P<tail>[零一二两三四五六七八九](?![十百千万])|\d(?![\d.]))?"
)

_EN_SCALE_AFTER = re.compile(r"\s*(grand|thousand|hundred)\b", re.IGNORECASE)
_EN_SCALE_WORDS = {"grand": 1000, "thousand": 1000, "hundred": 100}


@lru_cache(maxsize=8192)
def parse_number(text: str) -> int | float | None:
    """Find and parse the first number in `text` (any of the supported forms), or None."""
    if not isinstance(text, str) or not text:
        return None
    t = to_halfwidth(text)
    m = _MIXED.search(t)
    cn = _CN_RUN.search(t)
    if m and len(m.group("num")) > 18:
        return None
    if m and (cn is None or m.start() <= cn.start()):
        value = float(m.group("num").replace(",", ""))
        suf = m.group("suf")
        if suf:
            unit = _SUFFIX[suf]
            value *= unit
            tail = m.group("tail")
            rest = _CN_RUN.match(t, m.end("suf"))
            if rest and not tail and any(u in rest.group(0) for u in "十百千"):
                value += float(parse_chinese(rest.group(0)) or 0)  # 2万三千 -> 23000
            elif tail:  # 1万5 -> 15000
                tail_value = int(tail) if tail.isdigit() else (parse_chinese(tail) or 0)
                value += tail_value * unit / 10
        else:
            scale = _EN_SCALE_AFTER.match(t, m.end("num"))
            if scale:  # "2 grand", "3 thousand"
                value *= _EN_SCALE_WORDS[scale.group(1).lower()]
        return whole(value) if value < MAX_VALUE else None
    if cn:
        cn_value = parse_chinese(cn.group(0))
        return cn_value if cn_value is None or cn_value < MAX_VALUE else None
    return _parse_english_in(t)


_EN_WORD = re.compile(r"[A-Za-z]+")


def _parse_english_in(text: str) -> int | float | None:
    run: list[str] = []
    for w in _EN_WORD.findall(text.lower()):
        if w in EN_NUMBER_WORDS and not (w in ("a", "an", "and") and not run):
            run.append(w)
        elif run:
            break
    while run and run[-1] in ("and", "a", "an"):
        run.pop()
    if not run or len(run) > 20:
        return None
    value = parse_english(" ".join(run))
    return value if value is None or value < MAX_VALUE else None


def parse_ordinal(text: str) -> int | None:
    """第二个 -> 2, the third one -> 3, 最后一个 / the last -> -1, #3 -> 3, 2号 -> 2."""
    if not isinstance(text, str) or not text:
        return None
    t = to_halfwidth(text).lower()
    if "最后" in t or "last" in t or "倒数第一" in t:
        return -1
    m = re.search(r"倒数第([零一二两三四五六七八九十\d]+)", t)
    if m:
        n = parse_number(m.group(1))
        return -int(n) if n else -1
    for w in _EN_WORD.findall(t):
        if w in EN_ORDINALS:
            return EN_ORDINALS[w]
    m = re.search(r"(?<!\d)(\d{1,6})(?:st|nd|rd|th)\b", t)
    if m:
        return int(m.group(1))
    n = parse_number(t)
    if n is None:
        if "第一" in t or "首" in t:
            return 1
        return None
    return int(n)


_FRACTIONS = {"half": 50, "a half": 50, "third": 33, "a third": 33, "quarter": 25, "a quarter": 25,
              "fifth": 20, "a fifth": 20, "tenth": 10, "a tenth": 10}


def parse_percent(text: str) -> int | float | None:
    """降价10% -> 10, a fifth -> 20, 两成 -> 20, 打八折 -> 20, 八五折 -> 15, 15 percent -> 15."""
    if not isinstance(text, str) or not text:
        return None
    t = to_halfwidth(text).lower()
    m = re.search(r"([零一二两三四五六七八九\d.]+)\s*折", t)
    if m:
        raw = m.group(1)
        if re.fullmatch(r"[\d.]+", raw):
            v = float(raw)
            if v < 10:
                v *= 10
        elif len(raw) == 2 and all(c in "零一二两三四五六七八九" for c in raw):
            v = float(parse_chinese(raw[0]) or 0) * 10 + float(parse_chinese(raw[1]) or 0)
        else:
            v = float(parse_number(raw) or 0) * 10
        return whole(100 - v) if 0 < v < 100 else None
    m = re.search(r"([零一二两三四五六七八九十\d.]+)\s*成", t)
    if m:
        n = parse_number(m.group(1))
        return whole(float(n) * 10) if n is not None else None
    if "半价" in t:
        return 50
    for phrase, v in sorted(_FRACTIONS.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{phrase}\b", t):
            return v
    m = re.search(r"百分之([零一二两三四五六七八九十百\d.]+)", t)
    if m:
        return parse_number(m.group(1))
    return parse_number(t)
