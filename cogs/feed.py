"""``/feed set|list|remove``: server events (joins, chat, kicks…) mirrored into a channel."""

from __future__ import annotations

from collections.abc import Mapping

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import user_language
from bot.i18n import t
from bot.rendering.text import escape
from bot.services.errors import UserError
from bot.services.feed import CATEGORIES, parse_categories
from bot.services.feed.console_link import reports_joins, uses_console
from bot.services.feed.model import ALL, describe
from bot.services.feed.posting import problem_text
from bot.storage import Server
from bot.storage.feeds import Feed
from cogs._base import ManagedGroupCog
from cogs._common import answer, guild_id_of, missing_permissions
from cogs._status_ui import Interaction, server_choices

FeedChannel = discord.TextChannel | discord.Thread
NEEDED = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)
# Categories only a console reports; an A2S-only server has joins, leaves and status.
BATTLEYE_ONLY = frozenset({"chat", "kicks", "bans", "admin", "deaths", "server"})


def _notes(server: Server, categories: frozenset[str], language: str) -> list[str]:
    if reports_joins(server):
        return []
    notes = []
    if categories & {"joins", "leaves"}:
        notes.append(t(language, "feeds.note_approximate"))
    if categories & BATTLEYE_ONLY and not uses_console(server):
        notes.append(t(language, "feeds.note_console"))
    return notes


def _described(categories: frozenset[str], language: str) -> str:
    # Category names are what members type (joins, chat…): only "all events" is words.
    return t(language, "feeds.all_events") if categories >= ALL else describe(categories)


async def category_choices(
    interaction: Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Comma-separated categories: complete the last one, keep the ones already typed."""
    done, _, last = current.rpartition(",")
    typed = {w.strip() for w in done.split(",") if w.strip()}
    prefix = (
        ", ".join(sorted(typed, key=list(CATEGORIES).index)) if typed <= set(CATEGORIES) else done
    )
    choices = [] if typed else [app_commands.Choice(name="all", value="all")]
    for name in CATEGORIES:
        if name in typed or not name.startswith(last.strip().lower()):
            continue
        value = f"{prefix}, {name}" if prefix else name
        choices.append(app_commands.Choice(name=value, value=value))
    return choices[:25]


class Feeds(
    ManagedGroupCog, group_name="feed", group_description="Live server events in a channel"
):
    @app_commands.command(name="set", description="Post a server's events in a channel")
    @app_commands.describe(
        server="The server",
        channel="Where to post",
        events="Any of: " + ", ".join(CATEGORIES) + " (comma-separated; default all)",
    )
    @app_commands.autocomplete(server=server_choices, events=category_choices)
    async def set_feed(
        self,
        interaction: Interaction,
        server: str,
        channel: FeedChannel,
        events: str | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        found = await self.services.registry.get(guild_id, server)
        categories = parse_categories(events)
        reader = user_language(interaction)
        missing = missing_permissions(channel, NEEDED, reader)
        if missing:
            raise UserError(key="feeds.cannot_post", channel=channel.mention, missing=missing)
        async with self.audited(
            interaction,
            "feed set",
            f"channel={channel.id} events={','.join(sorted(categories))}",
            found,
        ):
            feed = await self.services.store.feeds.upsert(
                guild_id,
                found.id,
                channel.id,
                categories,
                interaction.user.id,
                limit=self.bot.settings.quotas.feeds,
            )
        # Routed from the next event on; the full reload (every guild's rows) after answering.
        self.services.feed.subscribe(found, feed)
        events_of = t(
            reader,
            "feeds.set",
            name=escape(found.name),
            events=_described(categories, reader),
            channel=channel.mention,
        )
        lines = [events_of, *_notes(found, categories, reader)]
        await interaction.response.send_message("\n".join(lines), ephemeral=True)
        self.services.feed.reload_later()

    @app_commands.command(name="remove", description="Stop a server's feed")
    @app_commands.describe(server="The server", channel="Only this channel (default: all)")
    @app_commands.autocomplete(server=server_choices)
    async def remove_feed(
        self, interaction: Interaction, server: str, channel: FeedChannel | None = None
    ) -> None:
        guild_id = guild_id_of(interaction)
        found = await self.services.registry.get(guild_id, server)
        async with self.audited(
            interaction, "feed remove", f"channel={channel.id}" if channel else "channel=all", found
        ):
            removed = await self.services.store.feeds.remove(
                guild_id, found.id, channel.id if channel else None
            )
            if not removed:
                raise UserError(key="feeds.none_there", name=escape(found.name))
        self.services.feed.unsubscribe(removed)
        await answer(interaction, "feeds.removed", count=len(removed), name=escape(found.name))
        self.services.feed.reload_later()

    @app_commands.command(name="list", description="List this Discord server's feeds")
    async def list_feeds(self, interaction: Interaction) -> None:
        feeds = self.services.store.feeds.for_guild
        await self.send_list(interaction, feeds, self._line, "feeds.list_title", "feeds.list_empty")

    def _line(self, feed: Feed, names: Mapping[int, str], reader: str) -> str:
        line = f"**{escape(names.get(feed.server_id, '?'))}** → <#{feed.channel_id}> · " + (
            _described(feed.kinds, reader)
        )
        # Lines for this channel are waiting: say why, so the member can fix it.
        problem = self.services.feed.channel_problem(feed.channel_id)
        if problem is not None:
            line += f"\n⚠️ {problem_text(problem, reader)}"
        return line


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Feeds(bot))
