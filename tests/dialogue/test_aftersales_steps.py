"""What a shopper's first after-sales message already says: a reason is kept, a bare request is not."""

from __future__ import annotations

import pytest

from dialogue.flows.aftersales_steps import typed_reason


@pytest.mark.parametrize("text", [
    "the screen is cracked, I want a refund",
    "屏幕是坏的,我要退货",
    "耳机左边没声音,想换货",
    "wrong size, I'd like an exchange",
])
def test_a_message_that_says_what_is_wrong_is_the_reason(text):
    assert typed_reason(text) == text


@pytest.mark.parametrize("text", [
    "我要退货", "申请售后", "我想退款", "I want to return it", "I'd like a refund please",
    "refund", '/request_after_sales{"order_id": "SO1"}',
])
def test_a_bare_request_is_not_a_reason(text):
    assert typed_reason(text) is None
