"""Group buys (拼团, issue 18.6): a shopper starts a group for an offer that carries a group
price (`shop.catalog.GroupDeal`), shares it, and friends join from their own channel.

Every member — the starter too — orders one offer at the group price and pays at once; the
paid order is *held* (not placed on the platform) while the group is open. When `size`
members have paid within the time limit the group is complete: each held order is placed on
the platform. Otherwise (the time limit passed, or the product was delisted) the group fails
and every paid order is refunded in full, every unpaid one cancelled. Every member is told at
each step (a member joined, complete, failed).

A group id is short and URL-safe (`sg…`: a share id's form), so it is a share link's parameter (`/?s=sg…`,
Telegram's start parameter, a WeChat QR scene).

Errors (all `GroupBuyError`): `GroupNotFound`, `GroupClosed` (complete, failed or expired),
`GroupFull`, `AlreadyMember`.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Protocol

from shop.catalog import Offer, Product
from shop.notify import Recipient
from shop.orders import Order, OrderStatus
from shop.payments import PaymentError
from shop.sharing import share_url

log = logging.getLogger(__name__)

GROUP_ID = re.compile(r"^sg[A-Za-z0-9_-]{6,40}$")


def new_group_id() -> str:
    return "sg" + secrets.token_urlsafe(8)


def is_group_id(value: str) -> bool:
    return bool(GROUP_ID.match(value or ""))


class GroupStatus(str, Enum):
    OPEN = "open"
    COMPLETE = "complete"
    FAILED = "failed"


class MemberStatus(str, Enum):
    PENDING = "pending"  # ordered, not paid yet
    PAID = "paid"  # paid; the order is held until the group completes
    CONFIRMED = "confirmed"  # the group completed: the order went to the platform
    REFUNDED = "refunded"  # the group failed (or was full when the payment came): given back
    CANCELLED = "cancelled"  # the group failed before this member paid


class GroupBuyError(Exception):
    """Base of the group-buy errors."""


class GroupNotFound(GroupBuyError):
    pass


class GroupClosed(GroupBuyError):
    def __init__(self, group: GroupBuy) -> None:
        super().__init__(f"group {group.group_id} is {group.status.value}")
        self.group = group


class GroupFull(GroupBuyError):
    def __init__(self, group: GroupBuy) -> None:
        super().__init__(f"group {group.group_id} has its {group.size} members")
        self.group = group


class AlreadyMember(GroupBuyError):
    def __init__(self, group: GroupBuy, member: GroupMember) -> None:
        super().__init__(f"shopper {member.shopper_id} is in group {group.group_id} already")
        self.group = group
        self.member = member


@dataclass(frozen=True)
class GroupBuy:
    group_id: str
    product_id: str
    platform: str
    platform_product_id: str
    title: str
    group_price: Decimal  # what each member pays for one unit, fixed when the group starts
    currency: str
    size: int  # members who must pay
    starter_id: str  # shopper
    created_at: datetime
    expires_at: datetime
    status: GroupStatus = GroupStatus.OPEN
    reason: str = ""  # why it failed: expired | delisted
    closed_at: datetime | None = None


@dataclass(frozen=True)
class GroupMember:
    group_id: str
    shopper_id: str
    order_id: str
    channel: str
    recipient_id: str
    language: str
    joined_at: datetime
    status: MemberStatus = MemberStatus.PENDING

    @property
    def recipient(self) -> Recipient:
        return Recipient(self.channel, self.recipient_id, self.language)


def group_offer(product: Product, platform: str | None = None) -> Offer | None:
    """The offer to group-buy: the one on `platform`, else the lowest group price; in stock."""
    offers = [o for o in product.offers if o.group is not None and o.stock > 0
              and (platform is None or o.platform == platform)]
    return min(offers, key=lambda o: o.group.price if o.group else Decimal(0)) if offers else None


def paid_count(members: Sequence[GroupMember]) -> int:
    return sum(1 for m in members if m.status in (MemberStatus.PAID, MemberStatus.CONFIRMED))


@dataclass(frozen=True)
class GroupBuyChanged:
    """A domain event for every member: `what` is started | joined | complete | failed | full
    (`full`: told to one late payer only, whose payment is given back)."""

    group: GroupBuy
    members: tuple[GroupMember, ...]
    what: str
    who: GroupMember | None = None  # the member this is about (joined, full)

    @property
    def joined(self) -> int:
        return paid_count(self.members)


class GroupBuyRepository(Protocol):
    """Storage of groups and their members (SQL: integrations/db/group_buys_repo.py)."""

    async def add(self, group: GroupBuy) -> None: ...

    async def get(self, group_id: str) -> GroupBuy | None: ...

    async def add_member(self, member: GroupMember) -> bool:
        """False when the shopper is a member already (one membership per shopper and group)."""
        ...

    async def members(self, group_id: str) -> list[GroupMember]:
        """Oldest first."""
        ...

    async def member_by_order(self, order_id: str) -> GroupMember | None: ...

    async def set_member_status(self, group_id: str, shopper_id: str, status: MemberStatus) -> None: ...

    async def close(self, group_id: str, status: GroupStatus, reason: str, at: datetime) -> bool:
        """open → `status` (compare-and-set); False when it was closed already."""
        ...

    async def open_groups(self, *, expired_by: datetime | None = None, product_id: str | None = None,
                          platform: str | None = None) -> list[GroupBuy]:
        """Open groups (that expired by then; of one product and platform)."""
        ...


class GroupBuyNotifier(Protocol):
    async def group_changed(self, event: GroupBuyChanged) -> None:
        """Tell every member concerned (or only `event.who` for `full`)."""
        ...


class GroupOrders(Protocol):
    """What the group service needs of the order service (shop/ordering.py `OrderService`)."""

    async def get(self, order_id: str) -> Order: ...

    async def submit(self, order: Order) -> Order: ...

    async def refund(self, order: Order, amount: Decimal, refund_id: str, actor: str, reason: str) -> Order: ...

    async def cancel(self, order_id: str, actor: str, reason: str = "") -> Order: ...


class GroupBuyService:
    """Start, join, complete, expire and cancel group buys; holds the members' paid orders."""

    def __init__(self, repo: GroupBuyRepository, now: Callable[[], datetime], base_url: str,
                 notifier: GroupBuyNotifier | None = None) -> None:
        self.repo = repo
        self._now = now
        self.base_url = base_url.rstrip("/")
        self.notifier = notifier
        self.orders: GroupOrders | None = None  # set by the bootstrap (the order service holds us too)

    # -- links ---------------------------------------------------------------------------------

    def share_url(self, group_id: str) -> str:
        """The web chat page, which opens on the group (Telegram's start parameter is the same id)."""
        return share_url(self.base_url, group_id)

    def qr_url(self, group_id: str) -> str:
        return f"{self.base_url}/shares/{group_id}/qr.png"

    # -- queries -------------------------------------------------------------------------------

    async def get(self, group_id: str) -> tuple[GroupBuy, list[GroupMember]]:
        group = await self.repo.get(group_id) if is_group_id(group_id) else None
        if group is None:
            raise GroupNotFound(group_id)
        return group, await self.repo.members(group_id)

    def expired(self, group: GroupBuy) -> bool:
        return group.status is GroupStatus.OPEN and self._now() >= group.expires_at

    async def check_join(self, group_id: str, shopper_id: str) -> tuple[GroupBuy, list[GroupMember]]:
        """The group a shopper may join now; GroupNotFound, GroupClosed (also when its time is up),
        GroupFull or AlreadyMember otherwise."""
        group, members = await self.get(group_id)
        if group.status is not GroupStatus.OPEN or self.expired(group):
            raise GroupClosed(group)
        mine = next((m for m in members if m.shopper_id == shopper_id), None)
        if mine is not None and mine.status in (MemberStatus.PENDING, MemberStatus.PAID):
            raise AlreadyMember(group, mine)
        if paid_count(members) >= group.size:
            raise GroupFull(group)
        return group, members

    # -- use cases -----------------------------------------------------------------------------

    async def start(self, *, product_id: str, platform: str, platform_product_id: str, title: str,
                    group_price: Decimal, currency: str, size: int, hours: int, starter_id: str) -> GroupBuy:
        """A new open group (its starter becomes a member with `joined`, once their order exists)."""
        now = self._now()
        group = GroupBuy(new_group_id(), product_id, platform, platform_product_id, title, group_price, currency,
                         size, starter_id, now, now + timedelta(hours=hours))
        await self.repo.add(group)
        return group

    async def joined(self, group: GroupBuy, order: Order) -> GroupMember:
        """The shopper's order in the group exists (unpaid): they are a member, pending payment.
        AlreadyMember when they were one (a retried confirmation keeps the first order)."""
        member = GroupMember(group.group_id, order.shopper_id, order.id, order.channel, order.recipient_id,
                             order.language, self._now())
        if not await self.repo.add_member(member):
            mine = next((m for m in await self.repo.members(group.group_id) if m.shopper_id == order.shopper_id),
                        None)
            if mine is not None and mine.status in (MemberStatus.REFUNDED, MemberStatus.CANCELLED):
                await self.repo.set_member_status(group.group_id, order.shopper_id, MemberStatus.PENDING)
                return member  # a member who was given back their money may join again
            raise AlreadyMember(group, mine or member)
        return member

    async def in_group(self, order: Order) -> bool:
        """Was this order bought at a group price (as a group's member)?"""
        return await self.repo.member_by_order(order.id) is not None

    async def holds(self, order: Order) -> bool:
        """Is this paid order waiting for its group (not to be placed on the platform yet)?"""
        member = await self.repo.member_by_order(order.id)
        if member is None:
            return False
        group = await self.repo.get(member.group_id)
        return group is not None and group.status is not GroupStatus.COMPLETE

    async def order_paid(self, order: Order) -> None:
        """A member's payment came (the order service calls this for a held order): count them
        in; complete the group when it has its members; give the payment back when the group
        closed or filled up meanwhile."""
        member = await self.repo.member_by_order(order.id)
        if member is None:
            return
        group, members = await self.get(member.group_id)
        if member.status in (MemberStatus.PAID, MemberStatus.CONFIRMED):
            if group.status is GroupStatus.COMPLETE and member.status is MemberStatus.CONFIRMED:
                await self._place(order)
            return  # a repeated callback
        late = group.status is not GroupStatus.OPEN or self.expired(group)
        if late or paid_count(members) >= group.size:
            await self.repo.set_member_status(group.group_id, member.shopper_id, MemberStatus.REFUNDED)
            reason = "group full" if not late else f"group {group.status.value}"
            await self._give_back(order, f"group-{order.id}", reason)
            await self._tell(GroupBuyChanged(group, tuple(members), "full" if not late else "failed", member))
            return
        await self.repo.set_member_status(group.group_id, member.shopper_id, MemberStatus.PAID)
        members = await self.repo.members(group.group_id)
        who = next(m for m in members if m.shopper_id == member.shopper_id)
        if paid_count(members) < group.size:
            first = who.shopper_id == group.starter_id and paid_count(members) == 1
            await self._tell(GroupBuyChanged(group, tuple(members), "started" if first else "joined", who))
            return
        await self._complete(group)

    async def _complete(self, group: GroupBuy) -> None:
        if not await self.repo.close(group.group_id, GroupStatus.COMPLETE, "", self._now()):
            return
        group = replace(group, status=GroupStatus.COMPLETE, closed_at=self._now())
        members = await self.repo.members(group.group_id)
        for m in members:
            if m.status is MemberStatus.PAID:
                await self.repo.set_member_status(group.group_id, m.shopper_id, MemberStatus.CONFIRMED)
            elif m.status is MemberStatus.PENDING:  # joined but did not pay in time: not in the group
                await self.repo.set_member_status(group.group_id, m.shopper_id, MemberStatus.CANCELLED)
        members = await self.repo.members(group.group_id)
        await self._tell(GroupBuyChanged(group, tuple(members), "complete"))
        for m in members:
            if m.status is MemberStatus.CONFIRMED:
                await self._place(await self._order(m.order_id))
            elif m.status is MemberStatus.CANCELLED:
                await self._cancel_unpaid(m.order_id, "group complete without this payment")

    async def _place(self, order: Order) -> None:
        if self.orders is not None and order.status is OrderStatus.PAID:
            await self.orders.submit(order)

    async def expire_due(self) -> int:
        """Job: every open group whose time is up fails; each payment is given back."""
        done = 0
        for group in await self.repo.open_groups(expired_by=self._now()):
            if await self._fail(group, "expired"):
                done += 1
        return done

    async def product_delisted(self, product_id: str, platform: str | None = None) -> int:
        """Delisting (issue 20.4) covers group buys: the product's open groups fail, refunded."""
        done = 0
        for group in await self.repo.open_groups(product_id=product_id, platform=platform):
            if await self._fail(group, "delisted"):
                done += 1
        return done

    async def _fail(self, group: GroupBuy, reason: str) -> bool:
        if not await self.repo.close(group.group_id, GroupStatus.FAILED, reason, self._now()):
            return False
        group = replace(group, status=GroupStatus.FAILED, reason=reason, closed_at=self._now())
        for m in await self.repo.members(group.group_id):
            if m.status is MemberStatus.PAID:
                await self.repo.set_member_status(group.group_id, m.shopper_id, MemberStatus.REFUNDED)
                await self._give_back(await self._order(m.order_id), f"group-{m.order_id}", f"group {reason}")
            elif m.status is MemberStatus.PENDING:
                await self.repo.set_member_status(group.group_id, m.shopper_id, MemberStatus.CANCELLED)
                await self._cancel_unpaid(m.order_id, f"group {reason}")
        await self._tell(GroupBuyChanged(group, tuple(await self.repo.members(group.group_id)), "failed"))
        return True

    async def _order(self, order_id: str) -> Order:
        assert self.orders is not None
        return await self.orders.get(order_id)

    async def _give_back(self, order: Order, refund_id: str, reason: str) -> None:
        """A paid member's order refunded in full (once: the refund id is the order's)."""
        if self.orders is None:
            return
        order = await self.orders.get(order.id)
        if order.status is OrderStatus.CREATED:  # the payment has not reached the order yet
            await self.orders.cancel(order.id, "system:group", reason)
            return
        if order.status is OrderStatus.PAID:
            try:
                await self.orders.refund(order, order.total, refund_id, "system:group", reason)
            except PaymentError as exc:  # RefundPending: the provider did not answer; the refunds job asks again
                log.warning("group refund %s of order %s not finished (%s); retried by the refunds job",
                            refund_id, order.id, exc)

    async def _cancel_unpaid(self, order_id: str, reason: str) -> None:
        if self.orders is None:
            return
        order = await self.orders.get(order_id)
        if order.status is OrderStatus.CREATED:
            await self.orders.cancel(order_id, "system:group", reason)
        elif order.status is OrderStatus.PAID:
            await self._give_back(order, f"group-{order_id}", reason)

    async def _tell(self, event: GroupBuyChanged) -> None:
        if self.notifier is not None:
            await self.notifier.group_changed(event)

