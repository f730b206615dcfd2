"""Entity values: numbers, ordinals, percentages, phones and synonyms folded to canonical values."""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from typing import Any

from .numbers import parse_number, parse_ordinal, parse_percent, to_halfwidth

NUMERIC = {"price_min", "price_max", "price_approx", "target_price", "price", "budget", "amount"}
INTEGER = {"quantity", "count", "number"}

# Built-in synonyms of the shop's vocabulary (contracts/nlu.md); training data adds to these.
BUILTIN_SYNONYMS: dict[str, dict[str, str]] = {
    "platform": {"淘宝": "taobao", "天猫": "taobao", "tmall": "taobao", "taobao": "taobao",
                 "京东": "jd", "jd": "jd", "jingdong": "jd", "jd.com": "jd", "拼多多": "pdd",
                 "pdd": "pdd", "pinduoduo": "pdd"},
    "currency": {"元": "CNY", "块": "CNY", "¥": "CNY", "rmb": "CNY", "人民币": "CNY", "yuan": "CNY",
                 "cny": "CNY", "$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
                 "美元": "USD", "美金": "USD", "刀": "USD"},
    "payment_method": {"微信": "wechat_pay", "微信支付": "wechat_pay", "wechat": "wechat_pay",
                       "wechat pay": "wechat_pay", "支付宝": "alipay", "alipay": "alipay",
                       "信用卡": "card", "银行卡": "card", "card": "card", "credit card": "card"},
    "service_type": {"退货": "return", "退": "return", "return": "return", "换货": "exchange",
                     "换": "exchange", "exchange": "exchange", "维修": "repair", "修": "repair",
                     "repair": "repair", "退款": "refund", "refund": "refund", "投诉": "complaint",
                     "complaint": "complaint"},
    "sort_by": {"销量": "sales", "sales": "sales", "评分": "rating", "好评": "rating",
                "rating": "rating", "价格从低到高": "price_asc", "价格从高到低": "price_desc",
                "cheapest first": "price_asc", "best rated": "rating"},
}


@dataclass
class ValueNormaliser:
    """Maps an entity's text to its value; learns synonyms from the training data."""

    synonyms: dict[str, str] = field(default_factory=dict)  # lower text -> value (any label)
    by_label: dict[str, dict[str, str]] = field(default_factory=dict)  # label -> lower text -> value
    canonical_labels: set[str] = field(default_factory=set)

    @classmethod
    def learn(cls, synonyms: dict[str, str], annotations: list[tuple[str, str, Any]]) -> ValueNormaliser:
        """Build from Rasa synonyms and (label, text, value) annotations of the training data."""
        by_label: dict[str, dict[str, str]] = {}
        changed: dict[str, list[int]] = {}
        for label, text, value in annotations:
            stats = changed.setdefault(label, [0, 0])
            stats[1] += 1
            if isinstance(value, str) and value != text:
                stats[0] += 1
            if isinstance(value, str):
                by_label.setdefault(label, {})[text.lower()] = value
                by_label[label].setdefault(value.lower(), value)
        for label, table in BUILTIN_SYNONYMS.items():
            if label in by_label:
                for k, v in table.items():
                    by_label[label].setdefault(k, v)
        canonical = {lb for lb, (c, n) in changed.items() if n and c / n >= 0.2}
        return cls(dict(synonyms), by_label, canonical)

    def to_json(self) -> dict[str, Any]:
        return {"synonyms": self.synonyms, "by_label": self.by_label,
                "canonical_labels": sorted(self.canonical_labels)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ValueNormaliser:
        return cls(data.get("synonyms", {}), data.get("by_label", {}),
                   set(data.get("canonical_labels", [])))

    def value(self, label: str, text: str) -> Any:
        """The normalised value of `text` extracted as `label`."""
        key = text.lower().strip()
        if label in NUMERIC:
            n = parse_number(text)
            return n if n is not None else self._categorical(label, key, text)
        if label in INTEGER:
            n = parse_number(text)
            return int(n) if n is not None else text
        if label == "ordinal":
            o = parse_ordinal(text)
            return o if o is not None else text
        if label == "percent_drop":
            p = parse_percent(text)
            return p if p is not None else text
        if label == "phone":
            digits = re.sub(r"\D", "", to_halfwidth(text))
            return digits or text
        return self._categorical(label, key, text)

    def _categorical(self, label: str, key: str, text: str) -> Any:
        table = self.by_label.get(label, {})
        if key in table:
            return table[key]
        syn = self.synonyms.get(key)
        if syn is not None and (not table or syn in table.values()):
            return syn
        if label in self.canonical_labels and table and len(key) >= 3:
            close = difflib.get_close_matches(key, list(table), n=1, cutoff=0.8)
            if close:
                return table[close[0]]
        return text


_MIN_WORDS = re.compile(r"(以上|起步|起$|^超过|^高于|^不低于|^至少|^最低|^起码|^over\b|^above\b|^more than\b|"
                        r"^at least\b|^minimum\b|^no less than\b|^starting at\b)", re.IGNORECASE)
_MAX_WORDS = re.compile(r"(以内|以下|之内|封顶|^不超过|^不超|^最多|^低于|^少于|^不高于|^最高|^under\b|^below\b|"
                        r"^less than\b|^up to\b|^no more than\b|^at most\b|^max|^within\b|^cheaper than\b)", re.IGNORECASE)
_APPROX_WORDS = re.compile(r"(左右|上下|出头|来块|来元|^大概|^大约|^around\b|^about\b|^roughly\b|^approx)", re.IGNORECASE)


def price_label(label: str, text: str) -> str:
    """A budget's bound word decides between price_min / price_max / price_approx."""
    if label not in ("price_min", "price_max", "price_approx"):
        return label
    t = text.strip()
    if _MAX_WORDS.search(t):
        return "price_max"
    if _MIN_WORDS.search(t):
        return "price_min"
    if _APPROX_WORDS.search(t):
        return "price_approx"
    return label


def closed_values(normaliser: ValueNormaliser, label: str, max_values: int = 12) -> set[str] | None:
    """The value set of a canonicalised label with few values (platform, sort_by...), else None."""
    if label not in normaliser.canonical_labels:
        return None
    values = set(normaliser.by_label.get(label, {}).values())
    if any(re.fullmatch(r"-?\d+(?:\.\d+)?", v) for v in values):
        return None  # numbers are open-ended
    return values if 0 < len(values) <= max_values else None


def fix_compressed_range(entities: list[dict[str, Any]]) -> None:
    """五六千 -> price_min 5 becomes 5000 when the price_max right after it is 6000."""
    mins = [e for e in entities if e["entity"] == "price_min"]
    maxs = [e for e in entities if e["entity"] == "price_max"]
    for lo in mins:
        for hi in maxs:
            lv, hv = lo.get("value"), hi.get("value")
            if not isinstance(lv, (int, float)) or not isinstance(hv, (int, float)) or lv <= 0 or hv <= 0:
                continue
            if 0 <= hi["start"] - lo["end"] <= 1 and lv < 10 and hv >= 10 * lv:
                scale = 10 ** math.floor(math.log10(hv))
                lo["value"] = int(lv * scale) if float(lv * scale).is_integer() else lv * scale
