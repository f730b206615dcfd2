"""The FastAPI app: lifespan starts and stops the container; routes are mounted here."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.body_limit import BodySizeLimit
from bot.channels.rest import build_rest_router
from bot.channels.wire import build_channels
from bot.console.api import build_console_router
from bot.json_body import JsonGuard
from bot.openapi import openapi_with_400, validation_details
from bot.orders_wiring import include_order_routers
from bot.routes.charts import build_chart_router
from bot.routes.nlu import build_router as build_nlu_router
from bot.routes.sandbox_prices import build_sandbox_price_router
from bot.settings import Settings, get_settings
from bot.wiring import Container, build_container, invalidate_search


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    settings = settings or get_settings()
    container = container or build_container(settings)
    channels = build_channels(settings, container.handle, container.outbox, container.push,
                              redis=container.redis, telegram_polling=settings.telegram_polling)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await container.start()
        try:
            await channels.start()
            try:
                yield
            finally:
                await channels.stop()
        finally:
            await container.stop()

    app = FastAPI(title="shopbot", version="0.1.0", lifespan=lifespan)
    app.state.container = container
    app.add_middleware(JsonGuard)
    app.add_middleware(BodySizeLimit)  # outermost: a body over the limit is never buffered

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": "invalid request", "detail": validation_details(exc)}, status_code=400)

    app.openapi = lambda: openapi_with_400(app)  # type: ignore[method-assign]

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"])
    async def readyz() -> Response:
        checks = await container.readiness()
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks},
                            status_code=200 if ok else 503)

    @app.get("/metrics", tags=["ops"])
    async def metrics() -> Response:
        return Response(generate_latest(container.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app.include_router(build_rest_router(container.handle, container.outbox))
    app.include_router(build_nlu_router(container.parser.get))
    if container.console is not None:
        app.include_router(build_console_router(container.console, container.services, container.tracker_store))
    for router in channels.routers:  # web chat at /, Telegram and WeChat webhooks when configured
        app.include_router(router)
    if container.charts is not None:
        app.include_router(build_chart_router(container.charts))
    if container.orders is not None:
        include_order_routers(app, container.orders, container.scheduler, sandbox=settings.sandbox)
    if container.demo is not None and settings.demo_platform_transport == "asgi":
        for platform, platform_app in container.demo.apps().items():  # their product images
            app.mount(f"/demo/{platform}", platform_app)
    if settings.sandbox and container.demo is not None:
        app.include_router(build_sandbox_price_router(container.demo, after_change=invalidate_search(container)))
    return app
