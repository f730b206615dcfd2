"""Phone numbers (libphonenumber's rules, mainland China by default) and e-mail addresses
(email-validator's syntax rules, no DNS look-up; lower-cased) as the shopper typed them → `Address`."""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from shop.accounts import Address, AddressKind, BadAddress

_PHONEISH = re.compile(r"^[+\d][\d\s\-().]{4,24}$")


class PhoneOrEmailParser:
    def __init__(self, default_region: str = "CN") -> None:
        self.default_region = default_region

    def parse(self, text: str) -> Address:
        raw = (text or "").strip().replace("\u3000", " ")
        if not raw or len(raw) > 254:
            raise BadAddress("unknown")
        if "@" in raw:
            try:
                info = validate_email(raw, check_deliverability=False)
            except EmailNotValidError:
                raise BadAddress("email") from None
            local, _, domain = info.normalized.partition("@")
            # mailboxes are case-blind in practice: one account per address whatever its case
            return Address(AddressKind.EMAIL, f"{local}@{domain}".lower())
        if not _PHONEISH.match(raw):
            raise BadAddress("unknown")
        try:
            number = phonenumbers.parse(raw, self.default_region)
        except phonenumbers.NumberParseException:
            raise BadAddress("phone") from None
        if not phonenumbers.is_valid_number(number):
            raise BadAddress("phone")
        kind = phonenumbers.number_type(number)
        if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
            raise BadAddress("phone")  # codes go by SMS: a landline cannot read them
        return Address(AddressKind.PHONE, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
