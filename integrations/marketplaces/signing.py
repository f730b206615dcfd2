"""Shared pieces of the affiliate-API adapters (JD Union, Taobao TBK, Pinduoduo DDK).

The three open platforms use the same family of "router" gateways: one form-encoded POST
carrying system parameters (app key, method name, timestamp) and a signature computed over
all parameters sorted by name and concatenated as ``key + value`` without separators:

* JD open platform and Pinduoduo: ``MD5(secret + k1v1k2v2... + secret)``, upper-case hex.
* Taobao TOP ``sign_method=md5``: the same; ``sign_method=hmac``: ``HMAC-MD5(secret, k1v1...)``;
  ``sign_method=hmac-sha256``: ``HMAC-SHA256(secret, k1v1...)``, upper-case hex.

:class:`GatewayClient` is the one small HTTP helper they share: a timeout on every call,
bounded retries for idempotent calls only (all three searches are reads), and translation of
transport failures into the marketplace errors of ``shop.ports``, through the circuit breaker and
retry helper of ``integrations/marketplaces/resilience.py``.

Money helpers: :func:`parse_yuan` and :func:`fen_to_yuan` return ``None`` for anything that is
not a valid non-negative amount, so adapters can drop offers instead of passing a wrong price.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import httpx

from integrations.marketplaces.resilience import CircuitBreaker, call_with_retries
from shop.ports import (
    MarketplaceError,
    OrderingNotSupported,
    PlatformDataError,
    PlatformOrder,
    PlatformOrderRequest,
    PlatformUnavailable,
)

CENT = Decimal("0.01")
T = TypeVar("T")


class VendorErrorResponse(Exception):
    """A platform's own error payload (``error_response`` / non-success ``code``).

    Never escapes an adapter: it is the ``__cause__`` of the ``shop.ports`` error raised for it.
    """

    def __init__(self, code: str, message: str, sub_code: str = "") -> None:
        super().__init__(f"{code} {sub_code} {message}".strip())
        self.code = code
        self.message = message
        self.sub_code = sub_code


def sorted_concat(params: Mapping[str, str]) -> str:
    """``k1v1k2v2...`` over the parameters sorted by name (empty values included as-is)."""
    return "".join(f"{key}{params[key]}" for key in sorted(params))


def md5_wrapped_sign(params: Mapping[str, str], secret: str) -> str:
    """``MD5(secret + sorted k/v concatenation + secret)`` in upper-case hex (JD, PDD, TOP md5)."""
    raw = f"{secret}{sorted_concat(params)}{secret}"
    return hashlib.md5(raw.encode("utf-8")).hexdigest().upper()


def hmac_sign(params: Mapping[str, str], secret: str, digest: str = "md5") -> str:
    """``HMAC-<digest>(secret, sorted k/v concatenation)`` in upper-case hex (TOP hmac, hmac-sha256)."""
    mac = hmac.new(secret.encode("utf-8"), sorted_concat(params).encode("utf-8"), digest)
    return mac.hexdigest().upper()


def parse_yuan(value: Any) -> Decimal | None:
    """A yuan amount ("88.00", 88, "88") as Decimal with 2 places; None when missing/invalid/negative."""
    if value is None or isinstance(value, (bool, float)) or value == "":
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount < 0:
        return None
    return amount.quantize(CENT)


def fen_to_yuan(value: Any) -> Decimal | None:
    """An integer amount in fen (分) as Decimal yuan; None when missing/invalid/negative."""
    if value is None or isinstance(value, (bool, float)):
        return None
    try:
        fen = int(str(value).strip())
    except ValueError:
        return None
    if fen < 0:
        return None
    return (Decimal(fen) / 100).quantize(CENT)


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
    """An ``httpx.AsyncClient`` around one platform gateway, created in :meth:`start`.

    Every call goes through the platform's ``CircuitBreaker`` and, when idempotent, through
    ``call_with_retries`` (both from ``integrations/marketplaces/resilience.py``).
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
        self._timeout = timeout
        self._retry = retry
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        """Open the connection pool (idempotent)."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout, transport=self._transport)

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def call(self, data: Mapping[str, str], interpret: Callable[[Any], T], *, idempotent: bool) -> T:
        """POST ``data`` form-encoded and return ``interpret(decoded JSON)``.

        ``interpret`` maps the vendor payload and raises our errors; a PlatformUnavailable from
        the transport or from ``interpret`` is retried when the call is idempotent.
        """
        await self.start()

        async def attempt() -> T:
            return interpret(await self._post(data))

        async def retried() -> T:
            return await call_with_retries(
                attempt,
                idempotent=idempotent,
                retries=self._retry.retries,
                backoff_seconds=self._retry.backoff,
            )

        return await self.breaker.call(retried)

    async def _post(self, data: Mapping[str, str]) -> Any:
        assert self._client is not None
        try:
            response = await self._client.post(self.url, data=dict(data))
        except httpx.TimeoutException as exc:
            raise PlatformUnavailable(f"{self.platform}: gateway timed out") from exc
        except httpx.TransportError as exc:  # refused connections, resets
            raise PlatformUnavailable(f"{self.platform}: {type(exc).__name__}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise PlatformUnavailable(f"{self.platform}: gateway answered HTTP {response.status_code}")
        if response.status_code != 200:
            raise MarketplaceError(f"{self.platform}: gateway answered HTTP {response.status_code}")
        try:
            return json.loads(response.text, parse_float=Decimal)  # money never passes through float
        except json.JSONDecodeError as exc:
            raise PlatformDataError(f"{self.platform}: gateway answered malformed JSON") from exc


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
