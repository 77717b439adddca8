"""The answer of the ``… list`` commands: an embed of one line per row, or a line saying there
is nothing to list."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.rendering.text import join_within

# Below Discord's 4,096 characters of description, "… and N more" included.
LIST_ROOM = 4000


def list_embed(title: str, lines: Sequence[str], empty: str, language: str) -> discord.Embed:
    """Whole lines within the room (those that do not fit counted in a last line, in
    ``language``), or ``empty`` when there are no lines."""
    description = join_within(lines, LIST_ROOM, language) if lines else empty
    return discord.Embed(title=title, description=description, colour=discord.Colour.blurple())
