"""Train-or-load the NLU model at start (issue 3): trained when missing or stale, then loaded.

One process keeps each loaded model once (several apps in one process — tests — share it), and
a file lock keeps two workers starting together from training the same directory at once.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
from collections.abc import Callable
from pathlib import Path

from nlu.model_store import ensure_model, log_progress, recorded_hash
from nlu.types import Parser

log = logging.getLogger(__name__)

_loaded: dict[tuple[str, str | None, float], Parser] = {}


Progress = Callable[[str, int, int], None]


def load_or_train(data_paths: list[Path], model_dir: Path, fallback_threshold: float,
                  progress: Progress | None = None) -> Parser:
    """The parser of `model_dir`, trained first when missing or trained on other data; `progress`
    hears of every training epoch (besides the log lines every 25%)."""
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(model_dir.parent / f".{model_dir.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second worker waits, then finds the model fresh
        from nlu.model_store import is_stale

        key = (str(model_dir.resolve()), recorded_hash(model_dir), fallback_threshold)
        if key in _loaded and not is_stale(data_paths, model_dir):
            return _loaded[key]
        parser = ensure_model(data_paths, model_dir, fallback_threshold, _both(log_progress(), progress))
        _loaded[(str(model_dir.resolve()), recorded_hash(model_dir), fallback_threshold)] = parser
        return parser


def _both(log: Progress, other: Progress | None) -> Progress:
    if other is None:
        return log

    def report(language: str, done: int, total: int) -> None:
        log(language, done, total)
        other(language, done, total)

    return report


async def load_or_train_async(data_paths: list[Path], model_dir: Path, fallback_threshold: float,
                              progress: Progress | None = None) -> Parser:
    return await asyncio.to_thread(load_or_train, data_paths, model_dir, fallback_threshold, progress)
