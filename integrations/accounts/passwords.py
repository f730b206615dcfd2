"""Password rules and hashing: a bundled list of common and breached passwords refused, a
zxcvbn strength estimate (score < 2 refused), argon2id hashes computed in a worker thread."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from argon2 import PasswordHasher as Argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from shop.accounts import PasswordStrength, WeakPassword

T = TypeVar("T")

COMMON_LIST = Path(__file__).with_name("common_passwords.txt")
ZXCVBN_TOP = 10_000  # the most frequent passwords of zxcvbn's breach corpus are refused outright
MIN_SCORE = 2


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """Our bundled list (passwords common among Chinese shoppers) and zxcvbn's top 10,000."""
    ours = {line.strip().lower() for line in COMMON_LIST.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")}
    return frozenset(ours | set(FREQUENCY_LISTS["passwords"][:ZXCVBN_TOP]))


class ZxcvbnPolicy:
    def check(self, password: str, hints: Sequence[str] = ()) -> PasswordStrength:
        if password.lower() in common_passwords():
            raise WeakPassword("common", PasswordStrength(0))
        result = zxcvbn(password[:100], user_inputs=[h for h in hints if h])
        feedback = result.get("feedback") or {}
        strength = PasswordStrength(int(result["score"]), str(feedback.get("warning") or ""),
                                    tuple(feedback.get("suggestions") or ()))
        if strength.score < MIN_SCORE:
            raise WeakPassword("weak", strength)
        return strength


def hashing_threads() -> int:
    """Threads that hash at once: one core is left to the event loop (and /healthz)."""
    return max(1, (os.cpu_count() or 2) - 1)


class Argon2Hasher:
    """argon2id (argon2-cffi's RFC 9106 low-memory profile unless given), off the event loop, in a
    small pool of its own: sixteen sign-ins at once queue there instead of taking every core
    (and the default thread pool the rest of the app uses)."""

    def __init__(self, hasher: Argon2 | None = None, threads: int | None = None) -> None:
        self._hasher = hasher or Argon2()
        self._threads = threads or hashing_threads()
        self._pool: ThreadPoolExecutor | None = None

    async def _run(self, fn: Callable[[], T]) -> T:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="argon2")
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn)

    async def hash(self, password: str) -> str:
        return await self._run(lambda: self._hasher.hash(password))

    async def verify(self, password_hash: str, password: str) -> bool:
        def check() -> bool:
            try:
                return self._hasher.verify(password_hash, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

        return await self._run(check)
