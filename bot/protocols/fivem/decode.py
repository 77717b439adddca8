"""Sans-IO decoders of FXServer's HTTP bodies: bytes in, typed values or :class:`NotFiveM` out.

Any byte string gives a value or ``NotFiveM``; the transport bounds the body before it gets
here (``MAX_*_BYTES``). Types are checked, not trusted: a field of the wrong type takes its
default, a body of the wrong shape is ``NotFiveM``. Content-Type is not looked at (proxies
rewrite it); the JSON itself is the test.
"""

from __future__ import annotations

import base64
import binascii
import math
from typing import Any

from bot.protocols.fivem.errors import NotFiveM
from bot.protocols.fivem.models import FiveMDynamic, FiveMInfo, FiveMPlayer
from bot.protocols.fivem.text import display, printable
from bot.protocols.json_body import load_json, player_objects

# Body bounds, enforced while reading. info.json holds the icon (96x96 PNG, base64) and the
# resource list; players.json ~300 bytes a player at OneSync's 2048 slots.
MAX_INFO_BYTES = 512 * 1024
MAX_DYNAMIC_BYTES = 16 * 1024
MAX_PLAYERS_BYTES = 2 * 1024 * 1024

MAX_PLAYERS = 2048
MAX_IDENTIFIERS = 16
MAX_RESOURCES = 2048
MAX_VARS = 256
MAX_NAME = 64
MAX_HOSTNAME = 256
MAX_TEXT = 128  # gametype, mapname, server version, endpoint, identifiers, resource names
MAX_VAR_KEY = 64
MAX_VAR_VALUE = 512
MAX_ICON_BYTES = 64 * 1024
_MAX_INT = 2**63

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_DATA_URL = "data:image/png;base64,"


def as_int(value: Any) -> int | None:
    """A JSON number or a decimal string as an int; anything else (bools included) None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if -_MAX_INT < value < _MAX_INT else None
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] == "-" else text
        # isdigit() alone takes other scripts' digits; 18 digits stays below _MAX_INT.
        if digits.isascii() and digits.isdigit() and len(digits) <= 18:
            return int(text)
    return None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _object(data: Any, path: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise NotFiveM(f"{path}: expected a JSON object")
    return data


def decode_info(body: bytes) -> FiveMInfo:
    """``GET /info.json``."""
    data = _object(load_json(body, "info.json", NotFiveM), "info.json")
    raw_vars = data.get("vars")
    raw_resources = data.get("resources")
    if not isinstance(raw_vars, dict) and not isinstance(raw_resources, list):
        raise NotFiveM("info.json: neither vars nor resources")
    variables = _decode_vars(raw_vars if isinstance(raw_vars, dict) else {})
    resources_list = raw_resources if isinstance(raw_resources, list) else []
    resources = tuple(
        printable(name, MAX_TEXT)
        for name in resources_list[:MAX_RESOURCES]
        if isinstance(name, str)
    )
    return FiveMInfo(
        server=printable(_str(data.get("server")), MAX_TEXT),
        version=as_int(data.get("version")),
        project_name=display(variables.get("sv_projectName", ""), MAX_HOSTNAME),
        project_desc=display(variables.get("sv_projectDesc", ""), MAX_VAR_VALUE),
        max_clients=as_int(variables.get("sv_maxClients")),
        resources=resources,
        resources_count=len(resources_list),
        vars=variables,
        enhanced_host_support=data.get("enhancedHostSupport") is True,
        icon=decode_icon(data.get("icon")),
    )


def _decode_vars(raw: dict[str, Any]) -> dict[str, str]:
    variables: dict[str, str] = {}
    for key, value in raw.items():
        if len(variables) >= MAX_VARS:
            break
        if len(key) > MAX_VAR_KEY:
            continue  # a clipped key would be a wrong name
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, str | int | float):
            text = str(value)
        else:
            continue  # nested values are not convars
        variables[printable(key, MAX_VAR_KEY)] = printable(text, MAX_VAR_VALUE)
    return variables


def decode_icon(value: Any) -> bytes | None:
    """The server icon (base64 PNG) decoded; None when absent, over the bound or not a PNG."""
    if not isinstance(value, str):
        return None
    if value.startswith(_DATA_URL):
        value = value[len(_DATA_URL) :]
    # Checked before decoding, so an oversized icon costs nothing.
    if len(value) > (MAX_ICON_BYTES + 2) // 3 * 4 or not value.isascii():
        return None
    try:
        icon = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return icon if icon.startswith(PNG_SIGNATURE) else None


def decode_dynamic(body: bytes) -> FiveMDynamic:
    """``GET /dynamic.json``; every value but ``clients`` is a convar string."""
    data = _object(load_json(body, "dynamic.json", NotFiveM), "dynamic.json")
    clients = as_int(data.get("clients"))
    if clients is None and "hostname" not in data:
        raise NotFiveM("dynamic.json: neither clients nor hostname")
    return build_dynamic(
        hostname=_str(data.get("hostname")),
        gametype=_str(data.get("gametype")),
        mapname=_str(data.get("mapname")),
        clients=clients,
        max_clients=as_int(data.get("sv_maxclients")),
        info_version=as_int(data.get("iv")),
    )


def build_dynamic(
    *,
    hostname: str,
    gametype: str,
    mapname: str,
    clients: int | None,
    max_clients: int | None,
    info_version: int | None,
) -> FiveMDynamic:
    """Shared by dynamic.json and the UDP ``getinfo`` answer, which carry the same fields."""
    return FiveMDynamic(
        hostname=display(hostname, MAX_HOSTNAME),
        raw_hostname=printable(hostname, MAX_HOSTNAME),
        gametype=display(gametype, MAX_TEXT),
        mapname=display(mapname, MAX_TEXT),
        clients=max(clients or 0, 0),
        max_clients=max_clients if max_clients is None or max_clients >= 0 else None,
        info_version=info_version,
    )


def decode_players(body: bytes) -> tuple[FiveMPlayer, ...]:
    """``GET /players.json``: at most ``MAX_PLAYERS`` players, in the server's order."""
    data = load_json(body, "players.json", NotFiveM)
    entries = player_objects(data, MAX_PLAYERS, "players.json", NotFiveM)
    return tuple(_player(entry) for entry in entries)


def _player(entry: dict[str, Any]) -> FiveMPlayer:
    raw_ids = entry.get("identifiers")
    ids = raw_ids[:MAX_IDENTIFIERS] if isinstance(raw_ids, list) else []
    player_id = as_int(entry.get("id"))
    ping = as_int(entry.get("ping"))
    return FiveMPlayer(
        name=display(_str(entry.get("name")), MAX_NAME),
        id=-1 if player_id is None else player_id,
        ping=-1 if ping is None or ping < 0 else min(ping, 999_999),
        identifiers=tuple(_identifiers(ids)),
        endpoint=printable(_str(entry.get("endpoint")), MAX_TEXT),
    )


def _identifiers(raw: list[Any]) -> list[str]:
    # An identifier is a key (license:…, steam:…): one too long or with control characters
    # is dropped, not clipped or repaired into a different key.
    return [
        entry
        for entry in raw
        if isinstance(entry, str) and len(entry) <= MAX_TEXT and entry.isprintable()
    ]
