"""``/player info``: a player record as text (pure rendering, no discord import): who the
player is (identifiers, names), where and how long they played, notes, kicks and bans."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from bot.i18n import ENGLISH, t
from bot.rendering.text import clip, duration, escape
from bot.services.feed import ids as player_ids
from bot.storage.events import Event, Session
from bot.storage.players import Identifier, Note, PlayerRecord

MAX_NAMES = 10
MAX_SERVERS = 10
_LABELS = {
    "steam": "SteamID",
    "guid": "BattlEye GUID",
    "eos": "EOS id",
    "mc_uuid": "Minecraft UUID",
}


def _end(session: Session, now: float) -> float:
    return now if session.left_at is None else session.left_at


def summary(
    record: PlayerRecord,
    sessions: Sequence[Session],
    server_names: Mapping[int, str],
    now: float,
    language: str = ENGLISH,
) -> str:
    online = sorted({server_names.get(s.server_id, "?") for s in sessions if s.left_at is None})
    total = sum(max(0.0, _end(s, now) - s.joined_at) for s in sessions)
    servers = len({s.server_id for s in sessions})
    first, last = int(record.first_seen), int(record.last_seen)
    lines = [
        t(language, "players.seen", first=f"<t:{first}:f>", last=f"<t:{last}:R>"),
        t(
            language,
            "players.played",
            duration=duration(total, language),
            sessions=t(language, "players.sessions", count=len(sessions)),
            servers=t(language, "players.servers", count=servers),
        ),
    ]
    if online:
        where = ", ".join(f"**{escape(n)}**" for n in online)
        lines.insert(0, t(language, "players.online_on", where=where))
    return "\n".join(lines)


def identifier_lines(identifiers: Sequence[Identifier]) -> list[str]:
    """Each strong id, checked again before it is shown; a SteamID64 as its Steam profile
    link (built here, from digits)."""
    lines = []
    for ident in identifiers:
        label = _LABELS.get(ident.kind)
        if label is None:
            continue  # a name: shown under Names
        if ident.kind == "steam":
            profile = player_ids.steam_profile(ident.value)
            if profile:
                lines.append(f"{label}: [{ident.value}]({profile})")
        elif all(c in "0123456789abcdef-" for c in ident.value):
            lines.append(f"{label}: `{ident.value}`")
    return lines


def name_lines(record: PlayerRecord) -> list[str]:
    return [
        f"{clip(escape(n.name), 64)} · <t:{int(n.last_seen)}:R>" for n in record.names[:MAX_NAMES]
    ]


def server_lines(
    sessions: Sequence[Session],
    server_names: Mapping[int, str],
    now: float,
    language: str = ENGLISH,
) -> list[str]:
    """Per server: sessions and play time, most played first."""
    time_on: dict[int, float] = defaultdict(float)
    count: dict[int, int] = defaultdict(int)
    for s in sessions:
        time_on[s.server_id] += max(0.0, _end(s, now) - s.joined_at)
        count[s.server_id] += 1
    ordered = sorted(time_on, key=lambda sid: -time_on[sid])[:MAX_SERVERS]
    return [
        t(
            language,
            "players.server_line",
            server=escape(server_names.get(sid, "?")),
            duration=duration(time_on[sid], language),
            sessions=t(language, "players.sessions", count=count[sid]),
        )
        for sid in ordered
    ]


def note_lines(notes: Sequence[Note]) -> list[str]:
    return [f"<t:{int(n.at)}:d> <@{n.author_id}>: {clip(escape(n.text), 300)}" for n in notes]


def sanction_lines(
    events: Sequence[Event], server_names: Mapping[int, str], language: str = ENGLISH
) -> list[str]:
    lines = []
    for e in events:
        key = "players.kicked_on" if e.kind == "kick" else "players.banned_on"
        what = t(language, key, server=escape(server_names.get(e.server_id, "?")))
        reason = f": {clip(escape(e.text), 120)}" if e.text else ""
        lines.append(f"<t:{int(e.at)}:d> {what}{reason}")
    return lines
