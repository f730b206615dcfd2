"""Staff accounts and console sessions: argon2 password hashes, server-side sessions named by
a signed cookie, and a per-session CSRF token required on every state-changing call."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeSerializer

from bot.console.config import ConsoleConfig
from shop.clock import Clock
from shop.handoff import Role, StaffMember, StaffRepository, StaffSession, Team

COOKIE_NAME = "shopbot_console"
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_.-")

DEFAULT_HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile


class AuthError(Exception):
    """Wrong username or password, or an invalid account request."""


def hash_password(password: str, hasher: PasswordHasher = DEFAULT_HASHER) -> str:
    return hasher.hash(password)


def verify_password(password_hash: str, password: str, hasher: PasswordHasher = DEFAULT_HASHER) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not name or len(name) > 64 or not set(name) <= USERNAME_CHARS:
        raise AuthError("username: 1-64 characters of a-z, 0-9, _ . -")
    return name


def check_teams(teams: Sequence[str]) -> tuple[str, ...]:
    """Team names as stored (`AuthError` for one that is not pre_sales or after_sales)."""
    out = []
    for team in teams:
        try:
            out.append(Team(team.strip().lower()).value)
        except ValueError as exc:
            raise AuthError(f"team: pre_sales or after_sales, not {team!r}") from exc
    return tuple(dict.fromkeys(out))


async def create_staff(repo: StaffRepository, clock: Clock, username: str, role: Role | str, password: str,
                       display_name: str | None = None, hasher: PasswordHasher = DEFAULT_HASHER,
                       teams: Sequence[str] = ()) -> StaffMember:
    """Add a staff account with an argon2 hash of the password (`StaffExists` when taken), in
    `teams` (pre_sales, after_sales)."""
    name = check_username(username)
    teams = check_teams(teams)
    if len(password) < 8:
        raise AuthError("password: at least 8 characters")
    try:
        role = Role(role)
    except ValueError as exc:
        raise AuthError("role: agent, supervisor or merchant_reviewer") from exc
    password_hash = await asyncio.to_thread(hash_password, password, hasher)
    member = StaffMember(name, role, password_hash, (display_name or name).strip()[:100], clock.now())
    await repo.add(member)
    if teams:
        await repo.set_teams(name, teams)
    return member


class StaffAuth:
    """Create staff, log them in and out, and resolve a cookie to a live session."""

    def __init__(self, repo: StaffRepository, config: ConsoleConfig, clock: Clock,
                 hasher: PasswordHasher = DEFAULT_HASHER) -> None:
        self.repo = repo
        self.config = config
        self.clock = clock
        self.hasher = hasher
        self._signer = URLSafeSerializer(config.secret_key, salt="shopbot-console-session")
        self._dummy_hash: str | None = None

    async def add_staff(self, username: str, role: Role | str, password: str,
                        display_name: str | None = None, teams: Sequence[str] = ()) -> StaffMember:
        return await create_staff(self.repo, self.clock, username, role, password, display_name, self.hasher, teams)

    async def login(self, username: str, password: str) -> tuple[StaffMember, StaffSession, str]:
        """(member, session, signed cookie value); `AuthError` on a wrong name or password.

        argon2 runs in a worker thread: a login costs the event loop nothing.
        """
        member = await self.repo.get(username.strip().lower())
        if member is None:
            if self._dummy_hash is None:
                self._dummy_hash = await asyncio.to_thread(self.hasher.hash, secrets.token_hex(8))
            # the same work, time and answer as a wrong password
            await asyncio.to_thread(verify_password, self._dummy_hash, password, self.hasher)
            raise AuthError("wrong username or password")
        if not await asyncio.to_thread(verify_password, member.password_hash, password, self.hasher):
            raise AuthError("wrong username or password")
        if self.hasher.check_needs_rehash(member.password_hash):
            new_hash = await asyncio.to_thread(hash_password, password, self.hasher)
            await self.repo.set_password(member.username, new_hash)
        session = StaffSession(secrets.token_urlsafe(32), member.username, secrets.token_urlsafe(32),
                               self.clock.now() + self.config.session_lifetime)
        await self.repo.add_session(session)
        return member, session, self._signer.dumps(session.id)

    async def resolve(self, cookie: str | None) -> tuple[StaffMember, StaffSession] | None:
        """The live session a cookie names, or None (missing, forged, expired, logged out)."""
        if not cookie:
            return None
        try:
            session_id = self._signer.loads(cookie)
        except BadSignature:
            return None
        if not isinstance(session_id, str):
            return None
        session = await self.repo.get_session(session_id)
        if session is None:
            return None
        if session.expires_at <= self.clock.now():
            await self.repo.delete_session(session.id)
            return None
        member = await self.repo.get(session.username)
        return None if member is None else (member, session)

    async def logout(self, session: StaffSession) -> None:
        await self.repo.delete_session(session.id)

    @staticmethod
    def csrf_ok(session: StaffSession, token: str | None) -> bool:
        return token is not None and secrets.compare_digest(session.csrf_token, token)

    def now(self) -> datetime:
        return self.clock.now()
