"""The simulated carrier: the normal path, exceptions, the controllable clock, reproducibility."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest

from integrations.carriers.simulated import ExceptionRates, SimulatedCarrier
from integrations.memory.clock import FakeClock
from shop.logistics import CarrierError
from shop.logistics import ShipmentStatus as S


async def test_parcels_move_on_the_clock():
    clock = FakeClock()
    c = SimulatedCarrier(clock, step=timedelta(hours=6))
    assert [e.status for e in await c.track("SF", "1")] == [S.COLLECTED]
    clock.advance(hours=5)
    assert len(await c.track("SF", "1")) == 1
    clock.advance(hours=1)
    assert [e.status for e in await c.track("SF", "1")][-1] is S.IN_TRANSIT
    clock.advance(days=2)
    events = await c.track("SF", "1")
    assert [e.status for e in events] == [S.COLLECTED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED]
    assert [e.time for e in events] == sorted(e.time for e in events)
    assert events[-1].description.startswith("快件已签收")
    clock.advance(days=2)
    assert len(await c.track("SF", "1")) == 4  # delivered is final


async def test_advance_by_hand_and_unknown_numbers():
    c = SimulatedCarrier(FakeClock())
    await c.subscribe("YTO", "A", "http://unused")
    assert c.advance("A", 2) is S.OUT_FOR_DELIVERY
    assert c.advance_all(5) == {"A": S.DELIVERED}
    assert c.advance_all() == {}
    with pytest.raises(CarrierError):
        c.advance("missing")
    with pytest.raises(CarrierError):
        c.parse_callback({}, b"")


@pytest.mark.parametrize(
    "rates, final", [(ExceptionRates(lost=1.0), S.LOST), (ExceptionRates(rejected=1.0), S.REJECTED)]
)
async def test_final_exceptions(rates, final):
    c = SimulatedCarrier(FakeClock(), rates=rates)
    c.register("SF", "X")
    c.advance("X", 10)
    assert (await c.track("SF", "X"))[-1].status is final
    assert [e.status for e in c._parcels["X"].events].count(final) == 1


async def test_delays_hold_the_parcel_one_step_and_runs_are_reproducible():
    def run():
        c = SimulatedCarrier(FakeClock(), rates=ExceptionRates(delayed=0.5), seed=7)
        c.register("SF", "D")
        c.advance("D", 12)
        return [e.status for e in c._parcels["D"].events]

    first = run()
    assert first == run()
    assert S.DELAYED in first and first[-1] is S.DELIVERED
    assert all(not (a is S.DELAYED and b is S.DELAYED) for a, b in pairwise(first))
