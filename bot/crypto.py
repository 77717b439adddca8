"""Encryption of stored secrets (RCON passwords) with Fernet, keyed by ``OUTPOST_SECRET_KEY``.

Fernet is authenticated: a token encrypted under another key fails to decrypt instead of
returning garbage, which is how a wrong key is detected.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.fernet import Fernet, InvalidToken


class SecretKeyError(Exception):
    """``OUTPOST_SECRET_KEY`` is missing or malformed."""


class DecryptionError(Exception):
    """A stored secret cannot be decrypted with the configured key."""


def generate_key() -> str:
    """A fresh random Fernet key as text (44 URL-safe base64 characters)."""
    return Fernet.generate_key().decode("ascii")


def validate_key(key: str) -> None:
    """Raise :class:`SecretKeyError` unless ``key`` is a usable Fernet key.

    The message never contains the key itself.
    """
    if not key:
        raise SecretKeyError("it is empty; expected 44 characters of URL-safe base64")
    try:
        raw = base64.urlsafe_b64decode(key.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise SecretKeyError("expected 44 characters of URL-safe base64") from None
    if len(raw) != 32:
        raise SecretKeyError("expected a Fernet key: 32 bytes as URL-safe base64 (44 characters)")


class SecretBox:
    """Encrypts and decrypts short secrets; the key is never shown in reprs."""

    __slots__ = ("_fernet",)

    def __init__(self, key: str) -> None:
        validate_key(key)
        self._fernet = Fernet(key.encode("ascii"))

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"

    def encrypt(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError, ValueError):
            raise DecryptionError(
                "a stored password cannot be decrypted: OUTPOST_SECRET_KEY differs from the key "
                "it was saved with (restore the old key, or set the password again)"
            ) from None
