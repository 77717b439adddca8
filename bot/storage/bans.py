"""The guild ban list (``bans``, ``ban_identifiers``, ``ban_targets``): who is banned, by which
identifiers, until when, and each server's own state of the ban.

A ban is active while it is neither lifted nor past ``expires_at``; lifting is claimed with one
conditional UPDATE, so two processes never lift (or announce) the same ban twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.storage.database import Database, Row
from bot.storage.players import Identifier
from bot.storage.rows import RowReader
from bot.storage.sql import marks

MAX_LABEL = 128
MAX_BAN_REASON = 200
MAX_DETAIL = 300
TARGET_STATES = ("pending", "applied", "failed", "kick", "lifting", "lifted", "cancelled")
# States the retry loop works on: the ban to send, or its unban.
RETRIED = ("pending", "failed", "lifting")


@dataclass(frozen=True, slots=True)
class Ban:
    id: int
    guild_id: int
    player_id: int | None
    label: str
    reason: str
    created_at: float
    created_by: int
    created_by_name: str
    expires_at: float | None  # None: permanent
    all_servers: bool
    lifted_at: float | None
    lifted_by: int | None
    lift_reason: str | None  # "expired" or "removed"
    identifiers: tuple[Identifier, ...] = ()

    def active(self, now: float) -> bool:
        return self.lifted_at is None and (self.expires_at is None or self.expires_at > now)


@dataclass(frozen=True, slots=True)
class BanTarget:
    ban_id: int
    server_id: int
    state: str  # one of TARGET_STATES
    detail: str
    attempts: int
    next_try: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class NewBan:
    guild_id: int
    label: str
    reason: str
    identifiers: tuple[Identifier, ...]
    created_at: float
    created_by: int
    created_by_name: str
    expires_at: float | None = None
    player_id: int | None = None
    all_servers: bool = True


# A ban's identifiers live in their own table: read apart, then given to the ban (see _bans).
_ban = RowReader(Ban, unread=("identifiers",))
_target = RowReader(BanTarget)


class BanRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, ban: NewBan, server_ids: Sequence[int]) -> Ban:
        """Record ``ban`` with a pending target on each of ``server_ids``."""
        if not ban.identifiers:
            raise ValueError("a ban needs at least one identifier")
        async with self._db.transaction() as tx:
            ban_id = int(
                await tx.fetch_val(
                    "INSERT INTO bans (guild_id, player_id, label, reason, created_at, "
                    "created_by, created_by_name, expires_at, all_servers) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (
                        ban.guild_id,
                        ban.player_id,
                        ban.label[:MAX_LABEL],
                        ban.reason[:MAX_BAN_REASON],
                        ban.created_at,
                        ban.created_by,
                        ban.created_by_name[:100],
                        ban.expires_at,
                        1 if ban.all_servers else 0,
                    ),
                )
            )
            await tx.execute_many(
                "INSERT INTO ban_identifiers (ban_id, guild_id, kind, value) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [(ban_id, ban.guild_id, i.kind, i.value[:128]) for i in ban.identifiers],
            )
            await tx.execute_many(
                "INSERT INTO ban_targets (ban_id, server_id, state, updated_at) "
                "VALUES (?, ?, 'pending', ?)",
                [(ban_id, sid, ban.created_at) for sid in dict.fromkeys(server_ids)],
            )
        found = await self.get(ban_id)
        assert found is not None  # just written
        return found

    async def _identifiers(self, ban_ids: Sequence[int]) -> dict[int, tuple[Identifier, ...]]:
        if not ban_ids:
            return {}
        rows = await self._db.fetch_all(
            f"SELECT ban_id, kind, value FROM ban_identifiers WHERE ban_id IN ({marks(ban_ids)}) "
            "ORDER BY ban_id, kind, value",
            tuple(ban_ids),
        )
        found: dict[int, list[Identifier]] = {}
        for r in rows:
            found.setdefault(int(r[0]), []).append(Identifier(str(r[1]), str(r[2])))
        return {k: tuple(v) for k, v in found.items()}

    async def _bans(self, rows: Sequence[Row]) -> list[Ban]:
        bans = [_ban(r) for r in rows]
        idents = await self._identifiers([b.id for b in bans])
        return [replace(b, identifiers=idents.get(b.id, ())) for b in bans]

    async def get(self, ban_id: int) -> Ban | None:
        row = await self._db.fetch_one(f"SELECT {_ban.columns} FROM bans WHERE id = ?", (ban_id,))
        return None if row is None else (await self._bans([row]))[0]

    async def listed(
        self, guild_id: int, now: float, *, active: bool = True, limit: int = 25, offset: int = 0
    ) -> list[Ban]:
        """The guild's active bans (or the lifted and expired ones), newest first."""
        if active:
            where = "lifted_at IS NULL AND (expires_at IS NULL OR expires_at > ?)"
        else:
            where = "(lifted_at IS NOT NULL OR expires_at <= ?)"
        rows = await self._db.fetch_all(
            f"SELECT {_ban.columns} FROM bans WHERE guild_id = ? AND {where} "
            "ORDER BY id DESC LIMIT ? OFFSET ?",
            (guild_id, now, limit, offset),
        )
        return await self._bans(rows)

    async def count_active(self, guild_id: int, now: float) -> int:
        return int(
            await self._db.fetch_val(
                "SELECT COUNT(*) FROM bans WHERE guild_id = ? AND lifted_at IS NULL "
                "AND (expires_at IS NULL OR expires_at > ?)",
                (guild_id, now),
            )
        )

    async def matching(
        self, guild_id: int, identifiers: Sequence[Identifier], now: float
    ) -> list[Ban]:
        """The guild's active bans that name one of ``identifiers``, oldest first."""
        if not identifiers:
            return []
        pairs = " OR ".join("(i.kind = ? AND i.value = ?)" for _ in identifiers)
        params: list[object] = [guild_id]
        for ident in identifiers:
            params += [ident.kind, ident.value]
        rows = await self._db.fetch_all(
            f"SELECT {_ban.columns} FROM bans WHERE id IN (SELECT i.ban_id FROM ban_identifiers i "
            f"WHERE i.guild_id = ? AND ({pairs})) AND lifted_at IS NULL "
            "AND (expires_at IS NULL OR expires_at > ?) ORDER BY id",
            (*params, now),
        )
        return await self._bans(rows)

    async def of_player(self, player_id: int, limit: int = 10) -> list[Ban]:
        """Bans of the player record (by record or by any of its identifiers), newest first."""
        rows = await self._db.fetch_all(
            f"SELECT {_ban.columns} FROM bans WHERE player_id = ? OR id IN (SELECT i.ban_id "
            "FROM ban_identifiers i JOIN player_identifiers p ON p.guild_id = i.guild_id "
            "AND p.kind = i.kind AND p.value = i.value WHERE p.player_id = ? "
            "AND i.kind <> 'name') ORDER BY id DESC LIMIT ?",
            (player_id, player_id, limit),
        )
        return await self._bans(rows)

    # -- per-server state ---------------------------------------------------------------------

    async def targets(self, ban_id: int) -> list[BanTarget]:
        return await _target.fetch_all(
            self._db,
            f"SELECT {_target.columns} FROM ban_targets WHERE ban_id = ? ORDER BY server_id",
            (ban_id,),
        )

    async def set_target(
        self,
        ban_id: int,
        server_id: int,
        state: str,
        at: float,
        *,
        detail: str = "",
        next_try: float = 0.0,
        attempts: int | None = None,
        only_from: Sequence[str] = (),
    ) -> bool:
        """Move one target to ``state``; with ``only_from``, only out of those states (a lift
        that came meanwhile is not overwritten by the end of an apply). Whether it moved."""
        if state not in TARGET_STATES:
            raise ValueError(f"unknown ban target state {state!r}")
        where, params = "", tuple[str, ...]()
        if only_from:
            where, params = f" AND state IN ({marks(only_from)})", tuple(only_from)
        count = "attempts + 1" if attempts is None else str(int(attempts))
        changed = await self._db.execute(
            f"UPDATE ban_targets SET state = ?, detail = ?, next_try = ?, updated_at = ?, "
            f"attempts = {count} WHERE ban_id = ? AND server_id = ?{where}",
            (state, detail[:MAX_DETAIL], next_try, at, ban_id, server_id, *params),
        )
        return changed > 0

    async def due(self, now: float, limit: int = 100) -> list[BanTarget]:
        """Targets whose ban or unban is to be sent now, longest waiting first."""
        return await _target.fetch_all(
            self._db,
            f"SELECT {_target.columns} FROM ban_targets WHERE state IN ({marks(RETRIED)}) "
            "AND next_try <= ? ORDER BY next_try, ban_id LIMIT ?",
            (*RETRIED, now, limit),
        )

    async def next_due(self) -> float | None:
        """When the next retried target is due (None: none waits)."""
        value = await self._db.fetch_val(
            f"SELECT MIN(next_try) FROM ban_targets WHERE state IN ({marks(RETRIED)})", RETRIED
        )
        return None if value is None else float(value)

    async def add_new_servers(self, at: float) -> int:
        """Give every active all-servers ban a pending target on servers of its guild added
        since (or given a console password since); how many were added."""
        return await self._db.execute(
            "INSERT INTO ban_targets (ban_id, server_id, state, updated_at) "
            "SELECT b.id, s.id, 'pending', ? FROM bans b JOIN servers s ON s.guild_id = b.guild_id "
            "WHERE b.all_servers = 1 AND b.lifted_at IS NULL AND (b.expires_at IS NULL OR "
            "b.expires_at > ?) AND s.rcon_password IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
            "ban_targets t WHERE t.ban_id = b.id AND t.server_id = s.id)",
            (at, at),
        )

    # -- lifting ------------------------------------------------------------------------------

    async def expired(self, now: float, limit: int = 100) -> list[Ban]:
        rows = await self._db.fetch_all(
            f"SELECT {_ban.columns} FROM bans WHERE lifted_at IS NULL AND expires_at IS NOT NULL "
            "AND expires_at <= ? ORDER BY expires_at LIMIT ?",
            (now, limit),
        )
        return await self._bans(rows)

    async def next_expiry(self) -> float | None:
        value = await self._db.fetch_val(
            "SELECT MIN(expires_at) FROM bans WHERE lifted_at IS NULL AND expires_at IS NOT NULL"
        )
        return None if value is None else float(value)

    async def lift(self, ban_id: int, at: float, by: int | None, reason: str) -> bool:
        """Mark the ban lifted; False when it already was (by another process, or before)."""
        changed = await self._db.execute(
            "UPDATE bans SET lifted_at = ?, lifted_by = ?, lift_reason = ? "
            "WHERE id = ? AND lifted_at IS NULL",
            (at, by, reason, ban_id),
        )
        return changed > 0

    async def active_guilds(self, now: float) -> list[int]:
        rows = await self._db.fetch_all(
            "SELECT DISTINCT guild_id FROM bans WHERE lifted_at IS NULL "
            "AND (expires_at IS NULL OR expires_at > ?)",
            (now,),
        )
        return [int(r[0]) for r in rows]
