"""Training helpers: entity-swap augmentation keeps annotations aligned; languages split by file."""

from __future__ import annotations

from pathlib import Path

from nlu.data import load_file
from nlu.train import augment, split_languages

from .conftest import DATA, TRAIN_FILES


def test_augmented_copies_keep_every_span_on_its_text() -> None:
    examples = load_file(DATA / "tiny_zh.yml").examples
    out = augment(examples, copies=2, seed=1)
    annotated = [e for e in examples if e.entities]
    assert len(out) == len(examples) + 2 * len(annotated)
    for ex in out[len(examples):]:
        assert ex.entities
        for s in ex.entities:
            assert ex.text[s.start:s.end] == s.text
    assert {e.text for e in out[len(examples):]} - {e.text for e in examples}  # real variety


def test_each_file_trains_the_language_of_most_of_its_examples(tmp_path: Path) -> None:
    merged, by_lang = split_languages(TRAIN_FILES)
    assert set(by_lang) == {"zh", "en"}
    assert "hi there" in {e.text for e in by_lang["en"]}
    assert "你好" in {e.text for e in by_lang["zh"]}
    assert merged.synonyms["天猫"] == "taobao"
