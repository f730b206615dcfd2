"""Failures never leak a shopper's details into the logs, and the shopper hears of them in the
conversation's language; an order committed in a turn whose transcript could not be saved is
still confirmed to the shopper."""

from __future__ import annotations

import io
import logging
from decimal import Decimal

import pytest
from sqlalchemy import insert

from bot.db import create_engine
from bot.observability import MaskingFormatter, Metrics, mask_pii
from bot.turns import build_turn_handler
from dialogue.engine import TurnFailed
from dialogue.messages import IncomingMessage, Reply
from integrations.db.base import metadata
from integrations.db.orders_tables import orders

NAME, PHONE, ADDRESS = "王小明", "13912345678", "北京市朝阳区建国路 88 号 2 单元 301"


async def test_a_failed_insert_logs_no_name_phone_or_address(db_url):
    engine = create_engine(db_url)
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(MaskingFormatter(logging.Formatter("%(levelname)s %(message)s")))
    log = logging.getLogger("test.pii")
    log.addHandler(handler)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        with pytest.raises(Exception) as failed:
            async with engine.begin() as conn:  # no status, no shopper: the insert fails
                await conn.execute(insert(orders).values(id="SO2026010100001", receiver_name=NAME, phone=PHONE, address=ADDRESS,
                                                         total=Decimal("1.00")))
        log.error("inserting the order failed", exc_info=failed.value)
    finally:
        log.removeHandler(handler)
        await engine.dispose()
    logged = buffer.getvalue()
    assert "inserting the order failed" in logged and "orders" in logged
    for secret in (NAME, PHONE, ADDRESS):
        assert secret not in logged


def test_phone_numbers_are_masked_in_any_log_line():
    assert mask_pii("sms to 13912345678 failed; order SO2026010100001") == (
        "sms to 139****5678 failed; order SO2026010100001")


class BrokenEngine:
    """An engine whose turn fails (in the given language, or before any is known), or whose
    transcript cannot be saved after the turn decided its replies."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def handle(self, msg: IncomingMessage) -> list[Reply]:
        raise self.error


async def test_an_error_after_a_button_press_answers_in_the_conversations_language():
    failing = TurnFailed("en")
    failing.__cause__ = RuntimeError("flow bug")
    handle = build_turn_handler(BrokenEngine(failing), Metrics())  # type: ignore[arg-type]
    [reply] = await handle(IncomingMessage("telegram", "42", '/buy{"product_id": "jd-1"}'))
    assert reply.text and reply.text.isascii()


async def test_a_button_press_failing_before_the_language_is_known_uses_the_channels_hint():
    handle = build_turn_handler(BrokenEngine(RuntimeError("store down")), Metrics())  # type: ignore[arg-type]
    [reply] = await handle(IncomingMessage("telegram", "42", '/buy{"product_id": "jd-1"}', language="en"))
    assert reply.text and reply.text.isascii()


async def test_an_order_confirmed_in_a_turn_whose_transcript_was_not_saved_is_still_confirmed():
    confirmation = Reply(text="Order SO2026010100001 placed: ¥5,999.00. Pay here: http://x/pay/1")
    handle = build_turn_handler(BrokenEngine(TurnFailed("en", [confirmation])), Metrics())  # type: ignore[arg-type]
    assert await handle(IncomingMessage("rest", "u1", "yes")) == [confirmation]


def test_the_row_postgresql_quotes_in_an_error_is_hidden():
    detail = ('DETAIL:  Failing row contains (null, 王小明, 13912345678, 北京市朝阳区).\n'
              'DETAIL:  Key (phone)=(13912345678) already exists.')
    masked = mask_pii(detail)
    assert "王小明" not in masked and "北京" not in masked and "13912345678" not in masked
    assert "Key (phone)=(value hidden) already exists" in masked
