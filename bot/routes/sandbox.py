"""Sandbox controls (embedded mode, `SANDBOX` on): pay, move parcels, list and run jobs.

* `POST /sandbox/payments/{payment_id}/pay` `{"method": "wechat_pay"|"alipay"|"card"}` — pays
  through the same signed-callback path as a real payment;
* `POST /sandbox/carrier/advance` `{"tracking_number": "...", "steps": 1}` or `{"all": true}`;
* `POST /sandbox/clock/advance` `{"seconds": 21600}` — moves the demo's clock forward; parcel
  events that fall due are pushed to the shopper by the carrier watcher within a second or so;
* `GET /sandbox/jobs` — the scheduled jobs' names;
* `POST /sandbox/jobs/{job_name}/run` — runs one now and answers when it has finished.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field, model_validator

from bot.scheduler import JobScheduler, UnknownJob
from integrations.carriers.simulated import SimulatedCarrier
from integrations.payments.sandbox import SandboxPaymentProvider
from shop.clock import SandboxClock
from shop.logistics import CarrierError
from shop.ordering import OrderService
from shop.orders import OrderNotFound
from shop.payments import PaymentAmountMismatch, PaymentVerificationError, UnknownPayment


class PayRequest(BaseModel):
    method: Literal["wechat_pay", "alipay", "card"]


class ClockRequest(BaseModel):
    seconds: float = Field(gt=0, le=30 * 86400)


class AdvanceRequest(BaseModel):
    tracking_number: str | None = None
    steps: int = Field(default=1, ge=1, le=20)
    all: bool = False

    @model_validator(mode="after")
    def _one_target(self) -> AdvanceRequest:
        if not self.all and not self.tracking_number:
            raise ValueError("give a tracking_number or all: true")
        return self


def jsonable(value: Any) -> Any:
    """A job's result as JSON (dataclasses, enums, Decimal as string)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def build_sandbox_router(
    orders: OrderService,
    provider: SandboxPaymentProvider | None,
    carrier: SimulatedCarrier | None,
    scheduler: JobScheduler,
) -> APIRouter:
    router = APIRouter(prefix="/sandbox", tags=["sandbox"])

    @router.post("/payments/{payment_id}/pay")
    async def pay(payment_id: str, req: PayRequest) -> dict[str, Any]:
        """Pay a sandbox payment as the shopper would on the pay page."""
        if provider is None:
            raise HTTPException(404, "the sandbox payment provider is not in use")
        try:
            payment, order = await orders.payment_view(payment_id)
        except (UnknownPayment, OrderNotFound):
            raise HTTPException(404, f"unknown payment {payment_id}") from None
        if payment.provider != provider.name:
            raise HTTPException(404, f"payment {payment_id} is not a sandbox payment")
        if not provider.knows(payment_id):
            await provider.create_payment(payment_id, payment.amount, order.lines[0].title)
        headers, body = provider.pay(payment_id, req.method)
        try:
            outcome = await orders.handle_payment_callback(provider.name, headers, body)
        except (PaymentVerificationError, PaymentAmountMismatch) as exc:
            raise HTTPException(409, str(exc)) from exc
        order = await orders.get(order.id)
        return {
            "payment_id": payment_id,
            "order_id": order.id,
            "method": req.method,
            "outcome": outcome,
            "order_status": order.status.value,
        }

    @router.post("/carrier/advance")
    async def advance(req: AdvanceRequest) -> dict[str, Any]:
        """Move simulated parcels on; the shipment poll runs at once, so the shopper hears of each new status now."""
        if carrier is None:
            raise HTTPException(404, "the simulated carrier is not in use")
        if req.all:
            moved = carrier.advance_all(req.steps)
        else:
            assert req.tracking_number is not None
            try:
                moved = {req.tracking_number: carrier.advance(req.tracking_number, req.steps)}
            except CarrierError:
                raise HTTPException(404, f"unknown tracking number {req.tracking_number}") from None
        if moved and "poll_shipments" in scheduler.job_names():
            await scheduler.run_now("poll_shipments")  # each new status reaches the shopper now
        return {"parcels": [{"tracking_number": tn, "status": st.value} for tn, st in moved.items()]}

    @router.post("/clock/advance")
    async def advance_clock(req: ClockRequest) -> dict[str, Any]:
        """Move the demo's clock forward; nothing is polled here: what falls due reaches the
        shopper the way it would with time passing (the carrier watcher pushes it)."""
        clock = carrier.clock if carrier is not None else None
        if not isinstance(clock, SandboxClock):
            raise HTTPException(404, "the sandbox clock is not in use")
        now = clock.advance(timedelta(seconds=req.seconds))
        return {"now": now.isoformat()}

    @router.get("/jobs")
    async def jobs() -> dict[str, list[str]]:
        return {"jobs": scheduler.job_names()}

    @router.post("/jobs/{job_name}/run")
    async def run_job(job_name: str) -> dict[str, Any]:
        """Run one job now; answers when it has finished, with its result."""
        try:
            result = await scheduler.run_now(job_name)
        except UnknownJob:
            raise HTTPException(404, f"unknown job {job_name}") from None
        return {"job": job_name, "result": jsonable(result)}

    return router
