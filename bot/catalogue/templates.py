"""The typed console actions and their command templates: which placeholders each action may
use, and how a template is filled (``{name}``, ``{name|default}``, optional ``[...]`` parts)."""

from __future__ import annotations

import re
from collections.abc import Mapping

# The typed actions and the placeholders each one's template may use.
# id: the slot number; uid: the player's SteamID/GUID/EOS id; handle: what the console's own
# list calls the player (a name, an entity id, a userId); limit: the ban length in minutes, a
# decade for permanent (consoles without permanent bans); length: Squad's form ("0" permanent,
# else "<minutes>m"). A template that leaves out ``seconds``
# or ``message`` of a shutdown tells the planner that console has no countdown or message.
ACTION_FIELDS: dict[str, frozenset[str]] = {
    "players": frozenset(),
    "kick": frozenset({"id", "uid", "handle", "reason"}),
    "ban": frozenset({"id", "uid", "handle", "minutes", "limit", "length", "reason"}),
    # BattlEye: the ban by GUID, used when the player's GUID is known.
    "ban_guid": frozenset({"id", "guid", "minutes", "reason"}),
    "unban": frozenset({"ban"}),
    "bans": frozenset(),
    "say": frozenset({"message"}),
    "whisper": frozenset({"id", "uid", "handle", "message"}),
    # Server lifecycle: seconds is the countdown (0: now), message what players are told.
    "save": frozenset(),
    "shutdown": frozenset({"seconds", "message"}),
    # A player name as the console's whitelist takes it (validated per console before use).
    "whitelist_add": frozenset({"name"}),
    "whitelist_remove": frozenset({"name"}),
    # Minecraft's ban-ip: a player name or an address.
    "ban_ip": frozenset({"name", "reason"}),
    # The guild ban list's bans of a player who need not be online, by identifier: steam
    # (SteamID64), steam2 (STEAM_0:Y:Z), guid (BattlEye, also derived from the SteamID), eos,
    # name (a Minecraft name). A template needing an identifier the ban lacks is not sent:
    # the ban is then enforced by a kick on join.
    "ban_offline": frozenset(
        {"steam", "steam2", "guid", "eos", "name", "minutes", "limit", "length", "reason"}
    ),
    # ban: the ban's number on consoles that lift by number (read from the "bans" answer).
    "unban_offline": frozenset({"steam", "steam2", "guid", "eos", "name", "ban"}),
}
# The actions behind /rcon (the others serve the ban list and the BattlEye GUID ban).
ACTIONS = tuple(a for a in ACTION_FIELDS if a not in ("ban_guid", "ban_offline", "unban_offline"))
_PLACEHOLDER = re.compile(r"\{(?P<name>[a-z][a-z0-9]*)(?:\|(?P<default>[^{}\[\]]*))?\}")
_OPTIONAL = re.compile(r"\[(?P<body>[^\[\]]*)\]")


def render(template: str, values: Mapping[str, str]) -> str:
    """``template`` filled: ``{name}`` or ``{name|default}``; a ``[...]`` part is dropped when a
    placeholder inside it is empty (``kickid {id}[ "{reason}"]``)."""

    def fill(text: str) -> str:
        def one(m: re.Match[str]) -> str:
            return values.get(m["name"], "") or (m["default"] or "")

        return _PLACEHOLDER.sub(one, text)

    def optional(m: re.Match[str]) -> str:
        body = m["body"]
        empty = any(
            not (values.get(p["name"], "") or p["default"]) for p in _PLACEHOLDER.finditer(body)
        )
        return "" if empty else fill(body)

    return fill(_OPTIONAL.sub(optional, template))


def required(template: str) -> set[str]:
    """The placeholders ``template`` cannot do without (outside ``[...]``, no default)."""
    outside = _OPTIONAL.sub("", template)
    return {m["name"] for m in _PLACEHOLDER.finditer(outside) if m["default"] is None}


def fields(template: str) -> set[str]:
    """Every placeholder ``template`` uses, optional or not."""
    return {m["name"] for m in _PLACEHOLDER.finditer(template)}
