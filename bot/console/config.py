"""The console's settings, read from the application `Settings` (defaults when absent)."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dialogue.flows.handoff import BusinessHours
from shop.handoff import Team

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConsoleConfig:
    secret_key: str
    session_lifetime: timedelta
    handoff_timeout: timedelta
    negative_words_handoff: bool
    secure_cookies: bool
    release_interval_seconds: float = 30.0
    refund_agent_limit: Decimal = Decimal(0)
    sla_amber: timedelta = timedelta(minutes=2)
    sla_red: timedelta = timedelta(minutes=5)
    hours: tuple[tuple[str, BusinessHours], ...] = ()
    timezone: tzinfo = UTC

    @classmethod
    def from_settings(cls, settings: Any) -> ConsoleConfig:
        """`CONSOLE_SECRET_KEY` unset: a random key for this process (sessions end at restart,
        and with several workers each signs its own cookies: set it in production)."""
        secret = getattr(settings, "console_secret_key", None)
        if not secret:
            secret = secrets.token_urlsafe(32)
            log.warning("CONSOLE_SECRET_KEY is not set: generated a key for this process; console "
                        "sessions will not survive a restart nor work across workers")
        base_url = str(getattr(settings, "base_url", "") or "")
        return cls(
            secret_key=secret,
            session_lifetime=timedelta(hours=float(getattr(settings, "console_session_hours", 12))),
            handoff_timeout=timedelta(seconds=float(getattr(settings, "handoff_timeout_seconds", 600))),
            negative_words_handoff=bool(getattr(settings, "negative_words_handoff", True)),
            secure_cookies=base_url.startswith("https://"),
            refund_agent_limit=Decimal(str(getattr(settings, "refund_agent_limit", 0))),
            sla_amber=timedelta(seconds=float(getattr(settings, "console_sla_amber_seconds", 120))),
            sla_red=timedelta(seconds=float(getattr(settings, "console_sla_red_seconds", 300))),
            hours=parse_hours(str(getattr(settings, "handoff_hours", "") or "")),
            timezone=_zone(str(getattr(settings, "handoff_timezone", "") or "Asia/Shanghai")),
        )


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"HANDOFF_TIMEZONE: unknown time zone {name!r}") from exc


def parse_hours(text: str) -> tuple[tuple[str, BusinessHours], ...]:
    """`pre_sales=09:00-22:00,after_sales=09:00-18:00` → ((team, hours), ...); ValueError on a typo."""
    out = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        team, _, span = part.partition("=")
        opens, _, closes = span.partition("-")
        try:
            out.append((Team(team.strip()).value,
                        BusinessHours(time.fromisoformat(opens.strip()), time.fromisoformat(closes.strip()))))
        except ValueError as exc:
            raise ValueError(f"HANDOFF_HOURS: cannot read {part!r} (want team=HH:MM-HH:MM, team: "
                             f"pre_sales or after_sales)") from exc
    return tuple(out)
