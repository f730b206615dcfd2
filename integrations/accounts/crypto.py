"""Envelope encryption of personal data at rest (names, phones, addresses, e-mails).

Each value gets its own data key (AES-256-GCM); the data key is wrapped (AES-256-GCM) by a
master key from settings, named by a key id. A stored value reads
``v1.<key id>.<wrapped data key>.<nonce + ciphertext>`` (URL-safe base64 parts). Rotation
(`shopbot keys rotate`) re-wraps each data key under the current master key without touching
the ciphertext; old master keys stay listed until nothing is wrapped by them any more.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "v1"


class CipherError(Exception):
    """A stored value that cannot be read: an unknown key id, or tampered with."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_master_keys(text: str) -> dict[str, bytes]:
    """``id:base64key,id2:base64key`` (32-byte keys; the first is current) → {id: key}."""
    keys: dict[str, bytes] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kid, sep, b64 = part.partition(":")
        if not sep or not kid.isalnum():
            raise ValueError("ACCOUNT_MASTER_KEYS: id:base64key,… (ids of letters and digits)")
        key = _unb64(b64.strip())
        if len(key) != 32:
            raise ValueError(f"ACCOUNT_MASTER_KEYS: key {kid} is not 32 bytes")
        keys[kid] = key
    return keys


def new_master_key() -> str:
    return _b64(os.urandom(32))


class EnvelopeCipher:
    def __init__(self, master_keys: Mapping[str, bytes], current: str) -> None:
        if current not in master_keys:
            raise ValueError("the current master key is not among the master keys")
        self._masters = {kid: AESGCM(key) for kid, key in master_keys.items()}
        self.current = current

    def encrypt(self, plaintext: str) -> str:
        data_key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(12)
        body = nonce + AESGCM(data_key).encrypt(nonce, plaintext.encode(), None)
        return ".".join((PREFIX, self.current, self._wrap(self.current, data_key), _b64(body)))

    def _wrap(self, kid: str, data_key: bytes) -> str:
        nonce = os.urandom(12)
        return _b64(nonce + self._masters[kid].encrypt(nonce, data_key, kid.encode()))

    def _unwrap(self, kid: str, wrapped: str) -> bytes:
        master = self._masters.get(kid)
        if master is None:
            raise CipherError(f"unknown master key {kid!r}")
        raw = _unb64(wrapped)
        return master.decrypt(raw[:12], raw[12:], kid.encode())

    def decrypt(self, token: str) -> str:
        try:
            prefix, kid, wrapped, body = token.split(".")
            if prefix != PREFIX:
                raise CipherError("not an encrypted value")
            raw = _unb64(body)
            return AESGCM(self._unwrap(kid, wrapped)).decrypt(raw[:12], raw[12:], None).decode()
        except (ValueError, InvalidTag) as exc:
            raise CipherError("an encrypted value cannot be read") from exc

    def key_id(self, token: str) -> str:
        return token.split(".")[1]

    def rewrap(self, token: str) -> str:
        """The same value with its data key wrapped by the current master key."""
        try:
            prefix, kid, wrapped, body = token.split(".")
            if kid == self.current:
                return token
            data_key = self._unwrap(kid, wrapped)
        except (ValueError, InvalidTag) as exc:
            raise CipherError("an encrypted value cannot be read") from exc
        return ".".join((prefix, self.current, self._wrap(self.current, data_key), body))


def is_sealed(value: str) -> bool:
    """An envelope-encrypted value (``v1.…``), not plain text."""
    return value.startswith(PREFIX + ".")


def seal(cipher: EnvelopeCipher | None, value: str | None) -> str | None:
    """The value encrypted under the current master key (None, empty and sealed values as they are;
    no cipher: as it is)."""
    if cipher is None or not value or is_sealed(value):
        return value
    return cipher.encrypt(value)


def unseal(cipher: EnvelopeCipher | None, value: str | None) -> str | None:
    """The plain value of a stored one (values written before encryption was on read as they are)."""
    if cipher is None or value is None or not is_sealed(value):
        return value
    return cipher.decrypt(value)


def reseal(cipher: EnvelopeCipher, value: str | None) -> str | None:
    """For `shopbot keys rotate`: a sealed value re-wrapped under the current master key, a plain
    one encrypted; None and empty as they are."""
    if not value:
        return value
    return cipher.rewrap(value) if is_sealed(value) else cipher.encrypt(value)
