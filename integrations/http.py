"""The one HTTP adapter base: demo platforms, affiliate APIs, payments and carriers build on it.

* Lifecycle, one verb each: :meth:`HttpAdapter.start` opens the connection pool (idempotent),
  :meth:`HttpAdapter.aclose` closes it; ``async with`` does both.
* One status → error map (:func:`status_error`): a transport failure, a timeout, HTTP 429 and
  5xx mean the service is *unavailable* (worth another try); any other non-2xx means the request
  was *rejected*. Each adapter names its own error classes for the two kinds (:class:`ErrorKinds`),
  so a marketplace raises ``PlatformUnavailable``, a carrier ``CarrierError``, and so on.
* Retries only where idempotent: :meth:`HttpAdapter.exchange` tries a call marked idempotent
  up to ``1 + retries`` times on an *unavailable* error (with exponential backoff, the answer's
  interpretation included, so a vendor's "busy" code is retried too), a non-idempotent one once.
  A circuit breaker, when given, wraps the whole exchange.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol, Self, TypeVar

import httpx

T = TypeVar("T")
Kind = Literal["unavailable", "rejected"]


def status_error(status: int) -> Kind | None:
    """What an HTTP status means to an adapter: None (a 2xx answer), unavailable or rejected."""
    if 200 <= status < 300:
        return None
    if status == 429 or status >= 500:
        return "unavailable"
    return "rejected"


@dataclass(frozen=True)
class ErrorKinds:
    """An adapter's error classes: ``unavailable`` (retried when idempotent) and ``rejected``.
    ``timeout`` (default: ``unavailable``) lets an adapter give timeouts their own class."""

    unavailable: Callable[[str], Exception]
    rejected: Callable[[str], Exception]
    retryable: tuple[type[BaseException], ...]
    timeout: Callable[[str], Exception] | None = None
    never_retried: tuple[type[BaseException], ...] = ()  # e.g. timeouts, when a deadline is better spent elsewhere


class Breaker(Protocol):
    async def call(self, fn: Callable[[], Awaitable[T]]) -> T: ...


class HttpAdapter:
    """An ``httpx.AsyncClient`` with a lifecycle, the status map and idempotent-only retries."""

    name = "http"

    def __init__(
        self,
        errors: ErrorKinds,
        *,
        base_url: str = "",
        timeout: float | httpx.Timeout = 5.0,
        retries: int = 0,
        backoff: float = 0.2,
        breaker: Breaker | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.errors = errors
        self.breaker = breaker
        self.base_url = base_url  # read at start(): a server on an ephemeral port may set it late
        self._timeout = timeout
        self._retries = retries
        self._backoff = backoff
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        """Open the connection pool (idempotent)."""
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=self.base_url, timeout=self._timeout,
                                             transport=self._transport)  # fmt: skip

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def send(self, method: str, url: str, *, raise_rejected: bool = True, **kwargs: Any) -> httpx.Response:
        """One HTTP exchange; transport failures and non-2xx statuses raise the adapter's errors
        (``raise_rejected=False``: a *rejected* answer is returned, for a vendor whose error codes
        are in the body)."""
        await self.start()
        assert self._client is not None
        what = f"{self.name}: {method} {url.split('?', 1)[0]}"
        try:
            response = await self._client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise (self.errors.timeout or self.errors.unavailable)(f"{what} timed out") from exc
        except httpx.TransportError as exc:  # refused connections, resets
            raise self.errors.unavailable(f"{what}: {type(exc).__name__}") from exc
        kind = status_error(response.status_code)
        if kind == "unavailable":
            raise self.errors.unavailable(f"{what} answered HTTP {response.status_code}")
        if kind == "rejected" and raise_rejected:
            raise self.errors.rejected(f"{what} answered HTTP {response.status_code}")
        return response

    async def exchange(
        self,
        method: str,
        url: str,
        interpret: Callable[[httpx.Response], T],
        *,
        idempotent: bool,
        raise_rejected: bool = True,
        **kwargs: Any,
    ) -> T:
        """``interpret(send(...))``, retried on the adapter's retryable errors when ``idempotent``."""

        async def attempt() -> T:
            return interpret(await self.send(method, url, raise_rejected=raise_rejected, **kwargs))

        async def retried() -> T:
            attempts = 1 + (self._retries if idempotent else 0)
            for n in range(attempts):
                try:
                    return await attempt()
                except self.errors.retryable as exc:
                    if n == attempts - 1 or isinstance(exc, self.errors.never_retried):
                        raise
                    await asyncio.sleep(self._backoff * (2**n))
            raise AssertionError("unreachable")

        if self.breaker is not None:
            return await self.breaker.call(retried)
        return await retried()
