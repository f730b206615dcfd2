"""Human handoff: the queue of conversations waiting for a support agent (issue 8).

A `HandoffRequest` is opened when a shopper asks for a human (or a trigger fires); an agent
takes it (exactly one agent wins a race: the repository's take is a conditional update),
may transfer it, and hands it back to the bot; a request nobody takes in time is released.
Staff accounts (agents and supervisors) and console sessions are kept behind ports here too.

Errors: `HandoffError` is the base of this module's exceptions; `HandoffNotFound`,
`AlreadyTaken` (another agent won), `NotYours` (the request is held by someone else) and
`HandoffClosed` derive from it.
"""

from __future__ import annotations

import contextlib
import statistics
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Protocol

from shop.clock import Clock

DEFAULT_HANDLING = timedelta(minutes=5)  # expected handling time before any history exists
STATS_WINDOW = timedelta(days=1)


class HandoffError(Exception):
    """Base of the handoff errors."""


class HandoffNotFound(HandoffError):
    pass


class AlreadyTaken(HandoffError):
    """Another agent took the conversation first."""


class NotYours(HandoffError):
    """The conversation is held by another agent."""


class HandoffClosed(HandoffError):
    """The request was handed back or released already."""


class Role(str, Enum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    MERCHANT_REVIEWER = "merchant_reviewer"  # reviews merchant applications (issue 20), no chats


class Team(str, Enum):
    """Who answers what: before buying (products, prices) or after (orders, returns, refunds)."""

    PRE_SALES = "pre_sales"
    AFTER_SALES = "after_sales"


class Outcome(str, Enum):
    RETURNED = "returned"  # an agent handed back to the bot
    TIMEOUT = "timeout"  # nobody took it in time
    LEFT = "left"  # the shopper left the queue before an agent took it
    CALLBACK = "callback"  # asked out of the team's hours: staff call back (never queued)


@dataclass(frozen=True)
class HandoffRequest:
    id: str
    conversation_id: str
    channel: str
    recipient_id: str
    language: str
    reason: str
    requested_at: datetime
    agent_id: str | None = None
    assigned_at: datetime | None = None
    closed_at: datetime | None = None
    outcome: str | None = None
    team: str | None = None
    first_response_at: datetime | None = None  # the first agent message to the shopper
    rating: int | None = None  # 1-5, the shopper's rating of the human conversation
    rating_comment: str | None = None

    @property
    def waiting(self) -> bool:
        return self.agent_id is None and self.closed_at is None

    @property
    def open(self) -> bool:
        return self.closed_at is None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "conversation_id": self.conversation_id, "channel": self.channel,
                "recipient_id": self.recipient_id, "language": self.language, "reason": self.reason,
                "requested_at": self.requested_at.isoformat(), "agent_id": self.agent_id,
                "assigned_at": self.assigned_at.isoformat() if self.assigned_at else None,
                "closed_at": self.closed_at.isoformat() if self.closed_at else None,
                "outcome": self.outcome, "team": self.team,
                "first_response_at": self.first_response_at.isoformat() if self.first_response_at else None,
                "rating": self.rating, "rating_comment": self.rating_comment}


@dataclass(frozen=True)
class Note:
    """A private note an agent keeps on a conversation; never sent to the shopper."""

    handoff_id: str
    conversation_id: str
    author: str
    text: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"handoff_id": self.handoff_id, "author": self.author, "text": self.text,
                "created_at": self.created_at.isoformat()}


@dataclass(frozen=True)
class Placement:
    """Where a waiting request stands: its place (1 = next) and the expected wait."""

    request: HandoffRequest
    position: int
    expected_wait: timedelta
    created: bool


@dataclass(frozen=True)
class HandoffStats:
    """Today's figures for a supervisor (times in seconds; None before any data)."""

    waiting: int
    median_wait_seconds: float | None
    handled_today: int
    active: int
    csat: float | None = None  # mean rating (1-5) of today's rated conversations
    ratings: int = 0
    median_first_response_seconds: float | None = None  # request to the agent's first message
    median_resolution_seconds: float | None = None  # request to hand back
    queue_by_hour: tuple[int, ...] = ()  # shoppers waiting at each full hour since midnight (UTC), the last: now

    def to_dict(self) -> dict[str, Any]:
        return {"waiting": self.waiting, "median_wait_seconds": self.median_wait_seconds,
                "handled_today": self.handled_today, "active": self.active, "csat": self.csat,
                "ratings": self.ratings, "median_first_response_seconds": self.median_first_response_seconds,
                "median_resolution_seconds": self.median_resolution_seconds,
                "queue_by_hour": list(self.queue_by_hour)}


class HandoffRepository(Protocol):
    async def add(self, request: HandoffRequest) -> None: ...

    async def get(self, handoff_id: str) -> HandoffRequest | None: ...

    async def open_for(self, conversation_id: str) -> HandoffRequest | None:
        """The conversation's open request, if any."""
        ...

    async def list_open(self, agent_id: str | None = None) -> list[HandoffRequest]:
        """Open requests, oldest first; only one agent's when `agent_id` is given."""
        ...

    async def take(self, handoff_id: str, agent_id: str, at: datetime) -> bool:
        """Assign a waiting request; False when it is taken or closed (a conditional update)."""
        ...

    async def transfer(self, handoff_id: str, from_agent: str | None, to_agent: str, at: datetime) -> bool:
        """Reassign an open request held by `from_agent` (any holder when None)."""
        ...

    async def close(self, handoff_id: str, outcome: str, at: datetime, *, only_waiting: bool = False) -> bool:
        """Close an open request (only a waiting one with `only_waiting`); False when it was not."""
        ...

    async def to_team(self, handoff_id: str, from_agent: str | None, team: str, at: datetime) -> bool:
        """Put a request held by `from_agent` (any holder when None) back in the queue for `team`."""
        ...

    async def responded(self, handoff_id: str, at: datetime) -> None:
        """Record the agent's first message (kept when one is recorded already)."""
        ...

    async def rate(self, handoff_id: str, score: int, comment: str | None) -> bool:
        """Store the shopper's rating (score, then the comment); False when no such request."""
        ...

    async def requested_since(self, since: datetime) -> list[HandoffRequest]: ...

    async def closed_since(self, since: datetime) -> list[HandoffRequest]: ...

    async def assigned_since(self, since: datetime) -> list[HandoffRequest]: ...

    async def add_note(self, note: Note) -> None: ...

    async def notes(self, handoff_id: str) -> list[Note]: ...

    async def notes_for_conversation(self, conversation_id: str) -> list[Note]: ...


class HandoffQueue:
    """The queue's rules over a repository and a clock."""

    def __init__(self, repo: HandoffRepository, clock: Clock) -> None:
        self.repo = repo
        self.clock = clock

    async def request(self, conversation_id: str, channel: str, recipient_id: str, language: str,
                      reason: str, team: str | None = None) -> Placement:
        """Open a request (or return the conversation's open one) and where it stands."""
        existing = await self.repo.open_for(conversation_id)
        created = existing is None
        if existing is None:
            existing = HandoffRequest(uuid.uuid4().hex[:16], conversation_id, channel, recipient_id,
                                      language, reason, self.clock.now(), team=team)
            await self.repo.add(existing)
        position, wait = await self.place(existing)
        return Placement(existing, position, wait, created)

    async def place(self, request: HandoffRequest) -> tuple[int, timedelta]:
        """Place in the queue (1 = next; 0 when an agent holds it) and the expected wait."""
        if not request.waiting:
            return 0, timedelta(0)
        waiting = [r for r in await self.repo.list_open() if r.waiting]
        ahead = sum(1 for r in waiting if (r.requested_at, r.id) <= (request.requested_at, request.id))
        position = max(ahead, 1)
        return position, position * await self.median_handling()

    async def median_handling(self) -> timedelta:
        """Median time an agent held a conversation over the last day (a default before any)."""
        now = self.clock.now()
        done = [r for r in await self.repo.closed_since(now - STATS_WINDOW)
                if r.outcome == Outcome.RETURNED.value and r.assigned_at is not None and r.closed_at]
        if not done:
            return DEFAULT_HANDLING
        secs = statistics.median((r.closed_at - r.assigned_at).total_seconds()  # type: ignore[operator]
                                 for r in done)
        return timedelta(seconds=secs)

    async def callback(self, conversation_id: str, channel: str, recipient_id: str, language: str,
                       reason: str, team: Team) -> HandoffRequest:
        """Record a request made out of hours: closed at once (outcome `callback`), for staff to call back."""
        now = self.clock.now()
        request = HandoffRequest(uuid.uuid4().hex[:16], conversation_id, channel, recipient_id, language,
                                 reason, now, team=team.value)
        await self.repo.add(request)
        await self.repo.close(request.id, Outcome.CALLBACK.value, now)
        return await self.get(request.id)

    async def callbacks(self, since: timedelta = STATS_WINDOW) -> list[HandoffRequest]:
        """Out-of-hours requests of the last day, newest first."""
        rows = [r for r in await self.repo.closed_since(self.clock.now() - since) if r.outcome == Outcome.CALLBACK.value]
        return sorted(rows, key=lambda r: r.requested_at, reverse=True)

    async def get(self, handoff_id: str) -> HandoffRequest:
        found = await self.repo.get(handoff_id)
        if found is None:
            raise HandoffNotFound(handoff_id)
        return found

    async def take(self, handoff_id: str, agent_id: str) -> HandoffRequest:
        """The agent takes a waiting conversation; `AlreadyTaken` when someone else was first."""
        request = await self.get(handoff_id)
        if not request.open:
            raise HandoffClosed(handoff_id)
        if not await self.repo.take(handoff_id, agent_id, self.clock.now()):
            fresh = await self.get(handoff_id)
            if not fresh.open:
                raise HandoffClosed(handoff_id)
            raise AlreadyTaken(handoff_id)
        return await self.get(handoff_id)

    async def transfer(self, handoff_id: str, from_agent: str | None, to_agent: str) -> HandoffRequest:
        """Move a held conversation to another agent (`from_agent` None: a supervisor moves it)."""
        request = await self.get(handoff_id)
        if not request.open:
            raise HandoffClosed(handoff_id)
        if not await self.repo.transfer(handoff_id, from_agent, to_agent, self.clock.now()):
            raise NotYours(handoff_id)
        return await self.get(handoff_id)

    async def transfer_to_team(self, handoff_id: str, from_agent: str | None, team: Team) -> HandoffRequest:
        """Back to the queue, for any agent of `team` to take (`from_agent` None: a supervisor)."""
        request = await self.get(handoff_id)
        if not request.open:
            raise HandoffClosed(handoff_id)
        if not await self.repo.to_team(handoff_id, from_agent, team.value, self.clock.now()):
            raise NotYours(handoff_id)
        return await self.get(handoff_id)

    async def responded(self, handoff_id: str) -> None:
        await self.repo.responded(handoff_id, self.clock.now())

    async def rate(self, handoff_id: str, score: int, comment: str | None = None) -> HandoffRequest:
        """The shopper rates a conversation an agent held (1-5); `HandoffError` when out of range."""
        if not 1 <= score <= 5:
            raise HandoffError(f"rating {score} is not 1-5")
        request = await self.get(handoff_id)
        if request.agent_id is None or request.closed_at is None:
            raise HandoffError("only a finished conversation with an agent is rated")
        await self.repo.rate(handoff_id, score, (comment or "").strip()[:1000] or None)
        return await self.get(handoff_id)

    async def hand_back(self, handoff_id: str) -> HandoffRequest:
        """Close the request: the bot answers again."""
        if not await self.repo.close(handoff_id, Outcome.RETURNED.value, self.clock.now()):
            raise HandoffClosed(handoff_id)
        return await self.get(handoff_id)

    async def stale(self, timeout: timedelta) -> list[HandoffRequest]:
        """Requests left waiting longer than `timeout`, oldest first."""
        cutoff = self.clock.now() - timeout
        return [r for r in await self.repo.list_open() if r.waiting and r.requested_at <= cutoff]

    async def release(self, handoff_id: str) -> bool:
        """Close a request nobody took (timeout); False when it was taken or closed meanwhile."""
        return await self.repo.close(handoff_id, Outcome.TIMEOUT.value, self.clock.now(), only_waiting=True)

    async def leave(self, handoff_id: str) -> bool:
        """The shopper leaves the queue; False when an agent took it (or it closed) meanwhile."""
        return await self.repo.close(handoff_id, Outcome.LEFT.value, self.clock.now(), only_waiting=True)

    async def release_stale(self, timeout: timedelta) -> list[HandoffRequest]:
        """Close every request left waiting longer than `timeout`; each is released exactly once."""
        return [await self.get(r.id) for r in await self.stale(timeout) if await self.release(r.id)]

    async def add_note(self, handoff_id: str, author: str, text: str) -> Note:
        request = await self.get(handoff_id)
        note = Note(handoff_id, request.conversation_id, author, text, self.clock.now())
        await self.repo.add_note(note)
        return note

    async def stats(self) -> HandoffStats:
        """Waiting count, median wait before an agent took over (today), conversations handled today."""
        now = self.clock.now()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        open_ = await self.repo.list_open()
        assigned = await self.repo.assigned_since(midnight)
        waits = [(r.assigned_at - r.requested_at).total_seconds() for r in assigned
                 if r.assigned_at is not None]
        handled = [r for r in await self.repo.closed_since(midnight)
                   if r.outcome == Outcome.RETURNED.value and r.agent_id is not None]
        rated = [r.rating for r in handled if r.rating is not None]
        first = [(r.first_response_at - r.requested_at).total_seconds()
                 for r in await self.repo.requested_since(midnight - STATS_WINDOW)
                 if r.first_response_at is not None and r.first_response_at >= midnight]
        resolved = [(r.closed_at - r.requested_at).total_seconds() for r in handled if r.closed_at is not None]
        return HandoffStats(
            waiting=sum(1 for r in open_ if r.waiting),
            median_wait_seconds=statistics.median(waits) if waits else None,
            handled_today=len(handled),
            active=sum(1 for r in open_ if not r.waiting),
            csat=round(statistics.mean(rated), 2) if rated else None,
            ratings=len(rated),
            median_first_response_seconds=statistics.median(first) if first else None,
            median_resolution_seconds=statistics.median(resolved) if resolved else None,
            queue_by_hour=await self._queue_by_hour(midnight, now),
        )

    async def _queue_by_hour(self, midnight: datetime, now: datetime) -> tuple[int, ...]:
        """How many shoppers were waiting at each full hour from midnight, and now (the last)."""
        requests = await self.repo.requested_since(midnight - STATS_WINDOW)
        counts = []
        hours = int((now - midnight).total_seconds() // 3600)
        for hour in range(hours + 1):
            at = now if hour == hours else midnight + timedelta(hours=hour)
            counts.append(sum(1 for r in requests if r.requested_at <= at
                              and min(t for t in (r.assigned_at, r.closed_at, now + timedelta(seconds=1))
                                      if t is not None) > at))
        return tuple(counts)




# --- staff and console sessions ------------------------------------------------------------
@dataclass(frozen=True)
class StaffMember:
    username: str
    role: Role
    password_hash: str
    display_name: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"username": self.username, "role": self.role.value, "display_name": self.display_name}


@dataclass(frozen=True)
class StaffSession:
    id: str
    username: str
    csrf_token: str
    expires_at: datetime


class StaffExists(HandoffError):
    pass


class StaffRepository(Protocol):
    async def add(self, member: StaffMember) -> None:
        """Insert; `StaffExists` when the username is taken."""
        ...

    async def get(self, username: str) -> StaffMember | None: ...

    async def list(self) -> list[StaffMember]: ...

    async def set_password(self, username: str, password_hash: str) -> None: ...

    async def teams_of(self, username: str) -> tuple[str, ...]:
        """The teams (Team values) the staff member belongs to."""
        ...

    async def set_teams(self, username: str, teams: Sequence[str]) -> None:
        """Replace the staff member's teams."""
        ...

    async def add_session(self, session: StaffSession) -> None: ...

    async def get_session(self, session_id: str) -> StaffSession | None: ...

    async def delete_session(self, session_id: str) -> None: ...


# --- the staff audit trail -------------------------------------------------------------------
@dataclass(frozen=True)
class AuditEntry:
    """One sensitive staff action: who did what to which record, when, and any detail."""

    at: datetime
    actor: str  # the staff username
    action: str  # login, login_failed, take, transfer, hand_back, ticket_approve, ticket_reject, ...
    subject: str  # the record acted on (a handoff or ticket id, a username)
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "actor": self.actor, "action": self.action,
                "subject": self.subject, "detail": self.detail}


class AuditLog(Protocol):
    """Append-only: entries are never changed nor removed."""

    async def record(self, entry: AuditEntry) -> None: ...

    async def recent(self, limit: int = 200, actor: str | None = None) -> list[AuditEntry]:
        """Newest first."""
        ...


# --- live events for the console -------------------------------------------------------------
class HandoffEvents(Protocol):
    """Publish / subscribe to console events (a shopper's message, a take, a hand back)."""

    async def publish(self, event: dict[str, Any]) -> None: ...

    def subscribe(self) -> contextlib.AbstractAsyncContextManager[AsyncIterator[dict[str, Any]]]:
        """`async with events.subscribe() as stream`: every event published once subscribed
        (on any worker, for the Redis adapter)."""
        ...
