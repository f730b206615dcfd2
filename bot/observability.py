"""Logs (readable or JSON) and Prometheus metrics (turns, turn latency, errors by kind)."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Counter, Histogram

_STD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")  # mainland mobile numbers


# PostgreSQL puts the row in its error details: "Failing row contains (…)", "Key (phone)=(…)".
_PG_ROW = re.compile(r"Failing row contains \(.*?\)(?=\.?\s*$)", re.MULTILINE)
_PG_KEY = re.compile(r"Key \(([^)]*)\)=\((.*?)\)(?= already exists| is not present| conflicts)")


def mask_pii(text: str) -> str:
    """Phone numbers as 138****5678, and the row values PostgreSQL quotes in its errors hidden
    (statement parameters never reach a message: the engines hide them)."""
    text = _PG_ROW.sub("Failing row contains (values hidden)", text)
    text = _PG_KEY.sub(r"Key (\1)=(value hidden)", text)
    return _PHONE.sub(r"\1****\2", text)


class MaskingFormatter(logging.Formatter):
    """A formatter whose every line, exception text included, has phone numbers masked."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return mask_pii(self.inner.format(record))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        out.update({k: v for k, v in vars(record).items() if k not in _STD_ATTRS})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    inner = JsonFormatter() if fmt == "json" else logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    handler.setFormatter(MaskingFormatter(inner))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # one line per platform call, and two per scheduled job run (every 10 s), are noise: warnings only
    for chatty in ("httpx", "apscheduler.executors", "apscheduler.scheduler"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))


class Metrics:
    """One registry per app, so several apps (tests) never collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.turns = Counter("shopbot_turns_total", "Messages handled", ["channel"], registry=self.registry)
        self.turn_latency = Histogram(
            "shopbot_turn_seconds", "Time to answer one message", ["channel"], registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.errors = Counter("shopbot_errors_total", "Errors by kind", ["kind"], registry=self.registry)

    def timed_turn(self, channel: str) -> _TurnTimer:
        return _TurnTimer(self, channel)


class _TurnTimer:
    def __init__(self, metrics: Metrics, channel: str) -> None:
        self._m, self._channel = metrics, channel

    def __enter__(self) -> None:
        self._start = time.perf_counter()

    def __exit__(self, exc_type, exc, tb) -> None:  # type: ignore[no-untyped-def]
        self._m.turns.labels(self._channel).inc()
        self._m.turn_latency.labels(self._channel).observe(time.perf_counter() - self._start)
        if exc_type is not None:
            self._m.errors.labels(exc_type.__name__).inc()


Handler = Callable[..., Awaitable[object]]
