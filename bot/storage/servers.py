"""The server registry table. Every query is scoped by guild id: no method can reach another
guild's rows, so isolation does not depend on callers remembering a filter."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.storage.database import Database
from bot.storage.errors import DuplicateServerError
from bot.storage.models import NewServer, Server, ServerChanges, name_key
from bot.storage.quota import insert_within
from bot.storage.rows import RowReader
from bot.storage.sql import escape_like, given_columns


def utc_now_text() -> str:
    """Now as the schema's timestamp text (``2024-05-01T12:00:00.123Z``), the same on both
    engines: computed here rather than with each engine's date functions."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


# Server's fields are its columns (``rcon_password``: the stored token, or NULL).
_server = RowReader(Server)


class ServerRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, server: NewServer, *, limit: int | None = None) -> Server:
        """Insert the server; QuotaExceededError when the guild already has ``limit``."""
        sql = (
            "INSERT INTO servers (guild_id, name, name_key, game, host, game_port, "
            "query_port, rcon_port, rcon_password, created_by) "
            f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {_server.columns}"
        )
        try:
            return await insert_within(
                self._db,
                guild_id=server.guild_id,
                limit=limit,
                what="servers",
                table="servers",
                exists=None,
                write=(
                    sql,
                    (
                        server.guild_id,
                        server.name.strip(),
                        name_key(server.name),
                        server.game,
                        server.host,
                        server.game_port,
                        server.query_port,
                        server.rcon_port,
                        server.rcon_password,
                        server.created_by,
                    ),
                ),
                read=_server,
            )
        except Exception as exc:
            if self._db.is_unique_violation(exc):
                raise DuplicateServerError(server.name.strip()) from None
            raise

    async def get(self, guild_id: int, name: str) -> Server | None:
        return await _server.fetch_one(
            self._db,
            f"SELECT {_server.columns} FROM servers WHERE guild_id = ? AND name_key = ?",
            (guild_id, name_key(name)),
        )

    async def for_guild(self, guild_id: int) -> list[Server]:
        return await _server.fetch_all(
            self._db,
            f"SELECT {_server.columns} FROM servers WHERE guild_id = ? ORDER BY name_key",
            (guild_id,),
        )

    async def count(self, guild_id: int) -> int:
        count = await self._db.fetch_val(
            "SELECT COUNT(*) FROM servers WHERE guild_id = ?", (guild_id,)
        )
        return int(count or 0)

    async def search_names(self, guild_id: int, text: str, limit: int = 25) -> list[str]:
        """Names for autocomplete: prefix matches first, then the ones containing ``text``."""
        key = escape_like(name_key(text))
        rows = await self._db.fetch_all(
            "SELECT name FROM servers WHERE guild_id = ? AND name_key LIKE ? ESCAPE '\\' "
            "ORDER BY CASE WHEN name_key LIKE ? ESCAPE '\\' THEN 0 ELSE 1 END, name_key "
            "LIMIT ?",
            (guild_id, f"%{key}%", f"{key}%", limit),
        )
        return [str(r[0]) for r in rows]

    async def all(self) -> list[Server]:
        """Every server of every guild (for ``python -m bot check`` and pollers)."""
        return await _server.fetch_all(
            self._db, f"SELECT {_server.columns} FROM servers ORDER BY guild_id, name_key"
        )

    async def update(self, guild_id: int, name: str, changes: ServerChanges) -> Server | None:
        """Apply ``changes`` to the named server; None when it does not exist."""
        sets: list[str] = []
        params: list[object] = []
        if changes.name is not None:
            sets += ["name = ?", "name_key = ?"]
            params += [changes.name.strip(), name_key(changes.name)]
        columns = ["game", "host", "game_port", "query_port"]
        if not changes.clear_rcon:
            columns += ["rcon_port", "rcon_password"]
        given, values = given_columns(changes, columns)
        sets += given
        params += values
        if changes.clear_rcon:
            sets += ["rcon_port = NULL", "rcon_password = NULL"]
        if not sets:
            return await self.get(guild_id, name)
        sets.append("updated_at = ?")
        params.append(utc_now_text())
        try:
            row = await self._db.fetch_one(
                f"UPDATE servers SET {', '.join(sets)} WHERE guild_id = ? AND name_key = ? "
                f"RETURNING {_server.columns}",
                (*params, guild_id, name_key(name)),
            )
        except Exception as exc:
            if self._db.is_unique_violation(exc) and changes.name is not None:
                raise DuplicateServerError(changes.name.strip()) from None
            raise
        return None if row is None else _server(row)

    async def remove(self, guild_id: int, name: str) -> bool:
        changed = await self._db.execute(
            "DELETE FROM servers WHERE guild_id = ? AND name_key = ?",
            (guild_id, name_key(name)),
        )
        return changed > 0
