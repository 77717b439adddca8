"""The status JSON → :class:`~bot.protocols.minecraft.models.JavaStatus`, and the favicon.

Strict where the facts are (``version``/``players`` numbers of the wrong type are
:class:`NotMinecraft`), lenient where plugins improvise (a malformed sample entry is skipped,
an invalid favicon becomes None).
"""

from __future__ import annotations

import binascii
import json
import re
from typing import Any

from bot.protocols.minecraft.chat import flatten, strip_codes
from bot.protocols.minecraft.errors import AnswerTooLarge, NotMinecraft
from bot.protocols.minecraft.models import JavaPlayers, JavaStatus, JavaVersion, PlayerSample

# JSON nesting refused beyond this, before json.loads (whose C parser would recurse ~1000 deep).
MAX_JSON_DEPTH = 64
MAX_MOTD_CHARS = 2048
MAX_NAME_CHARS = 256
# Vanilla sends 12 sample entries; plugins sometimes more. Clipped here.
MAX_SAMPLE_PLAYERS = 100
# A vanilla favicon is a 64x64 PNG (a few KiB); the decoded image is refused beyond this.
MAX_FAVICON_BYTES = 64 * 1024
FAVICON_PREFIX = "data:image/png;base64,"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_INT32 = (-(1 << 31), (1 << 31) - 1)
# Strings are skipped whole (one C-level match each); only brackets are counted in Python. The
# closing quote is optional so that no match ever fails and restarts: linear in the text.
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)
# Vanilla 1.7-1.12 wrapped the favicon's base64 every 76 characters.
_BASE64_WHITESPACE = re.compile(r"[\r\n\t ]+")


def _check_depth(text: str) -> None:
    depth = 0
    for token in _JSON_TOKENS.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise NotMinecraft(f"status JSON nested deeper than {MAX_JSON_DEPTH}")
        elif char in "]}":
            depth -= 1


def loads(text: str) -> dict[str, Any]:
    """The status JSON text as an object; :class:`NotMinecraft` for anything else."""
    _check_depth(text)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise NotMinecraft("status response is not JSON") from None
    if not isinstance(data, dict):
        raise NotMinecraft("status JSON is not an object")
    return data


def decode_favicon(uri: str) -> bytes:
    """The PNG bytes of a ``data:image/png;base64,`` favicon.

    :class:`NotMinecraft` for another media type, invalid base64 or bytes that are no PNG;
    :class:`AnswerTooLarge` beyond :data:`MAX_FAVICON_BYTES`.
    """
    if not uri.startswith(FAVICON_PREFIX):
        raise NotMinecraft("favicon is not a data:image/png;base64 URI")
    encoded = _BASE64_WHITESPACE.sub("", uri[len(FAVICON_PREFIX) :])
    if len(encoded) > (MAX_FAVICON_BYTES + 2) // 3 * 4:
        raise AnswerTooLarge(f"favicon over {MAX_FAVICON_BYTES} bytes")
    try:
        image = binascii.a2b_base64(encoded, strict_mode=True)
    except (binascii.Error, ValueError):
        raise NotMinecraft("favicon is not valid base64") from None
    if not image.startswith(PNG_SIGNATURE):
        raise NotMinecraft("favicon is not a PNG image")
    return image


def _int(value: Any, what: str) -> int:
    # bool is an int in Python, not in JSON.
    if isinstance(value, bool) or not isinstance(value, int):
        raise NotMinecraft(f"{what} is not an integer")
    return min(max(value, _INT32[0]), _INT32[1])


def _text(value: Any) -> str:
    return strip_codes(value)[:MAX_NAME_CHARS] if isinstance(value, str) else ""


def _version(value: Any) -> JavaVersion | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise NotMinecraft("version is not an object")
    protocol = value.get("protocol")
    return JavaVersion(
        name=_text(value.get("name")),
        protocol=-1 if protocol is None else _int(protocol, "version.protocol"),
    )


def _sample(value: Any) -> tuple[PlayerSample, ...] | None:
    if not isinstance(value, list):
        return None
    entries = []
    for entry in value[:MAX_SAMPLE_PLAYERS]:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            entries.append(PlayerSample(_text(entry["name"]), _text(entry.get("id"))))
    return tuple(entries)


def _players(value: Any) -> JavaPlayers | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise NotMinecraft("players is not an object")
    return JavaPlayers(
        online=_int(value.get("online", 0), "players.online"),
        max=_int(value.get("max", 0), "players.max"),
        sample=_sample(value.get("sample")),
    )


def _favicon(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return decode_favicon(value)
    except NotMinecraft:
        return None


def parse_status(text: str, latency_ms: float | None = None) -> JavaStatus:
    """A status response's JSON text as a :class:`JavaStatus`."""
    data = loads(text)
    if not {"version", "players", "description"} & data.keys():
        raise NotMinecraft("JSON without version, players or description")
    secure_chat = data.get("enforcesSecureChat")
    description = data.get("description")
    return JavaStatus(
        version=_version(data.get("version")),
        players=_players(data.get("players")),
        motd=flatten(description, max_chars=MAX_MOTD_CHARS) if description is not None else "",
        description=description,
        favicon=_favicon(data.get("favicon")),
        enforces_secure_chat=secure_chat if isinstance(secure_chat, bool) else None,
        forge_data=data.get("forgeData"),
        mod_info=data.get("modinfo"),
        latency_ms=latency_ms,
        raw=data,
    )
