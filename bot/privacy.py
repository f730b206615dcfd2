"""A shopper's own data: "export my data" (a JSON file behind a signed, expiring link) and
"delete my data" (refused while an order is in flight; orders kept with the personal data
erased, as accounting requires). The dialogue reaches it through `PrivacyPort`."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from integrations.db.privacy_repo import SQLPersonalData
from shop.accounts import IN_FLIGHT, AccountRepository, ErasureRefused
from shop.aftersales import TicketService
from shop.alerts import LIVE_STATUSES, AlertService
from shop.cart import CartRepository
from shop.ordering import OrderService
from shop.shoppers import ShopperRepository

EXPORT_LINK_SECONDS = 3600
MAX_ORDERS = 10_000
PERSONAL = {"receiver_name": None, "phone": None, "address": None, "email": None, "display_name": None}


def jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name != "password_hash"}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


class PrivacyDesk:
    def __init__(self, *, shoppers: ShopperRepository, accounts: AccountRepository, orders: OrderService,
                 tickets: TicketService, alerts: AlertService, cart: CartRepository, personal: SQLPersonalData,
                 secret: bytes, base_url: str) -> None:
        self._shoppers = shoppers
        self._accounts = accounts
        self._orders = orders
        self._tickets = tickets
        self._alerts = alerts
        self._cart = cart
        self._personal = personal
        self._signer = URLSafeTimedSerializer(secret, salt="shopbot-data-export")
        self._base_url = base_url.rstrip("/")

    async def export_link(self, shopper_id: str) -> str:
        return f"{self._base_url}/account/export/{self._signer.dumps(shopper_id)}"

    def shopper_of(self, token: str) -> str | None:
        """The shopper a download link names, or None (forged, expired)."""
        try:
            value = self._signer.loads(token, max_age=EXPORT_LINK_SECONDS)
        except (SignatureExpired, BadSignature):
            return None
        return value if isinstance(value, str) else None

    async def export(self, shopper_id: str) -> dict[str, Any]:
        """Everything kept about the shopper, as JSON values."""
        shopper = await self._shoppers.get(shopper_id)
        account = await self._accounts.by_shopper(shopper_id)
        return {
            "exported_at": datetime.now(UTC).isoformat(),
            "shopper": jsonable(shopper),
            "account": None if account is None else {"id": account.id, "kind": account.address.kind.value,
                                                     "address": account.address.value,
                                                     "created_at": account.created_at.isoformat()},
            "orders": jsonable(await self._orders.list_for_shopper(shopper_id, limit=MAX_ORDERS)),
            "tickets": jsonable(await self._tickets.list_for_shopper(shopper_id, limit=MAX_ORDERS)),
            "price_alerts": jsonable(await self._alerts.list_alerts(shopper_id)),
            "cart": jsonable(await self._cart.lines(shopper_id)),
        }

    async def in_flight(self, shopper_id: str) -> Sequence[str]:
        orders = await self._orders.list_for_shopper(shopper_id, limit=MAX_ORDERS)
        return [o.id for o in orders if o.status.value in IN_FLIGHT]

    async def erase(self, shopper_id: str) -> int:
        """Delete the shopper's personal data; `ErasureRefused` while an order is in flight.
        Orders stay (accounting) with name, phone and address blanked; the orders kept."""
        busy = await self.in_flight(shopper_id)
        if busy:
            raise ErasureRefused(busy)
        kept = await self._personal.erase(shopper_id)
        await self._shoppers.update_profile(shopper_id, **PERSONAL)
        await self._cart.clear(shopper_id)
        for alert in await self._alerts.list_alerts(shopper_id):
            if alert.status in LIVE_STATUSES:
                await self._alerts.cancel(shopper_id, alert.id)
        return kept
