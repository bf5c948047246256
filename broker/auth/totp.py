"""Time-based one-time passwords (RFC 6238, HMAC-SHA1, 6 digits, 30-second steps), stdlib only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

STEP = 30
DIGITS = 6


def generate_secret() -> str:
    """Return a new random base32 secret (160 bits, as RFC 4226 recommends)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    """Return the RFC 4226 code for `counter`."""
    mac = hmac.new(key, struct.pack(">Q", counter), getattr(hashlib, digest)).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def counter_at(at: float) -> int:
    """Return the time step that contains the Unix time `at`."""
    return int(at // STEP)


def code_at(secret: str, at: float) -> str:
    """Return the code a phone would show at Unix time `at`."""
    return hotp(_key(secret), counter_at(at))


def verify(
    secret: str, code: str, at: float | None = None, window: int = 1, after: int | None = None
) -> int | None:
    """Return the matching time step if `code` is valid at `at` (+/- `window` steps), else None.

    Steps at or before `after` (the last step accepted) are refused, so a code cannot be replayed.
    """
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = counter_at(time.time() if at is None else at)
    key = _key(secret)
    for counter in range(now - window, now + window + 1):
        if after is not None and counter <= after:
            continue
        if hmac.compare_digest(hotp(key, counter), code):
            return counter
    return None


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """Return the otpauth:// URI an authenticator app reads (as text or a QR code)."""
    label = quote(f"{issuer}:{account}", safe="")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"
