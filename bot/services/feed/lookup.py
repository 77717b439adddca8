"""``/player lookup``: when a player was last seen, where and for how long (pure rendering)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.rendering.text import duration, escape, relative
from bot.storage.events import Session

MAX_SHOWN = 10


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


def describe(seen: Seen) -> str:
    name = f"**{escape(seen.name)}**"
    if seen.online_on:
        where = ", ".join(f"**{escape(n)}**" for n in seen.online_on)
        head = f"{name} is online now on {where} (for {duration(seen.last_stay)})."
    else:
        head = (
            f"{name} was last seen on **{escape(seen.last_server)}** "
            f"{relative(seen.last_seen)}, after a stay of {duration(seen.last_stay)}."
        )
    return f"{head}\n{seen.sessions} session(s) on record, {duration(seen.total)} in total."


def history_lines(
    sessions: Sequence[Session], server_names: Mapping[int, str], now: float
) -> list[str]:
    lines = []
    for s in sessions[:MAX_SHOWN]:
        end = now if s.left_at is None else s.left_at
        state = " (online)" if s.left_at is None else ""
        approx = " ≈" if s.source == "a2s" else ""
        lines.append(
            f"**{escape(server_names.get(s.server_id, '?'))}** · <t:{int(s.joined_at)}:f> · "
            f"{duration(end - s.joined_at)}{state}{approx}"
        )
    return lines
