from tracking import events as ev
from tracking.events import Event
from tracking.tracker import Tracker


def test_flow_stack_digression_and_return():
    t = Tracker("c")
    t.add(ev.flow_started("buy", {"step": "address"}))
    t.add(ev.flow_started("track_shipment"))
    assert t.active_flow.flow == "track_shipment"
    t.add(ev.flow_ended("track_shipment"))
    assert t.active_flow.flow == "buy" and t.active_flow.frame == {"step": "address"}


def test_pause_resume_and_restart_keeps_language():
    t = Tracker("c")
    t.add(ev.language_set("en"))
    t.add(ev.slot_set("x", 1))
    t.add(ev.paused("agent"))
    assert t.state.paused
    t.add(ev.resumed("agent left"))
    assert not t.state.paused
    t.add(ev.restarted())
    assert t.state.slots == {} and t.state.language == "en"


def test_slot_set_to_none_removes_it():
    t = Tracker("c")
    t.add(ev.slot_set("x", 1))
    t.add(ev.slot_set("x", None))
    assert "x" not in t.state.slots


def test_event_json_round_trip_keeps_unicode():
    e = ev.user_uttered("想买华为手机 📱")
    assert Event.from_json(e.to_json()) == e
    assert "华为" in e.to_json()
