"""WebRCON's JSON envelopes: requests out, server messages in. Pure functions, no I/O.

Request (one WebSocket text message)::

    {"Identifier": 1001, "Message": "playerlist", "Name": "WebRcon"}

Server message (a reply carries the request's Identifier; console lines come with 0, chat with
-1; Rust writes the JSON indented and ``Stacktrace`` may be null)::

    {"Message": "...", "Identifier": 1001, "Type": "Generic", "Stacktrace": ""}

Anything given to :func:`decode_message` yields a :class:`ServerMessage` or raises
:class:`~.errors.NotWebRcon`: bytes that are not UTF-8, JSON that is not an object, nesting
deep enough to exhaust the parser, ``NaN``/``Infinity``, integers with thousands of digits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum

from .errors import NotWebRcon, WebRconRequestError

# One server message, in bytes: a playerlist of 500 players is ~200 KB of indented JSON and
# console.tail a few hundred KB; beyond this a server is streaming at us, not answering.
MAX_MESSAGE_BYTES = 4 << 20
# One command's text; Rust's own console input is far shorter.
MAX_COMMAND_CHARS = 4096
MAX_STACKTRACE_CHARS = 4096
# The Identifier is a C# int on the server; a larger one would not round-trip.
INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1
DEFAULT_NAME = "WebRcon"

_FORBIDDEN_IN_COMMANDS = frozenset(chr(c) for c in range(32) if chr(c) != "\t") | {"\x7f"}


class MessageType(Enum):
    """The ``Type`` of a server message (Rust's ``RCon.LogType``, sent as its name)."""

    GENERIC = "Generic"
    ERROR = "Error"
    WARNING = "Warning"
    CHAT = "Chat"
    REPORT = "Report"
    CLIENT_PERF = "ClientPerf"
    SUBSCRIPTION = "Subscription"
    LOG = "Log"  # Unity's name for a plain line; not in Rust's numbering
    UNKNOWN = "Unknown"  # missing, or a name this client does not know


# The enum's numeric order, for servers (or proxies) that send the number instead of the name.
_TYPES_BY_NUMBER = (
    MessageType.GENERIC,
    MessageType.ERROR,
    MessageType.WARNING,
    MessageType.CHAT,
    MessageType.REPORT,
    MessageType.CLIENT_PERF,
    MessageType.SUBSCRIPTION,
)
_TYPES_BY_NAME = {t.value.lower(): t for t in MessageType}


@dataclass(frozen=True, slots=True)
class ServerMessage:
    """One message from the server: a reply (``identifier`` of a request) or a push."""

    identifier: int
    message: str
    type: MessageType = MessageType.GENERIC
    stacktrace: str = ""


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters (hostile servers send what they like)."""
    return text if len(text) <= limit else text[:limit]


def clip_json_text(value: object, limit: int) -> str:
    """A JSON string field, clipped; an integer is written out (some builds send ids such as
    UserId and SteamID as numbers); anything else reads as ``""``."""
    if isinstance(value, str):
        return clip(value, limit)
    if isinstance(value, int) and not isinstance(value, bool):
        return clip(str(value), limit)
    return ""


def validate_command(command: str) -> str:
    """``command`` if it can be sent as one console line; raises WebRconRequestError."""
    if not isinstance(command, str):
        raise WebRconRequestError("a command is text")
    if not command.strip():
        raise WebRconRequestError("empty command")
    if len(command) > MAX_COMMAND_CHARS:
        raise WebRconRequestError(
            f"command is {len(command)} characters; at most {MAX_COMMAND_CHARS}"
        )
    if not _FORBIDDEN_IN_COMMANDS.isdisjoint(command):
        # A line break would let text after it run as a second console command.
        raise WebRconRequestError("command contains a line break or control character")
    try:
        command.encode("utf-8")
    except UnicodeEncodeError:
        raise WebRconRequestError("command is not valid Unicode text") from None
    return command


def encode_request(identifier: int, command: str, name: str = DEFAULT_NAME) -> str:
    """The text message asking the server to run ``command`` under ``identifier``."""
    if isinstance(identifier, bool) or not INT32_MIN <= identifier <= INT32_MAX:
        raise WebRconRequestError("identifier must be a 32-bit integer")
    validate_command(command)
    # ASCII-only JSON: nothing on the wire depends on how the server decodes UTF-8.
    return json.dumps(
        {"Identifier": identifier, "Message": command, "Name": name}, separators=(",", ":")
    )


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def loads_json(text: str) -> object:
    """``json.loads`` for hostile input: any failure is a ValueError, never another error."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        # "[[[[…" a few thousand deep exhausts the C parser's recursion limit.
        raise ValueError("JSON nested too deeply") from None


def _as_text(data: str | bytes | bytearray | memoryview, max_bytes: int) -> str:
    if isinstance(data, str):
        # Characters are at most as many as bytes: a cheap bound without encoding.
        if len(data) > max_bytes:
            raise NotWebRcon(f"message over {max_bytes} bytes")
        return data
    raw = bytes(data)
    if len(raw) > max_bytes:
        raise NotWebRcon(f"message over {max_bytes} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NotWebRcon("message that is not UTF-8 text") from None


def _message_type(value: object) -> MessageType:
    if isinstance(value, str):
        return _TYPES_BY_NAME.get(value.lower(), MessageType.UNKNOWN)
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and 0 <= value < len(_TYPES_BY_NUMBER)
    ):
        return _TYPES_BY_NUMBER[value]
    return MessageType.UNKNOWN


def decode_message(
    data: str | bytes | bytearray | memoryview, *, max_bytes: int = MAX_MESSAGE_BYTES
) -> ServerMessage:
    """Decode one server message; raises NotWebRcon for anything that is not one."""
    text = _as_text(data, max_bytes)
    try:
        obj = loads_json(text)
    except ValueError:
        raise NotWebRcon("message that is not JSON") from None
    if not isinstance(obj, dict):
        raise NotWebRcon("message that is not a JSON object")
    identifier = obj.get("Identifier")
    if (
        isinstance(identifier, bool)
        or not isinstance(identifier, int)
        or not INT32_MIN <= identifier <= INT32_MAX
    ):
        raise NotWebRcon("message without a 32-bit integer Identifier")
    message = obj.get("Message")
    if message is None:
        message = ""
    elif not isinstance(message, str):
        raise NotWebRcon("message whose Message is not text")
    stacktrace = obj.get("Stacktrace")
    return ServerMessage(
        identifier=identifier,
        message=message,
        type=_message_type(obj.get("Type")),
        stacktrace=clip(stacktrace, MAX_STACKTRACE_CHARS) if isinstance(stacktrace, str) else "",
    )
