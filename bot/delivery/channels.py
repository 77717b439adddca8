"""A channel by id: from the cache, else from Discord."""

from __future__ import annotations

from collections.abc import Callable

import discord

Channel = discord.abc.GuildChannel | discord.abc.PrivateChannel | discord.Thread


def preferred_locales(client: discord.Client) -> Callable[[int], str | None]:
    """A guild's preferred locale (Discord's code) from the cache; None for a guild not there."""

    def of(guild_id: int) -> str | None:
        guild = client.get_guild(guild_id)
        return guild.preferred_locale.value if guild is not None else None

    return of


async def find_channel(client: discord.Client, channel_id: int) -> Channel:
    """The channel from the cache, else fetched: a cache miss (a guild not delivered yet, a
    thread the cache does not hold) is no reason to give up on it. Raises what
    ``fetch_channel`` raises (``discord.NotFound``: the channel was deleted)."""
    cached = client.get_channel(channel_id)
    if isinstance(cached, discord.abc.Messageable):
        return cached
    return await client.fetch_channel(channel_id)
