"""``/player lookup``: when a player was last seen, where and for how long (pure rendering)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.i18n import ENGLISH, t
from bot.rendering.text import duration, escape, relative
from bot.services.feed import ids as player_ids
from bot.storage.events import Session

MAX_SHOWN = 10
MAX_IDS_SHOWN = 3  # per kind: a player renamed or seen from several accounts


@dataclass(frozen=True, slots=True)
class Seen:
    name: str
    online_on: tuple[str, ...]  # servers the player is on now
    last_seen: float  # now when online
    last_server: str
    last_stay: float  # seconds of the latest session
    total: float  # seconds over the sessions found
    sessions: int


def summarise(
    sessions: Sequence[Session], server_names: Mapping[int, str], now: float
) -> Seen | None:
    """Sessions newest first (as the repository returns them) -> the summary, or None."""
    if not sessions:
        return None
    latest = sessions[0]
    online = tuple(
        dict.fromkeys(server_names.get(s.server_id, "?") for s in sessions if s.left_at is None)
    )

    def end(s: Session) -> float:
        return now if s.left_at is None else s.left_at

    last = max(sessions, key=end)
    return Seen(
        name=latest.player,
        online_on=online,
        last_seen=now if online else end(last),
        last_server=server_names.get(last.server_id, "?"),
        last_stay=max(0.0, end(last) - last.joined_at),
        total=sum(max(0.0, end(s) - s.joined_at) for s in sessions),
        sessions=len(sessions),
    )


def describe(seen: Seen, language: str = ENGLISH) -> str:
    name = f"**{escape(seen.name)}**"
    stay = duration(seen.last_stay, language)
    if seen.online_on:
        where = ", ".join(f"**{escape(n)}**" for n in seen.online_on)
        head = t(language, "players.online_now", name=name, where=where, duration=stay)
    else:
        head = t(
            language,
            "players.last_seen",
            name=name,
            server=escape(seen.last_server),
            relative=relative(seen.last_seen),
            duration=stay,
        )
    total = t(
        language,
        "players.sessions_total",
        count=seen.sessions,
        duration=duration(seen.total, language),
    )
    return f"{head}\n{total}"


def history_lines(
    sessions: Sequence[Session],
    server_names: Mapping[int, str],
    now: float,
    language: str = ENGLISH,
) -> list[str]:
    lines = []
    for s in sessions[:MAX_SHOWN]:
        end = now if s.left_at is None else s.left_at
        state = f" {t(language, 'players.online_tag')}" if s.left_at is None else ""
        approx = " ≈" if s.source == "a2s" else ""
        lines.append(
            f"**{escape(server_names.get(s.server_id, '?'))}** · <t:{int(s.joined_at)}:f> · "
            f"{duration(end - s.joined_at, language)}{state}{approx}"
        )
    return lines


def _distinct(values: Sequence[str | None]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))[:MAX_IDS_SHOWN]


def id_lines(sessions: Sequence[Session]) -> list[str]:
    """The ids known for the player (newest first), each validated again before it is shown:
    a SteamID64 as a link to its Steam Community profile (a link built here, from digits)."""
    lines = []
    for steam in _distinct([s.ids.steam_id for s in sessions]):
        profile = player_ids.steam_profile(steam)
        if profile:
            lines.append(f"SteamID: [{steam}]({profile})")
    for eos in _distinct([s.ids.eos_id for s in sessions]):
        if player_ids.eos_id(eos) == eos:
            lines.append(f"EOS id: `{eos}`")
    for uuid in _distinct([s.ids.mc_uuid for s in sessions]):
        if player_ids.mc_uuid(uuid) == uuid:
            lines.append(f"Minecraft UUID: `{uuid}`")
    for guid in _distinct([(s.guid or "").lower() for s in sessions]):
        if len(guid) == 32 and all(c in "0123456789abcdef" for c in guid):
            lines.append(f"BattlEye GUID: `{guid}`")
    return lines
