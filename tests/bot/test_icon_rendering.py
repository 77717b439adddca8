"""Server icons in embeds: thumbnails name the message's own files, within Discord's limits."""

from __future__ import annotations

from dataclasses import replace

import discord

from bot.delivery.boards import chunk, digest, files_of, marked, page_of
from bot.rendering.embeds import (
    MAX_EMBED_TOTAL,
    MAX_EMBEDS_PER_MESSAGE,
    embed_problems,
    status_embed,
)
from bot.rendering.views import ServerView
from bot.snapshots import PlayerInfo, ServerInfo, Snapshot, State, Target
from bot.storage import Server
from tests.cogs.status_world import make_png

WORST_NAMES = tuple(PlayerInfo(("W" * 60) + f"{i:04d}", i, 3600.0) for i in range(255))


def view(sid: int, icon: bytes | None, name: str = "x" * 300) -> ServerView:
    server = Server(sid, 1, f"{name}{sid}", "minecraft", "h", 1, 1, None, None, 1, "", "")
    info = ServerInfo(
        name, "world", 255, 255, 0, False, False, "1.21", "mc", 5.0, WORST_NAMES, icon=icon
    )
    return ServerView(server, Snapshot(Target.of("h", sid), State.ONLINE, info))


def thumbnail_names(embeds: list[discord.Embed]) -> list[str | None]:
    return [
        e.thumbnail.url.removeprefix("attachment://") if e.thumbnail.url else None for e in embeds
    ]


def test_forty_servers_with_icons_fit_four_messages_of_ten_files() -> None:
    views = [view(i, make_png(shade=i)) for i in range(40)]
    pages = marked(7, [page_of(group) for group in chunk(views)])
    assert len(pages) == 4
    for page in pages:
        names = thumbnail_names(page.embeds)
        # Every thumbnail names a file of this message, every file is named: none shows loose.
        assert set(names) == set(page.icons) and len(page.icons) <= MAX_EMBEDS_PER_MESSAGE
        assert all(not embed_problems(e) for e in page.embeds)
        assert sum(len(e) for e in page.embeds) <= MAX_EMBED_TOTAL
        assert [f.filename for f in files_of(page.icons)] == list(page.icons)


def test_servers_without_icons_get_no_thumbnail_and_shared_icons_one_file() -> None:
    icon = make_png(shade=1)
    page = page_of([view(1, icon), view(2, None), view(3, icon)])
    first, none, third = thumbnail_names(page.embeds)
    assert none is None and first == third and first is not None
    assert page.icons == {first: icon}


def test_digest_changes_with_the_picture_and_only_then() -> None:
    icon = make_png(shade=1)
    before = digest(page_of([view(1, icon)]).embeds)
    # The same picture in a new bytes object (another round): same render, no edit.
    assert digest(page_of([view(1, bytes(bytearray(icon)))]).embeds) == before
    assert digest(page_of([view(1, make_png(shade=2))]).embeds) != before
    assert digest(page_of([view(1, None)]).embeds) != before


def test_without_icons_drops_thumbnails_and_leaves_the_page_alone() -> None:
    page = page_of([view(1, make_png()), view(2, None)])
    plain = page.without_icons()
    assert thumbnail_names(plain) == [None, None]
    assert thumbnail_names(page.embeds)[0] is not None
    assert [without_thumbnail(e) for e in plain] == [without_thumbnail(e) for e in page.embeds]


def without_thumbnail(embed: discord.Embed) -> dict[str, object]:
    data = dict(embed.to_dict())
    data.pop("thumbnail", None)
    return data


def test_an_invalid_icon_never_reaches_a_page() -> None:
    bad = view(1, b"GIF89a" + bytes(64))
    page = page_of([bad, replace(bad, server=replace(bad.server, id=2))])
    assert page.icons == {} and thumbnail_names(page.embeds) == [None, None]


def test_status_embed_names_the_icon_only_when_the_caller_attaches_it() -> None:
    shown = view(1, make_png())
    assert "thumbnail" not in status_embed(shown, 0.0).to_dict()  # no dangling reference
    embed = status_embed(shown, 0.0, chart=True, icon=True)
    assert embed.thumbnail.url == "attachment://icon.png"
    assert embed_problems(embed) == [] and len(embed) <= MAX_EMBED_TOTAL
