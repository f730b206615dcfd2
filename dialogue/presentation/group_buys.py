"""The `group_buy` payload (contracts/channels.md) and the texts that go with it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shop.group_buys import GroupBuy, GroupMember, paid_count


def group_payload(group: GroupBuy, members: Sequence[GroupMember], share_url: str, qr_url: str = "",
                  title: str = "") -> dict[str, Any]:
    """`group_id`, `product_id`, `group_price`, `size`, `joined` (members who paid), `expires_at`,
    `status` (open, complete, failed), `share_url`; also the QR code, the title and platform,
    and why a failed group failed (`reason`: expired, delisted)."""
    return {"type": "group_buy", "group_id": group.group_id, "product_id": group.product_id,
            "group_price": str(group.group_price), "currency": group.currency, "size": group.size,
            "joined": paid_count(members), "expires_at": group.expires_at.isoformat(),
            "status": group.status.value, "share_url": share_url, "qr_url": qr_url,
            "title": title or group.title, "platform": group.platform, "reason": group.reason}
