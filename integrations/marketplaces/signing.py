"""Signing of the affiliate-API requests (JD Union, Taobao TBK, Pinduoduo DDK) — signing only.

The three open platforms use the same family of "router" gateways: one form-encoded POST
carrying system parameters (app key, method name, timestamp) and a signature computed over
all parameters sorted by name and concatenated as ``key + value`` without separators:

* JD open platform and Pinduoduo: ``MD5(secret + k1v1k2v2... + secret)``, upper-case hex.
* Taobao TOP ``sign_method=md5``: the same; ``sign_method=hmac``: ``HMAC-MD5(secret, k1v1...)``;
  ``sign_method=hmac-sha256``: ``HMAC-SHA256(secret, k1v1...)``, upper-case hex.

The gateway client and what the connectors share live in ``integrations/marketplaces/affiliate.py``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping


def sorted_concat(params: Mapping[str, str]) -> str:
    """``k1v1k2v2...`` over the parameters sorted by name (empty values included as-is)."""
    return "".join(f"{key}{params[key]}" for key in sorted(params))


def md5_wrapped_sign(params: Mapping[str, str], secret: str) -> str:
    """``MD5(secret + sorted k/v concatenation + secret)`` in upper-case hex (JD, PDD, TOP md5)."""
    raw = f"{secret}{sorted_concat(params)}{secret}"
    return hashlib.md5(raw.encode("utf-8")).hexdigest().upper()


def hmac_sign(params: Mapping[str, str], secret: str, digest: str = "md5") -> str:
    """``HMAC-<digest>(secret, sorted k/v concatenation)`` in upper-case hex (TOP hmac, hmac-sha256)."""
    mac = hmac.new(secret.encode("utf-8"), sorted_concat(params).encode("utf-8"), digest)
    return mac.hexdigest().upper()
