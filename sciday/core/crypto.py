"""Field encryption for personal information kept at rest (phone numbers and the like).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) from `cryptography`. A keyed hash
(HMAC-SHA256, "blind index") lets the platform find a record by an exact value without storing it
in clear. The key comes from FIELD_ENCRYPTION_KEY, or in embedded mode from var/field_key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@cache
def _key() -> bytes:
    configured = getattr(settings, "FIELD_ENCRYPTION_KEY", "")
    if configured:
        return configured.encode()
    path = settings.VAR_DIR / "field_key"
    if not path.exists():
        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
    return path.read_bytes().strip()


def encrypt(value: str) -> str:
    if not value:
        return ""
    return Fernet(_key()).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return Fernet(_key()).decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def blind_index(value: str) -> str:
    """Return a keyed hash of `value` for exact-match lookups; empty for an empty value."""
    if not value:
        return ""
    secret = hashlib.sha256(b"blind-index:" + base64.urlsafe_b64decode(_key())).digest()
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()
