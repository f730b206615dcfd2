"""Composition of the orders area (issue 6): repositories, providers, carrier, services, jobs, routes.

The composition root (bot/wiring.py) calls `build_orders(...)` once, `register_order_jobs(...)`
on its scheduler, `include_order_routers(app, ...)`, and `await components.orders.reconcile()`
at start-up (after migrations).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.routes.carriers import build_carrier_router
from bot.routes.merchant import build_merchant_router, parse_merchant_keys
from bot.routes.payments import build_payments_router
from bot.routes.sandbox import build_sandbox_router
from bot.scheduler import JobScheduler
from integrations.carriers.simulated import ExceptionRates, SimulatedCarrier
from integrations.db.orders_logistics_repo import SqlShipmentRepository, SqlTicketRepository
from integrations.db.orders_repo import SqlOrderRepository
from integrations.payments.sandbox import SandboxPaymentProvider
from shop.aftersales import TicketService
from shop.clock import Clock
from shop.logistics import Carrier
from shop.notify import ShopperNotifier
from shop.ordering import OrderService
from shop.payments import PaymentProvider, canonical_provider_name
from shop.ports import OrderingConnector
from shop.shipments import ShipmentService


@dataclass
class OrdersComponents:
    orders: OrderService
    shipments: ShipmentService
    tickets: TicketService
    providers: dict[str, PaymentProvider]
    carrier: Carrier
    sandbox: SandboxPaymentProvider | None = None
    simulated_carrier: SimulatedCarrier | None = None
    merchant_keys: dict[str, str] = field(default_factory=dict)


def build_orders(
    engine: AsyncEngine,
    notifier: ShopperNotifier,
    clock: Clock,
    connectors: Mapping[str, OrderingConnector],
    *,
    base_url: str,
    payment_provider: str = "sandbox",
    extra_providers: Mapping[str, PaymentProvider] | None = None,
    sandbox_secret: bytes | None = None,
    carrier: Carrier | None = None,
    carrier_callback_url: str = "",
    carrier_step: timedelta = timedelta(hours=6),
    carrier_rates: ExceptionRates | None = None,
    ticket_deadline: timedelta = timedelta(hours=48),
    merchant_api_keys: str = "",
) -> OrdersComponents:
    """Build the orders area. `extra_providers` holds the real adapters (wechat_pay, alipay)."""
    # One name per provider: the key is the name its payments are stored with (`wechat_pay`).
    providers: dict[str, PaymentProvider] = {p.name: p for p in (extra_providers or {}).values()}
    payment_provider = canonical_provider_name(payment_provider)
    sandbox = None
    if payment_provider == "sandbox" or "sandbox" not in providers:
        sandbox = SandboxPaymentProvider(clock, base_url=base_url, secret=sandbox_secret)
        providers.setdefault("sandbox", sandbox)
    if payment_provider not in providers:
        raise ValueError(f"PAYMENT_PROVIDER={payment_provider!r} has no adapter wired")
    simulated = None
    if carrier is None:
        carrier = simulated = SimulatedCarrier(
            clock, step=carrier_step, rates=carrier_rates or ExceptionRates()
        )
    orders = OrderService(
        SqlOrderRepository(engine), providers, connectors, notifier, clock, default_provider=payment_provider
    )
    # Parcels are subscribed to push updates at this URL (the simulated carrier just learns of
    # the parcel; a real carrier calls POST /carriers/{name}/notify). Empty: polling only.
    callback_url = carrier_callback_url or (
        f"{base_url.rstrip('/')}/carriers/{carrier.name}/notify" if simulated else ""
    )
    shipments = ShipmentService(
        SqlShipmentRepository(engine), carrier, orders, notifier, clock, callback_url=callback_url
    )
    tickets = TicketService(
        SqlTicketRepository(engine), orders, shipments, notifier, clock, deadline=ticket_deadline
    )
    return OrdersComponents(
        orders,
        shipments,
        tickets,
        providers,
        carrier,
        sandbox,
        simulated,
        parse_merchant_keys(merchant_api_keys),
    )


def register_order_jobs(
    scheduler: JobScheduler,
    c: OrdersComponents,
    *,
    shipment_poll_seconds: float = 60,
    platform_sync_seconds: float = 60,
    ticket_check_seconds: float = 300,
) -> None:
    """The orders area's periodic jobs (names are what `GET /sandbox/jobs` lists)."""
    scheduler.add_job("sync_platform_orders", c.shipments.sync_platform_orders, platform_sync_seconds)
    scheduler.add_job("poll_shipments", c.shipments.poll_shipments, shipment_poll_seconds)
    scheduler.add_job("escalate_overdue_tickets", c.tickets.escalate_overdue_tickets, ticket_check_seconds)
    scheduler.add_job("reconcile_payments", c.orders.reconcile, platform_sync_seconds * 5)
    scheduler.add_job("auto_complete_orders", c.orders.auto_complete, ticket_check_seconds)


def include_order_routers(
    app: FastAPI, c: OrdersComponents, scheduler: JobScheduler, *, sandbox: bool
) -> None:
    """Mount the pay page and notify callbacks, the merchant API and (SANDBOX on) the sandbox controls."""
    app.include_router(build_payments_router(c.orders, c.sandbox))
    app.include_router(build_merchant_router(c.orders, c.shipments, c.tickets, c.merchant_keys))
    app.include_router(build_carrier_router(c.shipments))
    if sandbox:
        app.include_router(build_sandbox_router(c.orders, c.sandbox, c.simulated_carrier, scheduler))
