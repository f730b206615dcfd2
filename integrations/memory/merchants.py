"""Merchant applications in memory: the twin of integrations/db/merchants_repo.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from shop.merchants import ACTIVE_STATUSES, ApplicationEvent, ApplicationStatus, MerchantApplication


class InMemoryMerchantApplications:
    def __init__(self) -> None:
        self._rows: dict[str, MerchantApplication] = {}
        self._events: list[ApplicationEvent] = []

    async def add(self, application: MerchantApplication, event: ApplicationEvent) -> None:
        self._rows[application.id] = application
        self._events.append(event)

    async def get(self, application_id: str) -> MerchantApplication | None:
        return self._rows.get(application_id)

    def _find(self, **match: str) -> MerchantApplication | None:
        return next((a for a in self._rows.values()
                     if all(getattr(a, k) == v for k, v in match.items())), None)

    async def by_token_hash(self, token_hash: str) -> MerchantApplication | None:
        return self._find(status_token_hash=token_hash)

    async def by_key_hash(self, key_hash: str) -> MerchantApplication | None:
        return self._find(api_key_hash=key_hash)

    async def active_for_credit_code(self, credit_code: str) -> MerchantApplication | None:
        return next((a for a in self._rows.values()
                     if a.credit_code == credit_code and a.status in ACTIVE_STATUSES), None)

    async def find(self, statuses: Sequence[ApplicationStatus] | None, limit: int) -> list[MerchantApplication]:
        rows = [a for a in self._rows.values() if statuses is None or a.status in statuses]
        return sorted(rows, key=lambda a: (a.submitted_at, a.id))[:limit]

    async def transition(self, before: ApplicationStatus, after: MerchantApplication,
                         event: ApplicationEvent) -> bool:
        current = self._rows.get(after.id)
        if current is None or current.status is not before:
            return False
        self._rows[after.id] = after
        self._events.append(event)
        return True

    async def take_pending_key(self, application_id: str, event: ApplicationEvent) -> str | None:
        current = self._rows.get(application_id)
        if current is None or current.pending_api_key is None:
            return None
        self._rows[application_id] = replace(current, pending_api_key=None)
        self._events.append(event)
        return current.pending_api_key

    async def events(self, application_id: str) -> list[ApplicationEvent]:
        return [e for e in self._events if e.application_id == application_id]
