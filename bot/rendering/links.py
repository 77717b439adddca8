"""Link buttons under a message: "Join" for servers whose guild set an http(s) join link.

A view of link buttons only has no callbacks, so discord.py never waits for its interactions
and it needs no persistence across restarts.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.i18n import ENGLISH, t
from bot.rendering.text import clip
from bot.rendering.views import ServerView

MAX_LABEL = 80  # Discord's limit for a button's label
MAX_BUTTONS = 25  # five rows of five


def join_links(views: Sequence[ServerView], language: str = ENGLISH) -> list[tuple[str, str]]:
    """``(label, url)`` of the views' join links, in order, at most :data:`MAX_BUTTONS`;
    labels in ``language`` (buttons under shared messages: the guild's)."""
    links = []
    for view in views:
        if view.join_url is not None:
            # A label is plain text (no markdown), so the name goes unescaped.
            label = t(language, "status.join_button", name=view.name_in(language))
            links.append((clip(label, MAX_LABEL), view.join_url))
    return links[:MAX_BUTTONS]


def link_view(links: Sequence[tuple[str, str]]) -> discord.ui.View | None:
    """A view holding the link buttons, None for none (needs a running event loop)."""
    if not links:
        return None
    view = discord.ui.View(timeout=None)
    for label, url in links:
        view.add_item(discord.ui.Button(style=discord.ButtonStyle.link, label=label, url=url))
    return view
