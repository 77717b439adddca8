"""The one error type every layer may raise for a member to read (a leaf at import time).

Services, storage (a refused quota) and the bot all raise it; the bot shows its message as is,
or, for one raised with a catalogue ``key``, the message in the reader's language.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused operation; the message is short, safe and shown as is.

    Messages never contain secrets (passwords are never formatted into them). Raised as
    ``UserError(key="errors.no_such_server", **values)`` the member reads it in their own
    language; ``str()`` is the English text (logs and the audit log keep English).
    """

    def __init__(
        self, message: str = "", /, *, key: str | None = None, **values: str | int | float
    ) -> None:
        if key is not None and not message:
            # Imported here: this module stays importable by every layer, storage included.
            from bot.i18n import ENGLISH, t

            message = t(ENGLISH, key, **values)
        super().__init__(message)
        self.key = key
        self.values = values
