"""Rule-based entity extraction: budgets, target prices, ordinals, quantities, percentages,
phones, order ids, e-mails, plus the training data's own regexes and lookup tables.

Each rule carries the entity label it produces. At training time every rule is run over the
training examples and kept only if its label occurs in the data and its spans agree with the
annotations (precision >= 0.9): rules then "win where they are certain" and stay silent on
data sets that annotate differently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .tokenizer import CJK, jieba_words

CN_NUM = "零〇一二两三四五六七八九十百千万亿"
# Each number starts where a digit / numeral run starts (the look-behinds keep the scan linear).
NUM = (r"(?:(?<!\d)\d+(?:,\d{3})*(?:\.\d+)?(?:\s?(?:[kKwW](?![A-Za-z])|千|万|百))?"
       rf"(?:[{CN_NUM}](?![{CN_NUM}]))?|(?<![{CN_NUM}])[{CN_NUM}]+(?:\.\d+)?)")
NUM_FW = r"(?:(?:[¥￥$]|RMB|rmb)\s?)?" + NUM.replace(r"\d", r"[\d０-９]")
ZH_UNIT = r"(?:\s?(?:元|块钱|块|rmb|RMB|人民币|¥|美元|美金|美刀|欧元|英镑|港币|港元|日元))?"  # 500美元以内: the budget keeps its unit
EN_WORDNUM = (r"(?:(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
              r"thirty|forty|fifty|sixty|seventy|eighty|ninety|a|one)(?:[\s-](?:hundred|thousand|"
              r"one|two|three|four|five|six|seven|eight|nine|and))*(?:\s(?:hundred|thousand|grand|k))?)")
EN_NUM = (rf"(?:[$¥]\s?)?(?:(?<!\d)\d+(?:,\d{{3}})*(?:\.\d+)?(?:\s?[kK]|\s(?:grand|thousand|hundred))?(?![A-Za-z])"
          rf"|{EN_WORDNUM}(?![A-Za-z]))")
EN_UNIT = r"(?:\s?(?:yuan|rmb|RMB|dollars?|bucks|usd|USD|kuai|元|块))?"
ORD_WORDS = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|\d+(?:st|nd|rd|th))"
CLASSIFIERS = "台个個件双雙部瓶箱盒包套只隻条條张張本支副袋罐"  # not 块: 五百块 is money
EN_CLASSIFIERS = r"(?:pairs?|units?|pieces?|pcs|boxes|box|bottles?|packs?|sets?|items?|phones?|laptops?|cans?|bags?)"


@dataclass(frozen=True)
class Match:
    label: str
    start: int
    end: int
    rule: str


@dataclass(frozen=True)
class Rule:
    name: str
    label: str
    pattern: re.Pattern[str]
    group: int | str = 0

    def find(self, text: str) -> Iterable[Match]:
        for m in self.pattern.finditer(text):
            s, e = m.span(self.group)
            if s >= 0 and e > s:
                yield Match(self.label, s, e, self.name)


def _r(name: str, label: str, pattern: str, group: int | str = 0, flags: int = 0) -> Rule:
    return Rule(name, label, re.compile(pattern, flags), group)


def builtin_rules() -> list[Rule]:
    """The built-in rules in priority order (earlier rules win overlaps)."""
    i = re.IGNORECASE
    return [
        _r("order_id", "order_id", r"(?<![A-Za-z0-9])SO\d{13}(?!\d)", flags=i),
        _r("email", "email", r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"),
        _r("phone", "phone", r"(?<![0-9A-Za-z])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)"),
        # target prices: the number with its unit only
        _r("target_zh", "target_price", rf"(?:降到|降至|跌到|跌破|低于|便宜到|到了?)({NUM_FW}{ZH_UNIT})(?=.{{0,6}}(?:提醒|告诉|通知|叫我))", 1),
        _r("target_zh2", "target_price", rf"(?:降到|降至|跌到|跌破|便宜到)({NUM_FW}{ZH_UNIT})", 1),
        _r("target_en", "target_price", rf"(?:drops?|falls?|goes|gets|dips?|is|hits?)\s(?:below|under|to|down to|beneath)\s({EN_NUM}{EN_UNIT})", 1, i),
        # percentages
        _r("pct", "percent_drop", rf"(?:{NUM_FW}\s?(?:%|％|percent|per cent)|百分之[{CN_NUM}\d]+|(?<![第])[{CN_NUM}\d]成(?!本|功|交|新|熟)|打?[{CN_NUM}\d.]{{1,3}}折(?!叠)|半价)", flags=i),
        _r("pct_en", "percent_drop", r"\ba\s(?:fifth|quarter|third|half|tenth)\b", flags=i),
        # ranges (two spans)
        _r("range_zh_min", "price_min", rf"({NUM_FW}{ZH_UNIT})\s?(?:到|至|-|~|～|—)\s?{NUM_FW}{ZH_UNIT}", 1),
        _r("range_zh_max", "price_max", rf"{NUM_FW}{ZH_UNIT}\s?(?:到|至|-|~|～|—)\s?({NUM_FW}{ZH_UNIT})", 1),
        _r("range_cn_min", "price_min", r"([一二两三四五六七八九])(?=[一二两三四五六七八九][十百千万]+)", 1),
        _r("range_cn_max", "price_max", rf"(?<=[一二两三四五六七八九])([一二两三四五六七八九][十百千万]+{ZH_UNIT})", 1),
        _r("range_en_min", "price_min", rf"between\s({EN_NUM}{EN_UNIT})\sand\s{EN_NUM}", 1, i),
        _r("range_en_max", "price_max", rf"between\s{EN_NUM}{EN_UNIT}\sand\s({EN_NUM}{EN_UNIT})", 1, i),
        _r("range_en2_min", "price_min", rf"(?:from\s)?({EN_NUM}{EN_UNIT})\s?(?:-|to|~)\s?{EN_NUM}{EN_UNIT}", 1, i),
        _r("range_en2_max", "price_max", rf"(?:from\s)?{EN_NUM}{EN_UNIT}\s?(?:-|to|~)\s?({EN_NUM}{EN_UNIT})", 1, i),
        # bounds
        _r("max_zh", "price_max", rf"{NUM_FW}{ZH_UNIT}(?:钱)?(?:以内|以下|之内|内|封顶)"),
        _r("max_zh2", "price_max", rf"(?:不超过|不超|最多|低于|少于|不高于|不要超过|别超过|最高)\s?{NUM_FW}{ZH_UNIT}"),
        _r("min_zh", "price_min", rf"(?!一起){NUM_FW}{ZH_UNIT}(?:钱)?(?:以上|起步|起)"),
        _r("min_zh2", "price_min", rf"(?:超过|高于|不低于|至少|最低|起码)\s?{NUM_FW}{ZH_UNIT}"),
        _r("approx_zh", "price_approx", rf"{NUM_FW}{ZH_UNIT}(?:钱)?(?:左右|上下|出头|附近)"),
        # "五百来块", "三千多": about that much
        _r("approx_zh2", "price_approx", rf"(?<![\d{CN_NUM}])(?:\d{{3,}}|[{CN_NUM}]*[百千万])(?:来|多)(?:块钱|块|元)?"
                                         r"(?![\d个件台次天年岁人斤小分])"),
        _r("max_en", "price_max", rf"(?:under|below|less than|up to|no more than|at most|max(?:imum)?|within|cheaper than|not over|no more than|budget of|budget is)\s{EN_NUM}{EN_UNIT}", flags=i),
        _r("min_en", "price_min", rf"(?:over|above|more than|at least|minimum|no less than|starting at)\s{EN_NUM}{EN_UNIT}", flags=i),
        _r("approx_en", "price_approx", rf"(?:around|about|roughly|approximately|approx\.?|~)\s?{EN_NUM}{EN_UNIT}", flags=i),
        # ordinals
        _r("ord_zh", "ordinal", rf"倒数第[{CN_NUM}\d]+(?:个|個|款|件|台|种|家|条)?|(?<!排)第[{CN_NUM}\d]+(?:个|個|款|件|台|种|家|条|项)?(?!次|时间)|最后(?:一个|一款|那个|这个|那款|这款|一件|一台|那台|一双)"),
        # "N号" is an item number, except in an address (路/街/弄... 18号)
        _r("ord_no", "ordinal", r"(?<![\d.路街弄道巷村楼栋区里])\d{1,2}号(?![码])"),
        _r("ord_hash", "ordinal", r"(?:#|＃|no\.\s?)\d{1,2}(?!\d)", flags=i),
        _r("ord_en", "ordinal", rf"\bthe\s{ORD_WORDS}(?:\s(?:one|item|option|product))?\b(?!\s(?:two|three|order|time))", flags=i),
        _r("ord_en2", "ordinal", rf"\b{ORD_WORDS}\s(?:one|item|option|product)\b", flags=i),
        _r("ord_item", "ordinal", r"\b(?:item|number|option|no\.?)\s?\d{1,2}\b(?!\s[a-z]+\s(?:road|street|rd|st|avenue|ave|lane)\b)", flags=i),
        # quantities: numeral with classifier
        # not: 这两个 / 前三个 (pointing at listed items), 挑一个 / 换一个 (no purchase count),
        # 三只松鼠 (a brand), 零件
        # "一个/一台" is mostly an article (推荐一个, 找一台): a count only after a buying verb
        _r("qty_zh", "quantity", rf"(?:(?<![第\d{CN_NUM}这那前后哪几每挑选换])(?<!注册)(?![零一])[{CN_NUM}\d]{{1,3}}"
                                 rf"|(?:^|(?<=[来要买買拍退整拿订需手单\s])|(?<=发了))一)[{CLASSIFIERS}](?!松鼠|都|提醒)"
                                 r"|(?<=[来要买拿订])[俩仨]"),
        _r("qty_en", "quantity", rf"\b(?:(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|a couple of|a dozen)"
                                   rf"\s(?:{EN_CLASSIFIERS}|of them|of those|of these)"
                                   r"|a\s(?:pair|pack|box|bottle|bag|can|set)(?=\sof\s))\b(?!\s\d)", flags=i),
    ]


def data_rules(regexes: dict[str, list[str]], labels: set[str]) -> list[Rule]:
    """Rules from the training data's `regex:` entries whose name is an entity label."""
    out = []
    for name, patterns in regexes.items():
        if name not in labels:
            continue
        for i, p in enumerate(patterns):
            try:
                out.append(Rule(f"regex:{name}:{i}", name, re.compile(p)))
            except re.error:
                continue
    return out


_CJK_CHAR = re.compile(f"[{CJK}]")
# "手机" in 手机号 / "phone" in "phone number 138..." names a contact detail, not a product.
_CONTACT_AFTER = re.compile(r"号|\s*number|\s*(?:no\.|是|is)?\s*[:：]?\s*(?:\+?86)?[\d０-９](?:[\s-]?[\d０-９]){6}",
                            re.IGNORECASE)
_CONTACT_BEFORE = re.compile(r"(?:绑定|关联|绑个|绑|bind|link|register with)\s*(?:我的|my|一下)?\s*$", re.IGNORECASE)
CONTACT_WORDS = frozenset({"手机", "电话", "phone", "mobile", "cellphone"})
# An English product phrase takes the type words before it and the model words after it
# ("wireless mouse", "airpods pro", "iphone 16"), as the data annotates them.
_EN_MODIFIERS = re.compile(
    r"(?:\b(?:true wireless|wireless|bluetooth|noise[ -]cancell?ing|cordless|gaming|mechanical|smart|"
    r"electric|robot|portable|kids|android|trail|4k)\s)+$", re.IGNORECASE)
_EN_MODEL = re.compile(
    r"(?:\s(?:pro|max|mini|air|ultra|plus|lite|se|"
    r"\d{1,3}(?![\d.,])(?!\s?(?:gb|tb|g|t|k|w|mah|inch|寸|元|块|yuan|rmb|kuai|dollars?|bucks|units?|pairs?|"
    r"pcs|pieces?|of|号|个|台|件)\b)))+(?![A-Za-z0-9])", re.IGNORECASE)


class LookupMatcher:
    """Longest-match dictionary scan (case-insensitive). A match must not start or end inside
    a longer word: Latin entries need word boundaries, Chinese ones jieba word boundaries (a
    Chinese product may start inside one, see `_on_word_bounds`)."""

    def __init__(self, tables: dict[str, list[str]]) -> None:
        self.entries: dict[str, str] = {}
        for label, words in tables.items():
            for w in words:
                k = w.strip().lower()
                if len(k) >= 2 or (k and not k.isascii()):
                    self.entries.setdefault(k, label)
        self.max_len = max((len(k) for k in self.entries), default=0)

    @staticmethod
    def _cjk_bounds(text: str) -> set[int] | None:
        """Offsets where a jieba word starts or ends (None when the text has no Chinese)."""
        if not _CJK_CHAR.search(text):
            return None
        bounds = {0, len(text)}
        for _, s, e in jieba_words(text):
            bounds.add(s)
            bounds.add(e)
        return bounds

    @staticmethod
    def _on_word_bounds(label: str, text: str, start: int, end: int, bounds: set[int]) -> bool:
        """A Chinese match may not end inside a longer word (手机|号, 电视|剧). Chinese compounds put
        the head last, so a product may start inside one (新款|手机 is still a phone)."""
        if _CJK_CHAR.match(text[end - 1]) and end not in bounds:
            return False
        return label == "product" or not _CJK_CHAR.match(text[start]) or start in bounds

    @staticmethod
    def _contact(key: str, text: str, start: int, end: int) -> bool:
        """A phone word naming the user's contact number rather than a product to buy."""
        if key not in CONTACT_WORDS:
            return False
        return bool(_CONTACT_AFTER.match(text, end)) or bool(_CONTACT_BEFORE.search(text[:start]))

    @staticmethod
    def _widen(m: Match, text: str) -> Match:
        """Extend an English product match over its type words and model words."""
        if m.label != "product" or not text[m.start:m.end].isascii():
            return m
        start, end = m.start, m.end
        left = _EN_MODIFIERS.search(text[max(0, start - 40):start])
        if left:
            start -= len(left.group(0))
        right = _EN_MODEL.match(text, end)
        if right:
            end = right.end()
        return Match(m.label, start, end, m.rule)

    def find(self, text: str) -> list[Match]:
        low = text.lower()
        bounds = self._cjk_bounds(text)
        out: list[Match] = []
        i, n = 0, len(low)
        while i < n:
            hit = None
            for L in range(min(self.max_len, n - i), 0, -1):
                key = low[i:i + L]
                label = self.entries.get(key)
                if label is None:
                    continue
                e = i + L
                if low[i].isascii() and low[i].isalnum() and i > 0 and low[i - 1].isascii() and low[i - 1].isalnum():
                    continue
                if low[e - 1].isascii() and low[e - 1].isalnum() and e < n and low[e].isascii() and low[e].isalnum():
                    continue
                if bounds is not None and not self._on_word_bounds(label, low, i, e, bounds):
                    continue
                if self._contact(key, low, i, e):
                    break
                hit = self._widen(Match(label, i, e, "lookup"), low)
                break
            if hit:
                out.append(hit)
                i = hit.end
            else:
                i += 1
        return out


class RuleExtractor:
    """Runs the trusted rules and resolves overlaps (rule order first, then longer spans)."""

    def __init__(self, rules: list[Rule], lookups: LookupMatcher | None = None,
                 trusted: set[str] | None = None) -> None:
        self.rules = rules
        self.lookups = lookups
        self.trusted = trusted  # rule names allowed to fire (None: all)

    def candidates(self, text: str) -> list[Match]:
        """Every rule match, before trust filtering and overlap resolution."""
        out: list[Match] = []
        for r in self.rules:
            out.extend(r.find(text))
        if self.lookups is not None:
            out.extend(self.lookups.find(text))
        return out

    def extract_all(self, text: str, intent: str | None = None, labels: set[str] | None = None) -> list[Match]:
        """Every non-overlapping match (relabelled for price-alert messages), trusted or not."""
        found = resolve(self.candidates(text), [r.name for r in self.rules] + ["lookup"])
        return alert_context(found, text, intent, labels or set())

    def extract(self, text: str, intent: str | None = None, labels: set[str] | None = None) -> list[Match]:
        """Trusted, non-overlapping matches (relabelled for price-alert messages)."""
        return [m for m in self.extract_all(text, intent, labels)
                if self.trusted is None or trust_key(m) in self.trusted]


def trust_key(m: Match) -> str:
    """The key under which a rule's agreement with the annotations is measured."""
    return f"{m.rule}|{m.label}"


def resolve(matches: list[Match], order: list[str]) -> list[Match]:
    """Keep non-overlapping matches, earlier rules first, longer first within a rule."""
    rank = {name: i for i, name in enumerate(order)}
    chosen: list[Match] = []
    for m in sorted(matches, key=lambda m: (rank.get(m.rule, len(rank)), -(m.end - m.start), m.start)):
        if all(m.end <= c.start or m.start >= c.end for c in chosen):
            chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)


PRICE_LABELS = ("price_max", "price_min", "price_approx")
_BOUND_WORDS = re.compile(
    r"^(?:不超过|不超|最多|低于|少于|不高于|不要超过|别超过|最高|超过|高于|不低于|至少|最低|起码|大概|大约|"
    r"under|below|less than|up to|no more than|at most|max(?:imum)?|within|cheaper than|not over|"
    r"over|above|more than|at least|minimum|no less than|starting at|from|around|about|roughly|"
    r"approximately|approx\.?|~)\s?|(?:钱)?(?:以内|以下|之内|内|封顶|以上|起步|起|左右|上下|出头|附近)$",
    re.IGNORECASE)


def alert_context(matches: list[Match], text: str, intent: str | None, labels: set[str],
                  alert_intent: str = "set_price_alert", target_label: str = "target_price") -> list[Match]:
    """In a price-alert message a budget expression is the target price (number and unit only)."""
    if intent != alert_intent or target_label not in labels:
        return matches
    out = []
    for m in matches:
        if m.label in PRICE_LABELS:
            span = text[m.start:m.end]
            trimmed = _BOUND_WORDS.sub("", span)
            trimmed = _BOUND_WORDS.sub("", trimmed)
            off = span.find(trimmed) if trimmed else -1
            if off >= 0 and trimmed.strip():
                m = Match(target_label, m.start + off, m.start + off + len(trimmed), m.rule)
        out.append(m)
    return out


def rule_precision(extractor: RuleExtractor, examples: Iterable[tuple[str, str, set[tuple[int, int, str]]]],
                   labels: set[str]) -> dict[str, tuple[int, int]]:
    """For each rule|label: (matches equal to an annotation, all matches) over the examples."""
    hits: dict[str, list[int]] = {}
    order = [r.name for r in extractor.rules] + ["lookup"]
    for text, intent, gold in examples:
        for m in alert_context(resolve(extractor.candidates(text), order), text, intent, labels):
            stat = hits.setdefault(trust_key(m), [0, 0])
            stat[1] += 1
            if (m.start, m.end, m.label) in gold:
                stat[0] += 1
    return {k: (ok, n) for k, (ok, n) in hits.items()}


def measure_trust(extractor: RuleExtractor, examples: Iterable[tuple[str, str, set[tuple[int, int, str]]]],
                  labels: set[str], min_precision: float = 0.9, min_support: int = 2) -> set[str]:
    """Names of the rule|label pairs whose matches agree with the annotations often enough."""
    stats = rule_precision(extractor, examples, labels)
    return {k for k, (ok, n) in stats.items() if ok >= min_support and ok / n >= min_precision}
