"""Resilience for marketplace adapters (demo and real): circuit breaker and retries.

`CircuitBreaker`: after `failure_threshold` consecutive failures the platform is skipped
(calls fail fast with PlatformUnavailable) for `reset_seconds`; then one trial call is let
through (half-open) and its outcome closes or re-opens the circuit.
`call_with_retries`: retries idempotent calls only (searches, lookups, price reads) on
PlatformUnavailable, with a short backoff; a non-idempotent call is tried exactly once.
A timeout (`PlatformTimeout`) is not retried unless asked: a platform that did not answer in
time will rarely answer the next try sooner, and the search deadline is better spent elsewhere.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from shop.ports import PlatformDataError, PlatformUnavailable

T = TypeVar("T")


class PlatformTimeout(PlatformUnavailable):
    """The platform did not answer within the call's timeout."""


class CircuitBreaker:
    """Skips a failing platform for a while. The clock is injectable for tests."""

    def __init__(self, platform: str, *, failure_threshold: int = 3, reset_seconds: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.platform = platform
        self.failure_threshold = failure_threshold
        self.reset_seconds = reset_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> str:
        """closed, open or half_open."""
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.reset_seconds:
            return "half_open"
        return "open"

    def before_call(self) -> None:
        """Raise PlatformUnavailable when the circuit is open (or its one trial is running)."""
        state = self.state
        if state == "open" or (state == "half_open" and self._trial_running):
            raise PlatformUnavailable(f"{self.platform}: circuit open, skipping for now")
        if state == "half_open":
            self._trial_running = True

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_running = False

    def record_failure(self) -> None:
        self._failures += 1
        self._trial_running = False
        if self._opened_at is not None or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()

    async def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        """Run `fn` through the breaker: unavailability and bad data count as failures."""
        self.before_call()
        try:
            result = await fn()
        except (PlatformUnavailable, PlatformDataError):
            self.record_failure()
            raise
        except asyncio.CancelledError:
            self._trial_running = False
            raise
        self.record_success()
        return result


async def call_with_retries(fn: Callable[[], Awaitable[T]], *, idempotent: bool, retries: int = 1,
                            backoff_seconds: float = 0.05, retry_timeouts: bool = False) -> T:
    """Call `fn`; when idempotent, retry up to `retries` times on PlatformUnavailable
    (on PlatformTimeout too only with `retry_timeouts`)."""
    attempts = 1 + (retries if idempotent else 0)
    for attempt in range(attempts):
        try:
            return await fn()
        except PlatformUnavailable as exc:
            if attempt == attempts - 1 or (isinstance(exc, PlatformTimeout) and not retry_timeouts):
                raise
            await asyncio.sleep(backoff_seconds * (2 ** attempt))
    raise AssertionError("unreachable")
