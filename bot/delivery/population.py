"""Population ping messages in Discord, for :class:`bot.services.status.population`."""

from __future__ import annotations

import logging

import discord

from bot.delivery.channels import find_channel
from bot.storage.population import PopulationPing

log = logging.getLogger(__name__)


class DiscordPingChannels:
    """Posts in the ping's channel, mentioning its role and nobody else."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def post(self, ping: PopulationPing, text: str) -> bool:
        try:
            channel = await find_channel(self.client, ping.channel_id)
            if not isinstance(channel, discord.abc.Messageable):
                return False
            await channel.send(
                text,
                allowed_mentions=discord.AllowedMentions(
                    everyone=False, users=False, roles=[discord.Object(ping.role_id)]
                ),
            )
        except (discord.HTTPException, OSError, TimeoutError) as exc:
            # One ping per crossing, never a retry that could arrive late and twice.
            log.warning(
                "population ping %d: not posted in channel %d (%s)",
                ping.id,
                ping.channel_id,
                type(exc).__name__,
            )
            return False
        return True
