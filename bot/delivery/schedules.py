"""The Discord side of the scheduler (:mod:`bot.services.schedules`): who a schedule's owner
is now (roles and Administrator, for the run-time permission check), and its channel notes."""

from __future__ import annotations

import logging

import discord

from bot.delivery.channels import find_channel
from bot.services.rcon.permissions import Caller, role_ids

log = logging.getLogger(__name__)


class DiscordMembers:
    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def caller(self, guild_id: int, user_id: int) -> Caller | None:
        guild = self.client.get_guild(guild_id)
        if guild is None:
            return None
        try:
            # Fetched, not cached: a role taken away a minute ago must count.
            member = await guild.fetch_member(user_id)
        except discord.NotFound:
            return None
        except (discord.HTTPException, OSError, TimeoutError) as exc:
            log.warning("schedule owner %d: roles not readable (%s)", user_id, type(exc).__name__)
            return None
        return Caller(
            guild_id=guild_id,
            user_id=user_id,
            is_admin=member.guild_permissions.administrator,
            role_ids=role_ids(r.id for r in member.roles),
        )


class DiscordNotices:
    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def post(self, channel_id: int, text: str) -> bool:
        try:
            channel = await find_channel(self.client, channel_id)
            if not isinstance(channel, discord.abc.Messageable):
                return False
            await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
        except (discord.HTTPException, OSError, TimeoutError) as exc:
            log.warning("schedule note not posted in %d (%s)", channel_id, type(exc).__name__)
            return False
        return True
