"""Register and sign in as a shopper does: an address, a code that arrives, a password."""

from __future__ import annotations

from datetime import timedelta

import pytest

from integrations.accounts.addresses import PhoneOrEmailParser
from integrations.accounts.passwords import Argon2Hasher, ZxcvbnPolicy
from integrations.accounts.senders import SandboxCodeSender
from integrations.memory.accounts import InMemoryAccountRepository, InMemoryCodeStore
from integrations.memory.clock import FakeClock
from shop.accounts import (
    AccountService,
    AddressKind,
    BadAddress,
    CodeRejected,
    Purpose,
    SignInFailed,
    TooManyRequests,
    WeakPassword,
    mask,
)

GOOD = "violet-tram-Harbour-42"


class CountingHasher(Argon2Hasher):
    def __init__(self) -> None:
        super().__init__()
        self.verified = 0

    async def verify(self, password_hash: str, password: str) -> bool:
        self.verified += 1
        return await super().verify(password_hash, password)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def outbox(clock):
    return SandboxCodeSender(clock)


@pytest.fixture
def service(clock, outbox):
    return AccountService(InMemoryAccountRepository(), InMemoryCodeStore(), PhoneOrEmailParser(), ZxcvbnPolicy(),
                          CountingHasher(), {AddressKind.PHONE: outbox, AddressKind.EMAIL: outbox}, clock,
                          b"k" * 32)


def last_code(outbox, to):
    sent = outbox.sent_to(to)
    assert sent, f"nothing was sent to {to}"
    return sent[0].code


async def register(service, outbox, text, password=GOOD, shopper="S1"):
    await service.request_code(text, Purpose.REGISTER)
    address = service.parse_address(text)
    return await service.register(text, last_code(outbox, address.value), password, shopper)


async def test_register_with_a_phone_then_sign_in_with_the_password(service, outbox):
    requested = await service.request_code("138 0013 8000", Purpose.REGISTER)
    assert requested.masked_address == "138****8000"
    code = last_code(outbox, "+8613800138000")
    assert len(code) == 6 and code.isdigit()
    assert "验证码" in outbox.sent_to("+8613800138000")[0].text
    account = await service.register("+86 138-0013-8000", code, GOOD, "S1")
    assert account.shopper_id == "S1" and account.address.value == "+8613800138000"
    assert (await service.sign_in("13800138000", GOOD)).id == account.id


async def test_register_with_an_email_in_english(service, outbox):
    await service.request_code("Li.Lei@Example.COM", Purpose.REGISTER, language="en")
    sent = outbox.sent_to("li.lei@example.com")[0]
    assert "Your shopbot code is" in sent.text and sent.code in sent.text
    account = await service.register("li.lei@example.com", sent.code, GOOD, "S1")
    assert account.address.kind is AddressKind.EMAIL


@pytest.mark.parametrize("text", ["12345", "1380013800", "23800138000", "abc", "a@b", "li@@example.com",
                                  "010 6552 9988", "", "x" * 300, "li lei@example.com"])
async def test_malformed_phones_and_emails_are_refused(service, outbox, text):
    with pytest.raises(BadAddress):
        await service.request_code(text, Purpose.REGISTER)


async def test_a_code_works_once(service, outbox):
    await service.request_code("13800138000", Purpose.REGISTER)
    code = last_code(outbox, "+8613800138000")
    await service.verify_code("13800138000", Purpose.REGISTER, code)
    with pytest.raises(CodeRejected):  # replayed
        await service.verify_code("13800138000", Purpose.REGISTER, code)


async def test_an_expired_code_is_refused(service, outbox, clock):
    await service.request_code("13800138000", Purpose.REGISTER)
    code = last_code(outbox, "+8613800138000")
    clock.advance(minutes=10, seconds=1)
    with pytest.raises(CodeRejected):
        await service.register("13800138000", code, GOOD, "S1")


async def test_a_code_sent_to_another_address_does_not_work_here(service, outbox):
    await service.request_code("13800138000", Purpose.REGISTER)
    await service.request_code("13900139000", Purpose.REGISTER)
    other = last_code(outbox, "+8613800138000")
    with pytest.raises(CodeRejected):
        await service.register("13900139000", other, GOOD, "S2")


async def test_guessing_a_code_kills_it_after_five_tries(service, outbox):
    await service.request_code("13800138000", Purpose.REGISTER)
    code = last_code(outbox, "+8613800138000")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        with pytest.raises(CodeRejected):
            await service.verify_code("13800138000", Purpose.REGISTER, wrong)
    with pytest.raises(CodeRejected):  # even the right one, now
        await service.verify_code("13800138000", Purpose.REGISTER, code)


async def test_codes_are_rate_limited_per_address(service, outbox, clock):
    await service.request_code("13800138000", Purpose.REGISTER)
    with pytest.raises(TooManyRequests) as again:
        await service.request_code("13800138000", Purpose.REGISTER)
    assert 0 < again.value.retry_after <= 60
    for _ in range(4):
        clock.advance(seconds=61)
        await service.request_code("13800138000", Purpose.REGISTER)
    clock.advance(seconds=61)
    with pytest.raises(TooManyRequests):  # the sixth in an hour
        await service.request_code("13800138000", Purpose.REGISTER)
    assert len(outbox.sent_to("+8613800138000")) == 5
    clock.advance(hours=1)
    await service.request_code("13800138000", Purpose.REGISTER)


async def test_codes_are_rate_limited_per_requester(service, outbox):
    for n in range(10):
        await service.request_code(f"1380013{n:04d}", Purpose.REGISTER, requester="ip:10.0.0.9")
    with pytest.raises(TooManyRequests):
        await service.request_code("13900139000", Purpose.REGISTER, requester="ip:10.0.0.9")
    await service.request_code("13900139000", Purpose.REGISTER, requester="ip:10.0.0.10")


@pytest.mark.parametrize("password,reason", [("short1!", "too_short"), ("password123", "common"),
                                             ("woaini1314", "common"), ("aaaaaaaaaaaa", "weak"),
                                             ("x" * 129, "too_long")])
async def test_weak_passwords_are_refused_with_the_reason(service, outbox, password, reason):
    await service.request_code("13800138000", Purpose.REGISTER)
    with pytest.raises(WeakPassword) as refused:
        await service.register("13800138000", last_code(outbox, "+8613800138000"), password, "S1")
    assert refused.value.reason == reason


async def test_a_password_made_of_the_address_is_weak(service):
    with pytest.raises(WeakPassword):
        service.check_password("lileiexample", service.parse_address("lilei@example.com"))
    assert service.check_password(GOOD).score >= 3


async def test_unknown_account_and_wrong_password_answer_alike(service, outbox):
    await register(service, outbox, "13800138000")
    hasher = service.hasher
    before = hasher.verified
    with pytest.raises(SignInFailed) as wrong:
        await service.sign_in("13800138000", "not-the-password-1")
    with pytest.raises(SignInFailed) as unknown:
        await service.sign_in("13900139000", "not-the-password-1")
    with pytest.raises(SignInFailed) as nonsense:
        await service.sign_in("nobody", "not-the-password-1")
    assert str(wrong.value) == str(unknown.value) == str(nonsense.value)
    assert hasher.verified - before == 3  # the same argon2 work each time


async def test_registering_a_taken_address_looks_like_any_request(service, outbox, clock):
    await register(service, outbox, "13800138000")
    clock.advance(seconds=61)
    answer = await service.request_code("13800138000", Purpose.REGISTER)
    assert answer.masked_address == "138****8000"  # the requester learns nothing
    newest = outbox.sent_to("+8613800138000")[0]
    assert newest.code is None and "已经有账户" in newest.text  # the owner is told, no code
    with pytest.raises(CodeRejected):
        await service.register("13800138000", "000000", GOOD, "S9")


async def test_sign_in_with_a_code_and_no_code_for_an_unknown_address(service, outbox):
    account = await register(service, outbox, "13800138000")
    await service.request_code("13800138000", Purpose.SIGN_IN)
    assert (await service.sign_in_with_code("13800138000", last_code(outbox, "+8613800138000"))).id == account.id
    await service.request_code("13900139000", Purpose.SIGN_IN, language="en")
    notice = outbox.sent_to("+8613900139000")[0]
    assert notice.code is None and "no account" in notice.text


def test_masks():
    assert mask("+8613800138000") == "138****8000"
    assert mask("lilei@example.com") == "l***@example.com"
    assert timedelta(minutes=10)  # the default code lifetime used above
