"""What we send: one line per command, no control characters, bounded; quoting of arguments.

A console line ends at ``\\r\\n``: a CR, LF or NUL inside a command (or a reason, or a chat
text) would end it early and let the rest run as a second command. Such text is refused, never
cut or cleaned, so what runs is exactly what was asked for.
"""

from __future__ import annotations

from bot.protocols.text_checks import first_control

from .errors import SdtdInvalidCommand

# No limit is documented for the console; this one is ours, far above any real command.
MAX_COMMAND_BYTES = 1024
LINE_END = b"\r\n"
BAN_UNITS = frozenset({"minute", "minutes", "hour", "hours", "day", "days", "week", "weeks"})
BAN_UNITS |= {"month", "months", "year", "years"}


def validate_text(text: str, *, what: str = "command") -> str:
    """``text`` if it is one printable line; :class:`SdtdInvalidCommand` otherwise."""
    if not isinstance(text, str):
        raise SdtdInvalidCommand(f"{what} must be a str, not {type(text).__name__}")
    position = first_control(text)
    if position is not None:
        ch = text[position]
        kind = "a line break" if ch in "\r\n\u2028\u2029" else "NUL" if ch == "\0" else "a control"
        raise SdtdInvalidCommand(f"{what} contains {kind} character at position {position}")
    return text


def encode_command(command: str, max_bytes: int = MAX_COMMAND_BYTES) -> bytes:
    """The bytes of one command line, terminator included."""
    validate_text(command)
    if not command.strip():
        raise SdtdInvalidCommand("command is empty")
    if command.strip().lower() == "exit":
        # Ends the telnet session on the server; the client would only reconnect.
        raise SdtdInvalidCommand("'exit' ends the session: close the client instead")
    data = command.encode("utf-8")
    if len(data) > max_bytes:
        raise SdtdInvalidCommand(f"command is {len(data)} bytes encoded; the limit is {max_bytes}")
    return data + LINE_END


def encode_password(password: str) -> bytes:
    """The password line; errors never contain the password itself."""
    if not isinstance(password, str) or not password:
        raise SdtdInvalidCommand("password must be a non-empty str")
    if first_control(password) is not None:
        raise SdtdInvalidCommand("password contains a control character")
    data = password.encode("utf-8")
    if len(data) > MAX_COMMAND_BYTES:
        raise SdtdInvalidCommand(f"password is longer than {MAX_COMMAND_BYTES} bytes")
    return data + LINE_END


def quote(text: str, *, what: str = "argument") -> str:
    """``text`` as one quoted console argument. Quotes cannot be escaped in the console, so
    ``"`` becomes ``'`` (what takaro's ``sendMessage`` does)."""
    validate_text(text, what=what)
    return '"' + text.replace('"', "'") + '"'


def _token(text: str, what: str) -> str:
    validate_text(text, what=what)
    if not text or any(ch.isspace() or ch in "\"'" for ch in text):
        raise SdtdInvalidCommand(f"{what} must be one word without quotes")
    return text


def say(message: str) -> str:
    return f"say {quote(message, what='message')}"


def kick(target: str, reason: str = "") -> str:
    """``kick "<id or name>" "<reason>"``."""
    command = f"kick {quote(target, what='target')}"
    return f"{command} {quote(reason, what='reason')}" if reason else command


def ban_add(target: str, duration: int, unit: str, reason: str = "") -> str:
    """``ban add <id> <duration> <unit> "<reason>"`` (units minute .. year)."""
    if isinstance(duration, bool) or not isinstance(duration, int) or duration < 1:
        raise SdtdInvalidCommand("ban duration must be a positive int")
    if unit not in BAN_UNITS:
        raise SdtdInvalidCommand(f"ban unit must be one of {sorted(BAN_UNITS)}")
    command = f"ban add {_token(target, 'ban target')} {duration} {unit}"
    return f"{command} {quote(reason, what='reason')}" if reason else command


def ban_remove(target: str) -> str:
    return f"ban remove {_token(target, 'ban target')}"
