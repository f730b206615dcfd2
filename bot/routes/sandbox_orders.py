"""Sandbox route that makes the demo merchant ship an order now (embedded mode, `SANDBOX` on).

`POST /sandbox/orders/{order_id}/fulfil`: the demo platform holding the order accepts and ships
it at once (instead of after `DEMO_FULFIL_DELAY_SECONDS`); the platform sync and the shipment
poll run straight away, so the shopper is told "shipped" while they watch. Answers 200 with the
order's status, 404 for an unknown order, 409 for an order no demo platform
has (not paid yet, or placed elsewhere).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from bot.scheduler import JobScheduler
from integrations.marketplaces.demo.factory import DemoMarketplace
from shop.ordering import OrderService
from shop.orders import OrderNotFound

JOBS_AFTER_FULFIL = ("sync_platform_orders", "poll_shipments")


def build_sandbox_fulfil_router(demo: DemoMarketplace, orders: OrderService, scheduler: JobScheduler) -> APIRouter:
    router = APIRouter(prefix="/sandbox", tags=["sandbox"])

    @router.post("/orders/{order_id}/fulfil")
    async def fulfil(order_id: str) -> dict[str, Any]:
        """The demo merchant accepts and ships the order now; the shopper is told at once."""
        try:
            await orders.get(order_id)
        except OrderNotFound:
            raise HTTPException(404, f"unknown order {order_id}") from None
        placed = [server.store.fulfil_now(order_id) for server in demo.servers.values()]
        if not any(placed):
            raise HTTPException(409, f"order {order_id} is not with a demo merchant (is it paid?)")
        for job in JOBS_AFTER_FULFIL:
            if job in scheduler.job_names():
                await scheduler.run_now(job)
        order = await orders.get(order_id)
        return {"order_id": order_id, "order_status": order.status.value}

    return router
