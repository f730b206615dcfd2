"""The demo platforms' merchants, put through the same path as any merchant (issue 20, point 6).

With `DEMO_MERCHANT_HISTORY` on (`make run` turns it on), the first start gives a few demo
merchants an approved application (audit trail: submitted, then approved by `demo-seed`) and some history, so the demo shows scores, reviews and a delisted item:

- a well-rated merchant: reviews of 4–5 stars with words, a passed spot check;
- a poorly rated one: reviews of 1–2 stars, two failed spot checks (one product delisted,
  which the merchant has appealed): their score is low and their offers rank lower;
- a merchant with a passed check and one pending in the queue.

Idempotent: the seeded reviews carry order ids `DEMO…`; a start that finds them does nothing.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from integrations.db.merchants_repo import SqlMerchantApplications
from integrations.db.quality_repo import SqlQualityRepository
from integrations.db.reviews_repo import SqlReviewRepository
from shop.clock import Clock
from shop.merchants import (
    CREDIT_CODE_CHARS,
    ApplicationEvent,
    ApplicationStatus,
    MerchantApplication,
    credit_code_check_character,
    sha256,
)
from shop.reviews import Review
from shop.spot_checks import CheckStatus, ListedProduct, ProductLister, QualityService, SpotCheck

log = logging.getLogger(__name__)
MARKER_ORDER = "DEMO0000"
DEMO_REVIEWER = "demo-seed"  # who approved the seeded applications
GOOD = [(5, 5, "质量很好,物流也快", "Great quality, fast delivery"), (4, 5, "不错,性价比高", "Good value"),
        (5, 4, "和描述一致,满意", "As described, happy with it")]
POOR = [(2, 1, "和图片不一样,客服不理人", "Not as pictured, no answer from the seller"),
        (1, 2, "用了两天就坏了", "Broke after two days"), (2, 1, "发货太慢", "Shipping took ages")]


def demo_credit_code(name: str) -> str:
    """A well-formed (GB 32100) credit code derived from the merchant's name."""
    digest = hashlib.sha256(name.encode()).digest()
    body = "91" + "".join(CREDIT_CODE_CHARS[b % 31] for b in digest[:15])
    return body + credit_code_check_character(body)


async def seed_demo_merchants(lister: ProductLister, quality: QualityService, applications: SqlMerchantApplications,
                              reviews: SqlReviewRepository, checks: SqlQualityRepository, clock: Clock) -> bool:
    """Seed once; False when the history was there already."""
    if await reviews.rated_lines(MARKER_ORDER):
        return False
    by_merchant: dict[str, list[ListedProduct]] = {}
    for p in await lister.listed_products():
        by_merchant.setdefault(p.merchant, []).append(p)
    chosen = [m for m in sorted(by_merchant) if len(by_merchant[m]) >= 3][:3]
    if len(chosen) < 3:
        return False
    now = clock.now()
    good, poor, checked = chosen
    for merchant in chosen:
        await _approve(applications, merchant, now - timedelta(days=90))
    n = 0
    for merchant, samples in ((good, GOOD), (poor, POOR)):
        for product in by_merchant[merchant][:3]:
            for stars, seller, zh, en in samples:
                review = Review(id=f"RVDEMO{n:04d}", order_id=f"DEMO{n:04d}", line_no=0, product_id=product.product_id,
                                platform=product.platform, merchant=merchant, shopper_id="demo:seed",
                                product_stars=stars, merchant_stars=seller, text=zh if n % 2 == 0 else en,
                                language="zh" if n % 2 == 0 else "en", at=now - timedelta(days=30 - n % 30))
                await reviews.add(review)
                n += 1

    def check(product: ListedProduct, status: CheckStatus, reason: str | None) -> SpotCheck:
        decided = status is not CheckStatus.PENDING
        return SpotCheck(id=f"SC{secrets.token_hex(6).upper()}", merchant=product.merchant, platform=product.platform,
                         product_id=product.product_id, platform_product_id=product.platform_product_id,
                         title=product.title, category=product.category, risk=1.0, status=status,
                         created_at=now - timedelta(days=7), reviewer=DEMO_REVIEWER if decided else None,
                         reason=reason, decided_at=now - timedelta(days=6) if decided else None)

    await checks.add_checks([check(by_merchant[good][0], CheckStatus.PASSED, "抽检合格 passed"),
                             check(by_merchant[checked][0], CheckStatus.PASSED, "抽检合格 passed"),
                             check(by_merchant[checked][1], CheckStatus.PENDING, None),
                             check(by_merchant[poor][1], CheckStatus.FAILED, "标签与实物不符 label does not match")])
    failed = check(by_merchant[poor][0], CheckStatus.PENDING, None)
    await checks.add_checks([failed])
    decision = await quality.decide(failed.id, "demo-seed", False, "质量不合格 failed the quality test")
    if decision.delisting is not None:
        await quality.appeal(poor, decision.delisting.id, "已更换供应商,申请复检 new supplier, please check again")
    log.info("seeded the demo merchants' history: %s (good), %s (poor), %s (checked)", good, poor, checked)
    return True


async def _approve(applications: SqlMerchantApplications, merchant: str, at: datetime) -> None:
    code = demo_credit_code(merchant)
    if await applications.active_for_credit_code(code) is not None:
        return
    submitted = MerchantApplication(
        id=f"MA{secrets.token_hex(6).upper()}", company_name=merchant, credit_code=code, licence_number=code,
        phone="0571-86013388", email="demo-merchant@example.com", categories=("digital",), documents=(),
        language="zh", status=ApplicationStatus.SUBMITTED, submitted_at=at,
        updated_at=at, status_token_hash=sha256(secrets.token_urlsafe(24)))
    await applications.add(submitted, ApplicationEvent(submitted.id, at, "applicant", "submitted"))
    approved = replace(submitted, status=ApplicationStatus.APPROVED, reviewer=DEMO_REVIEWER, merchant_id=merchant)
    await applications.transition(ApplicationStatus.SUBMITTED, approved,
                                  ApplicationEvent(submitted.id, at, "demo-seed", "approved",
                                                   "demo merchant"))


_CITIES = (("浙江省杭州市余杭区", "文一西路"), ("广东省深圳市南山区", "科技园南路"), ("上海市闵行区", "虹梅路"),
           ("江苏省苏州市工业园区", "星湖街"), ("北京市大兴区", "亦庄经海路"), ("广东省东莞市长安镇", "锦厦路"))


def demo_return_address(merchant: str) -> str:
    """The return address a demo platform's store answers with (the same for a store every time):
    its after-sales desk in a warehouse district, a receiver and a landline."""
    digest = hashlib.sha256(merchant.encode()).digest()
    district, road = _CITIES[digest[0] % len(_CITIES)]
    number = 100 + digest[1] * 3
    phone = f"0{571 + digest[2] % 200}-{8000_0000 + int.from_bytes(digest[3:6]) % 1999_9999}"
    return f"{district}{road} {number} 号 {merchant} 售后部 收,{phone}"
