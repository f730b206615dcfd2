"""The evaluation report: accuracy, per-intent scores, confusions, entity scores by type."""

from __future__ import annotations

from nlu.evaluate import evaluate, load_examples
from nlu.types import Entity, IntentScore, ParseResult

from .conftest import TEST_FILE


class ScriptedParser:
    """Answers from a table (to check the arithmetic of the report)."""

    def __init__(self, answers: dict[str, ParseResult]) -> None:
        self.answers = answers

    def parse(self, text: str, language: str | None = None) -> ParseResult:
        return self.answers[text]


def test_report_counts_intents_and_entities_exactly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "t.yml"
    f.write_text('nlu:\n- intent: greet\n  examples: |\n    - hi\n    - yo\n'
                 '- intent: search\n  examples: |\n'
                 '    - shoes [under 500 yuan]{"entity": "price_max", "value": "500"}\n', encoding="utf-8")
    examples = load_examples([f])
    answers = {
        "hi": ParseResult("hi", IntentScore("greet", 0.9)),
        "yo": ParseResult("yo", IntentScore("search", 0.6)),
        "shoes under 500 yuan": ParseResult("shoes under 500 yuan", IntentScore("search", 0.9), entities=(
            Entity("price_max", 500, 6, 20, "under 500 yuan"), Entity("product", "shoes", 0, 5, "shoes"))),
    }
    report = evaluate(ScriptedParser(answers), examples)
    assert report["examples"] == 3
    assert report["intent"]["accuracy"] == round(2 / 3, 4)
    assert report["intent"]["per_intent"]["greet"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert report["intent"]["per_intent"]["search"]["precision"] == 0.5
    assert report["intent"]["confusion"] == [{"true": "greet", "predicted": "search", "count": 1}]
    spans = report["entities"]["spans"]
    assert spans["per_type"]["price_max"]["f1"] == 1.0
    assert spans["per_type"]["product"]["precision"] == 0.0
    assert spans["micro"]["precision"] == 0.5 and spans["micro"]["recall"] == 1.0
    assert report["entities"]["values"]["per_type"]["price_max"]["f1"] == 1.0
    assert len(report["errors"]) == 2


def test_wrong_value_counts_against_values_not_spans(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "t.yml"
    f.write_text('nlu:\n- intent: s\n  examples: |\n    - [五千左右]{"entity": "price_approx", "value": "5000"}\n',
                 encoding="utf-8")
    answers = {"五千左右": ParseResult("五千左右", IntentScore("s", 1.0),
                                    entities=(Entity("price_approx", 500, 0, 4, "五千左右"),))}
    report = evaluate(ScriptedParser(answers), load_examples([f]))
    assert report["entities"]["spans"]["micro"]["f1"] == 1.0
    assert report["entities"]["values"]["micro"]["f1"] == 0.0


def test_tiny_model_report_on_the_tiny_test_file(tiny_parser) -> None:  # type: ignore[no-untyped-def]
    report = evaluate(tiny_parser, load_examples([TEST_FILE]), tiny_parser.normaliser)
    assert report["examples"] == 6
    assert report["intent"]["accuracy"] >= 5 / 6
    assert report["entities"]["values"]["micro"]["f1"] >= 0.8
    assert report["latency_ms"]["p50"] > 0
