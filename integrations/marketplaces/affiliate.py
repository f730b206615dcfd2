"""What the affiliate-API connectors (JD Union, Taobao TBK, Pinduoduo DDK) share.

:class:`GatewayClient` is their HTTP client, built on the one HTTP adapter base
(``integrations/http.py``): a timeout on every call, the shared status → error map (transport
failures, 429 and 5xx → ``PlatformUnavailable``; other statuses → ``MarketplaceError``),
bounded retries for idempotent calls only (all three searches are reads), through the
platform's circuit breaker (``integrations/marketplaces/resilience.py``). Answers are decoded
with ``Decimal`` for every number: money never passes through float. Amounts are read with the
one money parser (``integrations/money.py``); signing is in ``signing.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import httpx

from integrations.http import ErrorKinds, HttpAdapter
from integrations.marketplaces.resilience import CircuitBreaker
from integrations.money import fen_to_yuan, parse_yuan
from shop.ports import (
    MarketplaceError,
    OrderingNotSupported,
    PlatformDataError,
    PlatformOrder,
    PlatformOrderRequest,
    PlatformUnavailable,
)

T = TypeVar("T")

__all__ = ["AffiliateConnector", "GatewayClient", "RetryPolicy", "VendorErrorResponse", "fen_to_yuan",
           "parse_count", "parse_yuan", "product_id", "query_keyword"]


class VendorErrorResponse(Exception):
    """A platform's own error payload (``error_response`` / non-success ``code``).

    Never escapes an adapter: it is the ``__cause__`` of the ``shop.ports`` error raised for it.
    """

    def __init__(self, code: str, message: str, sub_code: str = "") -> None:
        super().__init__(f"{code} {sub_code} {message}".strip())
        self.code = code
        self.message = message
        self.sub_code = sub_code


def parse_count(value: Any) -> int:
    """A sales/stock count; vendor strings like "10万+" or "1.2万" are accepted, junk gives 0."""
    if value is None or isinstance(value, bool):
        return 0
    text = str(value).strip().rstrip("+")
    multiplier = 1
    if text.endswith("万"):
        multiplier, text = 10_000, text[:-1]
    try:
        return max(0, int(Decimal(text) * multiplier))
    except (InvalidOperation, ValueError):
        return 0


@dataclass(frozen=True)
class RetryPolicy:
    """Extra attempts for an idempotent call, and the base pause between them (seconds)."""

    retries: int = 2
    backoff: float = 0.2


class GatewayClient:
    """The HTTP client of one platform gateway (an :class:`HttpAdapter`), pool opened in :meth:`start`.

    ``transport`` lets tests put a local ASGI server (``httpx.ASGITransport``) behind the URL.
    """

    def __init__(
        self,
        platform: str,
        url: str,
        *,
        timeout: float = 5.0,
        retry: RetryPolicy = RetryPolicy(),
        breaker: CircuitBreaker | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.platform = platform
        self.url = url
        self.breaker = breaker or CircuitBreaker(platform)
        errors = ErrorKinds(unavailable=PlatformUnavailable, rejected=MarketplaceError,
                            retryable=(PlatformUnavailable,))  # fmt: skip
        self._http = HttpAdapter(errors, timeout=timeout, retries=retry.retries, backoff=retry.backoff,
                                 breaker=self.breaker, transport=transport)  # fmt: skip
        self._http.name = platform

    async def start(self) -> None:
        """Open the connection pool (idempotent)."""
        await self._http.start()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def call(self, data: Mapping[str, str], interpret: Callable[[Any], T], *, idempotent: bool) -> T:
        """POST ``data`` form-encoded and return ``interpret(decoded JSON)``.

        ``interpret`` maps the vendor payload and raises our errors; a PlatformUnavailable from
        the transport or from ``interpret`` is retried when the call is idempotent.
        """

        def read(response: httpx.Response) -> T:
            try:
                payload = json.loads(response.text, parse_float=Decimal)  # money never passes through float
            except json.JSONDecodeError as exc:
                raise PlatformDataError(f"{self.platform}: gateway answered malformed JSON") from exc
            return interpret(payload)

        return await self._http.exchange("POST", self.url, read, idempotent=idempotent, data=dict(data))


def query_keyword(query: Any) -> str:
    """The keyword a platform search gets for a ``SearchQuery``: brand + product, else category."""
    parts = [p for p in (query.brand, query.product) if p]
    if not parts and query.category:
        parts = [query.category]
    return " ".join(parts)


def product_id(platform: str, platform_product_id: str) -> str:
    """Our product id for a platform item that is not matched to a catalogue product."""
    return f"{platform}:{platform_product_id}"


class AffiliateConnector:
    """What the three affiliate connectors (JD Union, TBK, DDK) share: the gateway client's life
    cycle, and no ordering (the shopper buys on the platform through the item link).

    Subclasses set `platform` and `ordering_note`, and implement search / get_product / get_prices.
    """

    platform: str = ""
    ordering_note: str = ""  # why this API cannot order, in the platform's own words
    can_order = False  # the chat sends the shopper the item link instead

    def __init__(
        self,
        config: Any,
        *,
        breaker: CircuitBreaker | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._config = config
        self._gateway = GatewayClient(
            self.platform,
            config.api_url,
            timeout=config.timeout,
            retry=RetryPolicy(config.retries, config.retry_backoff),
            breaker=breaker,
            transport=transport,
        )

    async def start(self) -> None:
        """Open the HTTP connection pool."""
        await self._gateway.start()

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._gateway.aclose()

    async def __aenter__(self) -> Any:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def place_order(self, request: PlatformOrderRequest) -> PlatformOrder:
        """Always raises: an affiliate API cannot place orders."""
        raise OrderingNotSupported(self.ordering_note)

    async def get_order_status(self, platform_order_id: str) -> PlatformOrder:
        """Always raises: an affiliate API has no access to the shopper's orders."""
        raise OrderingNotSupported(f"{self.platform}: the affiliate API cannot read the shopper's orders.")
