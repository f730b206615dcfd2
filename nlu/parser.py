"""The trained parser: language detection, intent (textcat), entities (NER merged with rules),
normalised values and the `nlu_fallback` threshold."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import spacy

from . import features as _features  # noqa: F401  (registers the textcat architecture)
from . import tokenizer as _tokenizer  # noqa: F401  (registers the tokenizer)
from .errors import ModelError
from .normalise import ValueNormaliser, closed_values, fix_compressed_range, price_label
from .numbers import to_halfwidth
from .rules import (
    PRICE_LABELS,
    LookupMatcher,
    Match,
    RuleExtractor,
    alert_context,
    builtin_rules,
    data_rules,
    trust_key,
)
from .tokenizer import add_words, detect_language, set_gazetteer, set_memory
from .types import FALLBACK_INTENT, Entity, IntentScore, ParseResult

MAX_CHARS = 1000  # longer messages are parsed on their first MAX_CHARS characters
RANKING_SIZE = 10
NER_EXTRACTOR = "SpacyEntityExtractor"
RULE_EXTRACTOR = "RegexEntityExtractor"


def _clean(text: str) -> str:
    """Replace control / format characters by spaces so offsets into `text` stay valid."""
    return "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") else c for c in text)


class SpacyParser:
    """Parses messages with the pipelines of a model directory (see nlu.train)."""

    def __init__(self, model_dir: Path, fallback_threshold: float = 0.4) -> None:
        meta_path = model_dir / "meta.json"
        try:
            self.meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"{model_dir}: no readable meta.json ({exc})") from exc
        self.model_dir = model_dir
        self.fallback_threshold = fallback_threshold
        self.languages: list[str] = list(self.meta["languages"])
        self.default_language: str = self.meta.get("default_language", self.languages[0])
        add_words(self.meta.get("jieba_words", []))
        set_gazetteer(self.meta.get("gazetteer", {}))
        set_memory(self.meta.get("memory", {}))
        self.pipelines: dict[str, Any] = {}
        for lang in self.languages:
            try:
                self.pipelines[lang] = spacy.load(model_dir / lang)
            except (OSError, ValueError) as exc:
                raise ModelError(f"{model_dir / lang}: cannot load pipeline ({exc})") from exc
        self.normaliser = ValueNormaliser.from_json(self.meta.get("normaliser", {}))
        labels = set(self.meta.get("entities", []))
        self.labels = labels
        rules = [r for r in builtin_rules() + data_rules(self.meta.get("regexes", {}), labels)
                 if r.label in labels]
        lookups = LookupMatcher(self.meta.get("lookups", {}))
        self.rules = {lang: RuleExtractor(rules, lookups, set(self.meta.get("trusted_rules", {}).get(lang, [])))
                      for lang in self.languages}
        self.fill = {lg: set(v) for lg, v in self.meta.get("fill_rules", {}).items()}
        self.intents: list[str] = list(self.meta.get("intents", []))
        self.intent_entities: dict[str, dict[str, int]] = self.meta.get("intent_entities", {})
        self._ascii_canonical = {
            lb for lb in self.normaliser.canonical_labels
            if (vals := list(self.normaliser.by_label.get(lb, {}).values()))
            and sum(v.isascii() for v in vals) >= 0.9 * len(vals)}
        self._closed = {lb: v for lb in labels if (v := closed_values(self.normaliser, lb)) is not None}

    def parse(self, text: str, language: str | None = None) -> ParseResult:
        """Intent, entities and language of one message; never raises on any string."""
        text, lang, body = self._prepare(text, language)
        if not body.strip():
            return ParseResult(text, IntentScore(FALLBACK_INTENT, 1.0), (), (), lang)
        return self._finish(text, lang, body, self.pipelines[lang](to_halfwidth(body)))

    def parse_many(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> list[ParseResult]:
        """`parse` for several messages at once: each language's pipeline runs over its messages
        as one batch (a little cheaper per message than one by one); same results, same order."""
        langs = list(languages) if languages is not None else [None] * len(texts)
        prepared = [self._prepare(t, lg) for t, lg in zip(texts, langs, strict=True)]
        out: list[ParseResult | None] = [None] * len(prepared)
        by_lang: dict[str, list[int]] = {}
        for i, (text, lang, body) in enumerate(prepared):
            if body.strip():
                by_lang.setdefault(lang, []).append(i)
            else:
                out[i] = ParseResult(text, IntentScore(FALLBACK_INTENT, 1.0), (), (), lang)
        for lang, idx in by_lang.items():
            docs = self.pipelines[lang].pipe([to_halfwidth(prepared[i][2]) for i in idx], batch_size=len(idx))
            for i, doc in zip(idx, docs, strict=True):
                out[i] = self._finish(*prepared[i], doc)
        return [r for r in out if r is not None]

    def _prepare(self, text: object, language: str | None) -> tuple[str, str, str]:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        lang = language if language in self.pipelines else detect_language(text, self._order())
        return text, lang, _clean(text[:MAX_CHARS])

    def _finish(self, text: str, lang: str, body: str, doc: Any) -> ParseResult:
        """Intent ranking, fallback and entities of one processed doc (full-width digits were
        folded one character for one, so the doc's offsets are the body's)."""
        ranking = sorted(doc.cats.items(), key=lambda kv: -kv[1])
        top_name, top_conf = ranking[0] if ranking else (FALLBACK_INTENT, 0.0)
        scores = tuple(IntentScore(n, float(c)) for n, c in ranking[:RANKING_SIZE])
        intent = IntentScore(top_name, float(top_conf))
        if top_conf < self.fallback_threshold:
            intent = IntentScore(FALLBACK_INTENT, float(top_conf))
            scores = (IntentScore(FALLBACK_INTENT, float(top_conf)),) + scores[:RANKING_SIZE - 1]
        entities = self._entities(body, doc, lang, top_name)
        return ParseResult(text, intent, scores, entities, lang)

    def _plausible(self, r: dict[str, Any]) -> bool:
        """Drop statistical guesses that cannot be right: a price that is no number or under 10,
        a closed-set entity (platform, sort_by...) whose text maps to none of its values."""
        label, value = r["entity"], r["value"]
        text = str(r.get("text", ""))
        if label in PRICE_LABELS or label == "target_price":
            return isinstance(value, (int, float)) and value >= 10
        if label == "email":
            return "@" in text
        if label == "phone":
            return sum(ch.isdigit() for ch in text) >= 7
        if label == "order_id":
            return sum(ch.isdigit() for ch in text) >= 6
        if label in ("product", "brand", "attribute") and not any(ch.isalpha() for ch in text):
            return False  # digits or punctuation alone name no product
        closed = self._closed.get(label)
        if closed is not None:
            return value in closed
        # an unknown Chinese "brand" has no known canonical (English) value: drop the guess
        return not (label in self._ascii_canonical and value == r["text"] and not r["text"].isascii())

    def _order(self) -> list[str]:
        return [self.default_language] + [lg for lg in self.languages if lg != self.default_language]

    def _entities(self, text: str, doc: Any, lang: str, intent: str) -> tuple[Entity, ...]:
        raw: list[dict[str, Any]] = []
        found = self.rules[lang].extract_all(text, intent, self.labels)
        trusted = self.rules[lang].trusted or set()
        fill = self.fill.get(lang, set())
        for m in (m for m in found if trust_key(m) in trusted):
            raw.append({"entity": m.label, "start": m.start, "end": m.end, "confidence": 1.0,
                        "extractor": RULE_EXTRACTOR})
        for ent in doc.ents:
            s, e = ent.start_char, ent.end_char
            if any(s < r["end"] and e > r["start"] for r in raw):
                continue
            label = ent.label_
            if label in PRICE_LABELS:
                relabelled = price_label(label, ent.text)
                label = relabelled if relabelled in self.labels else label
            m = alert_context([Match(label, s, e, "ner")], text, intent, self.labels)[0]
            raw.append({"entity": m.label, "start": m.start, "end": m.end, "confidence": 0.9,
                        "extractor": NER_EXTRACTOR})
        for m in found:
            if trust_key(m) in fill and not any(m.start < r["end"] and m.end > r["start"] for r in raw):
                raw.append({"entity": m.label, "start": m.start, "end": m.end, "confidence": 0.8,
                            "extractor": RULE_EXTRACTOR})
        for r in raw:
            span = text[r["start"]:r["end"]]
            r["text"] = span
            r["value"] = self.normaliser.value(r["entity"], span)
        fix_compressed_range(raw)
        seen = self.intent_entities.get(intent)
        raw = [r for r in raw if r["confidence"] >= 1.0
               or (self._plausible(r) and (seen is None or r["entity"] in seen))]
        raw.extend(price_currency(text, raw))
        raw.extend(count_before_product(text, raw, self.labels))
        raw.sort(key=lambda r: r["start"])
        return tuple(Entity(r["entity"], r["value"], r["start"], r["end"], r["text"], r["confidence"],
                            r["extractor"]) for r in raw)


# Currencies other than yuan written next to a budget: "$400", "under five hundred dollars", "300美元".
_FOREIGN_CURRENCY = [
    (re.compile(r"US\$|\$|\busd\b|\bdollars?\b|\bbucks\b|美元|美金", re.IGNORECASE), "USD"),
    (re.compile(r"€|\beur\b|\beuros?\b|欧元", re.IGNORECASE), "EUR"),
    (re.compile(r"£|\bgbp\b|\bpounds?\b|英镑", re.IGNORECASE), "GBP"),
    (re.compile(r"HK\$|\bhkd\b|港币|港元", re.IGNORECASE), "HKD"),
    (re.compile(r"\bjpy\b|\byen\b|日元", re.IGNORECASE), "JPY"),
]
_PRICE_ENTITIES = ("price_min", "price_max", "price_approx", "target_price")


def price_currency(text: str, raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The `currency` entity of a budget written in another currency (none when it is yuan or
    a currency entity is already there): the marker within or right around a price entity."""
    if any(r["entity"] == "currency" for r in raw):
        return []
    for r in raw:
        if r["entity"] not in _PRICE_ENTITIES:
            continue
        lo, hi = max(0, r["start"] - 4), min(len(text), r["end"] + 12)
        for pattern, code in _FOREIGN_CURRENCY:
            m = pattern.search(text, lo, hi)
            if m:
                return [{"entity": "currency", "value": code, "start": m.start(), "end": m.end(), "text": m.group(0),
                         "confidence": 1.0, "extractor": RULE_EXTRACTOR}]
    return []


_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "a couple of": 2, "a dozen": 12}
_RANK_BEFORE = re.compile(r"\b(?:top|best|first|last|the|these|those|next|previous)\s+$", re.IGNORECASE)
_COUNT_BEFORE = re.compile(r"(?<![\w$¥￥.,#])(\d{1,2}|" + "|".join(_COUNT_WORDS) + r")\s+$", re.IGNORECASE)


def count_before_product(text: str, raw: list[dict[str, Any]], labels: set[str]) -> list[dict[str, Any]]:
    """The `quantity` of "I need 2 Dell monitors" / "get me three phone cases": a small count
    written right before the (brand and) product, when nothing else was read as a quantity."""
    if "quantity" not in labels or any(r["entity"] == "quantity" for r in raw):
        return []
    heads = [r for r in raw if r["entity"] in ("brand", "product")]
    if not any(r["entity"] == "product" for r in heads):
        return []
    first = min(heads, key=lambda r: r["start"])
    m = _COUNT_BEFORE.search(text, 0, first["start"])
    if m is None or any(m.start(1) < r["end"] and m.end(1) > r["start"] for r in raw):
        return []
    if _RANK_BEFORE.search(text, 0, m.start(1)):
        return []  # "top 3 sony headphones", "the 2 cheapest": a rank, not a count
    word = m.group(1).lower()
    value = int(word) if word.isdigit() else _COUNT_WORDS[word]
    if not 1 <= value <= 99:
        return []
    return [{"entity": "quantity", "value": value, "start": m.start(1), "end": m.end(1), "text": m.group(1),
             "confidence": 1.0, "extractor": RULE_EXTRACTOR}]


def load_parser(model_dir: Path, fallback_threshold: float = 0.4) -> SpacyParser:
    """Load a trained model directory (raises ModelError when it is missing or broken)."""
    return SpacyParser(Path(model_dir), fallback_threshold)
