"""The in-memory twin of the group-buy repository (tests, scripts)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from shop.group_buys import GroupBuy, GroupMember, GroupStatus, MemberStatus


class InMemoryGroupBuyRepository:
    def __init__(self) -> None:
        self._groups: dict[str, GroupBuy] = {}
        self._members: dict[str, list[GroupMember]] = {}

    async def add(self, group: GroupBuy) -> None:
        self._groups[group.group_id] = group
        self._members[group.group_id] = []

    async def get(self, group_id: str) -> GroupBuy | None:
        return self._groups.get(group_id)

    async def add_member(self, member: GroupMember) -> bool:
        members = self._members.get(member.group_id)
        if members is None:
            raise KeyError(member.group_id)
        if any(m.shopper_id == member.shopper_id for m in members) or \
                any(m.order_id == member.order_id for ms in self._members.values() for m in ms):
            return False
        members.append(member)
        return True

    async def members(self, group_id: str) -> list[GroupMember]:
        return sorted(self._members.get(group_id, []), key=lambda m: (m.joined_at, m.order_id))

    async def member_by_order(self, order_id: str) -> GroupMember | None:
        return next((m for ms in self._members.values() for m in ms if m.order_id == order_id), None)

    async def set_member_status(self, group_id: str, shopper_id: str, status: MemberStatus) -> None:
        self._members[group_id] = [replace(m, status=status) if m.shopper_id == shopper_id else m
                                   for m in self._members.get(group_id, [])]

    async def close(self, group_id: str, status: GroupStatus, reason: str, at: datetime) -> bool:
        group = self._groups.get(group_id)
        if group is None or group.status is not GroupStatus.OPEN:
            return False
        self._groups[group_id] = replace(group, status=status, reason=reason, closed_at=at)
        return True

    async def open_groups(self, *, expired_by: datetime | None = None, product_id: str | None = None,
                          platform: str | None = None) -> list[GroupBuy]:
        return sorted((g for g in self._groups.values() if g.status is GroupStatus.OPEN
                       and (expired_by is None or g.expires_at <= expired_by)
                       and (product_id is None or g.product_id == product_id)
                       and (platform is None or g.platform == platform)), key=lambda g: g.expires_at)
