"""Logistics port and its value types. Adapters: integrations/carriers/ (simulated, Kuaidi100-style).

Owned by the orders work (issue 6); adapters implement exactly this protocol.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Protocol


class ShipmentStatus(str, Enum):
    CREATED = "created"
    COLLECTED = "collected"  # 已揽收
    IN_TRANSIT = "in_transit"  # 运输中
    OUT_FOR_DELIVERY = "out_for_delivery"  # 派送中
    DELIVERED = "delivered"  # 已签收
    DELAYED = "delayed"  # 延误
    LOST = "lost"  # 丢件
    REJECTED = "rejected"  # 拒收


@dataclass(frozen=True)
class TrackingEvent:
    time: datetime
    status: ShipmentStatus
    location: str
    description: str


class CarrierError(Exception):
    """Base of the carrier errors (unknown tracking number, provider failure, bad callback)."""


class Carrier(Protocol):
    name: str

    async def track(self, carrier_code: str, tracking_number: str) -> list[TrackingEvent]:
        """Every event of the parcel so far, oldest first."""
        ...

    async def subscribe(self, carrier_code: str, tracking_number: str, callback_url: str) -> None: ...

    def parse_callback(self, headers: Mapping[str, str], body: bytes) -> tuple[str, list[TrackingEvent]]:
        """Verify a pushed update; return (tracking_number, events). Raise CarrierError when it does not verify."""
        ...
