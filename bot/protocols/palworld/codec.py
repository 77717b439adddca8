"""Sans-IO half of the Palworld REST API: request bodies out, answers (status + bytes) in.

``error_for(status, body)`` turns an HTTP answer into the error it means (or None); the
``decode_*`` functions turn a 2xx body into values or :class:`NotPalworld`; the ``encode_*``
functions check an admin call's arguments and build its exact JSON body (notes 6).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any

from bot.protocols.json_body import (
    INT_BOUND,
    json_float,
    json_int,
    load_json,
    player_objects,
    reject_constant,
)
from bot.protocols.palworld.errors import (
    AuthRefused,
    InvalidArgument,
    NotPalworld,
    PalworldError,
    PalworldRequestError,
)
from bot.protocols.palworld.models import (
    PalworldInfo,
    PalworldMetrics,
    PalworldPlayer,
    SettingValue,
)

# Body bounds, enforced while reading. Palworld servers hold at most 32 players (settable to
# a few more); 256 KiB leaves room for ~1,000 entries.
MAX_BODY_BYTES = 64 * 1024
MAX_PLAYERS_BYTES = 256 * 1024
MAX_ERROR_BYTES = 4 * 1024  # of an error answer, only this much is read

MAX_PLAYERS = 256
MAX_SETTINGS = 256
MAX_NAME = 64
MAX_TEXT = 256  # version, servername, worldguid, ids, ip, setting values
MAX_DESCRIPTION = 1024
MAX_SERVER_MESSAGE = 200
MAX_MESSAGE = 500  # announce / kick / ban / shutdown text we send
MAX_USER_ID = 128
MAX_WAITTIME = 86_400

ROUTE_NOT_FOUND = "errors.com.epicgames.httpserver.route_handler_not_found"
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]+")
_CONTROL = re.compile("[\x00-\x1f\x7f]")


# -- text and numbers ------------------------------------------------------------------------


def clean(value: Any, limit: int) -> str:
    """A server string made safe to show: printable, stripped, at most ``limit`` characters."""
    if not isinstance(value, str):
        return ""
    text = _UNPRINTABLE.sub(" ", value[: limit * 2]).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _object(body: bytes, path: str) -> dict[str, Any]:
    data = load_json(body, path, NotPalworld)
    if not isinstance(data, dict):
        raise NotPalworld(f"{path}: expected a JSON object")
    return data


# -- answers ---------------------------------------------------------------------------------


def error_for(
    path: str, status: int, body: bytes, *, secrets: Iterable[str] = ()
) -> PalworldError | None:
    """The error an answer means, or None for a 2xx. ``secrets`` are cut out of its message."""
    if 200 <= status < 300:
        return None
    if status == 401:
        return AuthRefused()
    message = server_message(body, secrets)
    if status == 404:
        hint = " (unknown route)" if ROUTE_NOT_FOUND in message else ""
        return NotPalworld(f"{path}: HTTP 404{hint}: no Palworld REST API here?")
    return PalworldRequestError(path, status, message)


def server_message(body: bytes, secrets: Iterable[str] = ()) -> str:
    """The text of an error answer: ``errorMessage`` (else ``errorCode``) of Unreal's JSON
    error, or the plain-text body; cleaned, clipped, every secret replaced by ``***``."""
    text = body[:MAX_ERROR_BYTES].decode("utf-8", errors="replace")
    try:
        data = json.loads(text, parse_constant=reject_constant)
    except (ValueError, RecursionError):
        data = None
    if isinstance(data, dict):
        text = clean(data.get("errorMessage"), MAX_ERROR_BYTES) or clean(
            data.get("errorCode"), MAX_ERROR_BYTES
        )
    # A server that echoes the password back must not put it in a log or a Discord reply.
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return clean(text, MAX_SERVER_MESSAGE)


def decode_info(body: bytes) -> PalworldInfo:
    data = _object(body, "info")
    if not isinstance(data.get("version"), str) and not isinstance(data.get("servername"), str):
        raise NotPalworld("info: neither version nor servername")
    return PalworldInfo(
        version=clean(data.get("version"), MAX_TEXT),
        servername=clean(data.get("servername"), MAX_TEXT),
        description=clean(data.get("description"), MAX_DESCRIPTION),
        worldguid=clean(data.get("worldguid"), MAX_TEXT),
    )


def decode_players(body: bytes) -> tuple[PalworldPlayer, ...]:
    """At most ``MAX_PLAYERS`` players, in the server's order."""
    raw = _object(body, "players").get("players")
    entries = player_objects(raw, MAX_PLAYERS, "players", NotPalworld)
    return tuple(_player(entry) for entry in entries)


def _player(entry: dict[str, Any]) -> PalworldPlayer:
    player_id = entry.get("playerId")
    if isinstance(player_id, int | float) and not isinstance(player_id, bool):
        # Old builds sent a (sometimes negative) number.
        number = json_int(player_id)
        player_id = None if number is None else str(number)
    return PalworldPlayer(
        name=clean(entry.get("name"), MAX_NAME),
        account_name=clean(entry.get("accountName"), MAX_NAME),
        player_id=_id(player_id),
        user_id=_id(entry.get("userId")) or "",
        ip=clean(entry.get("ip"), MAX_TEXT),
        ping=json_float(entry.get("ping")),
        location_x=json_float(entry.get("location_x")),
        location_y=json_float(entry.get("location_y")),
        level=json_int(entry.get("level")),
        building_count=json_int(entry.get("building_count")),
    )


def _id(value: Any) -> str | None:
    # An id is a key for kick/ban: too long or unprintable is dropped, never clipped.
    if not isinstance(value, str) or not value or len(value) > MAX_USER_ID:
        return None
    return value if value.isprintable() and not any(c.isspace() for c in value) else None


def decode_metrics(body: bytes) -> PalworldMetrics:
    data = _object(body, "metrics")
    current, maximum = json_int(data.get("currentplayernum")), json_int(data.get("maxplayernum"))
    if current is None or maximum is None:
        raise NotPalworld("metrics: no currentplayernum/maxplayernum")
    return PalworldMetrics(
        serverfps=json_int(data.get("serverfps")),
        currentplayernum=max(current, 0),
        serverframetime=json_float(data.get("serverframetime")),
        maxplayernum=max(maximum, 0),
        uptime=json_int(data.get("uptime")),
        days=json_int(data.get("days")),
        basecampnum=json_int(data.get("basecampnum")),
    )


def decode_settings(body: bytes) -> dict[str, SettingValue]:
    """Scalar settings only (at most ``MAX_SETTINGS``); strings cleaned and clipped."""
    settings: dict[str, SettingValue] = {}
    for key, value in _object(body, "settings").items():
        if len(settings) >= MAX_SETTINGS:
            break
        if len(key) > MAX_NAME or not key.isprintable():
            continue
        if isinstance(value, bool):
            settings[key] = value
        elif isinstance(value, int):
            if -INT_BOUND < value < INT_BOUND:
                settings[key] = value
        elif isinstance(value, float):
            if math.isfinite(value):
                settings[key] = value
        elif isinstance(value, str):
            settings[key] = clean(value, MAX_TEXT)
    return settings


# -- requests --------------------------------------------------------------------------------


def _body(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, ensure_ascii=False).encode("utf-8")


def check_message(message: str, *, required: bool) -> str:
    if not isinstance(message, str):
        raise InvalidArgument("message must be text")
    if required and not message.strip():
        raise InvalidArgument("message is empty")
    if len(message) > MAX_MESSAGE:
        raise InvalidArgument(f"message is longer than {MAX_MESSAGE} characters")
    if _CONTROL.search(message) or any("\ud800" <= c <= "\udfff" for c in message):
        raise InvalidArgument("message holds control characters or line breaks")
    return message


def check_user_id(user_id: str) -> str:
    """A ``userId`` as /players lists it (``steam_7656…``): sent verbatim, never a name."""
    if _id(user_id) is None:
        raise InvalidArgument(
            f"user id must be 1-{MAX_USER_ID} printable characters without spaces"
        )
    return user_id


def encode_announce(message: str) -> bytes:
    return _body({"message": check_message(message, required=True)})


def encode_kick(user_id: str, message: str = "") -> bytes:
    return _body(
        {"userid": check_user_id(user_id), "message": check_message(message, required=False)}
    )


def encode_ban(user_id: str, message: str = "") -> bytes:
    return encode_kick(user_id, message)  # the same body, another route


def encode_unban(user_id: str) -> bytes:
    return _body({"userid": check_user_id(user_id)})


def encode_shutdown(waittime: int, message: str) -> bytes:
    if isinstance(waittime, bool) or not isinstance(waittime, int):
        raise InvalidArgument("waittime must be whole seconds")
    if not 0 <= waittime <= MAX_WAITTIME:
        raise InvalidArgument(f"waittime must be 0-{MAX_WAITTIME} seconds")
    return _body({"waittime": waittime, "message": check_message(message, required=False)})
