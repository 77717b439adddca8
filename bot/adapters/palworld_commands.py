"""The small console language Outpost speaks to Palworld's REST API.

``/rcon exec`` and the catalogue's typed actions send text commands to every console; Palworld's
REST API has endpoints instead. :func:`parse_command` validates one line of that language
(:data:`COMMANDS`) before anything is sent (userIds by their shape, messages bounded, no control
characters), :func:`run_command` maps it onto :class:`~bot.protocols.palworld.PalworldClient`
calls, and the ``*_text`` functions say the answers as short text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.adapters.admin import ConsolePlayer
from bot.adapters.admin_errors import RconInvalidInput
from bot.protocols import palworld as pw
from bot.protocols.palworld import codec

MAX_COMMAND = 1024  # characters of one console command (a message is at most 500)
MAX_PING_MS = 999_999

# A userId as /players lists it since crossplay (notes 6): a platform prefix, "_", an id
# (steam_76561197999054170, ps5_4591469878499095569; Xbox and Mac ids are not documented, so
# the shape is kept general). Nothing else reaches a request body.
USER_ID = re.compile(r"[A-Za-z][A-Za-z0-9]{0,15}_[A-Za-z0-9]{1,64}")
STEAM_USER_ID = re.compile(r"steam_([0-9]{17})")  # SteamID64: 17 digits
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

COMMANDS = (
    "players",
    "kick <userId> [message]",
    "ban <userId> [message]",
    "unban <userId>",
    "announce <message>",
    "broadcast <message>",
    "save",
    "shutdown <seconds> <message>",
    "stop",
    "info",
    "metrics",
)
# The command lines stay as they are in every language; the sentence around them is translated.
USAGE_KEY = "consoles.palworld.commands"
USAGE_VALUES = {"commands": "; ".join(f"`{command}`" for command in COMMANDS)}
_NO_ARGUMENTS = frozenset({"players", "save", "stop", "info", "metrics"})

# -- the console language (pure) ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PalworldCommand:
    """One parsed console command; ``verb`` is canonical (``broadcast`` -> ``announce``)."""

    verb: str
    user_id: str = ""
    message: str = ""
    seconds: int = 0


def valid_user_id(value: str) -> bool:
    return USER_ID.fullmatch(value) is not None


def _user_id(verb: str, value: str) -> str:
    if not valid_user_id(value):
        raise RconInvalidInput(key="consoles.palworld.user_id", verb=verb)
    return value


def _usage(line: str) -> RconInvalidInput:
    return RconInvalidInput(key="consoles.palworld.usage", usage=line)


def _message(verb: str, value: str, *, required: bool) -> str:
    try:
        return codec.check_message(value, required=required)
    except pw.InvalidArgument as exc:
        # The detail is the codec's (English) wording, kept as a value.
        raise RconInvalidInput(
            key="consoles.palworld.bad_message", verb=verb, detail=str(exc)
        ) from None


def parse_command(text: str) -> PalworldCommand:
    """The command ``text`` names, checked to the last argument (RconInvalidInput otherwise,
    whose text never repeats the input)."""
    if len(text) > MAX_COMMAND:
        raise RconInvalidInput(key="rcon.exec.too_long", count=MAX_COMMAND)
    if _CONTROL.search(text):
        raise RconInvalidInput(key="rcon.exec.control")
    words = text.split(None, 2)
    verb = words[0].lower() if words else ""
    verb = "announce" if verb == "broadcast" else verb
    if verb in _NO_ARGUMENTS:
        if len(words) > 1:
            raise RconInvalidInput(key="consoles.palworld.no_arguments", verb=verb)
        return PalworldCommand(verb)
    if verb in ("kick", "ban"):
        if len(words) < 2:
            raise _usage(f"{verb} <userId> [message]")
        message = _message(verb, words[2].strip() if len(words) > 2 else "", required=False)
        return PalworldCommand(verb, user_id=_user_id(verb, words[1]), message=message)
    if verb == "unban":
        if len(words) != 2:
            raise _usage("unban <userId>")
        return PalworldCommand(verb, user_id=_user_id(verb, words[1]))
    if verb == "announce":
        rest = text.split(None, 1)
        if len(rest) < 2:
            raise _usage("announce <message>")
        return PalworldCommand(verb, message=_message(verb, rest[1].strip(), required=True))
    if verb == "shutdown":
        if len(words) < 3 or not words[1].isascii() or not words[1].isdigit():
            raise _usage("shutdown <seconds> <message>")
        if len(words[1]) > 6 or int(words[1]) > codec.MAX_WAITTIME:
            raise RconInvalidInput(
                key="consoles.palworld.max_wait", seconds=str(codec.MAX_WAITTIME)
            )
        message = _message(verb, words[2].strip(), required=True)
        return PalworldCommand(verb, seconds=int(words[1]), message=message)
    raise RconInvalidInput(key=USAGE_KEY, **USAGE_VALUES)


def steam_ids(user_id: str) -> tuple[tuple[str, str], ...]:
    steam = STEAM_USER_ID.fullmatch(user_id)
    return (("steam", steam[1]),) if steam else ()


def console_player(player: pw.PalworldPlayer) -> ConsolePlayer:
    ping = None if player.ping is None else max(0, min(round(player.ping), MAX_PING_MS))
    return ConsolePlayer(
        name=player.name or player.account_name,
        handle=player.user_id,
        ids=steam_ids(player.user_id),
        ping_ms=ping,
        address=player.ip,
    )


def players_text(players: Sequence[pw.PalworldPlayer]) -> str:
    lines = [f"Players online: {len(players)}"]
    for player in players:
        name = player.name or player.account_name or "?"
        lines.append(f"{player.user_id or '(logging in)'} {name}")
    return "\n".join(lines)


def info_text(info: pw.PalworldInfo) -> str:
    lines = [f"{info.servername or 'Palworld server'} ({info.version or 'version unknown'})"]
    if info.description:
        lines.append(info.description)
    if info.worldguid:
        lines.append(f"World {info.worldguid}")
    return "\n".join(lines)


def _duration(seconds: int) -> str:
    minutes, second = divmod(max(seconds, 0), 60)
    hours, minute = divmod(minutes, 60)
    days, hour = divmod(hours, 24)
    if days:
        return f"{days} d {hour} h"
    if hours:
        return f"{hours} h {minute:02d} min"
    return f"{minutes} min {second:02d} s"


def metrics_text(metrics: pw.PalworldMetrics) -> str:
    parts = [f"Players {metrics.currentplayernum}/{metrics.maxplayernum}"]
    if metrics.serverfps is not None:
        parts.append(f"{metrics.serverfps} fps")
    if metrics.serverframetime is not None:
        parts.append(f"{metrics.serverframetime:.1f} ms per frame")
    if metrics.uptime is not None:
        parts.append(f"up {_duration(metrics.uptime)}")
    if metrics.days is not None:
        parts.append(f"day {metrics.days}")
    if metrics.basecampnum is not None:
        parts.append(f"{metrics.basecampnum} base camps")
    return ", ".join(parts)


async def run_command(command: PalworldCommand, client: pw.PalworldClient) -> str:
    """One parsed command as its request(s); the short answer text."""
    verb, user_id = command.verb, command.user_id
    if verb == "players":
        return players_text(await client.players())
    if verb == "info":
        return info_text(await client.info())
    if verb == "metrics":
        return metrics_text(await client.metrics())
    if verb == "kick":
        await client.kick(user_id, command.message)
        return f"Kicked {user_id}."
    if verb == "ban":
        await client.ban(user_id, command.message)
        return f"Banned {user_id}."
    if verb == "unban":
        await client.unban(user_id)
        return f"Unbanned {user_id}."
    if verb == "announce":
        await client.announce(command.message)
        return "Announced."
    if verb == "save":
        await client.save()
        return "World saved."
    if verb == "shutdown":
        await client.shutdown(command.seconds, command.message)
        return f"Shutdown in {command.seconds} s announced."
    if verb == "stop":
        await client.stop()
        return "Stopping now, without saving."
    raise RconInvalidInput(key=USAGE_KEY, **USAGE_VALUES)  # parse_command makes only these


# -- the session -------------------------------------------------------------------------------
