"""Transcripts encrypted at rest (issue 19.4): what a shopper says and is told holds their name,
phone and address, so each stored event is envelope-encrypted when the store has a cipher (the
accounts' `EnvelopeCipher`, wired by the bootstrap). Events written before read as they are
(plain JSON starts with "{"); `shopbot keys rotate` encrypts them and re-wraps the others."""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

from tracking.errors import StoreUnavailable
from tracking.events import Event


class EventCipher(Protocol):
    def encrypt(self, plaintext: str) -> str: ...

    def decrypt(self, token: str) -> str: ...

    def rewrap(self, token: str) -> str: ...


def _text(raw: str | bytes) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


def dump_event(event: Event, cipher: EventCipher | None) -> str:
    raw = event.to_json()
    return raw if cipher is None else cipher.encrypt(raw)


@lru_cache(maxsize=20_000)
def _opened(cipher: EventCipher, token: str) -> str:
    """A stored event's JSON; events never change, so a conversation loaded at every turn
    decrypts each of its events once per worker, not once per turn."""
    return cipher.decrypt(token)


def load_event(raw: str | bytes, cipher: EventCipher | None) -> Event:
    text = _text(raw)
    if text.startswith("{"):
        return Event.from_json(text)
    if cipher is None:
        raise StoreUnavailable("an encrypted transcript and no key to read it (ACCOUNT_MASTER_KEYS)")
    return Event.from_json(_opened(cipher, text))


def reseal_event(raw: str | bytes, cipher: EventCipher) -> str:
    """A stored event encrypted (plain) or re-wrapped under the current master key (sealed)."""
    text = _text(raw)
    return cipher.encrypt(text) if text.startswith("{") else cipher.rewrap(text)
