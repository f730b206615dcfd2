"""Shopper accounts: register and sign in with a phone number or an e-mail address, a password
and verification codes (issue 19).

The service speaks in typed values and raises `AccountError`s; the dialogue and the web pages
turn them into sentences in the shopper's language. What needs a vendor library is a port,
implemented in `integrations/accounts/`: reading a phone number or an address
(`AddressParser`), judging a password (`PasswordPolicy`), hashing it with argon2id off the
event loop (`PasswordHasher`), sending a code (`CodeSender`, one per address kind), storing
accounts and codes (`AccountRepository`, `CodeStore`).

Rules kept here:
* a code is 6 digits, lives `code_ttl`, is used once, and dies after `max_code_attempts` wrong
  tries; codes are kept as keyed hashes only;
* codes are rate limited per address (one per `resend_interval`, `codes_per_hour` an hour) and
  per requester (a client address, a chat identity: `requester_codes_per_hour`);
* nobody learns whether an address has an account: a code asked to register an address that
  already has one, or to sign in with one that has none, is answered like any other request
  (the address itself receives a notice instead of a code); an unknown account and a wrong
  password fail alike (`SignInFailed`), after the same argon2 work.

Errors (all `AccountError`, each with a `key` the response catalogs name):
`BadAddress`, `WeakPassword`, `CodeRejected`, `TooManyRequests`, `SignInFailed`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol

from shop.clock import Clock


class AccountError(Exception):
    """Base of the accounts errors; `key` names the sentence a shopper reads."""

    key = "account_error"


class BadAddress(AccountError):
    """Neither a phone number nor an e-mail address we can send to (`reason`: phone / email / unknown)."""

    key = "account_bad_address"

    def __init__(self, reason: str = "unknown") -> None:
        super().__init__(f"not a usable phone number or e-mail address ({reason})")
        self.reason = reason


class WeakPassword(AccountError):
    """A password the rules refuse: `reason` is too_short, too_long, common or weak."""

    key = "account_weak_password"

    def __init__(self, reason: str, strength: PasswordStrength | None = None) -> None:
        super().__init__(f"password refused: {reason}")
        self.reason = reason
        self.strength = strength


class CodeRejected(AccountError):
    """Wrong, expired, already used or for another address: one answer for all of them."""

    key = "account_code_rejected"


class TooManyRequests(AccountError):
    """Too many codes or tries; `retry_after` seconds until the next may be made."""

    key = "account_too_many"

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many requests; retry after {retry_after:.0f} s")
        self.retry_after = max(1.0, retry_after)


class SignInFailed(AccountError):
    """The address and password do not match an account (which of the two is never said)."""

    key = "account_sign_in_failed"


class ErasureRefused(AccountError):
    """The shopper's data cannot be deleted while an order is in flight (`order_ids`)."""

    key = "account_erase_refused"

    def __init__(self, order_ids: Sequence[str]) -> None:
        super().__init__(f"orders in flight: {', '.join(order_ids)}")
        self.order_ids = tuple(order_ids)


IN_FLIGHT = frozenset({"created", "paid", "submitted", "shipped"})  # OrderStatus values: not yet settled


class AddressKind(str, Enum):
    PHONE = "phone"
    EMAIL = "email"


class Purpose(str, Enum):
    REGISTER = "register"
    SIGN_IN = "sign_in"


@dataclass(frozen=True)
class Address:
    """A normalised phone number (E.164, "+8613800138000") or e-mail address (lower-cased)."""

    kind: AddressKind
    value: str

    @property
    def masked(self) -> str:
        return mask(self.value)


def mask(value: str) -> str:
    """138****8000 for phone numbers, a***@example.com for e-mail addresses."""
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    digits = value[3:] if value.startswith("+86") else value.lstrip("+")
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


@dataclass(frozen=True)
class PasswordStrength:
    """A strength estimate: score 0 (guessable at once) … 4 (very hard), and what would help."""

    score: int
    warning: str = ""
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Account:
    id: str
    shopper_id: str
    address: Address
    password_hash: str
    created_at: datetime


@dataclass(frozen=True)
class VerificationCode:
    id: str
    address_key: str
    purpose: Purpose
    code_hash: str
    created_at: datetime
    expires_at: datetime
    attempts: int = 0
    used: bool = False


@dataclass(frozen=True)
class CodeRequested:
    """What a requester is told: where a code went (masked) and for how long it is good."""

    masked_address: str
    expires_in: timedelta
    resend_after: timedelta


@dataclass(frozen=True)
class OutgoingCode:
    """What a sender sends: a code, or (code None) a notice that no code was sent and why."""

    address: Address
    code: str | None
    purpose: Purpose
    language: str
    notice: str = ""  # "exists" (register, already an account) / "unknown" (sign in, no account)


class AddressParser(Protocol):
    def parse(self, text: str) -> Address:
        """The address a shopper typed, normalised; `BadAddress` when it is none."""
        ...


class PasswordPolicy(Protocol):
    def check(self, password: str, hints: Sequence[str] = ()) -> PasswordStrength:
        """The strength of an acceptable password; `WeakPassword` when it is refused."""
        ...


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...


class CodeSender(Protocol):
    async def send(self, message: OutgoingCode) -> None:
        """Deliver a code (or a notice); raises `SendFailed` when the gateway refused it."""
        ...


class SendFailed(AccountError):
    """The SMS gateway or mail server did not take the message."""

    key = "account_send_failed"


class AccountRepository(Protocol):
    async def by_address_key(self, address_key: str) -> Account | None: ...

    async def get(self, account_id: str) -> Account | None: ...

    async def by_shopper(self, shopper_id: str) -> Account | None: ...

    async def add(self, account: Account, address_key: str) -> None:
        """Store a new account; `AccountExists` when the address already has one."""
        ...

    async def set_password(self, account_id: str, password_hash: str) -> None: ...


class AccountExists(AccountError):
    key = "account_code_rejected"  # never told as such: the register attempt just fails like a bad code


class CodeStore(Protocol):
    async def add(self, code: VerificationCode) -> None: ...

    async def latest(self, address_key: str, purpose: Purpose) -> VerificationCode | None:
        """The newest code sent to that address for that purpose, used or not."""
        ...

    async def record_attempt(self, code_id: str, used: bool) -> None:
        """One more try of the code; `used` when it succeeded (the code is spent)."""
        ...

    async def count_since(self, key: str, since: datetime) -> int:
        """Codes requested under `key` (an address key or a requester key) since then."""
        ...

    async def note_request(self, key: str, at: datetime) -> None: ...


@dataclass(frozen=True)
class AccountLimits:
    code_ttl: timedelta = timedelta(minutes=10)
    resend_interval: timedelta = timedelta(seconds=60)
    codes_per_hour: int = 5
    requester_codes_per_hour: int = 10
    max_code_attempts: int = 5
    min_password_length: int = 8


def new_account_id() -> str:
    return "A" + uuid.uuid4().hex[:16]


@dataclass
class AccountService:
    """Register, sign in, and verification codes. `keyed_hash_key` keys the hashes that find an
    account by its address (the address itself is stored encrypted) and that keep codes."""

    accounts: AccountRepository
    codes: CodeStore
    parser: AddressParser
    policy: PasswordPolicy
    hasher: PasswordHasher
    senders: Mapping[AddressKind, CodeSender]
    clock: Clock
    keyed_hash_key: bytes
    limits: AccountLimits = field(default_factory=AccountLimits)
    _dummy_hash: str | None = None

    # --- keyed hashes ----------------------------------------------------------------------
    def address_key(self, address: Address) -> str:
        """The keyed hash (HMAC-SHA256) an account is looked up by."""
        return hmac.new(self.keyed_hash_key, f"{address.kind.value}:{address.value}".encode(),
                        hashlib.sha256).hexdigest()

    def _code_hash(self, code_id: str, code: str) -> str:
        return hmac.new(self.keyed_hash_key, f"code:{code_id}:{code}".encode(), hashlib.sha256).hexdigest()

    # --- codes -----------------------------------------------------------------------------
    def parse_address(self, text: str) -> Address:
        return self.parser.parse(text)

    async def request_code(self, text: str, purpose: Purpose, language: str = "zh",
                           requester: str | None = None) -> CodeRequested:
        """Send a code to the address in `text` (the same answer whether it has an account)."""
        address = self.parser.parse(text)
        now = self.clock.now()
        key = self.address_key(address)
        last = await self.codes.latest(key, purpose)
        if last is not None and now - last.created_at < self.limits.resend_interval:
            raise TooManyRequests((self.limits.resend_interval - (now - last.created_at)).total_seconds())
        hour_ago = now - timedelta(hours=1)
        checks = [(f"addr:{key}", self.limits.codes_per_hour)]
        if requester:
            checks.append((f"req:{requester}", self.limits.requester_codes_per_hour))
        for counter, limit in checks:
            if await self.codes.count_since(counter, hour_ago) >= limit:
                raise TooManyRequests(3600.0)
        for counter, _ in checks:
            await self.codes.note_request(counter, now)
        account = await self.accounts.by_address_key(key)
        notice = ""
        if purpose is Purpose.REGISTER and account is not None:
            notice = "exists"
        elif purpose is Purpose.SIGN_IN and account is None:
            notice = "unknown"
        code = f"{secrets.randbelow(10**6):06d}"
        code_id = uuid.uuid4().hex
        # a notice still records a (never sent) code, so that the resend interval and the answer
        # to a guessed code are the same as for a real one
        await self.codes.add(VerificationCode(code_id, key, purpose, self._code_hash(code_id, code), now,
                                              now + self.limits.code_ttl))
        sender = self.senders.get(address.kind)
        if sender is None:
            raise BadAddress(address.kind.value)
        await sender.send(OutgoingCode(address, None if notice else code, purpose, language, notice))
        return CodeRequested(address.masked, self.limits.code_ttl, self.limits.resend_interval)

    async def _redeem(self, address: Address, purpose: Purpose, code: str) -> None:
        """Spend the newest code of that address; `CodeRejected` for any reason it is not good."""
        latest = await self.codes.latest(self.address_key(address), purpose)
        if latest is None or latest.used or latest.expires_at <= self.clock.now():
            raise CodeRejected()
        if latest.attempts >= self.limits.max_code_attempts:
            raise CodeRejected()
        good = hmac.compare_digest(latest.code_hash, self._code_hash(latest.id, code.strip()))
        await self.codes.record_attempt(latest.id, used=good)
        if not good:
            raise CodeRejected()

    # --- passwords -------------------------------------------------------------------------
    def check_password(self, password: str, address: Address | None = None) -> PasswordStrength:
        if len(password) < self.limits.min_password_length:
            raise WeakPassword("too_short")
        if len(password) > 128:
            raise WeakPassword("too_long")
        hints = [address.value, address.value.split("@")[0]] if address else []
        return self.policy.check(password, hints)

    # --- register and sign in -----------------------------------------------------------------
    async def verify_code(self, text: str, purpose: Purpose, code: str) -> Address:
        """Spend a code without finishing (chat: the code, then the password); the address."""
        address = self.parser.parse(text)
        await self._redeem(address, purpose, code)
        return address

    async def register(self, text: str, code: str | None, password: str, shopper_id: str,
                       *, code_checked: bool = False) -> Account:
        """A new account for `shopper_id` (the shopper who asked). The code must be good unless
        it was spent already by `verify_code` in the same conversation (`code_checked`)."""
        address = self.parser.parse(text)
        self.check_password(password, address)
        if not code_checked:
            await self._redeem(address, Purpose.REGISTER, code or "")
        key = self.address_key(address)
        if await self.accounts.by_address_key(key) is not None:
            raise CodeRejected()  # the address received an "already registered" notice, not a code
        account = Account(new_account_id(), shopper_id, address, await self.hasher.hash(password),
                          self.clock.now())
        try:
            await self.accounts.add(account, key)
        except AccountExists:
            raise CodeRejected() from None
        return account

    async def sign_in_with_code(self, text: str, code: str) -> Account:
        address = self.parser.parse(text)
        await self._redeem(address, Purpose.SIGN_IN, code)
        account = await self.accounts.by_address_key(self.address_key(address))
        if account is None:  # the address got an "unknown" notice, never a code
            raise CodeRejected()
        return account

    def min_password_length(self) -> int:
        return self.limits.min_password_length

    async def account_of(self, shopper_id: str) -> Account | None:
        """The account a shopper is signed in to (None: a guest)."""
        return await self.accounts.by_shopper(shopper_id)

    async def sign_in(self, text: str, password: str) -> Account:
        """The account of that address and password; `SignInFailed` alike for an unknown
        address, a wrong password or something that is no address at all."""
        try:
            address = self.parser.parse(text)
        except BadAddress:
            address = None
        account = await self.accounts.by_address_key(self.address_key(address)) if address else None
        if account is None:
            if self._dummy_hash is None:
                self._dummy_hash = await self.hasher.hash(secrets.token_hex(8))
            await self.hasher.verify(self._dummy_hash, password)  # the same work as a wrong password
            raise SignInFailed()
        if not await self.hasher.verify(account.password_hash, password):
            raise SignInFailed()
        return account
