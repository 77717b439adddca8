"""Player records: one per player per guild, found by the identifiers the consoles give and
merged when two of them are seen together (a BattlEye GUID line after a connect line, Rust's
player list with SteamID and name).

A name is an identifier only where nothing stronger is known (A2S player lists give names
alone): a record known by name alone joins the first record that is seen with that name and a
strong id; a name never merges two records that each have strong ids (two players may share a
name).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.storage.database import Database, Executor
from bot.storage.models import name_key
from bot.storage.rows import RowReader
from bot.storage.sql import escape_like, marks

STRONG_KINDS = ("steam", "guid", "eos", "mc_uuid")
KINDS = (*STRONG_KINDS, "name")
MAX_NAME = 128
MAX_NOTE = 1000
BACKFILL_BATCH = 500


@dataclass(frozen=True, slots=True)
class Identifier:
    kind: str  # one of KINDS
    value: str


@dataclass(frozen=True, slots=True)
class NameSeen:
    name: str
    first_seen: float
    last_seen: float


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    author_id: int
    at: float
    text: str


@dataclass(frozen=True, slots=True)
class PlayerRecord:
    id: int
    guild_id: int
    name: str
    first_seen: float
    last_seen: float
    identifiers: tuple[Identifier, ...]  # strong ones first, by kind
    names: tuple[NameSeen, ...]  # most recently seen first


_note = RowReader(Note)
_name_seen = RowReader(NameSeen)


def identifiers_of(
    name: str,
    *,
    steam: str | None = None,
    guid: str | None = None,
    eos: str | None = None,
    mc_uuid: str | None = None,
) -> list[Identifier]:
    """What one event says about who a player is (values already validated by shape)."""
    found = [
        Identifier(kind, value)
        for kind, value in (("steam", steam), ("guid", guid), ("eos", eos), ("mc_uuid", mc_uuid))
        if value
    ]
    key = name_key(name)[:MAX_NAME]
    if key:
        found.append(Identifier("name", key))
    return found


class PlayerRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        # Two-argument minimum and maximum: SQLite's scalar MIN/MAX, PostgreSQL's LEAST/GREATEST.
        sqlite = db.dialect == "sqlite"
        self._least = "MIN" if sqlite else "LEAST"
        self._greatest = "MAX" if sqlite else "GREATEST"

    async def observe(
        self, server_id: int, name: str, identifiers: Sequence[Identifier], at: float
    ) -> int | None:
        """The id of the guild's record of the player seen on ``server_id`` with ``name`` and
        ``identifiers``, created or merged as they require; None for a removed server or an
        event naming nobody."""
        if not identifiers:
            return None
        name = name[:MAX_NAME]
        async with self._db.transaction() as tx:
            guild = await tx.fetch_val("SELECT guild_id FROM servers WHERE id = ?", (server_id,))
            if guild is None:
                return None
            guild_id = int(guild)
            player_id = await self._resolve(tx, guild_id, identifiers, at, name)
            for ident in identifiers:
                await tx.execute(
                    "INSERT INTO player_identifiers (guild_id, kind, value, player_id) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, kind, value) DO NOTHING",
                    (guild_id, ident.kind, ident.value, player_id),
                )
            if name:
                await tx.execute(
                    "INSERT INTO player_names (player_id, name, name_key, first_seen, last_seen) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (player_id, name_key) DO UPDATE SET "
                    f"first_seen = {self._least}(player_names.first_seen, excluded.first_seen), "
                    f"last_seen = {self._greatest}(player_names.last_seen, excluded.last_seen)",
                    (player_id, name, name_key(name), at, at),
                )
            # Older sightings (a backfill beside live events) move first_seen back, never
            # last_seen or the name; SET reads the row as it was before the update.
            await tx.execute(
                f"UPDATE players SET first_seen = {self._least}(first_seen, ?), "
                f"name = CASE WHEN last_seen <= ? AND ? <> '' THEN ? ELSE name END, "
                f"last_seen = {self._greatest}(last_seen, ?) WHERE id = ?",
                (at, at, name, name, at, player_id),
            )
            return player_id

    async def _resolve(
        self, tx: Executor, guild_id: int, identifiers: Sequence[Identifier], at: float, name: str
    ) -> int:
        strong = [i for i in identifiers if i.kind in STRONG_KINDS]
        owners = await self._owners(tx, guild_id, strong)
        if not strong:
            owners = await self._owners(tx, guild_id, identifiers)
        else:
            # A record known by this name alone joins the one with the strong id.
            by_name = await self._owners(tx, guild_id, [i for i in identifiers if i.kind == "name"])
            for candidate in by_name:
                if candidate not in owners and not await self._has_strong(tx, candidate):
                    owners.append(candidate)
        if not owners:
            new_id = await tx.fetch_val(
                "INSERT INTO players (guild_id, name, first_seen, last_seen) "
                "VALUES (?, ?, ?, ?) RETURNING id",
                (guild_id, name or "?", at, at),
            )
            return int(new_id)
        keep, *others = sorted(owners)
        for other in others:
            await self._merge(tx, keep, other)
        return keep

    @staticmethod
    async def _owners(tx: Executor, guild_id: int, identifiers: Sequence[Identifier]) -> list[int]:
        owners: list[int] = []
        for ident in identifiers:
            owner = await tx.fetch_val(
                "SELECT player_id FROM player_identifiers "
                "WHERE guild_id = ? AND kind = ? AND value = ?",
                (guild_id, ident.kind, ident.value),
            )
            if owner is not None and int(owner) not in owners:
                owners.append(int(owner))
        return owners

    @staticmethod
    async def _has_strong(tx: Executor, player_id: int) -> bool:
        found = await tx.fetch_val(
            "SELECT 1 FROM player_identifiers WHERE player_id = ? "
            f"AND kind IN ({marks(STRONG_KINDS)}) LIMIT 1",
            (player_id, *STRONG_KINDS),
        )
        return found is not None

    async def _merge(self, tx: Executor, keep: int, other: int) -> None:
        """Move everything of ``other`` onto ``keep`` (the older record) and drop ``other``."""
        await tx.execute(
            "UPDATE player_identifiers SET player_id = ? WHERE player_id = ?", (keep, other)
        )
        await tx.execute(
            "INSERT INTO player_names (player_id, name, name_key, first_seen, last_seen) "
            "SELECT ?, name, name_key, first_seen, last_seen FROM player_names "
            "WHERE player_id = ? ON CONFLICT (player_id, name_key) DO UPDATE SET "
            f"first_seen = {self._least}(player_names.first_seen, excluded.first_seen), "
            f"last_seen = {self._greatest}(player_names.last_seen, excluded.last_seen)",
            (keep, other),
        )
        await tx.execute("UPDATE player_notes SET player_id = ? WHERE player_id = ?", (keep, other))
        await tx.execute(
            "UPDATE player_sessions SET player_id = ? WHERE player_id = ?", (keep, other)
        )
        await tx.execute(
            f"UPDATE players SET first_seen = {self._least}(first_seen, "
            "(SELECT first_seen FROM players WHERE id = ?)) WHERE id = ?",
            (other, keep),
        )
        await tx.execute("DELETE FROM players WHERE id = ?", (other,))

    # -- reading ------------------------------------------------------------------------------

    async def get(self, player_id: int) -> PlayerRecord | None:
        row = await self._db.fetch_one(
            "SELECT id, guild_id, name, first_seen, last_seen FROM players WHERE id = ?",
            (player_id,),
        )
        if row is None:
            return None
        idents = await self._db.fetch_all(
            "SELECT kind, value FROM player_identifiers WHERE player_id = ? ORDER BY kind, value",
            (player_id,),
        )
        names = await self._db.fetch_all(
            "SELECT name, first_seen, last_seen FROM player_names WHERE player_id = ? "
            "ORDER BY last_seen DESC",
            (player_id,),
        )
        order = {kind: i for i, kind in enumerate(KINDS)}
        identifiers = sorted(
            (Identifier(str(r[0]), str(r[1])) for r in idents), key=lambda i: order[i.kind]
        )
        return PlayerRecord(
            id=int(row[0]),
            guild_id=int(row[1]),
            name=str(row[2]),
            first_seen=float(row[3]),
            last_seen=float(row[4]),
            identifiers=tuple(identifiers),
            names=tuple(_name_seen(r) for r in names),
        )

    async def find(
        self, guild_id: int, identifiers: Sequence[Identifier], name: str, limit: int = 5
    ) -> list[int]:
        """Ids of the guild's records with one of ``identifiers``, else those ever seen with
        ``name`` (any case), most recently seen first."""
        owners = await self._owners(self._db, guild_id, identifiers)
        if owners:
            return owners[:limit]
        rows = await self._db.fetch_all(
            "SELECT p.id FROM players p JOIN player_names n ON n.player_id = p.id "
            "WHERE p.guild_id = ? AND n.name_key = ? ORDER BY p.last_seen DESC LIMIT ?",
            (guild_id, name_key(name), limit),
        )
        return [int(r[0]) for r in rows]

    async def names_like(self, guild_id: int, prefix: str, limit: int = 25) -> list[str]:
        """Latest names of the guild's players starting with ``prefix`` (autocomplete)."""
        like = escape_like(name_key(prefix))
        rows = await self._db.fetch_all(
            "SELECT DISTINCT n.name, p.last_seen FROM player_names n "
            "JOIN players p ON p.id = n.player_id WHERE p.guild_id = ? "
            "AND n.name_key LIKE ? ESCAPE '\\' ORDER BY p.last_seen DESC LIMIT ?",
            (guild_id, like + "%", limit),
        )
        return list(dict.fromkeys(str(r[0]) for r in rows))

    # -- notes --------------------------------------------------------------------------------

    async def add_note(self, player_id: int, author_id: int, text: str, at: float) -> int:
        if not text.strip() or len(text) > MAX_NOTE:
            raise ValueError("a note has 1 to 1000 characters")
        note_id = await self._db.fetch_val(
            "INSERT INTO player_notes (player_id, author_id, at, text) VALUES (?, ?, ?, ?) "
            "RETURNING id",
            (player_id, author_id, at, text),
        )
        return int(note_id)

    async def notes(self, player_id: int, limit: int = 10) -> list[Note]:
        return await _note.fetch_all(
            self._db,
            "SELECT id, author_id, at, text FROM player_notes WHERE player_id = ? "
            "ORDER BY at DESC, id DESC LIMIT ?",
            (player_id, limit),
        )

    # -- sessions -----------------------------------------------------------------------------

    async def link_open_session(self, server_id: int, name: str, player_id: int) -> None:
        """Point the player's latest open session on the server at its record."""
        await self._db.execute(
            "UPDATE player_sessions SET player_id = ? WHERE id = (SELECT MAX(id) FROM "
            "player_sessions WHERE server_id = ? AND player_key = ? AND left_at IS NULL)",
            (player_id, server_id, name_key(name)),
        )

    async def backfill(self, server_ids: Collection[int], batch: int = BACKFILL_BATCH) -> int:
        """Give the sessions on ``server_ids`` without a record one (sessions stored before
        records existed, or while recording failed), oldest first; how many were linked."""
        if not server_ids:
            return 0
        servers = sorted(server_ids)
        linked = after = 0
        while True:
            rows = await self._db.fetch_all(
                "SELECT id, server_id, player, guid, steam_id, eos_id, mc_uuid, joined_at, "
                "left_at FROM player_sessions WHERE player_id IS NULL AND id > ? "
                f"AND server_id IN ({marks(servers)}) ORDER BY id LIMIT ?",
                (after, *servers, batch),
            )
            if not rows:
                return linked
            for r in rows:
                after = int(r[0])
                idents = identifiers_of(
                    str(r[2]),
                    steam=r[4],
                    guid=(str(r[3]).lower() if r[3] else None),
                    eos=r[5],
                    mc_uuid=r[6],
                )
                joined = float(r[7])
                player_id = await self.observe(int(r[1]), str(r[2]), idents, joined)
                left = float(r[8]) if r[8] is not None else joined
                if left != joined and player_id is not None:
                    await self.observe(int(r[1]), str(r[2]), idents, left)  # last seen
                if player_id is None:
                    continue  # a session naming nobody (or of a removed server): no record
                await self._db.execute(
                    "UPDATE player_sessions SET player_id = ? WHERE id = ?", (player_id, after)
                )
                linked += 1
            if len(rows) < batch:
                return linked
