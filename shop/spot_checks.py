"""Quality of what merchants sell: spot checks, delisting and appeals, merchant standing (issue 20).

A scheduled job (`QualityService.run_spot_checks`) samples listed products into a check queue:
first merchants, weighted by risk (complaints, low ratings, new merchants, failed checks), then
one product of each, weighted by its own risk (a regulated category, a low rating). Reviewers
record pass or fail with a reason. A failure delists the product (on its platform) and lowers
the merchant's score; `SUSPEND_AFTER_FAILURES` failures suspend the merchant: every product of
theirs leaves search, and their open orders are flagged to staff.

A delisted product is out of search, comparison, details, recommendations and carts at once:
the search aggregator asks `ListingFilter.hides` for every offer it merges. Shoppers watching
its price are told (the `on_delisted` hooks). The merchant may appeal once; a reviewer relists
the product (appeal upheld) or keeps it delisted.

Merchants are named as the platforms name them (`Offer.merchant`, `Order.merchant`): the
merchant API's merchant id for merchants onboarded here.
"""

from __future__ import annotations

import asyncio
import math
import random
import secrets
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

from shop.catalog import GroupDeal
from shop.clock import Clock
from shop.merchants import REQUIRED_DOCUMENTS
from shop.taxonomy import ancestors

SUSPEND_AFTER_FAILURES = 3  # failed spot checks that suspend a merchant
NEW_MERCHANT_DAYS = 30
LOW_RATING = 4.0  # an offer rated below this (0–5 stars) is riskier
FILTER_REFRESH_SECONDS = 2.0  # how stale another worker's delistings may be in this one


class QualityError(Exception):
    """Root of the quality area's errors."""


class CheckNotFound(QualityError):
    pass


class DelistingNotFound(QualityError):
    pass


class IllegalQualityTransition(QualityError):
    """A decision on a check or appeal already decided, or an appeal not allowed now."""


class MissingReason(QualityError):
    pass


class CheckStatus(str, Enum):
    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"


class DelistingStatus(str, Enum):
    DELISTED = "delisted"
    APPEALED = "appealed"  # still delisted, waiting for a reviewer
    RELISTED = "relisted"  # appeal upheld: back in search
    UPHELD = "upheld"  # appeal refused: stays delisted for good


HIDDEN_STATUSES = (DelistingStatus.DELISTED, DelistingStatus.APPEALED, DelistingStatus.UPHELD)


@dataclass(frozen=True)
class ListedProduct:
    """One product a merchant sells on a platform (what a spot check samples)."""

    merchant: str
    platform: str
    product_id: str  # ours (the catalog id)
    platform_product_id: str
    title: str
    category: str
    rating: float = 0.0  # the platform's 0–5 stars; 0 = none yet


@dataclass(frozen=True)
class NewListing:
    """A product a merchant lists through the merchant API."""

    platform: str
    title: str
    title_en: str
    brand: str
    category: str
    price: Decimal
    stock: int
    keywords: tuple[str, ...] = ()
    specs: tuple[tuple[str, str], ...] = ()
    group: GroupDeal | None = None  # a group buy (拼团) price, size and time limit


class ProductLister(Protocol):
    """Where merchants' products are listed (the demo platforms in the demo)."""

    async def listed_products(self) -> list[ListedProduct]: ...

    async def list_product(self, merchant: str, listing: NewListing) -> ListedProduct: ...


@dataclass(frozen=True)
class MerchantSignals:
    """What makes a merchant riskier (fed by tickets, reviews and onboarding)."""

    complaints: int = 0
    average_rating: float | None = None  # shoppers' 1–5 merchant ratings here
    approved_at: datetime | None = None  # onboarded here on this date (None: long-standing)
    failed_checks: int = 0


@dataclass(frozen=True)
class SpotCheck:
    id: str
    merchant: str
    platform: str
    product_id: str
    platform_product_id: str
    title: str
    category: str
    risk: float
    status: CheckStatus
    created_at: datetime
    reviewer: str | None = None
    reason: str | None = None
    decided_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"check_id": self.id, "merchant": self.merchant, "platform": self.platform,
                "product_id": self.product_id, "platform_product_id": self.platform_product_id,
                "title": self.title, "category": self.category, "risk": round(self.risk, 2),
                "status": self.status.value, "created_at": self.created_at.isoformat(),
                "reviewer": self.reviewer, "reason": self.reason,
                "decided_at": self.decided_at.isoformat() if self.decided_at else None}


@dataclass(frozen=True)
class Delisting:
    id: str
    merchant: str
    platform: str
    product_id: str
    platform_product_id: str
    title: str
    reason: str
    by: str
    at: datetime
    status: DelistingStatus
    check_id: str | None = None
    appeal: str | None = None
    appealed_at: datetime | None = None
    decision_note: str | None = None
    decided_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"delisting_id": self.id, "merchant": self.merchant, "platform": self.platform,
                "product_id": self.product_id, "platform_product_id": self.platform_product_id,
                "title": self.title, "reason": self.reason, "by": self.by, "at": self.at.isoformat(),
                "status": self.status.value, "check_id": self.check_id, "appeal": self.appeal,
                "appealed_at": self.appealed_at.isoformat() if self.appealed_at else None,
                "decision_note": self.decision_note, "decided_by": self.decided_by}


@dataclass(frozen=True)
class Standing:
    """A merchant's record here: spot checks and whether they are suspended."""

    merchant: str
    passed_checks: int = 0
    failed_checks: int = 0
    suspended: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class CheckDecision:
    check: SpotCheck
    delisting: Delisting | None
    standing: Standing
    suspended_now: bool
    flagged_orders: tuple[str, ...] = ()


class QualityRepository(Protocol):
    async def add_checks(self, checks: Sequence[SpotCheck]) -> None: ...

    async def get_check(self, check_id: str) -> SpotCheck | None: ...

    async def checks(self, statuses: Sequence[CheckStatus] | None, limit: int) -> list[SpotCheck]:
        """Riskiest first, then oldest first."""
        ...

    async def pending_products(self) -> set[tuple[str, str]]:
        """(platform, platform_product_id) of every pending check."""
        ...

    async def decide_check(self, after: SpotCheck) -> bool:
        """Store the decided check only if it is still pending (one winner)."""
        ...

    async def add_delisting(self, delisting: Delisting) -> None: ...

    async def get_delisting(self, delisting_id: str) -> Delisting | None: ...

    async def delistings(self, *, merchant: str | None = None,
                         statuses: Sequence[DelistingStatus] | None = None, limit: int = 200) -> list[Delisting]:
        """Newest first."""
        ...

    async def move_delisting(self, before: DelistingStatus, after: Delisting) -> bool: ...

    async def standing(self, merchant: str) -> Standing: ...

    async def standings(self, merchants: Iterable[str] | None = None) -> dict[str, Standing]:
        """Every merchant with a record (or those named)."""
        ...

    async def set_suspended(self, merchant: str, suspended: bool, reason: str | None) -> None: ...

    async def hidden(self) -> tuple[set[tuple[str, str]], set[str]]:
        """(platform, platform_product_id) of every delisted product, and suspended merchants."""
        ...


class ListingSource(Protocol):
    async def listed_products(self) -> list[ListedProduct]: ...


DelistedHook = Callable[[Delisting], Awaitable[None]]
SuspendedHook = Callable[[str, str], Awaitable[Sequence[str]]]  # (merchant, reason) -> open order ids
SignalsSource = Callable[[Sequence[str]], Awaitable[dict[str, MerchantSignals]]]


def is_regulated(category: str) -> bool:
    """Whether a category is under a top group that needs a licence (food, cosmetics, health)."""
    return any(node in REQUIRED_DOCUMENTS for node in (category, *ancestors(category)))


def merchant_risk(signals: MerchantSignals, now: datetime) -> float:
    risk = 1.0 + 2.0 * min(signals.complaints, 5) + 3.0 * signals.failed_checks
    if signals.average_rating is not None and signals.average_rating < 3.5:
        risk += 3.0
    if signals.approved_at is not None and now - signals.approved_at < timedelta(days=NEW_MERCHANT_DAYS):
        risk += 3.0
    return risk


def product_risk(product: ListedProduct) -> float:
    risk = 1.0
    if is_regulated(product.category):
        risk += 2.0
    if 0 < product.rating < LOW_RATING:
        risk += 2.0
    return risk


def weighted_sample(items: Sequence[Any], weights: Sequence[float], k: int, rng: random.Random) -> list[Any]:
    """`k` distinct items, each drawn with probability proportional to its weight
    (Efraimidis–Spirakis: the k largest u^(1/w))."""
    keyed = [(math.log(rng.random() or 1e-300) / w, n) for n, w in enumerate(weights) if w > 0]
    keyed.sort(reverse=True)
    return [items[n] for _, n in keyed[:k]]


def _text(value: str) -> str:
    return " ".join(value.translate(dict.fromkeys(range(32), " ")).split())


class ListingFilter:
    """What search must leave out: delisted products and suspended merchants' products.

    Kept in memory and re-read from the repository at most every `FILTER_REFRESH_SECONDS`
    (changes made by this process apply at once)."""

    def __init__(self, repo: QualityRepository, clock: Callable[[], float]) -> None:
        self._repo = repo
        self._clock = clock
        self._products: set[tuple[str, str]] = set()
        self._merchants: set[str] = set()
        self._read_at: float | None = None
        self._lock = asyncio.Lock()  # concurrent searches share one read

    def _stale(self) -> bool:
        return self._read_at is None or self._clock() - self._read_at >= FILTER_REFRESH_SECONDS

    async def refresh(self, force: bool = False) -> None:
        if not force and not self._stale():
            return
        async with self._lock:
            if force or self._stale():
                now = self._clock()
                self._products, self._merchants = await self._repo.hidden()
                self._read_at = now

    def hides(self, platform: str, platform_product_id: str, merchant: str) -> bool:
        return (platform, platform_product_id) in self._products or (bool(merchant) and merchant in self._merchants)


class QualityService:
    def __init__(self, repo: QualityRepository, clock: Clock, listing_filter: ListingFilter, *,
                 listings: ListingSource | None = None, signals: SignalsSource | None = None,
                 sample_size: int = 5, rng: random.Random | None = None,
                 after_change: Callable[[], Awaitable[None]] | None = None) -> None:
        self.repo = repo
        self.clock = clock
        self.filter = listing_filter
        self.listings = listings
        self.signals = signals
        self.sample_size = sample_size
        self.rng = rng or random.Random()
        self.after_change = after_change  # e.g. the search cache's invalidate
        self.on_delisted: list[DelistedHook] = []
        self.on_suspended: list[SuspendedHook] = []

    # ---- the scheduled job ----------------------------------------------------------------

    async def run_spot_checks(self) -> dict[str, int]:
        """Sample up to `sample_size` products, of as many merchants, into the check queue."""
        if self.listings is None:
            return {"sampled": 0}
        products = await self.listings.listed_products()
        pending = await self.repo.pending_products()
        await self.filter.refresh(force=True)
        by_merchant: dict[str, list[ListedProduct]] = {}
        for p in products:
            if (p.platform, p.platform_product_id) in pending or not p.merchant:
                continue
            if self.filter.hides(p.platform, p.platform_product_id, p.merchant):
                continue
            by_merchant.setdefault(p.merchant, []).append(p)
        merchants = sorted(by_merchant)
        signals = await self.signals(merchants) if self.signals is not None else {}
        standings = await self.repo.standings(merchants)
        now = self.clock.now()
        risks = [merchant_risk(replace(signals.get(m, MerchantSignals()),
                                       failed_checks=standings[m].failed_checks if m in standings else 0), now)
                 for m in merchants]
        chosen = weighted_sample(merchants, risks, self.sample_size, self.rng)
        risk_of = dict(zip(merchants, risks, strict=True))
        checks = []
        for merchant in chosen:
            options = by_merchant[merchant]
            product = weighted_sample(options, [product_risk(p) for p in options], 1, self.rng)[0]
            checks.append(SpotCheck(
                id=f"SC{secrets.token_hex(6).upper()}", merchant=merchant, platform=product.platform,
                product_id=product.product_id, platform_product_id=product.platform_product_id,
                title=product.title, category=product.category,
                risk=risk_of[merchant] * product_risk(product), status=CheckStatus.PENDING, created_at=now))
        await self.repo.add_checks(checks)
        return {"sampled": len(checks), "merchants": len(merchants)}

    # ---- reviewers ------------------------------------------------------------------------

    async def queue(self, statuses: Sequence[CheckStatus] | None = None, limit: int = 100) -> list[SpotCheck]:
        return await self.repo.checks(list(statuses) if statuses else [CheckStatus.PENDING], limit)

    async def get_check(self, check_id: str) -> SpotCheck:
        check = await self.repo.get_check(check_id)
        if check is None:
            raise CheckNotFound(check_id)
        return check

    async def decide(self, check_id: str, reviewer: str, passed: bool, reason: str) -> CheckDecision:
        """Record a check's result; a failure delists the product and may suspend the merchant."""
        reason = _text(reason)[:2000]
        if not reason:
            raise MissingReason("a reason is needed")
        check = await self.get_check(check_id)
        if check.status is not CheckStatus.PENDING:
            raise IllegalQualityTransition(f"check {check_id} is {check.status.value} already")
        now = self.clock.now()
        after = replace(check, status=CheckStatus.PASSED if passed else CheckStatus.FAILED, reviewer=reviewer,
                        reason=reason, decided_at=now)
        if not await self.repo.decide_check(after):
            raise IllegalQualityTransition(f"check {check_id} was decided meanwhile; reload")
        delisting = None
        suspended_now = False
        flagged: tuple[str, ...] = ()
        if not passed:
            delisting = await self.delist(check.merchant, check.platform, check.product_id,
                                          check.platform_product_id, check.title, reason, reviewer,
                                          check_id=check.id)
        standing = await self.repo.standing(check.merchant)
        if not passed and not standing.suspended and standing.failed_checks >= SUSPEND_AFTER_FAILURES:
            flagged = await self.suspend(check.merchant, f"{standing.failed_checks} failed spot checks: {reason}")
            suspended_now = True
            standing = await self.repo.standing(check.merchant)
        return CheckDecision(after, delisting, standing, suspended_now, flagged)

    async def delist(self, merchant: str, platform: str, product_id: str, platform_product_id: str, title: str,
                     reason: str, by: str, *, check_id: str | None = None) -> Delisting:
        delisting = Delisting(id=f"DL{secrets.token_hex(6).upper()}", merchant=merchant, platform=platform,
                              product_id=product_id, platform_product_id=platform_product_id, title=title,
                              reason=reason, by=by, at=self.clock.now(), status=DelistingStatus.DELISTED,
                              check_id=check_id)
        await self.repo.add_delisting(delisting)
        await self._changed()
        for hook in self.on_delisted:
            await hook(delisting)
        return delisting

    async def suspend(self, merchant: str, reason: str) -> tuple[str, ...]:
        """Take every product of the merchant out of search; the open orders to flag to staff."""
        await self.repo.set_suspended(merchant, True, reason)
        await self._changed()
        flagged: list[str] = []
        for hook in self.on_suspended:
            flagged.extend(await hook(merchant, reason))
        return tuple(dict.fromkeys(flagged))

    async def reinstate(self, merchant: str) -> None:
        await self.repo.set_suspended(merchant, False, None)
        await self._changed()

    async def _changed(self) -> None:
        await self.filter.refresh(force=True)
        if self.after_change is not None:
            await self.after_change()

    # ---- delistings and appeals ---------------------------------------------------------------

    async def get_delisting(self, delisting_id: str) -> Delisting:
        found = await self.repo.get_delisting(delisting_id)
        if found is None:
            raise DelistingNotFound(delisting_id)
        return found

    async def delistings(self, *, merchant: str | None = None,
                         statuses: Sequence[DelistingStatus] | None = None) -> list[Delisting]:
        return await self.repo.delistings(merchant=merchant, statuses=statuses)

    async def appeal(self, merchant: str, delisting_id: str, text: str) -> Delisting:
        """The merchant asks a reviewer to look again (once per delisting)."""
        text = _text(text)[:2000]
        if not text:
            raise MissingReason("say why the product should be listed again")
        current = await self.get_delisting(delisting_id)
        if current.merchant != merchant:
            raise DelistingNotFound(delisting_id)  # another merchant's delisting is not theirs to see
        if current.status is not DelistingStatus.DELISTED:
            raise IllegalQualityTransition(f"delisting {delisting_id} is {current.status.value}")
        after = replace(current, status=DelistingStatus.APPEALED, appeal=text, appealed_at=self.clock.now())
        if not await self.repo.move_delisting(DelistingStatus.DELISTED, after):
            raise IllegalQualityTransition(f"delisting {delisting_id} changed meanwhile")
        return after

    async def decide_appeal(self, delisting_id: str, reviewer: str, relist: bool, note: str) -> Delisting:
        note = _text(note)[:2000]
        if not note:
            raise MissingReason("a reason is needed")
        current = await self.get_delisting(delisting_id)
        if current.status is not DelistingStatus.APPEALED:
            raise IllegalQualityTransition(f"delisting {delisting_id} is {current.status.value}, not appealed")
        after = replace(current, status=DelistingStatus.RELISTED if relist else DelistingStatus.UPHELD,
                        decision_note=note, decided_by=reviewer)
        if not await self.repo.move_delisting(DelistingStatus.APPEALED, after):
            raise IllegalQualityTransition(f"delisting {delisting_id} changed meanwhile")
        if relist:
            await self._changed()
        return after

    async def standing(self, merchant: str) -> Standing:
        return await self.repo.standing(merchant)
