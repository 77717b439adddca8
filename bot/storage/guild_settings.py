"""Per-guild settings (``guild_settings``): one row per guild that changed a default."""

from __future__ import annotations

from bot.storage.database import Database


class GuildSettingsRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def languages(self) -> dict[int, str]:
        """Every guild's chosen language (guilds following their preferred locale are absent)."""
        rows = await self._db.fetch_all(
            "SELECT guild_id, language FROM guild_settings WHERE language IS NOT NULL"
        )
        return {int(r["guild_id"]): str(r["language"]) for r in rows}

    async def language_of(self, guild_id: int) -> str | None:
        row = await self._db.fetch_one(
            "SELECT language FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None or row["language"] is None else str(row["language"])

    async def set_language(self, guild_id: int, language: str | None) -> None:
        """``None``: follow the guild's preferred locale again."""
        await self._db.execute(
            "INSERT INTO guild_settings (guild_id, language) VALUES (?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET language = excluded.language",
            (guild_id, language),
        )
