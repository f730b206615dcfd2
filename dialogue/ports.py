"""The ports flows use, typed, and the one frozen value that holds them (`Services`).

Each port is a Protocol; the shop's services (and the handoff desk) satisfy them
structurally. A feature that is off gets a Null implementation: its calls raise
`FeatureUnavailable`, which the engine turns into the catalog text of the feature being
unavailable, in the shopper's language; lookups that only decorate an answer (price
badges, a chart link, remembering an address) quietly give nothing. Flows therefore call
`ctx.services.orders...` without asking whether orders are wired.

The bootstrap (bot/bootstrap.py) builds `Services` once; nothing is assigned later.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from dialogue.flows.currency import DEFAULT_RATES, parse_rates
from dialogue.messages import Reply
from shop.accounts import Account, Address, CodeRequested, PasswordStrength, Purpose
from shop.aftersales import AfterSalesTicket, ServiceType
from shop.alerts import AlertRequest, CreatedAlert, PriceAlert
from shop.cart import CartRepository
from shop.catalog import Product, SearchQuery
from shop.group_buys import GroupBuy, GroupMember
from shop.orders import Order, OrderSummary
from shop.payments import PaymentIntent
from shop.price_history import PlatformPrice, PriceHistory, PriceLows, PricePoint
from shop.reviews import RatingSummary, Review
from shop.search_result import SearchResult
from shop.sharing import SharedLink
from shop.shipments import Shipment
from shop.shoppers import Shopper

if TYPE_CHECKING:  # the context holds the services; only types go the other way
    from dialogue.context import TurnContext
    from dialogue.messages import IncomingMessage


class FeatureUnavailable(Exception):
    """A flow called a feature that is off; the engine answers with the catalog text `key`."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class PushPort(Protocol):
    """Deliver replies the bot sends on its own (shipment updates, alerts, an agent's reply).

    The bot layer routes them to the shopper's own channel: the REST outbox, a Telegram
    chat, a WeChat customer-service message, a web chat socket.
    """

    async def push(self, channel: str, recipient_id: str, replies: list[Reply], event_key: str | None = None) -> None:
        """`event_key` names what the push is about (e.g. `order:SO1:shipped`): a push of the same
        event to the same recipient is sent once however often it is asked for."""
        ...


class SearchPort(Protocol):
    """Products across every connected platform (shop.search.SearchAggregator)."""

    async def search(self, query: SearchQuery) -> SearchResult: ...

    async def get_product(self, product_id: str) -> Product | None: ...

    def can_order(self, platform: str) -> bool: ...


class OrdersPort(Protocol):
    """Placing and reading orders (shop.ordering.OrderService)."""

    async def place(self, summary: OrderSummary, idempotency_key: str,
                    method: str | None = None) -> tuple[Order, PaymentIntent]: ...

    async def place_checkout(self, summaries: Sequence[OrderSummary], idempotency_key: str,
                             method: str | None = None) -> tuple[list[Order], PaymentIntent]:
        """One cart checkout: one order per store, one payment of their sum."""
        ...

    async def checkout_orders(self, order: Order) -> list[Order]:
        """The orders paid together with `order` (itself alone when bought on its own)."""
        ...

    async def get(self, order_id: str) -> Order: ...

    async def list_for_shopper(self, shopper_id: str, limit: int = 10) -> list[Order]: ...

    async def payment_url(self, order: Order) -> str | None:
        """Where to pay while the order is unpaid."""
        ...

    async def cancel_before_shipment(self, order_id: str, actor: str, reason: str = "") -> Order:
        """Cancel (unpaid) or refund in full (paid, not shipped) an order that has not left."""
        ...


class ShipmentsPort(Protocol):
    """Parcels of orders (shop.shipments.ShipmentService)."""

    async def shipment_for_order(self, order_id: str) -> Shipment | None: ...


class AfterSalesPort(Protocol):
    """After-sales tickets (shop.aftersales.TicketService)."""

    async def open_ticket(self, order_id: str, line_no: int, service_type: ServiceType | str, reason: str,
                          shopper_id: str, photos: Sequence[str] = (),
                          idempotency_key: str | None = None, notify: bool = True,
                          quantity: int | None = None) -> AfterSalesTicket:
        """Open a ticket; `notify=False` when the caller's own reply already shows its card."""
        ...

    async def list_for_shopper(self, shopper_id: str, limit: int = 20) -> list[AfterSalesTicket]: ...

    async def add_photo(self, shopper_id: str, photo: str) -> AfterSalesTicket:
        """Attach a photo to the shopper's newest ticket in progress (`TicketNotFound`: none)."""
        ...

    async def awaiting_return_parcel(self, shopper_id: str) -> AfterSalesTicket | None:
        """The shopper's newest approved return / exchange / repair waiting for its parcel."""
        ...

    async def add_return_shipment(self, ticket_id: str, shopper_id: str, carrier_code: str,
                                  tracking_number: str, notify: bool = True) -> AfterSalesTicket:
        """The shopper's return parcel (`InvalidTicket`: not in the carrier's format)."""
        ...


class AlertsPort(Protocol):
    """Price alerts (shop.alerts.AlertService)."""

    async def create(self, request: AlertRequest, product: Product | None = None) -> CreatedAlert: ...

    async def list_alerts(self, shopper_id: str) -> list[PriceAlert]: ...

    async def cancel(self, shopper_id: str, alert_id: str) -> PriceAlert: ...


class HandoffPort(Protocol):
    """The desk that hands a conversation to a person (dialogue.flows.handoff.HandoffDesk)."""

    async def begin(self, ctx: TurnContext, reason: str) -> None: ...

    def check_triggers(self, ctx: TurnContext) -> str | None: ...

    async def on_paused_message(self, msg: IncomingMessage, ctx: TurnContext) -> None: ...

    async def rate(self, conversation_id: str, handoff_id: str, score: int, comment: str | None = None) -> bool:
        """Store the shopper's 1-5 rating (and comment) of a conversation an agent held in
        `conversation_id`; False when there is no such finished conversation there."""
        ...


class ShopperProfilesPort(Protocol):
    """The shopper's saved profile (address, phone, name): shop.shoppers.ShopperRepository."""

    async def by_identity(self, channel: str, sender_id: str, display_name: str | None = None) -> Shopper: ...

    async def update_profile(self, shopper_id: str, **fields: str | None) -> Shopper | None: ...

    async def link_identity(self, channel: str, sender_id: str, shopper_id: str) -> None:
        """From now on this channel identity is that shopper (signed in to their account)."""
        ...


class AccountsPort(Protocol):
    """Shopper accounts: shop.accounts.AccountService."""

    async def request_code(self, text: str, purpose: Purpose, language: str = "zh",
                           requester: str | None = None) -> CodeRequested: ...

    async def verify_code(self, text: str, purpose: Purpose, code: str) -> Address: ...

    def check_password(self, password: str, address: Address | None = None) -> PasswordStrength: ...

    def min_password_length(self) -> int: ...

    async def register(self, text: str, code: str | None, password: str, shopper_id: str,
                       *, code_checked: bool = False) -> Account: ...

    async def sign_in_with_code(self, text: str, code: str) -> Account: ...

    async def account_of(self, shopper_id: str) -> Account | None: ...


class PrivacyPort(Protocol):
    """A shopper's own data: bot.privacy.PrivacyDesk."""

    async def export_link(self, shopper_id: str) -> str:
        """A link to download everything kept about the shopper (JSON), good for an hour."""
        ...

    async def erase(self, shopper_id: str) -> int:
        """Delete the shopper's personal data (`ErasureRefused` while an order is in flight);
        the number of orders kept with their personal data erased."""
        ...


ChartUrl = Callable[[PriceAlert], str | None]  # the price chart link an alert message carries


# --- Null implementations: the feature is off ------------------------------------------


class NullSearch:
    async def search(self, query: SearchQuery) -> SearchResult:
        raise FeatureUnavailable("search_unavailable")

    async def get_product(self, product_id: str) -> Product | None:
        raise FeatureUnavailable("search_unavailable")

    def can_order(self, platform: str) -> bool:
        return False


class NullOrders:
    async def place(self, summary: OrderSummary, idempotency_key: str,
                    method: str | None = None) -> tuple[Order, PaymentIntent]:
        raise FeatureUnavailable("orders_unavailable")

    async def place_checkout(self, summaries: Sequence[OrderSummary], idempotency_key: str,
                             method: str | None = None) -> tuple[list[Order], PaymentIntent]:
        raise FeatureUnavailable("orders_unavailable")

    async def checkout_orders(self, order: Order) -> list[Order]:
        raise FeatureUnavailable("orders_unavailable")

    async def get(self, order_id: str) -> Order:
        raise FeatureUnavailable("orders_unavailable")

    async def list_for_shopper(self, shopper_id: str, limit: int = 10) -> list[Order]:
        raise FeatureUnavailable("orders_unavailable")

    async def payment_url(self, order: Order) -> str | None:
        raise FeatureUnavailable("orders_unavailable")

    async def cancel_before_shipment(self, order_id: str, actor: str, reason: str = "") -> Order:
        raise FeatureUnavailable("orders_unavailable")


class NullShipments:
    async def shipment_for_order(self, order_id: str) -> Shipment | None:
        return None  # nothing tracked: the shopper hears "not shipped yet"


class NullAfterSales:
    async def open_ticket(self, order_id: str, line_no: int, service_type: ServiceType | str, reason: str,
                          shopper_id: str, photos: Sequence[str] = (),
                          idempotency_key: str | None = None, notify: bool = True,
                          quantity: int | None = None) -> AfterSalesTicket:
        raise FeatureUnavailable("orders_unavailable")

    async def list_for_shopper(self, shopper_id: str, limit: int = 20) -> list[AfterSalesTicket]:
        raise FeatureUnavailable("orders_unavailable")

    async def add_photo(self, shopper_id: str, photo: str) -> AfterSalesTicket:
        raise FeatureUnavailable("orders_unavailable")

    async def awaiting_return_parcel(self, shopper_id: str) -> AfterSalesTicket | None:
        return None  # no tickets here: a tracking number is just words

    async def add_return_shipment(self, ticket_id: str, shopper_id: str, carrier_code: str,
                                  tracking_number: str, notify: bool = True) -> AfterSalesTicket:
        raise FeatureUnavailable("orders_unavailable")


class NullAlerts:
    async def create(self, request: AlertRequest, product: Product | None = None) -> CreatedAlert:
        raise FeatureUnavailable("alerts_unavailable")

    async def list_alerts(self, shopper_id: str) -> list[PriceAlert]:
        raise FeatureUnavailable("alerts_unavailable")

    async def cancel(self, shopper_id: str, alert_id: str) -> PriceAlert:
        raise FeatureUnavailable("alerts_unavailable")


class NullHandoff:
    async def begin(self, ctx: TurnContext, reason: str) -> None:
        raise FeatureUnavailable("handoff_unavailable")

    def check_triggers(self, ctx: TurnContext) -> str | None:
        return None  # no desk: strong words do not hand off

    async def on_paused_message(self, msg: IncomingMessage, ctx: TurnContext) -> None:
        return None  # nobody can have paused the conversation

    async def rate(self, conversation_id: str, handoff_id: str, score: int, comment: str | None = None) -> bool:
        raise FeatureUnavailable("handoff_unavailable")


class NullPriceHistory:
    """No price history: no badges, no series (nothing is recorded)."""

    async def record_many(self, points: Sequence[PricePoint]) -> None:
        return None

    async def lows(self, product_ids: Sequence[str], since: datetime,
                   platform: str | None = None) -> dict[str, PriceLows]:
        return {}

    async def series(self, product_id: str, since: datetime | None = None) -> dict[str, list[tuple[datetime, Decimal]]]:
        return {}

    async def current(self, product_ids: Sequence[str]) -> dict[str, list[PlatformPrice]]:
        return {}

    async def mark_unavailable(self, keys: Sequence[tuple[str, str]], at: datetime) -> None:
        return None


class NullShopperProfiles:
    """No profiles kept: lookups are unavailable, saving an address is skipped."""

    async def by_identity(self, channel: str, sender_id: str, display_name: str | None = None) -> Shopper:
        raise FeatureUnavailable("orders_unavailable")

    async def update_profile(self, shopper_id: str, **fields: str | None) -> Shopper | None:
        return None

    async def link_identity(self, channel: str, sender_id: str, shopper_id: str) -> None:
        raise FeatureUnavailable("account_unavailable")


class NullAccounts:
    """No accounts here: "sign me up" answers that accounts are unavailable."""

    async def request_code(self, text: str, purpose: Purpose, language: str = "zh",
                           requester: str | None = None) -> CodeRequested:
        raise FeatureUnavailable("account_unavailable")

    async def verify_code(self, text: str, purpose: Purpose, code: str) -> Address:
        raise FeatureUnavailable("account_unavailable")

    def check_password(self, password: str, address: Address | None = None) -> PasswordStrength:
        raise FeatureUnavailable("account_unavailable")

    def min_password_length(self) -> int:
        return 8

    async def register(self, text: str, code: str | None, password: str, shopper_id: str,
                       *, code_checked: bool = False) -> Account:
        raise FeatureUnavailable("account_unavailable")

    async def sign_in_with_code(self, text: str, code: str) -> Account:
        raise FeatureUnavailable("account_unavailable")

    async def account_of(self, shopper_id: str) -> Account | None:
        raise FeatureUnavailable("account_unavailable")


class NullCart:
    """No cart kept: every cart request answers that the cart is unavailable."""

    async def lines(self, shopper_id: str) -> list[Any]:
        raise FeatureUnavailable("cart_unavailable")

    async def add(self, shopper_id: str, product_id: str, platform: str, title: str,
                  variant: Mapping[str, str], quantity: int) -> Any:
        raise FeatureUnavailable("cart_unavailable")

    async def set_quantity(self, shopper_id: str, line_id: str, quantity: int) -> Any:
        raise FeatureUnavailable("cart_unavailable")

    async def remove(self, shopper_id: str, line_id: str) -> Any:
        raise FeatureUnavailable("cart_unavailable")

    async def clear(self, shopper_id: str) -> int:
        raise FeatureUnavailable("cart_unavailable")


class SharesPort(Protocol):
    """Shares of products (shop.sharing.ShareService)."""

    async def create(self, product_id: str, shopper_id: str, channel: str) -> SharedLink: ...

    async def open(self, share_id: str) -> str | None:
        """The shared product id (the opening counted); None for an unknown share."""
        ...

    async def order_placed(self, share_id: str, order_id: str) -> None: ...


class NullShares:
    async def create(self, product_id: str, shopper_id: str, channel: str) -> SharedLink:
        raise FeatureUnavailable("share_unavailable")

    async def open(self, share_id: str) -> str | None:
        return None

    async def order_placed(self, share_id: str, order_id: str) -> None:
        return None


class GroupBuysPort(Protocol):
    """Group buys (shop.group_buys.GroupBuyService)."""

    def share_url(self, group_id: str) -> str: ...

    def qr_url(self, group_id: str) -> str: ...

    async def get(self, group_id: str) -> tuple[GroupBuy, list[GroupMember]]: ...

    async def check_join(self, group_id: str, shopper_id: str) -> tuple[GroupBuy, list[GroupMember]]: ...

    async def start(self, *, product_id: str, platform: str, platform_product_id: str, title: str,
                    group_price: Decimal, currency: str, size: int, hours: int, starter_id: str) -> GroupBuy: ...

    async def joined(self, group: GroupBuy, order: Order) -> GroupMember: ...


class NullGroupBuys:
    def share_url(self, group_id: str) -> str:
        return ""

    def qr_url(self, group_id: str) -> str:
        return ""

    async def get(self, group_id: str) -> tuple[GroupBuy, list[GroupMember]]:
        raise FeatureUnavailable("group_unavailable")

    async def check_join(self, group_id: str, shopper_id: str) -> tuple[GroupBuy, list[GroupMember]]:
        raise FeatureUnavailable("group_unavailable")

    async def start(self, *, product_id: str, platform: str, platform_product_id: str, title: str,
                    group_price: Decimal, currency: str, size: int, hours: int, starter_id: str) -> GroupBuy:
        raise FeatureUnavailable("group_unavailable")

    async def joined(self, group: GroupBuy, order: Order) -> GroupMember:
        raise FeatureUnavailable("group_unavailable")


class NullPrivacy:
    async def export_link(self, shopper_id: str) -> str:
        raise FeatureUnavailable("account_unavailable")

    async def erase(self, shopper_id: str) -> int:
        raise FeatureUnavailable("account_unavailable")


class ReviewsPort(Protocol):
    """Shoppers' ratings and reviews (shop/reviews.py ReviewService)."""

    async def rate(self, order: Order, shopper_id: str, line_no: int, product_stars: Any, merchant_stars: Any,
                   text: str = "", language: str = "zh") -> Review:
        """Raises ReviewError (code: not_yours, not_delivered, no_such_line, already_rated, bad_stars)."""
        ...

    async def unrated_lines(self, order: Order) -> list[int]: ...

    async def add_text(self, review_id: str, shopper_id: str, text: str) -> bool: ...

    async def add_photo(self, review_id: str, shopper_id: str, photo: str) -> int | None:
        """A photo with the review: how many it has now (None: not theirs, or full)."""
        ...

    async def product_reviews(self, product_id: str, limit: int = 3) -> tuple[RatingSummary, list[Review]]: ...

    def merchant_score(self, merchant: str) -> int | None: ...


class NullReviews:
    """No reviews kept: details show none, rating answers that it is unavailable."""

    async def rate(self, order: Order, shopper_id: str, line_no: int, product_stars: Any, merchant_stars: Any,
                   text: str = "", language: str = "zh") -> Review:
        raise FeatureUnavailable("rating_unavailable")

    async def unrated_lines(self, order: Order) -> list[int]:
        return []

    async def add_text(self, review_id: str, shopper_id: str, text: str) -> bool:
        return False

    async def add_photo(self, review_id: str, shopper_id: str, photo: str) -> int | None:
        return None

    async def product_reviews(self, product_id: str, limit: int = 3) -> tuple[RatingSummary, list[Review]]:
        return RatingSummary(), []

    def merchant_score(self, merchant: str) -> int | None:
        return None


def no_chart(alert: PriceAlert) -> str | None:
    return None


@dataclass(frozen=True)
class Services:
    """The ports flows call, built once by the bootstrap; a feature that is off is a Null."""

    search: SearchPort = field(default_factory=NullSearch)
    orders: OrdersPort = field(default_factory=NullOrders)
    shipments: ShipmentsPort = field(default_factory=NullShipments)
    aftersales: AfterSalesPort = field(default_factory=NullAfterSales)
    alerts: AlertsPort = field(default_factory=NullAlerts)
    price_history: PriceHistory = field(default_factory=NullPriceHistory)
    handoff: HandoffPort = field(default_factory=NullHandoff)
    shoppers: ShopperProfilesPort = field(default_factory=NullShopperProfiles)
    cart: CartRepository = field(default_factory=NullCart)
    shares: SharesPort = field(default_factory=NullShares)
    group_buys: GroupBuysPort = field(default_factory=NullGroupBuys)
    accounts: AccountsPort = field(default_factory=NullAccounts)
    privacy: PrivacyPort = field(default_factory=NullPrivacy)
    reviews: ReviewsPort = field(default_factory=NullReviews)
    chart_url: ChartUrl = no_chart
    currency_rates: Mapping[str, Decimal] = field(default_factory=lambda: parse_rates(DEFAULT_RATES))  # yuan per unit
