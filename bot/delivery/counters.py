"""Channel counter renames in Discord, for :class:`bot.services.status.counters`."""

from __future__ import annotations

import logging

import discord

from bot.delivery.channels import find_channel
from bot.storage.counters import Counter

log = logging.getLogger(__name__)
_Renamable = (
    discord.TextChannel
    | discord.VoiceChannel
    | discord.StageChannel
    | discord.CategoryChannel
    | discord.ForumChannel
)


class DiscordCounterChannels:
    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def rename(self, counter: Counter, name: str) -> bool:
        try:
            channel = await find_channel(self.client, counter.channel_id)
            if not isinstance(channel, _Renamable):
                return False
            await channel.edit(name=name, reason="Outpost channel counter")
        except discord.HTTPException as exc:
            log.warning(
                "counter %d: channel %d not renamed (HTTP %s)",
                counter.id,
                counter.channel_id,
                exc.status,
            )
            return False
        return True
