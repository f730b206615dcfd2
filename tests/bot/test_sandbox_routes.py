"""The sandbox controls: pay, advance parcels, list and run jobs — a whole order by HTTP alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import create_app
from bot.settings import Settings
from shop.orders import OrderStatus
from tests.orders_harness import build_app, build_world, client, summary

MAKEFILE = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")


@pytest.fixture
async def w(sqlite_url):
    world = await build_world(sqlite_url)
    yield world
    await world.engine.dispose()


async def test_an_order_from_payment_to_delivery_through_the_sandbox(w):
    order = await w.orders.create_from_summary(summary(), "k")
    intent = await w.orders.start_payment(order.id)
    app, _ = build_app(w)
    async with client(app) as http:
        paid = await http.post(f"/sandbox/payments/{intent.payment_id}/pay", json={"method": "wechat_pay"})
        assert paid.status_code == 200
        assert paid.json() | {} == {
            "payment_id": intent.payment_id,
            "order_id": order.id,
            "method": "wechat_pay",
            "outcome": "applied",
            "order_status": "submitted",
        }
        jobs = (await http.get("/sandbox/jobs")).json()["jobs"]
        assert {"poll_shipments", "sync_platform_orders", "escalate_overdue_tickets"} <= set(jobs)

        w.connector.set_status(order.id, "shipped", "SF777")
        run = await http.post("/sandbox/jobs/sync_platform_orders/run")
        assert run.json() == {"job": "sync_platform_orders", "result": 1}
        assert (await w.orders.get(order.id)).status is OrderStatus.SHIPPED
        assert (await http.post("/sandbox/jobs/poll_shipments/run")).json()["result"] == 1

        moved = await http.post("/sandbox/carrier/advance", json={"tracking_number": "SF777", "steps": 1})
        assert moved.json() == {"parcels": [{"tracking_number": "SF777", "status": "in_transit"}]}
        moved = await http.post("/sandbox/carrier/advance", json={"all": True, "steps": 5})
        assert moved.json() == {"parcels": [{"tracking_number": "SF777", "status": "delivered"}]}
        # advancing ran the shipment poll itself: each status was pushed at once, nothing is left
        assert (await http.post("/sandbox/jobs/poll_shipments/run")).json()["result"] == 0
    assert [s.status.value for s in w.notifier.of_kind("shipment")] == [
        "collected",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]
    assert (await w.orders.get(order.id)).status is OrderStatus.DELIVERED


async def test_sandbox_mistakes_are_client_errors(w):
    order = await w.orders.create_from_summary(summary(), "k")
    intent = await w.orders.start_payment(order.id)
    app, _ = build_app(w)
    async with client(app) as http:
        assert (await http.post("/sandbox/payments/nope/pay", json={"method": "card"})).status_code == 404
        assert (
            await http.post(f"/sandbox/payments/{intent.payment_id}/pay", json={"method": "bitcoin"})
        ).status_code == 422
        assert (
            await http.post("/sandbox/carrier/advance", json={"tracking_number": "X1"})
        ).status_code == 404
        assert (await http.post("/sandbox/carrier/advance", json={"steps": 1})).status_code == 422
        assert (await http.post("/sandbox/jobs/nope/run")).status_code == 404


async def test_sandbox_routes_are_absent_when_sandbox_is_off(w):
    app, _ = build_app(w, sandbox=False)
    order = await w.orders.create_from_summary(summary(), "k-off")
    intent = await w.orders.start_payment(order.id)
    async with client(app) as http:
        assert (await http.get("/sandbox/jobs")).status_code == 404
        assert (await http.post(f"/sandbox/payments/{intent.payment_id}/pay", json={"method": "card"})).status_code == 404
        # no pay page with its test buttons: nobody can pay a sandbox payment by a click
        assert (await http.get(f"/pay/{intent.payment_id}")).status_code == 404
        assert (await http.post(f"/pay/{intent.payment_id}", data={"method": "alipay"})).status_code == 404
    assert (await w.orders.get(order.id)).status == OrderStatus.CREATED
    assert not any(p.startswith(("/sandbox", "/pay/")) for p in app.openapi()["paths"])


async def test_shopbot_serve_has_the_sandbox_off_unless_asked_and_make_run_asks(monkeypatch):
    monkeypatch.delenv("SANDBOX", raising=False)
    assert Settings().sandbox is False
    monkeypatch.setenv("SANDBOX", "1")
    assert Settings().sandbox is True
    run = MAKEFILE.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    serve = next(line for line in run.splitlines() if "$(BIN)/shopbot serve" in line)
    assert "SANDBOX=1" in serve.split()  # make run turns the sandbox on; `shopbot serve` alone keeps it off


async def test_the_full_app_without_sandbox_has_no_sandbox_routes(settings):
    app = create_app(settings.model_copy(update={"sandbox": False}))
    paths = app.openapi()["paths"]
    assert not any(p.startswith(("/sandbox", "/pay/")) for p in paths)
    assert "/payments/{provider}/notify" in paths  # real providers' callbacks stay


async def test_sandbox_routes_are_in_the_openapi(w):
    app, _ = build_app(w)
    paths = app.openapi()["paths"]
    assert {
        "/sandbox/payments/{payment_id}/pay",
        "/sandbox/carrier/advance",
        "/sandbox/jobs",
        "/sandbox/jobs/{job_name}/run",
    } <= set(paths)


async def test_fulfil_ships_a_paid_demo_order_now_and_refuses_what_it_cannot(app_client):
    r = await app_client.post("/sandbox/orders/SO2026010100001/fulfil")
    assert r.status_code == 404
    orders = app_client.app.state.runtime.services.orders
    order = await orders.create_from_summary(summary(), "fulfil-k")
    r = await app_client.post(f"/sandbox/orders/{order.id}/fulfil")
    assert r.status_code == 409, r.text  # not paid: no merchant has it yet
