"""The bot's activity, for :class:`bot.services.status.presence.PresenceUpdater`."""

from __future__ import annotations

import discord


class DiscordPresence:
    """Shows the text as "Watching <text>"."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def show(self, text: str) -> None:
        await self.client.change_presence(
            activity=discord.Activity(type=discord.ActivityType.watching, name=text)
        )
