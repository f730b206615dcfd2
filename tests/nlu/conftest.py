"""A tiny model trained once per session from tests/nlu/data (a few seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
TRAIN_FILES = [DATA / "tiny_zh.yml", DATA / "tiny_en.yml", DATA / "tiny_lookups.yml"]
TEST_FILE = DATA / "tiny_test.yml"


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from nlu.train import train

    out = tmp_path_factory.mktemp("nlu-model")
    train(TRAIN_FILES, out, parallel=False)
    return out


@pytest.fixture(scope="session")
def tiny_parser(tiny_model_dir: Path):  # type: ignore[no-untyped-def]
    from nlu.parser import load_parser

    return load_parser(tiny_model_dir, fallback_threshold=0.3)
