"""Player lists laid out in columns: inline embed fields side by side use the embed's width
where one tall column would not. Sorted by time connected (or score), cut with "and N more"."""

from __future__ import annotations

import enum
from collections.abc import Sequence

from bot.i18n import ENGLISH, t
from bot.rendering.text import clip, duration, escape, more_line
from bot.snapshots import PlayerInfo

MAX_FIELD_VALUE = 1024
# Discord shows three inline fields a row (two beside a thumbnail); a longer name wraps there.
COLUMN_NAME_WIDTH = 24
MORE_RESERVE = 24  # room for "… and 255 more"
MIN_PER_COLUMN = 6  # a short list stays one column: two names side by side read as a row


class PlayerSort(enum.Enum):
    TIME = "time"  # longest connected first
    SCORE = "score"  # highest score first


def sorted_players(players: Sequence[PlayerInfo], sort: PlayerSort) -> list[PlayerInfo]:
    if sort is PlayerSort.SCORE:
        return sorted(players, key=lambda p: (-p.score, -p.duration, p.name.casefold()))
    return sorted(players, key=lambda p: (-p.duration, p.name.casefold()))


def player_line(
    player: PlayerInfo,
    sort: PlayerSort,
    *,
    width: int = COLUMN_NAME_WIDTH,
    language: str = ENGLISH,
) -> str:
    """``**name** · 1h 05m`` (or ``· 31`` by score); only the name where the server gives
    neither time nor score (BattlEye names)."""
    name = clip(escape(player.name), width)
    # A slot whose name the server does not give yet: "(connecting)" in the language.
    shown = f"**{name}**" if name else f"*{t(language, 'misc.connecting')}*"
    if sort is PlayerSort.SCORE and (player.score or player.duration):
        return f"{shown} · {player.score}"
    if player.duration:
        return f"{shown} · {duration(player.duration, language)}"
    return shown


def player_columns(
    players: Sequence[PlayerInfo],
    *,
    columns: int = 3,
    budget: int = 3000,
    sort: PlayerSort = PlayerSort.TIME,
    language: str = ENGLISH,
) -> list[str]:
    """Field values (at most ``columns``) holding the sorted players top to bottom, then left
    to right, in about equal heights; the last says "… and N more" for those that did not fit
    in ``budget`` characters. Empty when there are no players."""
    lines = [player_line(p, sort, language=language) for p in sorted_players(players, sort)]
    if not lines:
        return []
    per_value = min(MAX_FIELD_VALUE, budget // columns) - MORE_RESERVE
    # Fill at most ``columns`` values; the first pass finds how many lines fit at all.
    greedy: list[list[str]] = [[] for _ in range(columns)]
    used = [0] * columns
    column = 0
    for line in lines:
        while column < columns and used[column] + len(line) + 1 > per_value:
            column += 1
        if column == columns:
            break
        used[column] += len(line) + 1
        greedy[column].append(line)
    fitting = [line for group in greedy for line in group]
    hidden = len(lines) - len(fitting)
    # Spread what fits evenly (columns of equal heights read as a table) unless uneven line
    # lengths would overfill one: then keep the greedy columns.
    wanted = min(columns, -(-len(fitting) // MIN_PER_COLUMN))
    height = -(-len(fitting) // wanted)
    values = ["\n".join(fitting[i : i + height]) for i in range(0, len(fitting), height)]
    if any(len(v) > per_value for v in values):
        values = ["\n".join(group) for group in greedy if group]
    if hidden:
        values[-1] += "\n" + more_line(hidden, language)
    return values
