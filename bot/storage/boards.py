"""Status boards (``boards``) and the Discord messages that show them (``board_messages``).

Every query that takes a guild id is scoped by it; the board updater, which serves every guild,
works by board id.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.database import Row
from bot.storage.guild_rows import GuildRows
from bot.storage.rows import RowReader


@dataclass(frozen=True, slots=True)
class Board:
    id: int
    guild_id: int
    channel_id: int
    server_ids: tuple[int, ...]  # empty: every server of the guild
    paused: str | None  # why the board is paused, or None
    style: str = "compact"  # "compact" or "detailed"


@dataclass(frozen=True, slots=True)
class BoardMessage:
    board_id: int
    position: int
    message_id: int
    digest: str


def _server_ids(row: Row) -> tuple[int, ...]:
    """The ``server_ids`` column: a JSON list of ids."""
    return tuple(int(i) for i in json.loads(row["server_ids"]))


_board = RowReader(Board, derived={"server_ids": _server_ids})
_message = RowReader(BoardMessage)


class BoardRepository(GuildRows[Board]):
    _TABLE = "boards"
    _READ = _board

    async def upsert(
        self,
        guild_id: int,
        channel_id: int,
        server_ids: Sequence[int],
        created_by: int,
        *,
        style: str = "compact",
        limit: int | None = None,
    ) -> Board:
        """Create the channel's board, or replace its server list and style (and resume it).
        QuotaExceededError when that would make more than ``limit`` boards in the guild."""
        return await self._upsert(
            guild_id=guild_id,
            limit=limit,
            what="status boards",
            exists=("guild_id = ? AND channel_id = ?", (guild_id, channel_id)),
            write=(
                "INSERT INTO boards (guild_id, channel_id, server_ids, created_by, style) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, channel_id) DO UPDATE SET "
                "server_ids = excluded.server_ids, style = excluded.style, paused = NULL "
                f"RETURNING {_board.columns}",
                (guild_id, channel_id, json.dumps(list(server_ids)), created_by, style),
            ),
        )

    async def get(self, board_id: int) -> Board | None:
        return await _board.fetch_one(
            self._db, f"SELECT {_board.columns} FROM boards WHERE id = ?", (board_id,)
        )

    async def in_channel(self, guild_id: int, channel_id: int) -> Board | None:
        return await _board.fetch_one(
            self._db,
            f"SELECT {_board.columns} FROM boards WHERE guild_id = ? AND channel_id = ?",
            (guild_id, channel_id),
        )

    async def remove(self, guild_id: int, channel_id: int) -> list[int]:
        """Delete the channel's board; returns the ids of its messages (to delete them)."""
        board = await self.in_channel(guild_id, channel_id)
        if board is None:
            return []
        ids = [m.message_id for m in await self.messages(board.id)]
        await self._db.execute("DELETE FROM boards WHERE id = ?", (board.id,))
        return ids

    async def set_paused(self, board_id: int, reason: str | None) -> None:
        await self._db.execute("UPDATE boards SET paused = ? WHERE id = ?", (reason, board_id))

    async def messages(self, board_id: int) -> list[BoardMessage]:
        return await _message.fetch_all(
            self._db,
            "SELECT board_id, position, message_id, digest FROM board_messages "
            "WHERE board_id = ? ORDER BY position",
            (board_id,),
        )

    async def set_message(self, board_id: int, position: int, message_id: int, digest: str) -> None:
        await self._db.execute(
            "INSERT INTO board_messages (board_id, position, message_id, digest) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (board_id, position) DO UPDATE SET "
            "message_id = excluded.message_id, digest = excluded.digest",
            (board_id, position, message_id, digest),
        )

    async def forget_message(self, message_id: int) -> bool:
        """Drop the record of a deleted message; True when it was a board message."""
        return (
            await self._db.execute("DELETE FROM board_messages WHERE message_id = ?", (message_id,))
            > 0
        )

    async def drop_messages_from(self, board_id: int, position: int) -> None:
        """Forget messages at ``position`` and after (the board got shorter)."""
        await self._db.execute(
            "DELETE FROM board_messages WHERE board_id = ? AND position >= ?",
            (board_id, position),
        )
