"""The layout of /status and board embeds: columns, sorting, states, links, Discord's limits
in the worst case (255 players with 64-character names, 40 servers on a board)."""

from __future__ import annotations

import discord

from bot.delivery.boards import DiscordBoards, digest, page_of
from bot.rendering.embeds import (
    MAX_EMBED_TOTAL,
    MAX_EMBEDS_PER_MESSAGE,
    Look,
    board_ping,
    compact_embed,
    detailed_embed,
    embed_problems,
    state_line,
    status_embed,
)
from bot.rendering.links import MAX_BUTTONS, MAX_LABEL, join_links, link_view
from bot.rendering.players import PlayerSort, player_columns, sorted_players
from bot.rendering.views import ServerView
from bot.snapshots import PlayerInfo, ServerInfo, Snapshot, State, Target
from bot.storage import Server
from bot.storage.boards import Board
from bot.storage.display import Display

NOW = 1_800_000_000.0
LONG_URL = "https://example.com/join?" + "q" * (512 - 25)


def server(name: str = "Main", sid: int = 1) -> Server:
    return Server(sid, 1, name, "cs2", "127.0.0.1", 27015, 27015, None, None, 1, "", "")


def worst_players() -> tuple[PlayerInfo, ...]:
    # Markdown characters double when escaped: the longest a 64-character name can render.
    return tuple(PlayerInfo(f"{i:03d}" + "_*" * 30 + "x", i, 60.0 * i) for i in range(255))


def online(players: tuple[PlayerInfo, ...] = (), name: str = "A2S name") -> Snapshot:
    info = ServerInfo(
        name, "de_dust2", len(players), 255, 3, False, True, "1.0.0.1", "cs2", 41.7, players
    )
    return Snapshot(
        Target.of("127.0.0.1", 27015), State.ONLINE, info, checked_at=NOW, last_seen=NOW
    )


def test_columns_spread_evenly_and_short_lists_stay_one_column() -> None:
    few = [PlayerInfo(f"p{i}", i, 60.0 * i) for i in range(5)]
    (one,) = player_columns(few)
    assert one.split("\n")[0] == "**p4** · 4m"  # longest connected first
    many = [PlayerInfo(f"p{i:02d}", i, 60.0 * i) for i in range(25)]
    values = player_columns(many, columns=3)
    assert [v.count("\n") + 1 for v in values] == [9, 9, 7]
    assert "… and" not in "".join(values)


def test_sort_by_score_shows_the_score() -> None:
    players = [PlayerInfo("slow", 50, 10.0), PlayerInfo("fast", 2, 999.0)]
    assert [p.name for p in sorted_players(players, PlayerSort.SCORE)] == ["slow", "fast"]
    (value,) = player_columns(players, sort=PlayerSort.SCORE)
    assert value == "**slow** · 50\n**fast** · 2"
    # BattlEye names come without time or score: just the name, never "· 0".
    (bare,) = player_columns([PlayerInfo("Survivor", 0, 0.0)])
    assert bare == "**Survivor**"


def test_long_lists_end_with_and_n_more_within_the_budget() -> None:
    values = player_columns(worst_players(), columns=3, budget=1500)
    assert len(values) == 3 and all(len(v) <= 1024 for v in values)
    shown = sum(v.count("\n") + 1 for v in values) - 1
    assert values[-1].endswith(f"… and {255 - shown} more")
    assert sum(len(v) for v in values) <= 1500


def test_status_embed_worst_case_within_limits_with_and_without_icon() -> None:
    view = ServerView(server("N" * 100), online(worst_players(), name="_" * 300), False, LONG_URL)
    for icon in (False, True):
        embed = status_embed(view, NOW, chart=True, icon=icon)
        assert embed_problems(embed) == []
        inline = [f for f in embed.fields if f.inline and f.name.startswith(("Players", "\u200b"))]
        assert len(inline) == (2 if icon else 3)  # beside a thumbnail two columns fit a row
        assert embed.url == LONG_URL


def test_board_of_forty_worst_case_servers_fits_every_message() -> None:
    views = [
        ServerView(server("N" * 100, i), online(worst_players(), name="_" * 300), False, LONG_URL)
        for i in range(40)
    ]
    boards = DiscordBoards(discord.Client(intents=discord.Intents.none()))
    for style, per_message in (("compact", 10), ("detailed", 4)):
        board = Board(7, 1, 2, (), None, style)
        pages = boards.render(board, views)
        assert [len(p.embeds) for p in pages] == [per_message] * (40 // per_message)
        for page in pages:
            assert len(page.embeds) <= MAX_EMBEDS_PER_MESSAGE
            assert sum(len(e) for e in page.embeds) <= MAX_EMBED_TOTAL
            assert all(embed_problems(e) == [] for e in page.embeds)
            assert len(page.links) == per_message
            assert all(len(label) <= MAX_LABEL for label, _ in page.links)
        assert pages[-1].embeds[-1].footer.text == f"Status board #7 · {len(pages)}"


def test_detailed_board_embed_shows_players_and_game() -> None:
    view = ServerView(server(), online((PlayerInfo("alice", 3, 4000.0),)))
    data = detailed_embed(view).to_dict()
    assert "🎮 Counter-Strike 2" in data["description"]
    assert data["fields"] == [
        {"name": "Players (1)", "value": "**alice** · 1h 06m", "inline": True}
    ]
    assert "fields" not in compact_embed(view).to_dict()


def test_offline_says_since_when_in_each_readers_time_zone() -> None:
    snap = Snapshot(
        Target.of("h", 1), State.OFFLINE, None, last_seen=NOW - 100, down_since=NOW - 90
    )
    since = int(NOW - 90)
    line = state_line(ServerView(server(), snap), Look.OFFLINE)
    assert line == f"🔴 **Offline** since <t:{since}:f> (<t:{since}:R>)"
    never = Snapshot(Target.of("h", 1), State.OFFLINE, None, down_since=NOW)
    assert state_line(ServerView(server(), never), Look.OFFLINE).endswith("· never seen online")


def test_board_ping_is_coarse_so_jitter_does_not_edit_boards() -> None:
    assert board_ping(41.7) == board_ping(38.2) == "40 ms"
    assert board_ping(1.0) == "10 ms"
    assert board_ping(230.0) == "250 ms"
    a = compact_embed(ServerView(server(), online()))
    jitter = online()
    assert jitter.info is not None
    b = compact_embed(
        ServerView(
            server(),
            Snapshot(jitter.target, State.ONLINE, _with_ping(jitter.info, 43.0), last_seen=NOW),
        )
    )
    assert digest([a]) == digest([b])


def _with_ping(info: ServerInfo, ping: float) -> ServerInfo:
    from dataclasses import replace

    return replace(info, ping_ms=ping)


def test_join_address_is_copyable_code_and_link_is_a_button() -> None:
    plain = ServerView(server(), online())
    assert "Join: `127.0.0.1:27015`" in (compact_embed(plain).description or "")
    assert join_links([plain]) == []
    linked = ServerView.of(server("Zeta"), online(), Display(join_url="https://zeta.example/join"))
    assert join_links([linked]) == [("Join Zeta", "https://zeta.example/join")]
    hidden = ServerView.of(server(), online(), Display(hide_connect=True))
    assert "Join:" not in (compact_embed(hidden).description or "")
    # The buttons are part of what a board compares before editing.
    assert digest([], [("Join Zeta", "https://a")]) != digest([], [("Join Zeta", "https://b")])
    assert page_of([linked]).links == [("Join Zeta", "https://zeta.example/join")]


async def test_link_view_holds_link_buttons_only() -> None:
    views = [
        ServerView.of(server(f"S{i}", i), online(), Display(join_url=f"https://s{i}.example"))
        for i in range(30)
    ]
    links = join_links(views)
    assert len(links) == MAX_BUTTONS
    view = link_view(links)
    assert view is not None and not view.is_dispatchable()  # nothing to wait for
    buttons = [c for row in view.to_components() for c in row["components"]]
    assert len(buttons) == 25 and all(b["style"] == 5 for b in buttons)
    assert link_view([]) is None
