"""Conversations that do not reach their goal yet, each with why (xfail, not strict): one list,
so the share that passes is honest and main stays green. Remove an entry when it passes."""

KNOWN_FAILING: dict[str, str] = {
    "en_budget_dollar_sign": "currency: the NLU produces no `currency` entity, '$400' is searched as ¥400",
    "en_budget_in_dollars_words": "currency: 'five hundred dollars' is searched as ¥500, no conversion said",
    "zh_budget_in_dollars": "currency: '300美元' is searched as ¥300",
    "en_buy_pay_fulfil_track": "POST /sandbox/orders/{id}/fulfil does not exist yet",
    "zh_buy_pay_fulfil_track": "POST /sandbox/orders/{id}/fulfil does not exist yet",
    "zh_after_sales_return": "POST /sandbox/orders/{id}/fulfil does not exist yet",
    "en_old_card_details": "buttons carry ordinals, not product ids: an older list's button acts on the newest list",
    "en_the_first_one": "'the first one' as the answer to 'which one?' is not understood",
    "zh_price_alert_fires": "'降价了提醒我' asks for a target instead of watching any drop; no alert pushed",
    "zh_resume_after_restart": "embedded mode keeps trackers in memory: a restart forgets the conversation",
}
