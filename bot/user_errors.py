"""The one error type every layer may raise for a member to read (a leaf: no imports).

Services, storage (a refused quota) and the bot all raise it; the bot shows its message as is.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused operation; the message is short, safe and shown as is.

    Messages never contain secrets (passwords are never formatted into them).
    """
