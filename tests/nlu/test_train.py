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


def _config_with(tmp_path: Path, language: str, **shopbot: int) -> Path:
    from nlu.train import config_for

    text = config_for(language).read_text(encoding="utf-8")
    for key, value in shopbot.items():
        text = "\n".join(f"{key} = {value}" if line.startswith(f"{key} =") else line for line in text.splitlines())
    path = tmp_path / f"{language}.cfg"
    path.write_text(text, encoding="utf-8")
    return path


def test_over_the_cpu_budget_the_ner_still_gets_its_floor_of_epochs(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import nlu.train as train_module

    cfg = _config_with(tmp_path, "zh", textcat_epochs=1, ner_epochs=5, time_budget_s=0, min_ner_epochs=2,
                       patience=99)
    monkeypatch.setattr(train_module, "config_for", lambda language, profile="shop": cfg)
    _merged, by_lang = split_languages(TRAIN_FILES)
    steps: list[int] = []
    train_module.train_language("zh", by_lang["zh"], tmp_path, lambda lang, done, total: steps.append(done))
    # one textcat epoch, then exactly the floor of 2 NER epochs (the budget of 0 s is spent at once),
    # then the final report
    assert steps == [1, 2, 3, 6]
    assert (tmp_path / "zh" / "meta.json").is_file()

