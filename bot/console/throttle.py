"""Console login throttling: failed logins counted per account and per client address, with a
growing back-off once a limit is reached.

After `max_account` failures in a row for one username (known or not, so that an unknown user
and a wrong password answer alike), or `max_address` failures from one address, further logins
there are refused for `base` seconds, doubled at each further failure up to `cap`. A failure
count decays `window` seconds after the last failure; a successful login clears the account's.

`MemoryThrottleStore` serves one process (and the tests, on the injected clock);
`RedisThrottleStore` shares the counts across workers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

from shop.clock import Clock


class ThrottleStore(Protocol):
    async def incr(self, key: str, window: float) -> int:
        """Count one more failure under `key`; the count expires `window` s after the last one."""
        ...

    async def block(self, key: str, seconds: float) -> None: ...

    async def blocked_for(self, key: str) -> float:
        """Seconds left of a block on `key` (0 when none)."""
        ...

    async def reset(self, key: str) -> None: ...


class MemoryThrottleStore:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._counts: dict[str, tuple[int, float]] = {}
        self._blocks: dict[str, float] = {}

    def _now(self) -> float:
        return self._clock.now().timestamp()

    async def incr(self, key: str, window: float) -> int:
        now = self._now()
        count, expires = self._counts.get(key, (0, now))
        count = count + 1 if expires > now else 1
        self._counts[key] = (count, now + window)
        if len(self._counts) > 10_000:
            self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            self._blocks = {k: v for k, v in self._blocks.items() if v > now}
        return count

    async def block(self, key: str, seconds: float) -> None:
        self._blocks[key] = self._now() + seconds

    async def blocked_for(self, key: str) -> float:
        return max(0.0, self._blocks.get(key, 0.0) - self._now())

    async def reset(self, key: str) -> None:
        self._counts.pop(key, None)
        self._blocks.pop(key, None)


class RedisThrottleStore:
    def __init__(self, redis: Any, prefix: str = "shopbot:") -> None:
        self._r = redis
        self._prefix = f"{prefix}login:"

    async def incr(self, key: str, window: float) -> int:
        name = f"{self._prefix}fail:{key}"
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, max(1, math.ceil(window)))
            count, _ = await pipe.execute()
        return int(count)

    async def block(self, key: str, seconds: float) -> None:
        await self._r.set(f"{self._prefix}block:{key}", "1", px=max(1, int(seconds * 1000)))

    async def blocked_for(self, key: str) -> float:
        left = await self._r.pttl(f"{self._prefix}block:{key}")
        return max(0.0, left / 1000) if left and left > 0 else 0.0

    async def reset(self, key: str) -> None:
        await self._r.delete(f"{self._prefix}fail:{key}", f"{self._prefix}block:{key}")


@dataclass(frozen=True)
class LoginLimits:
    max_account: int = 5
    max_address: int = 20
    base: float = 30.0
    cap: float = 900.0
    window: float = 900.0


class LoginThrottle:
    def __init__(self, store: ThrottleStore, limits: LoginLimits | None = None) -> None:
        self.store = store
        self.limits = limits or LoginLimits()

    @staticmethod
    def _keys(account: str, address: str) -> tuple[str, str]:
        return f"acct:{account.strip().lower()[:64]}", f"addr:{address}"

    async def blocked_for(self, account: str, address: str) -> float:
        """Seconds before this account may try again from this address (0: it may now)."""
        acct, addr = self._keys(account, address)
        return max(await self.store.blocked_for(acct), await self.store.blocked_for(addr))

    async def failed(self, account: str, address: str) -> float:
        """Count a failed login; the seconds of the block it starts (0 when none)."""
        acct, addr = self._keys(account, address)
        lim = self.limits
        blocked = 0.0
        for key, limit in ((acct, lim.max_account), (addr, lim.max_address)):
            count = await self.store.incr(key, lim.window)
            if count >= limit:
                seconds = min(lim.base * 2 ** min(count - limit, 20), lim.cap)
                await self.store.block(key, seconds)
                blocked = max(blocked, seconds)
        return blocked

    async def succeeded(self, account: str) -> None:
        await self.store.reset(self._keys(account, "")[0])
