"""Train-or-load: the model is (re)trained when missing or when the content hash of the training
data (and of the spaCy configs) differs from the one recorded in its meta.json."""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import ModelError
from .parser import SpacyParser, load_parser
from .train import Progress, data_hash, train

log = logging.getLogger("shopbot.nlu")


def recorded_hash(model_dir: Path) -> str | None:
    """The data hash stored with a trained model, or None when there is no usable model."""
    try:
        meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    langs = meta.get("languages") or []
    if not langs or not all((model_dir / lg / "config.cfg").exists() for lg in langs):
        return None
    value = meta.get("data_hash")
    return value if isinstance(value, str) else None


def is_stale(data_paths: list[Path], model_dir: Path) -> bool:
    """True when the model is missing or was trained on other data."""
    return recorded_hash(model_dir) != data_hash(data_paths)


def log_progress() -> Progress:
    """A progress callback writing one log line per language every 25% of its epochs."""
    last: dict[str, int] = {}

    def report(language: str, done: int, total: int) -> None:
        pct = int(100 * done / max(total, 1))
        if pct // 25 > last.get(language, -1) // 25 or done == total:
            if last.get(language) != pct:
                log.info("NLU training %s: %d%% (%d/%d epochs)", language, pct, done, total)
            last[language] = pct

    return report


def train_into(data_paths: list[Path], model_dir: Path, progress: Progress | None = None,
               parallel: bool = True, profile: str = "shop") -> dict:
    """Train into a temporary directory next to `model_dir`, then swap it in atomically-ish."""
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".nlu-train-", dir=model_dir.parent))
    try:
        meta = train(data_paths, tmp, progress, parallel=parallel, profile=profile)
        if model_dir.exists():
            old = model_dir.with_name(model_dir.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            model_dir.rename(old)
            tmp.rename(model_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(model_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return meta


def ensure_model(data_paths: list[Path], model_dir: Path, fallback_threshold: float = 0.4,
                 progress: Callable[[str, int, int], None] | None = None,
                 parallel: bool = True) -> SpacyParser:
    """Load the model in `model_dir`, training it first when missing or stale."""
    model_dir = Path(model_dir)
    paths = [Path(p) for p in data_paths]
    if is_stale(paths, model_dir):
        log.info("NLU model in %s is missing or stale: training on %s", model_dir,
                 ", ".join(map(str, paths)))
        meta = train_into(paths, model_dir, progress or log_progress(), parallel=parallel)
        log.info("NLU model trained in %.1f s (%s)", meta["train_seconds"], ", ".join(meta["languages"]))
    else:
        log.info("NLU model in %s is up to date", model_dir)
    try:
        return load_parser(model_dir, fallback_threshold)
    except ModelError:
        log.warning("NLU model in %s unreadable: retraining", model_dir)
        train_into(paths, model_dir, progress or log_progress(), parallel=parallel)
        return load_parser(model_dir, fallback_threshold)


async def ensure_model_async(data_paths: list[Path], model_dir: Path, fallback_threshold: float = 0.4,
                             progress: Callable[[str, int, int], None] | None = None) -> SpacyParser:
    """`ensure_model` in a worker thread, for an ASGI lifespan (training takes tens of seconds)."""
    import asyncio

    return await asyncio.to_thread(ensure_model, data_paths, model_dir, fallback_threshold, progress)
