"""ensure_model: trains when missing or stale (content hash), loads otherwise."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from nlu.errors import ModelError
from nlu.model_store import ensure_model, is_stale
from nlu.parser import load_parser

from .conftest import DATA


def test_trains_when_missing_then_reuses_then_retrains_on_change(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "training"
    data.mkdir()
    shutil.copy(DATA / "tiny_en.yml", data / "nlu.yml")
    model = tmp_path / "model"
    caplog.set_level(logging.INFO, logger="shopbot.nlu")
    parser = ensure_model([data], model, parallel=False)
    assert parser.parse("hello").intent.name == "greet"
    assert "missing or stale" in caplog.text and "NLU training en" in caplog.text
    first = json.loads((model / "meta.json").read_text())["trained_at"]

    caplog.clear()
    ensure_model([data], model, parallel=False)
    assert "up to date" in caplog.text
    assert json.loads((model / "meta.json").read_text())["trained_at"] == first

    with (data / "nlu.yml").open("a", encoding="utf-8") as f:
        f.write("- intent: thank\n  examples: |\n    - thanks\n    - thank you\n    - many thanks\n")
    assert is_stale([data], model)
    parser = ensure_model([data], model, parallel=False)
    assert "thank" in parser.intents
    assert json.loads((model / "meta.json").read_text())["trained_at"] != first


def test_loading_a_missing_model_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        load_parser(tmp_path / "nothing")
