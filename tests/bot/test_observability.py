from __future__ import annotations

import json
import logging

from bot.observability import JsonFormatter, Metrics


def test_json_logs_are_one_object_per_line_with_extras():
    record = logging.LogRecord("shopbot.x", logging.WARNING, __file__, 1, "turn failed for %s", ("u1",), None)
    record.conversation = "rest:u1"
    line = JsonFormatter().format(record)
    data = json.loads(line)
    assert data["level"] == "WARNING" and data["message"] == "turn failed for u1"
    assert data["conversation"] == "rest:u1" and data["logger"] == "shopbot.x"
    assert "\n" not in line


def test_failed_turns_are_counted_by_kind():
    metrics = Metrics()
    try:
        with metrics.timed_turn("rest"):
            raise TimeoutError
    except TimeoutError:
        pass
    assert metrics.errors.labels("TimeoutError")._value.get() == 1
    assert metrics.turns.labels("rest")._value.get() == 1


def test_the_server_log_is_not_flooded_by_scheduled_jobs_or_platform_calls():
    from bot.observability import configure_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("INFO")
        # a job runs every 10 s: "Running job ..." and "executed successfully" would be two lines each time
        assert not logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.INFO)
        assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
        assert logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.WARNING)
        assert logging.getLogger("shopbot.warmup").isEnabledFor(logging.INFO)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        for name in ("httpx", "apscheduler.executors", "apscheduler.scheduler"):
            logging.getLogger(name).setLevel(logging.NOTSET)
