"""The real model: trained on data/training (never on data/training/test/), evaluated on the
held-out files. Fails (does not skip) when the data is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.evaluate import evaluate, load_examples
from nlu.parser import load_parser

ROOT = Path(__file__).resolve().parents[2]
TRAINING = ROOT / "data" / "training"
HELD_OUT = TRAINING / "test"

# Floors a little below the measured figures (see the report of benchmarks/nlu).
FLOORS = {"zh": {"intent": 0.89, "entity_values": 0.88}, "en": {"intent": 0.91, "entity_values": 0.89}}


@pytest.fixture(scope="module")
def real_parser(nlu_model_dir: Path):  # type: ignore[no-untyped-def]
    """The model the whole suite uses, trained once on data/training (see tests/conftest.py)."""
    assert (TRAINING / "zh" / "nlu.yml").is_file(), "data/training/zh/nlu.yml is missing"
    assert (TRAINING / "en" / "nlu.yml").is_file(), "data/training/en/nlu.yml is missing"
    parser = load_parser(nlu_model_dir, fallback_threshold=0.0)
    assert sorted(parser.languages) == ["en", "zh"]
    return parser


@pytest.mark.parametrize("language", ["zh", "en"])
def test_held_out_quality(real_parser, language: str) -> None:  # type: ignore[no-untyped-def]
    test_file = HELD_OUT / f"test_{language}.yml"
    assert test_file.is_file(), f"{test_file} is missing"
    examples = load_examples([test_file])
    assert len(examples) >= 100
    report = evaluate(real_parser, examples, real_parser.normaliser)
    assert report["intent"]["accuracy"] >= FLOORS[language]["intent"]
    assert report["entities"]["values"]["micro"]["f1"] >= FLOORS[language]["entity_values"]


def test_training_never_reads_the_held_out_files(real_parser) -> None:  # type: ignore[no-untyped-def]
    held_out = {e.text for f in HELD_OUT.glob("*.yml") for e in load_examples([f])}
    from nlu.data import collect_files

    assert not any(HELD_OUT in f.parents for f in collect_files([TRAINING]))
    assert held_out  # the held-out files exist and hold examples
