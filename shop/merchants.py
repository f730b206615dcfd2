"""Merchant onboarding: applications, their review, and the merchant API key issued on approval.

An application moves submitted → under_review → approved | rejected. The applicant gets a
status token at submission (only its SHA-256 is stored) and asks for the status with it; on
approval a merchant API key is issued: its SHA-256 is what the shop keeps, and the key itself
waits for the applicant's next status request, which takes it away (shown once).

The unified social credit code (统一社会信用代码) is checked by GB 32100-2015: 18 characters
of `CREDIT_CODE_CHARS`, the 18th the check character of the first 17 (weights 3^(i) mod 31).

Errors: `MerchantError` is the root; `InvalidApplication` carries one `FieldProblem` per bad
field (a code and its parameters, worded by the edge in the applicant's language);
`ApplicationNotFound`; `IllegalApplicationTransition` (a decision on an application not under
review, or another reviewer's decision came first).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import datetime
from enum import Enum
from typing import Any, Protocol

from shop.clock import Clock
from shop.taxonomy import TOP_GROUPS

log = logging.getLogger(__name__)
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31: no I, O, S, V, Z
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Regulated categories and the licences an applicant must upload for them.
REQUIRED_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "groceries": ("food_business_licence",),  # 食品经营许可证
    "beauty": ("cosmetics_licence",),  # 化妆品生产许可证 / 备案
    "health": ("drug_or_device_licence",),  # 药品 / 医疗器械经营许可证
}
DOCUMENT_KINDS = frozenset({"business_licence", *(k for ks in REQUIRED_DOCUMENTS.values() for k in ks)})

_PHONE = re.compile(r"^(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_LICENCE = re.compile(r"^[0-9A-Z]{13,18}$")
MAX_DOCUMENTS = 20
UPLOADED_PREFIX = "/console/api/documents/"  # a scan uploaded with the application, kept by the shop


class MerchantError(Exception):
    """Root of the merchant area's errors."""


@dataclass(frozen=True)
class FieldProblem:
    field: str
    code: str  # required, too_long, credit_code_length, credit_code_character, credit_code_check, ...
    params: dict[str, str] = dataclass_field(default_factory=dict)


class InvalidApplication(MerchantError):
    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.code}" for p in problems))
        self.problems = tuple(problems)


class ApplicationNotFound(MerchantError):
    pass


class IllegalApplicationTransition(MerchantError):
    pass


class DuplicateApplication(MerchantError):
    """An application for this credit code is open or approved already."""


class ApplicationStatus(str, Enum):
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"  # approved once; its key no longer works (reinstate: approved again)


ACTIVE_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW, ApplicationStatus.APPROVED,
                   ApplicationStatus.SUSPENDED)


# --- the credit code -----------------------------------------------------------------------
def credit_code_check_character(first17: str) -> str:
    """The GB 32100-2015 check character of the first 17 characters of a credit code."""
    total = sum(CREDIT_CODE_CHARS.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> FieldProblem | None:
    """None when `code` (already upper-cased) is a well-formed credit code, else what is wrong."""
    name = "credit_code"
    if not code:
        return FieldProblem(name, "required")
    if len(code) != 18:
        return FieldProblem(name, "credit_code_length", {"length": str(len(code))})
    bad = next((ch for ch in code if ch not in CREDIT_CODE_CHARS), None)
    if bad is not None:
        return FieldProblem(name, "credit_code_character", {"character": bad})
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        return FieldProblem(name, "credit_code_check", {"given": code[17], "expected": expected})
    return None


# --- values ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Document:
    """A qualification document: its kind, its number and where the uploaded scan is."""

    kind: str
    number: str
    url: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "number": self.number, "url": self.url}


@dataclass(frozen=True)
class ApplicationForm:
    """What an applicant sends, as sent (checked by `check_form`)."""

    company_name: str
    credit_code: str
    licence_number: str
    phone: str
    email: str
    categories: tuple[str, ...]
    documents: tuple[Document, ...] = ()


@dataclass(frozen=True)
class MerchantApplication:
    id: str
    company_name: str
    credit_code: str
    licence_number: str
    phone: str
    email: str
    categories: tuple[str, ...]
    documents: tuple[Document, ...]
    language: str
    status: ApplicationStatus
    submitted_at: datetime
    updated_at: datetime
    status_token_hash: str
    reviewer: str | None = None
    reason: str | None = None
    merchant_id: str | None = None
    api_key_hash: str | None = None
    pending_api_key: str | None = None  # the issued key until the applicant has seen it once

    def to_dict(self) -> dict[str, Any]:
        """What staff see (no token, no key)."""
        return {"application_id": self.id, "company_name": self.company_name, "credit_code": self.credit_code,
                "licence_number": self.licence_number, "phone": self.phone, "email": self.email,
                "categories": list(self.categories), "documents": [d.to_dict() for d in self.documents],
                "language": self.language, "status": self.status.value,
                "submitted_at": self.submitted_at.isoformat(), "updated_at": self.updated_at.isoformat(),
                "reviewer": self.reviewer, "reason": self.reason, "merchant_id": self.merchant_id}


@dataclass(frozen=True)
class ApplicationEvent:
    """One line of the audit trail: who did what to an application, when, and why."""

    application_id: str
    at: datetime
    actor: str
    action: str  # submitted, review_started, approved, rejected, key_delivered, suspended, reinstated
    note: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"at": self.at.isoformat(), "actor": self.actor, "action": self.action, "note": self.note}


class MerchantApplicationRepository(Protocol):
    async def add(self, application: MerchantApplication, event: ApplicationEvent) -> None: ...

    async def get(self, application_id: str) -> MerchantApplication | None: ...

    async def by_token_hash(self, token_hash: str) -> MerchantApplication | None: ...

    async def by_key_hash(self, key_hash: str) -> MerchantApplication | None: ...

    async def active_for_credit_code(self, credit_code: str) -> MerchantApplication | None: ...

    async def find(self, statuses: Sequence[ApplicationStatus] | None, limit: int) -> list[MerchantApplication]: ...

    async def transition(self, before: ApplicationStatus, after: MerchantApplication,
                         event: ApplicationEvent) -> bool:
        """Store `after` only if the row is still in `before` (one winner), with its event."""
        ...

    async def take_pending_key(self, application_id: str, event: ApplicationEvent) -> str | None:
        """The pending key, cleared in the same step: exactly one caller gets it."""
        ...

    async def events(self, application_id: str) -> list[ApplicationEvent]: ...


class DecisionNotifier(Protocol):
    """Tells the applicant about a decision on their application (e-mail: bot/merchant_notices.py)."""

    async def decided(self, application: MerchantApplication) -> None: ...


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


_CONTROL = dict.fromkeys(range(32), " ")  # NUL and other control characters (PostgreSQL refuses NUL)


def _text(value: str) -> str:
    return value.translate(_CONTROL).strip()


def _clean(value: str) -> str:
    return " ".join(_text(value).split())


def check_form(form: ApplicationForm) -> ApplicationForm:
    """The form, normalised (trimmed, codes upper-cased); `InvalidApplication` with every problem."""
    problems: list[FieldProblem] = []
    company = _clean(form.company_name)
    code = _text(form.credit_code).upper()
    licence = _text(form.licence_number).upper()
    phone = _text(form.phone)
    email = _text(form.email)
    if not company:
        problems.append(FieldProblem("company_name", "required"))
    elif len(company) > 200:
        problems.append(FieldProblem("company_name", "too_long", {"max": "200"}))
    if (problem := credit_code_problem(code)) is not None:
        problems.append(problem)
    if not licence:
        problems.append(FieldProblem("licence_number", "required"))
    elif not _LICENCE.match(licence):
        problems.append(FieldProblem("licence_number", "licence_format"))
    if not phone:
        problems.append(FieldProblem("phone", "required"))
    elif not _PHONE.match(phone):
        problems.append(FieldProblem("phone", "phone_format"))
    if not email:
        problems.append(FieldProblem("email", "required"))
    elif len(email) > 254 or not _EMAIL.match(email):
        problems.append(FieldProblem("email", "email_format"))
    categories = tuple(dict.fromkeys(_text(c).lower() for c in form.categories if _text(c)))
    if not categories:
        problems.append(FieldProblem("categories", "required"))
    for category in categories:
        if category not in TOP_GROUPS:
            problems.append(FieldProblem("categories", "unknown_category", {"category": category[:40]}))
    documents = tuple(Document(_text(d.kind).lower(), _text(d.number), _text(d.url)) for d in form.documents)
    if len(documents) > MAX_DOCUMENTS:
        problems.append(FieldProblem("documents", "too_many", {"max": str(MAX_DOCUMENTS)}))
    for doc in documents:
        if doc.kind not in DOCUMENT_KINDS:
            problems.append(FieldProblem("documents", "unknown_document", {"kind": doc.kind[:40]}))
        elif not doc.number or not doc.url.startswith(("https://", "http://", UPLOADED_PREFIX)) or len(doc.url) > 1000:
            problems.append(FieldProblem("documents", "document_incomplete", {"kind": doc.kind}))
    kinds = {d.kind for d in documents}
    for category in categories:
        for needed in REQUIRED_DOCUMENTS.get(category, ()):
            if needed not in kinds:
                problems.append(FieldProblem("documents", "document_missing",
                                             {"category": category, "kind": needed}))
    if problems:
        raise InvalidApplication(problems)
    return ApplicationForm(company, code, licence, phone, email, categories, documents)


class MerchantOnboarding:
    """Applications in, reviews, decisions, and the merchant keys they issue."""

    def __init__(self, repo: MerchantApplicationRepository, clock: Clock,
                 notifier: DecisionNotifier | None = None) -> None:
        self.repo = repo
        self.clock = clock
        self.notifier = notifier  # approvals, rejections, suspensions, reinstatements are sent to the applicant

    async def submit(self, form: ApplicationForm, language: str = "zh") -> tuple[MerchantApplication, str]:
        """(the stored application, the status token: given to the applicant, kept only hashed)."""
        form = check_form(form)
        if await self.repo.active_for_credit_code(form.credit_code) is not None:
            raise DuplicateApplication(form.credit_code)
        now = self.clock.now()
        token = secrets.token_urlsafe(24)
        application = MerchantApplication(
            id=f"MA{secrets.token_hex(6).upper()}", company_name=form.company_name, credit_code=form.credit_code,
            licence_number=form.licence_number, phone=form.phone, email=form.email, categories=form.categories,
            documents=form.documents, language=language if language in ("zh", "en") else "zh",
            status=ApplicationStatus.SUBMITTED, submitted_at=now, updated_at=now, status_token_hash=sha256(token))
        await self.repo.add(application, ApplicationEvent(application.id, now, "applicant", "submitted"))
        return application, token

    async def status(self, token: str) -> tuple[MerchantApplication, str | None]:
        """The application a status token names and, the first time after approval, its API key."""
        application = await self.repo.by_token_hash(sha256(token)) if token else None
        if application is None:
            raise ApplicationNotFound("no application with this token")
        key = None
        if application.pending_api_key is not None:
            key = await self.repo.take_pending_key(
                application.id, ApplicationEvent(application.id, self.clock.now(), "applicant", "key_delivered"))
        return application, key

    async def get(self, application_id: str) -> MerchantApplication:
        application = await self.repo.get(application_id)
        if application is None:
            raise ApplicationNotFound(application_id)
        return application

    async def queue(self, statuses: Iterable[ApplicationStatus] | None = None,
                    limit: int = 100) -> list[MerchantApplication]:
        """Applications waiting for a reviewer (submitted and under review), oldest first."""
        wanted = list(statuses) if statuses else [ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW]
        return await self.repo.find(wanted, limit)

    async def events(self, application_id: str) -> list[ApplicationEvent]:
        return await self.repo.events(application_id)

    async def _move(self, application_id: str, before: tuple[ApplicationStatus, ...], reviewer: str,
                    action: str, note: str, **changes: Any) -> MerchantApplication:
        current = await self.get(application_id)
        if current.status not in before:
            raise IllegalApplicationTransition(
                f"application {application_id} is {current.status.value}, cannot be {action}")
        now = self.clock.now()
        after = replace(current, updated_at=now, reviewer=reviewer, **changes)
        if not await self.repo.transition(current.status, after, ApplicationEvent(current.id, now, reviewer,
                                                                                  action, note)):
            raise IllegalApplicationTransition(f"application {application_id} changed meanwhile; reload")
        if self.notifier is not None and action != "review_started":
            try:
                await self.notifier.decided(after)
            except Exception:  # the decision stands; the notice is logged as failed
                log.exception("the decision notice of application %s was not sent", application_id)
        return after

    async def start_review(self, application_id: str, reviewer: str) -> MerchantApplication:
        return await self._move(application_id, (ApplicationStatus.SUBMITTED,), reviewer, "review_started", "",
                                status=ApplicationStatus.UNDER_REVIEW)

    async def approve(self, application_id: str, reviewer: str, note: str = "") -> MerchantApplication:
        """Approve and issue the merchant's API key (kept hashed; the applicant's next status
        request shows it once)."""
        key = f"sbm_{secrets.token_urlsafe(32)}"
        current = await self.get(application_id)
        return await self._move(application_id, (ApplicationStatus.UNDER_REVIEW,), reviewer, "approved",
                                _text(note), status=ApplicationStatus.APPROVED, reason=None,
                                merchant_id=f"m-{current.credit_code.lower()}", api_key_hash=sha256(key),
                                pending_api_key=key)

    async def reject(self, application_id: str, reviewer: str, reason: str) -> MerchantApplication:
        reason = _text(reason)
        if not reason:
            raise InvalidApplication([FieldProblem("reason", "required")])
        return await self._move(application_id, (ApplicationStatus.UNDER_REVIEW,), reviewer, "rejected",
                                reason, status=ApplicationStatus.REJECTED, reason=reason[:2000])

    async def suspend(self, application_id: str, staff: str, reason: str) -> MerchantApplication:
        """An approved merchant's key stops working (their application says why)."""
        reason = _text(reason)
        if not reason:
            raise InvalidApplication([FieldProblem("reason", "required")])
        return await self._move(application_id, (ApplicationStatus.APPROVED,), staff, "suspended", reason,
                                status=ApplicationStatus.SUSPENDED, reason=reason[:2000])

    async def reinstate(self, application_id: str, staff: str, note: str = "") -> MerchantApplication:
        """A suspended merchant's key works again."""
        return await self._move(application_id, (ApplicationStatus.SUSPENDED,), staff, "reinstated", _text(note),
                                status=ApplicationStatus.APPROVED, reason=None)

    async def merchant_for_key(self, key: str) -> str | None:
        """The merchant id an issued API key belongs to (an approved application's), else None."""
        if not key:
            return None
        application = await self.repo.by_key_hash(sha256(key))
        if application is None or application.status is not ApplicationStatus.APPROVED:
            return None
        return application.merchant_id
