"""Evaluation on a Rasa-format test file: intent accuracy, per-intent P/R/F1, confusion pairs,
entity P/R/F1 per type on exact spans and on normalised values."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .data import TrainingExample, collect_files, load_file
from .normalise import ValueNormaliser
from .types import Parser, ParseResult


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": tp + fn}


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and not isinstance(a, bool):
        try:
            return abs(float(a) - float(b)) < 1e-6
        except (TypeError, ValueError):
            return False
    if isinstance(b, (int, float)) and not isinstance(b, bool):
        return _same_value(b, a)
    return str(a).strip().lower() == str(b).strip().lower()


def gold_value(normaliser: ValueNormaliser | None, entity: str, text: str, value: Any) -> Any:
    """The expected normalised value of an annotation: numbers parsed like the engine's."""
    if normaliser is not None and value == text:
        return normaliser.value(entity, text)
    if isinstance(value, str):
        try:
            f = float(value)
        except ValueError:
            return value
        return int(f) if f.is_integer() else f
    return value


def load_examples(paths: list[Path]) -> list[TrainingExample]:
    """Every intent example of the given test files / directories."""
    examples: list[TrainingExample] = []
    for p in paths:
        files = [p] if p.is_file() else collect_files([p])
        for f in files:
            examples.extend(load_file(f).examples)
    return examples


def evaluate(parser: Parser, examples: list[TrainingExample],
             normaliser: ValueNormaliser | None = None,
             progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Parse every example and build the report (a JSON-able dict)."""
    intents_true: list[str] = []
    intents_pred: list[str] = []
    span_stats: dict[str, list[int]] = {}
    value_stats: dict[str, list[int]] = {}
    errors: list[dict[str, Any]] = []
    latencies: list[float] = []
    for i, ex in enumerate(examples):
        t = time.perf_counter()
        res: ParseResult = parser.parse(ex.text)
        latencies.append(time.perf_counter() - t)
        intents_true.append(ex.intent)
        intents_pred.append(res.intent.name)
        gold_spans = Counter((s.start, s.end, s.entity) for s in ex.entities)
        pred_spans = Counter((e.start, e.end, e.entity) for e in res.entities)
        gold_vals = [(s.entity, gold_value(normaliser, s.entity, s.text, s.value)) for s in ex.entities]
        pred_vals = [(e.entity, e.value) for e in res.entities]
        _count(span_stats, gold_spans, pred_spans)
        _count_values(value_stats, gold_vals, pred_vals)
        wrong_ents = gold_spans != pred_spans
        if res.intent.name != ex.intent or wrong_ents:
            errors.append({"text": ex.text, "intent": ex.intent, "predicted": res.intent.name,
                           "confidence": round(res.intent.confidence, 4),
                           "entities": [[s.entity, s.text, s.value] for s in ex.entities],
                           "predicted_entities": [[e.entity, e.text, e.value] for e in res.entities]})
        if progress:
            progress(i + 1, len(examples))
    labels = sorted(set(intents_true) | set(intents_pred))
    per_intent = {}
    for lb in labels:
        tp = sum(1 for a, b in zip(intents_true, intents_pred) if a == lb and b == lb)
        fp = sum(1 for a, b in zip(intents_true, intents_pred) if a != lb and b == lb)
        fn = sum(1 for a, b in zip(intents_true, intents_pred) if a == lb and b != lb)
        per_intent[lb] = _prf(tp, fp, fn)
    confusion = Counter((a, b) for a, b in zip(intents_true, intents_pred) if a != b)
    n = len(examples)
    lat = sorted(latencies)
    return {
        "examples": n,
        "intent": {
            "accuracy": round(sum(a == b for a, b in zip(intents_true, intents_pred)) / n, 4) if n else 0.0,
            "per_intent": per_intent,
            "confusion": [{"true": a, "predicted": b, "count": c} for (a, b), c in confusion.most_common()],
        },
        "entities": {"spans": _summary(span_stats), "values": _summary(value_stats)},
        "latency_ms": {"p50": round(_pct(lat, 0.5) * 1000, 3), "p99": round(_pct(lat, 0.99) * 1000, 3)},
        "errors": errors,
    }


def _pct(sorted_vals: list[float], q: float) -> float:
    if not sorted_vals:
        return 0.0
    return sorted_vals[min(len(sorted_vals) - 1, int(q * len(sorted_vals)))]


def _count(stats: dict[str, list[int]], gold: Counter, pred: Counter) -> None:
    for key in set(gold) | set(pred):
        label = key[2]
        st = stats.setdefault(label, [0, 0, 0])
        tp = min(gold[key], pred[key])
        st[0] += tp
        st[1] += pred[key] - tp
        st[2] += gold[key] - tp


def _count_values(stats: dict[str, list[int]], gold: list[tuple[str, Any]], pred: list[tuple[str, Any]]) -> None:
    remaining = list(pred)
    for label, value in gold:
        st = stats.setdefault(label, [0, 0, 0])
        hit = next((i for i, (lb, v) in enumerate(remaining) if lb == label and _same_value(v, value)), None)
        if hit is None:
            st[2] += 1
        else:
            st[0] += 1
            remaining.pop(hit)
    for label, _v in remaining:
        stats.setdefault(label, [0, 0, 0])[1] += 1


def _summary(stats: dict[str, list[int]]) -> dict[str, Any]:
    tp = sum(s[0] for s in stats.values())
    fp = sum(s[1] for s in stats.values())
    fn = sum(s[2] for s in stats.values())
    micro = _prf(tp, fp, fn)
    return {"micro": micro, "per_type": {k: _prf(*v) for k, v in sorted(stats.items())}}
