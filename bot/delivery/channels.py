"""A channel by id: from the cache, else from Discord."""

from __future__ import annotations

import discord

Channel = discord.abc.GuildChannel | discord.abc.PrivateChannel | discord.Thread


async def find_channel(client: discord.Client, channel_id: int) -> Channel:
    """The channel from the cache, else fetched: a cache miss (a guild not delivered yet, a
    thread the cache does not hold) is no reason to give up on it. Raises what
    ``fetch_channel`` raises (``discord.NotFound``: the channel was deleted)."""
    cached = client.get_channel(channel_id)
    if isinstance(cached, discord.abc.Messageable):
        return cached
    return await client.fetch_channel(channel_id)
