"""The simulated carrier: parcels that move on a clock the tests (and the sandbox) control.

A parcel is collected (已揽收) when first seen, then moves one step every `step` of clock
time — in_transit (运输中), out_for_delivery (派送中), delivered (已签收) — or on
`advance()`. Each step may instead turn into an exception: delayed (延误, the parcel stays
where it is for one step), lost (丢件, final) or, at the door, rejected (拒收, final). The
chances are configurable; the draws come from a generator seeded per parcel, so a run is
reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shop.clock import Clock
from shop.logistics import CarrierError, ShipmentStatus, TrackingEvent

ST = ShipmentStatus
FLOW = (ST.COLLECTED, ST.IN_TRANSIT, ST.OUT_FOR_DELIVERY, ST.DELIVERED)
FINAL = frozenset({ST.DELIVERED, ST.LOST, ST.REJECTED})
HUBS = ("上海转运中心", "杭州转运中心", "南京转运中心", "武汉转运中心", "广州转运中心", "北京转运中心")
DESCRIPTIONS = {
    ST.COLLECTED: "快件已由快递员揽收",
    ST.IN_TRANSIT: "快件运输中,已到达【{hub}】",
    ST.OUT_FOR_DELIVERY: "快件派送中,派送员正在为您派件",
    ST.DELIVERED: "快件已签收,签收人:本人",
    ST.DELAYED: "因天气原因,快件延误,请耐心等待",
    ST.LOST: "快件在【{hub}】丢失,请联系商家处理",
    ST.REJECTED: "收件人拒收,快件将退回",
}


@dataclass(frozen=True)
class ExceptionRates:
    """Chance per step of each exception (0..1)."""

    delayed: float = 0.0
    lost: float = 0.0
    rejected: float = 0.0


@dataclass
class Parcel:
    carrier_code: str
    tracking_number: str
    rng: random.Random
    stage: int = 0  # index into FLOW
    events: list[TrackingEvent] = field(default_factory=list)

    @property
    def status(self) -> ShipmentStatus:
        return self.events[-1].status

    @property
    def final(self) -> bool:
        return self.status in FINAL


class SimulatedCarrier:
    """Implements `shop.logistics.Carrier` without any network."""

    name = "simulated"

    def __init__(
        self,
        clock: Clock,
        *,
        step: timedelta = timedelta(hours=6),
        rates: ExceptionRates | None = None,
        seed: int = 0,
    ) -> None:
        self._clock = clock
        self._step = step
        self._rates = rates or ExceptionRates()
        self._seed = seed
        self._parcels: dict[str, Parcel] = {}

    def register(self, carrier_code: str, tracking_number: str) -> Parcel:
        """Hand a parcel to the carrier (collected now); registering twice changes nothing."""
        parcel = self._parcels.get(tracking_number)
        if parcel is None:
            rng = random.Random(f"{self._seed}:{tracking_number}")
            parcel = Parcel(carrier_code, tracking_number, rng)
            parcel.events.append(self._event(parcel, ST.COLLECTED, self._clock.now()))
            self._parcels[tracking_number] = parcel
        return parcel

    def knows(self, tracking_number: str) -> bool:
        return tracking_number in self._parcels

    def tracking_numbers(self) -> list[str]:
        return list(self._parcels)

    def _event(self, parcel: Parcel, status: ShipmentStatus, at: datetime) -> TrackingEvent:
        hub = parcel.rng.choice(HUBS)
        return TrackingEvent(at, status, hub, DESCRIPTIONS[status].format(hub=hub))

    def _step_once(self, parcel: Parcel, at: datetime) -> None:
        if parcel.final:
            return
        nxt = FLOW[parcel.stage + 1]
        roll = parcel.rng.random()
        r = self._rates
        at_door = r.rejected if nxt is ST.DELIVERED else 0.0
        if roll < r.lost:
            status = ST.LOST
        elif roll < r.lost + at_door:
            status = ST.REJECTED
        elif roll < r.lost + at_door + r.delayed and parcel.status is not ST.DELAYED:
            status = ST.DELAYED
        else:
            status = nxt
            parcel.stage += 1
        parcel.events.append(self._event(parcel, status, at))

    def advance(self, tracking_number: str, steps: int = 1) -> ShipmentStatus:
        """Move one parcel `steps` steps now; CarrierError for an unknown tracking number."""
        parcel = self._parcels.get(tracking_number)
        if parcel is None:
            raise CarrierError(f"unknown tracking number {tracking_number}")
        for _ in range(steps):
            self._step_once(parcel, self._clock.now())
        return parcel.status

    def advance_all(self, steps: int = 1) -> dict[str, ShipmentStatus]:
        """Move every parcel still on its way."""
        return {tn: self.advance(tn, steps) for tn, p in list(self._parcels.items()) if not p.final}

    @property
    def clock(self) -> Clock:
        return self._clock

    def due(self) -> list[str]:
        """Tracking numbers of parcels whose next step is due on the clock (their events have
        happened but nobody has asked yet): the watcher pushes them at once."""
        now = self._clock.now()
        return [tn for tn, p in self._parcels.items() if not p.final and p.events[-1].time + self._step <= now]

    def _catch_up(self, parcel: Parcel) -> None:
        now = self._clock.now()
        while not parcel.final and parcel.events[-1].time + self._step <= now:
            self._step_once(parcel, parcel.events[-1].time + self._step)

    async def track(self, carrier_code: str, tracking_number: str) -> list[TrackingEvent]:
        parcel = self.register(carrier_code, tracking_number)
        self._catch_up(parcel)
        return list(parcel.events)

    async def subscribe(self, carrier_code: str, tracking_number: str, callback_url: str) -> None:
        self.register(carrier_code, tracking_number)

    def parse_callback(self, headers: Mapping[str, str], body: bytes) -> tuple[str, list[TrackingEvent]]:
        raise CarrierError("the simulated carrier does not push updates; poll it with track()")
