"""Checks on what we send: one line, no control characters, bounded length.

BattlEye takes a command per datagram with no terminator, so a newline or NUL would at best be
cut and at worst run as a second command; we refuse with a clear error instead of truncating.
"""

from __future__ import annotations

from bot.protocols.text_checks import first_control

from .errors import CommandValidationError

# BERConProtocol sets no command length; this cap is our own conservative default (configurable
# in ClientConfig), far below the 65,507-byte datagram limit.
DEFAULT_MAX_COMMAND_BYTES = 2048


def validate_text(text: str, *, what: str = "text") -> str:
    """A chat text or a command argument: one line, printable."""
    if not isinstance(text, str):
        raise CommandValidationError(f"{what} must be a str, not {type(text).__name__}")
    position = first_control(text)
    if position is not None:
        kind = "a line break" if text[position] in "\r\n\u2028\u2029" else "a control character"
        raise CommandValidationError(f"{what} contains {kind} at position {position}")
    return text


def encode_command(command: str, max_bytes: int = DEFAULT_MAX_COMMAND_BYTES) -> bytes:
    """UTF-8 bytes of a valid command (servers send and accept UTF-8, the spec says ASCII)."""
    validate_text(command, what="command")
    data = command.encode("utf-8")
    if len(data) > max_bytes:
        raise CommandValidationError(
            f"command is {len(data)} bytes encoded; the limit is {max_bytes}"
        )
    return data


def validate_password(password: str) -> bytes:
    """Password bytes; the error never contains the password itself."""
    if not isinstance(password, str) or not password:
        raise CommandValidationError("password must be a non-empty str")
    if first_control(password) is not None:
        raise CommandValidationError("password contains a control character")
    return password.encode("utf-8")
