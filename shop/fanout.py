"""Concurrent calls to several platforms under one deadline, with partial results."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from shop.ports import MarketplaceError

T = TypeVar("T")


@dataclass
class FanOut(Generic[T]):
    """Per-platform answers; `failed` answered with an error, `late` missed the deadline."""

    results: dict[str, T] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # platform -> reason
    late: list[str] = field(default_factory=list)


async def fan_out(calls: Mapping[str, Awaitable[T]], deadline_seconds: float) -> FanOut[T]:
    """Run every platform's call at once; whatever is not done by the deadline is cancelled.

    Marketplace errors become `failed` entries; any other exception is a bug and propagates.
    """
    out: FanOut[T] = FanOut()
    if not calls:
        return out
    tasks = {asyncio.ensure_future(call): platform for platform, call in calls.items()}
    done, pending = await asyncio.wait(tasks, timeout=max(deadline_seconds, 0.0))
    for task in pending:
        task.cancel()
        out.late.append(tasks[task])
    if pending:
        await asyncio.wait(pending, timeout=0.05)  # let cancellations run, never wait long
    bug: BaseException | None = None
    for task in done:
        platform = tasks[task]
        exc = task.exception()
        if exc is None:
            out.results[platform] = task.result()
        elif isinstance(exc, MarketplaceError):
            out.failed[platform] = str(exc) or type(exc).__name__
        else:
            bug = bug or exc
    if bug is not None:
        raise bug
    out.late.sort()
    return out
