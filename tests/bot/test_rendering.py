"""Embeds within Discord's limits, escaped names, and charts decoded as PNG."""

from __future__ import annotations

import struct
import zlib

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.delivery.boards import chunk, digest
from bot.rendering.charts import render_history, render_history_async, stats
from bot.rendering.embeds import (
    MAX_EMBED_TOTAL,
    Look,
    compact_embed,
    embed_problems,
    look_of,
    status_embed,
    summary_embed,
)
from bot.rendering.text import clip, duration, escape
from bot.rendering.views import ServerView
from bot.snapshots import PlayerInfo, ServerInfo, Snapshot, State, Target
from bot.storage import Server
from bot.storage.history import Sample, offline_spans

NOW = 1_800_000_000.0


def server(name: str = "Main", sid: int = 1) -> Server:
    return Server(sid, 1, name, "cs2", "127.0.0.1", 27015, 27015, None, None, 1, "", "")


def info(
    players: int = 5,
    max_players: int = 20,
    password: bool = False,
    player_list: tuple[PlayerInfo, ...] = (),
    name: str = "A2S name",
) -> ServerInfo:
    return ServerInfo(
        name,
        "de_dust2",
        players,
        max_players,
        2,
        password,
        True,
        "1.0",
        "Counter-Strike 2",
        23.4,
        player_list,
    )


def snap(state: State = State.ONLINE, i: ServerInfo | None = None) -> Snapshot:
    return Snapshot(
        Target.of("127.0.0.1", 27015),
        state,
        i if i is not None else info(),
        checked_at=NOW - 10,
        last_seen=NOW - 10,
    )


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    crc = struct.unpack(">I", data[29:33])[0]
    assert crc == zlib.crc32(data[12:29])
    return width, height


def test_looks() -> None:
    assert look_of(snap()) is Look.ONLINE
    assert look_of(snap(i=info(20, 20))) is Look.FULL
    assert look_of(snap(i=info(password=True))) is Look.PASSWORD
    assert look_of(snap(State.OFFLINE)) is Look.OFFLINE
    assert look_of(Snapshot(Target("h", 1))) is Look.PENDING


def test_255_players_with_64_character_names_fit() -> None:
    names = tuple(PlayerInfo(("W" * 60) + f"{i:04d}", i, 3600.0 + i) for i in range(255))
    view = ServerView(server("x" * 300), snap(i=info(255, 255, player_list=names, name="y" * 300)))
    embed = status_embed(view, NOW, chart=True)
    assert embed_problems(embed) == []
    assert len(embed) <= MAX_EMBED_TOTAL
    values = [f["value"] for f in embed.to_dict()["fields"]]
    assert any(v.endswith("more") and "… and " in v for v in values)
    shown = sum(1 for v in values for line in v.split("\n") if line.startswith("**WWW"))
    assert f"… and {255 - shown} more" in "\n".join(values)


@settings(max_examples=50)
@given(st.lists(st.text(min_size=0, max_size=64), max_size=255), st.text(max_size=300))
def test_any_names_fit_every_embed(names: list[str], server_name: str) -> None:
    players = tuple(PlayerInfo(n, 1, 10.0) for n in names)
    s = snap(i=info(len(players), 255, player_list=players, name=server_name))
    view = ServerView(server(server_name.strip() or "x"), s)
    embeds = (status_embed(view, NOW), compact_embed(view), summary_embed(server_name, [view] * 50))
    for embed in embeds:
        assert embed_problems(embed) == []
    # A board message holds ten compact embeds: together within 6,000 characters.
    assert sum(len(compact_embed(view)) for _ in range(10)) <= MAX_EMBED_TOTAL


def test_markdown_is_escaped() -> None:
    assert escape("**bold** _x_ `c` ~~s~~ ||spoil||") == (
        "\\*\\*bold\\*\\* \\_x\\_ \\`c\\` \\~\\~s\\~\\~ \\|\\|spoil\\|\\|"
    )
    assert escape("# big") == "\\# big"
    assert escape("> quote") == "\\> quote"
    assert escape("[link](http://x)") == "\\[link\\](http://x)"
    assert escape("a\nb\x00c") == "a b c"
    assert escape("1.0") == "1.0" and escape("1. x") == "1\\. x" and escape("- x") == "\\- x"
    view = ServerView(server("**Main**"), snap(i=info(player_list=(PlayerInfo("_evil_", 1, 1),))))
    data = status_embed(view, NOW).to_dict()
    assert data["title"] == "\\*\\*Main\\*\\*"
    assert any(f["value"].startswith("**\\_evil\\_** ·") for f in data["fields"])


def test_status_embed_content() -> None:
    view = ServerView(server(), snap(i=info(player_list=(PlayerInfo("alice", 7, 3725),))))
    data = status_embed(view, NOW, chart=True).to_dict()
    fields = {f["name"]: f["value"] for f in data["fields"]}
    lines = data["description"].split("\n")
    assert lines == [
        "*A2S name*",
        "🟢 **Online** · **5/20 (2 bots)** players",
        "🗺️ de\\_dust2 · 📶 23 ms · 🏷️ 1.0",
        "🎮 Counter-Strike 2 · 🛡️ VAC",
        "Join: `127.0.0.1:27015`",
    ]
    assert list(fields) == ["Players (1)"]  # the only inline fields: columns in one row
    assert fields["Players (1)"] == "**alice** · 1h 02m"
    assert data["footer"]["text"] == "Last checked"
    assert data["timestamp"].startswith("2027-01-15T07:59:50")  # NOW - 10, in UTC
    assert data["image"]["url"] == "attachment://players-24h.png"
    assert data["color"] == discord.Colour.green().value
    hidden = status_embed(ServerView(server(), snap(), hide_connect=True), NOW).to_dict()
    assert "127.0.0.1" not in str(hidden) and "Join:" not in hidden["description"]


def test_offline_embed_says_when_last_seen() -> None:
    data = status_embed(ServerView(server(), snap(State.OFFLINE)), NOW).to_dict()
    assert data["color"] == discord.Colour.red().value
    assert f"🔴 **Offline** · last seen <t:{int(NOW - 10)}:R>" in data["description"]
    assert "Players" not in {f["name"] for f in data.get("fields", [])}


def test_compact_embed_has_no_clock_so_unchanged_boards_are_not_edited() -> None:
    a = ServerView(server(), snap())
    b = ServerView(
        server(),
        Snapshot(
            a.snapshot.target, State.ONLINE, info(), checked_at=NOW + 500, last_seen=NOW + 500
        ),
    )
    assert digest([compact_embed(a)]) == digest([compact_embed(b)])
    c = ServerView(server(), snap(i=info(players=6)))
    assert digest([compact_embed(a)]) != digest([compact_embed(c)])
    assert [len(g) for g in chunk(list(range(23)))] == [10, 10, 3]


def test_summary_counts() -> None:
    views = [ServerView(server("A", 1), snap()), ServerView(server("B", 2), snap(State.OFFLINE))]
    data = summary_embed("Guild", views).to_dict()
    fields = {f["name"]: f["value"] for f in data["fields"]}
    assert fields == {"Online": "1/2", "Players": "5"}
    assert "🟢 **A** · 5/20 (2 bots) · de\\_dust2" in data["description"]
    assert "🔴 **B** · offline" in data["description"]


def test_text_helpers() -> None:
    assert duration(45) == "45s" and duration(720) == "12m"
    assert duration(3 * 3600 + 300) == "3h 05m" and duration(2 * 86400 + 4 * 3600) == "2d 4h"
    assert clip("abcdef", 4) == "abc…"
    assert clip("ab\\*", 4) == "ab\\*"
    assert not clip("a\\*bcd", 3).endswith("\\…")


def samples(n: int, step: float = 60.0, start: float = NOW - 86400) -> list[Sample]:
    return [
        Sample("t", start + i * step, not (300 <= i < 360), (i * 7) % 21, 20, 0, "m", 5.0)
        for i in range(n)
    ]


def test_history_chart_is_a_png_of_the_expected_size() -> None:
    data = render_history(samples(1440), NOW - 86400, NOW, title="Main $erver")
    assert png_size(data) == (800, 320)
    small = render_history(samples(10), NOW - 86400, NOW, small=True)
    assert png_size(small) == (600, 200)
    assert render_history(samples(10), NOW - 86400, NOW) == render_history(
        samples(10), NOW - 86400, NOW
    )


async def test_history_chart_renders_off_the_loop() -> None:
    data = await render_history_async([], NOW - 3600, NOW)
    assert png_size(data) == (800, 320)


def test_stats_and_offline_spans() -> None:
    s = samples(1440)
    summary = stats(s)
    assert summary.samples == 1440 and summary.online_samples == 1380
    assert summary.minimum == 0 and summary.maximum == 14
    assert summary.uptime is not None and abs(summary.uptime - 1380 / 1440) < 1e-9
    spans = offline_spans(s, gap=600)
    assert spans == [(s[300].at, s[360].at)]
    assert stats([]).average is None
    # A hole in the data (the bot was stopped) is not an outage.
    holes = [Sample("t", 0, False, 0, 1, 0, "", None), Sample("t", 5000, True, 0, 1, 0, "", None)]
    assert offline_spans(holes, gap=600) == [(0, 0)]
