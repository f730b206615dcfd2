"""`GET /charts/{product_id}.png`: a product's price-history chart (issue 9).

Optional query parameters: `target` (draws the shopper's target as a dashed line) and `lang`
(zh or en). Served with a short public cache lifetime; the service caches rendered PNGs.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import Response

from shop.charts import ChartNotFound, PriceChartService

MAX_TARGET = Decimal(100000000)


def chart_url(
    base_url: str, product_id: str, target: Decimal | None = None, language: str | None = None
) -> str:
    """The public URL of a product's chart, as pushed in alert notifications and replies."""
    params = []
    if target is not None:
        params.append(f"target={target}")
    if language:
        params.append(f"lang={language}")
    return f"{base_url.rstrip('/')}/charts/{product_id}.png" + ("?" + "&".join(params) if params else "")


def build_chart_router(charts: PriceChartService, *, max_age_seconds: int = 300) -> APIRouter:
    """The chart route, bound to a `PriceChartService`."""
    router = APIRouter(tags=["charts"])

    @router.get("/charts/{product_id}.png", response_class=Response)
    async def price_chart(
        product_id: str = Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$"),
        target: str | None = Query(default=None, max_length=20),
        lang: str = Query(default="zh", pattern="^(zh|en)$"),
    ) -> Response:
        value: Decimal | None = None
        if target is not None:
            try:
                value = Decimal(target)
            except InvalidOperation:
                raise HTTPException(status_code=422, detail="target must be a number") from None
            if not value.is_finite() or value <= 0 or value > MAX_TARGET:
                raise HTTPException(status_code=422, detail="target must be a positive price")
            value = value.quantize(Decimal("0.01"))
        try:
            png = await charts.png(product_id, target=value, language=lang)
        except ChartNotFound:
            raise HTTPException(status_code=404, detail="no price history for this product") from None
        return Response(
            content=png,
            media_type="image/png",
            headers={"Cache-Control": f"public, max-age={max_age_seconds}"},
        )

    return router
