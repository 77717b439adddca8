"""The rule for a short text a member types (a server name, a password, a ban reason).

Each such text is refused for the same three reasons, in this order, each with a message key of
its own: nothing was given, it is longer than the limit, it holds characters it may not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.services.errors import UserError


@dataclass(frozen=True, slots=True)
class TextRule:
    max_length: int
    allowed: Callable[[str], bool]  # the characters check, on a text of a length that fits
    empty_key: str
    too_long_key: str  # formatted with ``max``
    chars_key: str

    def check(self, text: str) -> str:
        """``text`` itself (already normalized by the caller), or the UserError to show."""
        if not text:
            raise UserError(key=self.empty_key)
        if len(text) > self.max_length:
            raise UserError(key=self.too_long_key, max=self.max_length)
        if not self.allowed(text):
            raise UserError(key=self.chars_key)
        return text
