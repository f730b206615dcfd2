"""Carrier push callbacks: `POST /carriers/{carrier}/notify` (Kuaidi100-style subscriptions).

The carrier adapter verifies the push (`Carrier.parse_callback`); the shipment service stores
the events and tells the shopper of each new status, exactly once, as polling does.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from shop.logistics import CarrierError
from shop.shipments import ShipmentService


def build_carrier_router(shipments: ShipmentService) -> APIRouter:
    router = APIRouter(tags=["logistics"])

    @router.post("/carriers/{carrier}/notify")
    async def notify(carrier: str, request: Request) -> JSONResponse:
        """A tracking update pushed by the carrier; answered the way Kuaidi100 expects."""
        if carrier != shipments.carrier.name:
            return JSONResponse({"result": False, "returnCode": "404", "message": "unknown carrier"}, 404)
        try:
            await shipments.handle_carrier_callback(dict(request.headers), await request.body())
        except CarrierError as exc:
            return JSONResponse({"result": False, "returnCode": "400", "message": str(exc)}, 400)
        return JSONResponse({"result": True, "returnCode": "200", "message": "成功"})

    return router
