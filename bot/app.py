"""The FastAPI app: lifespan starts and stops the runtime (bot/bootstrap.py); routes are mounted here."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.body_limit import BodySizeLimit
from bot.bootstrap import OrdersComponents, Runtime, build_runtime
from bot.channels.rest import build_rest_router
from bot.channels.telegram import WEBHOOK_PATH as TELEGRAM_WEBHOOK_PATH
from bot.channels.wechat import WEBHOOK_PATH as WECHAT_WEBHOOK_PATH
from bot.channels.wire import build_channels
from bot.console.api import build_console_router
from bot.console.merchant_reviews import build_merchant_review_router
from bot.console.spot_checks import build_spot_check_router
from bot.json_body import JsonGuard
from bot.openapi import openapi_with_400, validation_details
from bot.photos import MAX_BYTES as PHOTO_MAX_BYTES
from bot.photos import PhotoStore, build_photos_router
from bot.routes.account_export import build_export_router
from bot.routes.account_history import build_history_router
from bot.routes.accounts_web import build_account_pages_router
from bot.routes.carriers import build_carrier_router
from bot.routes.charts import build_chart_router
from bot.routes.merchant import build_merchant_router
from bot.routes.merchant_applications import DOCUMENTS_PREFIX, UPLOADS_MAX_BODY, build_application_router
from bot.routes.nlu import build_router as build_nlu_router
from bot.routes.payments import build_payments_router
from bot.routes.sandbox import build_sandbox_router
from bot.routes.sandbox_accounts import build_sandbox_accounts_router
from bot.routes.sandbox_orders import build_sandbox_fulfil_router
from bot.routes.sandbox_prices import build_sandbox_price_router
from bot.routes.shares import build_share_router
from bot.scheduler import JobScheduler
from bot.settings import Settings, get_settings
from bot.warmup import Warmup, WarmupGate
from shop.group_buys import GroupBuyService, is_group_id
from shop.merchants import MerchantOnboarding
from shop.sharing import ShareService
from shop.spot_checks import ProductLister, QualityService


def include_order_routers(app: FastAPI, c: OrdersComponents, scheduler: JobScheduler, *, sandbox: bool,
                          merchants: MerchantOnboarding | None = None, quality: QualityService | None = None,
                          lister: ProductLister | None = None) -> None:
    """Mount the notify callbacks, the merchant API (keys from settings and, with `merchants`,
    those issued on approval) and (SANDBOX on) the sandbox pay page and controls."""
    app.include_router(build_payments_router(c.orders, c.sandbox if sandbox else None))
    app.include_router(build_merchant_router(c.orders, c.shipments, c.tickets, dict(c.merchant_keys),
                                             merchants.merchant_for_key if merchants is not None else None,
                                             quality=quality, lister=lister))
    app.include_router(build_carrier_router(c.shipments))
    if sandbox:
        app.include_router(build_sandbox_router(c.orders, c.sandbox, c.simulated_carrier, scheduler))


# what needs the NLU model: answered 503 + Retry-After while it warms up
CHAT_PATHS = ("/webhooks/rest/webhook", "/webchat/messages", "/webchat/ws", "/model/parse",
              TELEGRAM_WEBHOOK_PATH, WECHAT_WEBHOOK_PATH)


def create_app(
    settings: Settings | None = None, runtime: Runtime | None = None, *, background_warmup: bool = False
) -> FastAPI:
    """The app. ``background_warmup`` (`shopbot serve`): the port opens before the NLU model is
    ready, which loads or trains in the background while chat endpoints answer 503 (bot/warmup.py);
    otherwise the lifespan waits for the model."""
    settings = settings or get_settings()
    runtime = runtime or build_runtime(settings)
    photo_store = PhotoStore(settings.var_dir / "photos")  # web chat uploads, Telegram photos, WeChat images
    channels = build_channels(settings, runtime.handle, runtime.outbox, runtime.push,
                              redis=runtime.redis, telegram_polling=settings.telegram_polling,
                              photos=photo_store.save)
    warmup = Warmup(ready=not background_warmup)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start(nlu=not background_warmup)
        try:
            if not background_warmup:
                await channels.start()
                try:
                    yield
                finally:
                    await channels.stop()
                return
            # channels start once the model is there (Telegram polling would otherwise fetch turns)
            task = asyncio.create_task(warmup.run(runtime.load_nlu, url=settings.base_url, then=channels.start))
            try:
                yield
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                if warmup.ready:
                    await channels.stop()
        finally:
            await runtime.stop()

    app = FastAPI(title="shopbot", version="0.1.0", lifespan=lifespan)
    app.state.runtime = runtime
    app.state.warmup = warmup
    app.add_middleware(WarmupGate, warmup=warmup, chat_paths=CHAT_PATHS)
    app.add_middleware(JsonGuard)
    # outermost: a body over the limit is never buffered (a photo upload may be larger)
    app.add_middleware(BodySizeLimit, paths={"/webchat/photos": PHOTO_MAX_BYTES,
                                             "/merchant/applications": UPLOADS_MAX_BODY})

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": "invalid request", "detail": validation_details(exc)}, status_code=400)

    app.openapi = lambda: openapi_with_400(app)  # type: ignore[method-assign]

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        """``ok``, or ``warming_up`` (with what is happening) while the NLU model loads or trains."""
        return warmup.health()

    @app.get("/readyz", tags=["ops"])
    async def readyz() -> Response:
        checks = await runtime.readiness()
        if not warmup.ready:
            checks["nlu"] = warmup.state
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks},
                            status_code=200 if ok else 503)

    @app.get("/metrics", tags=["ops"])
    async def metrics() -> Response:
        return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app.include_router(build_rest_router(runtime.handle, runtime.outbox))
    app.include_router(build_nlu_router(runtime.parser.get))
    app.include_router(build_console_router(runtime.console, runtime.tracker_store))
    documents = PhotoStore(settings.var_dir / "documents", prefix=DOCUMENTS_PREFIX, pdf=True)  # applicants' scans
    app.include_router(build_merchant_review_router(runtime.console, documents))
    app.include_router(build_spot_check_router(runtime.console, runtime.quality))
    app.include_router(build_photos_router(photo_store, runtime.handle))
    for router in channels.routers:  # web chat at /, Telegram and WeChat webhooks when configured
        app.include_router(router)
    app.include_router(build_chart_router(runtime.charts))
    if isinstance(runtime.services.shares, ShareService):  # share links' QR codes and counts
        groups = runtime.services.group_buys

        async def group_exists(group_id: str) -> bool:
            return isinstance(groups, GroupBuyService) and is_group_id(group_id) \
                and await groups.repo.get(group_id) is not None

        app.include_router(build_share_router(runtime.services.shares.repo, runtime.services.shares.base_url,
                                              group_exists))
    include_order_routers(app, runtime.orders, runtime.scheduler, sandbox=settings.sandbox,
                          merchants=runtime.merchants, quality=runtime.quality, lister=runtime.demo)
    if runtime.merchants is not None:
        app.include_router(build_application_router(runtime.merchants, documents))
    if runtime.accounts is not None:
        app.include_router(build_history_router(runtime.services.shoppers, runtime.tracker_store,
                                                runtime.accounts.service.keyed_hash_key))
    if runtime.account_pages is not None:
        app.include_router(build_account_pages_router(runtime.account_pages))
    if runtime.privacy is not None:
        app.include_router(build_export_router(runtime.privacy))
    if settings.sandbox and runtime.accounts is not None:
        app.include_router(build_sandbox_accounts_router(runtime.accounts.service, runtime.accounts.sandbox_sender))
    if runtime.demo is not None and settings.demo_platform_transport == "asgi":
        for platform, platform_app in runtime.demo.apps().items():  # their product images
            app.mount(f"/demo/{platform}", platform_app)
    if settings.sandbox and runtime.demo is not None:
        demo, scheduler = runtime.demo, runtime.scheduler

        async def after_price_change() -> None:  # the next search and the alert evaluation see it at once
            await runtime.search.invalidate()
            for job in ("refresh_watched_prices", "evaluate_alerts"):
                if job in scheduler.job_names():
                    await scheduler.run_now(job)

        app.include_router(build_sandbox_price_router(demo, after_change=after_price_change))
        if runtime.orders is not None:
            app.include_router(build_sandbox_fulfil_router(demo, runtime.orders.orders, scheduler))
    return app
