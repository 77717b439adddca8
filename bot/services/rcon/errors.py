"""The console errors, where the services have always imported them from (they are raised by the
admin adapters, :mod:`bot.adapters.admin_errors`, and shown to members as they are)."""

from bot.adapters.admin_errors import (
    RconAuthError,
    RconError,
    RconInvalidInput,
    RconLoginDropped,
    RconNotConfigured,
    RconRefused,
    RconTimeout,
    RconUnavailable,
)

__all__ = [
    "RconAuthError",
    "RconError",
    "RconInvalidInput",
    "RconLoginDropped",
    "RconNotConfigured",
    "RconRefused",
    "RconTimeout",
    "RconUnavailable",
]
