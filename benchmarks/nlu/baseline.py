"""The baseline: TF-IDF + logistic regression for intents (char n-grams; plus words for English),
and a regex-only entity extractor (the engine's built-in rules and lookup tables, no learning)."""

from __future__ import annotations

from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline, make_union

from nlu.data import NluData, TrainingExample
from nlu.normalise import ValueNormaliser
from nlu.rules import LookupMatcher, RuleExtractor, builtin_rules, data_rules
from nlu.tokenizer import detect_language
from nlu.types import Entity, IntentScore, ParseResult


class BaselineParser:
    """TF-IDF + LR per language; entities from rules only."""

    def __init__(self, data: NluData, by_lang: dict[str, list[TrainingExample]]) -> None:
        self.models: dict[str, Any] = {}
        for lang, examples in by_lang.items():
            if lang == "zh":
                vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
            else:
                vec = make_union(
                    TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
                    TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True))
            model = make_pipeline(vec, LogisticRegression(C=10, max_iter=2000))
            model.fit([e.text for e in examples], [e.intent for e in examples])
            self.models[lang] = model
        labels = set(data.entity_types)
        rules = [r for r in builtin_rules() + data_rules(data.regexes, labels) if r.label in labels]
        self.rules = RuleExtractor(rules, LookupMatcher({k: v for k, v in data.lookups.items() if k in labels}))
        annotations = [(s.entity, s.text, s.value) for e in data.examples for s in e.entities]
        self.normaliser = ValueNormaliser.learn(data.synonyms, annotations)

    def parse(self, text: str, language: str | None = None) -> ParseResult:
        lang = language or detect_language(text, list(self.models))
        model = self.models[lang]
        probs = model.predict_proba([text])[0]
        ranking = sorted(zip(model.classes_, probs), key=lambda kv: -kv[1])
        ents = tuple(Entity(m.label, self.normaliser.value(m.label, text[m.start:m.end]), m.start, m.end,
                            text[m.start:m.end], 1.0, "regex") for m in self.rules.extract(text))
        top = IntentScore(str(ranking[0][0]), float(ranking[0][1]))
        return ParseResult(text, top, tuple(IntentScore(str(n), float(c)) for n, c in ranking[:10]), ents, lang)
