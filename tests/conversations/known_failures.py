"""Conversations that do not reach their goal yet, each with why (xfail, not strict): one list,
so the share that passes is honest and main stays green. Remove an entry when it passes."""

KNOWN_FAILING: dict[str, str] = {
    "en_buy_tablet_to_order": "NLU: 'tablets' alone is read as check_order (answers 'no orders yet')",
    "en_details_buy_button": "NLU: 'tablets' alone is read as check_order (answers 'no orders yet')",
}
