"""Decision notices to merchant applicants (issue 20): worded in the applicant's language and sent
through an e-mail port. The shop has no SMTP sender yet, so the default `LogEmailSender` writes
each e-mail to the `shopbot.email` log and keeps the last ones in memory (tests, the demo)."""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from shop.merchants import ApplicationStatus, MerchantApplication

log = logging.getLogger("shopbot.email")

SUBJECTS = {
    "zh": {"approved": "您的商家入驻申请已通过", "rejected": "您的商家入驻申请未通过",
           "suspended": "您的店铺已被暂停", "reinstated": "您的店铺已恢复"},
    "en": {"approved": "Your merchant application is approved", "rejected": "Your merchant application was not approved",
           "suspended": "Your shop is suspended", "reinstated": "Your shop is reinstated"},
}
BODIES = {
    "zh": {"approved": "{company},您好:\n申请 {id} 已通过。请用申请时拿到的状态令牌查询状态,领取商家 API 密钥(只显示一次)。",
           "rejected": "{company},您好:\n申请 {id} 未通过,原因:{reason}\n补齐后可重新申请。",
           "suspended": "{company},您好:\n您的店铺已被暂停,原因:{reason}\n暂停期间商品不在搜索中展示。",
           "reinstated": "{company},您好:\n您的店铺已恢复,商家 API 密钥重新可用。"},
    "en": {"approved": "Hello {company},\nApplication {id} is approved. Ask for its status with your status token to "
                       "receive your merchant API key (shown once).",
           "rejected": "Hello {company},\nApplication {id} was not approved. Reason: {reason}\nYou may apply again.",
           "suspended": "Hello {company},\nYour shop is suspended. Reason: {reason}\nIts products are out of search "
                        "meanwhile.",
           "reinstated": "Hello {company},\nYour shop is reinstated; your merchant API key works again."},
}


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


class EmailSender(Protocol):
    async def send(self, email: Email) -> None: ...


class LogEmailSender:
    """Writes each e-mail to the `shopbot.email` log; keeps the last 200 (`sent`)."""

    def __init__(self) -> None:
        self.sent: deque[Email] = deque(maxlen=200)

    async def send(self, email: Email) -> None:
        self.sent.append(email)
        log.info("e-mail to %s: %s\n%s", email.to, email.subject, email.body)


class EmailDecisionNotifier:
    def __init__(self, sender: EmailSender) -> None:
        self.sender = sender

    async def decided(self, application: MerchantApplication) -> None:
        kind = {ApplicationStatus.APPROVED: "approved", ApplicationStatus.REJECTED: "rejected",
                ApplicationStatus.SUSPENDED: "suspended"}.get(application.status)
        if kind is None:
            return
        if kind == "approved" and application.api_key_hash is None:
            return
        if kind == "approved" and application.pending_api_key is None:
            kind = "reinstated"  # approved again after a suspension: no new key
        lang = application.language if application.language in SUBJECTS else "zh"
        body = BODIES[lang][kind].format(company=application.company_name, id=application.id,
                                         reason=application.reason or "")
        await self.sender.send(Email(application.email, SUBJECTS[lang][kind], body))
