"""Apps and runtimes built for tests: the production bootstrap with test clocks and hashers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from argon2 import PasswordHasher
from fastapi import FastAPI

from bot.app import create_app
from bot.bootstrap import Runtime, build_runtime
from bot.settings import Settings
from shop.clock import Clock


def create_app_with_console(settings: Settings, clock: Clock | None = None, hasher: PasswordHasher | None = None,
                            **console_backends: Any) -> FastAPI:
    """The app, its console on `clock` and `hasher`; `app.state.console` is the console's parts.

    `console_backends` replaces what the console acts on (e.g. `search=None`: a deployment
    without product search)."""
    runtime: Runtime = build_runtime(settings, console_clock=clock, console_hasher=hasher)
    if console_backends:
        console = replace(runtime.console, backends=replace(runtime.console.backends, **console_backends))
        runtime = replace(runtime, console=console)
    app = create_app(settings, runtime)
    app.state.console = runtime.console
    return app
