"""The accounts area built from `Settings`: keys, cipher, repositories, senders, the service."""

from __future__ import annotations

import base64
import json
import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from integrations.accounts.addresses import PhoneOrEmailParser
from integrations.accounts.crypto import EnvelopeCipher, new_master_key, parse_master_keys
from integrations.accounts.passwords import Argon2Hasher, ZxcvbnPolicy
from integrations.accounts.senders import (
    AliyunSmsConfig,
    AliyunSmsSender,
    SandboxCodeSender,
    SmtpConfig,
    SmtpEmailSender,
)
from integrations.db.accounts_repo import SQLAccountRepository, SQLCodeStore
from shop.accounts import AccountLimits, AccountService, AddressKind, CodeSender
from shop.clock import Clock

log = logging.getLogger(__name__)

KEYS_FILE = "account-keys.json"


@dataclass(frozen=True)
class AccountKeys:
    master_keys: dict[str, bytes]
    current: str
    hash_key: bytes


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_keys(s: Settings) -> AccountKeys:
    """Keys from settings; those unset come from VAR_DIR/account-keys.json, made once (0600)."""
    stored: dict[str, str] = {}
    path = Path(s.var_dir) / KEYS_FILE
    if not (s.account_master_keys and s.account_hash_key):
        if path.exists():
            stored = json.loads(path.read_text())
        else:
            stored = {"master_keys": f"k1:{new_master_key()}", "hash_key": new_master_key()}
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump(stored, f)
            log.warning("account keys generated into %s: set ACCOUNT_MASTER_KEYS and ACCOUNT_HASH_KEY "
                        "when several workers run", KEYS_FILE)
    master_text = s.account_master_keys or stored["master_keys"]
    masters = parse_master_keys(master_text)
    if not masters:
        raise ValueError("ACCOUNT_MASTER_KEYS names no key")
    current = master_text.split(",")[0].split(":")[0].strip()
    hash_key = _b64decode(s.account_hash_key or stored["hash_key"])
    if len(hash_key) < 16:
        raise ValueError("ACCOUNT_HASH_KEY: at least 16 bytes")
    return AccountKeys(masters, current, hash_key)


@dataclass(frozen=True)
class AccountsParts:
    service: AccountService
    repo: SQLAccountRepository
    cipher: EnvelopeCipher
    sandbox_sender: SandboxCodeSender  # what went to addresses without a real sender
    sms: CodeSender
    email: CodeSender

    async def start(self) -> None:
        for sender in (self.sms, self.email):
            start = getattr(sender, "start", None)
            if start is not None:
                await start()

    async def stop(self) -> None:
        for sender in (self.sms, self.email):
            close = getattr(sender, "aclose", None)
            if close is not None:
                await close()


def build_accounts(s: Settings, engine: AsyncEngine, clock: Clock) -> AccountsParts:
    keys = load_keys(s)
    cipher = EnvelopeCipher(keys.master_keys, keys.current)
    minutes = max(1, round(s.verification_code_ttl_seconds / 60))
    sandbox = SandboxCodeSender(clock, minutes)
    sms: CodeSender = sandbox
    if s.sms_provider == "aliyun":
        sms = AliyunSmsSender(AliyunSmsConfig(
            s.aliyun_sms_access_key_id, s.aliyun_sms_access_key_secret, s.aliyun_sms_sign_name,
            s.aliyun_sms_template_code, s.aliyun_sms_template_code_en, s.aliyun_sms_notice_template_code,
            api_url=s.aliyun_sms_api_url), clock=clock)
    email: CodeSender = sandbox
    if s.smtp_host:
        email = SmtpEmailSender(SmtpConfig(s.smtp_host, s.smtp_port, s.smtp_from, s.smtp_username,
                                           s.smtp_password, s.smtp_starttls, s.smtp_tls), minutes)
    if not s.sandbox and (sms is sandbox or email is sandbox):
        log.warning("verification codes without SMS_PROVIDER=aliyun or SMTP_HOST go to the sandbox sender, "
                    "readable only with SANDBOX on")
    repo = SQLAccountRepository(engine, cipher)
    limits = AccountLimits(code_ttl=timedelta(seconds=s.verification_code_ttl_seconds),
                           resend_interval=timedelta(seconds=s.verification_code_resend_seconds),
                           codes_per_hour=s.verification_codes_per_hour,
                           requester_codes_per_hour=s.verification_requester_codes_per_hour,
                           min_password_length=s.password_min_length)
    service = AccountService(repo, SQLCodeStore(engine), PhoneOrEmailParser(), ZxcvbnPolicy(), Argon2Hasher(),
                             {AddressKind.PHONE: sms, AddressKind.EMAIL: email}, clock, keys.hash_key, limits)
    return AccountsParts(service, repo, cipher, sandbox, sms, email)
