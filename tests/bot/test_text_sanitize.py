"""Text from game servers loses C0/C1 controls, U+0085, U+2028/2029 and the bidi controls in
every place it is rendered: status embeds, board embeds, feed lines, player lists."""

from __future__ import annotations

import json

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rendering.embeds import compact_embed, detailed_embed, status_embed
from bot.rendering.players import player_columns
from bot.rendering.text import escape, escape_markdown
from bot.rendering.views import ServerView
from bot.services.feed import model as m
from bot.services.feed.render import line, watch_line
from bot.snapshots import PlayerInfo, ServerInfo, Snapshot, State, Target
from bot.storage import Server
from bot.storage.events import Event

NOW = 1_800_000_000.0
UNSAFE = (
    "\x00\x07\x1b\x7f\x80\x85\x9b\x9f\u2028\u2029"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def hostile(text: str) -> str:
    """``text`` with every unsafe character around and inside it."""
    return UNSAFE + text[:2] + UNSAFE + text[2:] + UNSAFE


def clean(rendered: str) -> bool:
    return not any(ch in rendered for ch in UNSAFE)


def embed_text(embed: discord.Embed) -> str:
    return json.dumps(embed.to_dict(), ensure_ascii=False)


def view() -> ServerView:
    players = tuple(PlayerInfo(hostile(f"player{i}"), i, 60.0 * i) for i in range(5))
    info = ServerInfo(
        hostile("Server name"),
        hostile("de_dust2"),
        5,
        20,
        0,
        False,
        True,
        hostile("1.0"),
        "cs2",
        20.0,
        players,
    )
    snap = Snapshot(
        Target.of("127.0.0.1", 27015), State.ONLINE, info, checked_at=NOW - 5, last_seen=NOW - 5
    )
    server = Server(1, 1, "Main", "cs2", "127.0.0.1", 27015, 27015, None, None, 1, "", "")
    return ServerView(server, snap)


def test_sanitize_one_line_and_multiline() -> None:
    from bot.rendering.text import sanitize

    assert sanitize("a\u202eb\u2028c\u0085d\u2066e") == "ab c de"
    assert sanitize("a\r\nb\rc\u202e\td\x1b", multiline=True) == "a\nb\nc\td"
    assert clean(escape(hostile("name")))


def test_status_embed_has_no_unsafe_characters() -> None:
    text = embed_text(status_embed(view(), NOW))
    assert clean(text)
    assert "_dust2" in text and "ayer4" in text


def test_board_embed_has_no_unsafe_characters() -> None:
    for embed in (compact_embed(view()), detailed_embed(view())):
        text = embed_text(embed)
        assert clean(text)
        assert "ayer1" in text


def test_player_list_has_no_unsafe_characters() -> None:
    values = player_columns([PlayerInfo(hostile("Ann"), 1, 5.0)])
    assert values and all(clean(v) for v in values)
    assert "An" in values[0]


def test_feed_lines_have_no_unsafe_characters() -> None:
    chat = Event(1, NOW, m.CHAT, player=hostile("Ann"), text=hostile("hello there"))
    assert clean(line(chat, hostile("Main")))
    join = Event(1, NOW, m.JOIN, player=hostile("Bob"))
    assert clean(watch_line(join, hostile("Main"), hostile("bob")))
    assert "**Bob**" in watch_line(Event(1, NOW, m.JOIN, player="\u202eBob\u2069"), "M", "b")


# Markdown characters, link and quote openers, and text around them.
_MARKDOWN_PIECES = st.sampled_from(
    [
        "_",
        "*",
        "`",
        "~",
        "|",
        "\\",
        ">",
        ">>> ",
        "# ",
        "### ",
        " - ",
        "[a](b)",
        "\n",
        " ",
        "x",
        "https://a_b.c/d_e",
        "steam://connect/1.2.3.4:2302",
        "<https://x_y>",
        "<a:/b_c>",
        ".",
        "]",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_MARKDOWN_PIECES | st.text(max_size=3), max_size=12).map("".join))
def test_escape_markdown_is_discords(text: str) -> None:
    # Our copy keeps rendering free of discord imports; it must stay discord.py's rule.
    assert escape_markdown(text) == discord.utils.escape_markdown(text)
