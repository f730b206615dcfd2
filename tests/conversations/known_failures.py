"""Conversations that do not reach their goal yet, each with why (xfail, not strict): one list,
so the share that passes is honest and main stays green. Remove an entry when it passes."""

KNOWN_FAILING: dict[str, str] = {}
