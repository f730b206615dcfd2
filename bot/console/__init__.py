"""The support console (issue 8): staff log in, take conversations from the handoff queue,
reply on the shopper's own channel, keep private notes, transfer, hand back, process
after-sales tickets. `build_console` (called by bot/bootstrap.py) builds it; `build_console_router` serves it."""
