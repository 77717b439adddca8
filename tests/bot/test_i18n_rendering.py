"""Status embeds and boards in every language: the translated texts, and Discord's embed limits
in the worst case whatever the language (the longest one included)."""

from __future__ import annotations

import pytest

from bot.delivery.boards import marked, page_of
from bot.i18n import LANGUAGES, t
from bot.rendering.embeds import (
    MAX_EMBED_TOTAL,
    compact_embed,
    detailed_embed,
    embed_problems,
    status_embed,
    summary_embed,
)
from bot.rendering.links import join_links
from bot.rendering.players import player_columns
from bot.rendering.text import (
    offline_transition_text,
    online_transition_text,
    resolved_incident_text,
)
from bot.rendering.views import ServerView
from bot.services.feed import model as m
from bot.services.feed.render import line as feed_line
from bot.services.feed.render import watch_line
from bot.snapshots import PlayerInfo, ServerInfo, Snapshot, State, Target
from bot.storage.events import Event
from tests.bot.test_status_layout import LONG_URL, NOW, online, server, worst_players

ALL = list(LANGUAGES)


def views() -> list[ServerView]:
    """Every look a board shows, worst-case long: online with 255 long names, offline since a
    time, never seen, waiting, and a server hiding its list."""
    target = Target.of("127.0.0.1", 27015)
    hidden = ServerInfo("x", "m", 40, 64, 0, False, False, "1", "cs2", 30.0, (), False)
    shapes = [
        online(worst_players(), name="_" * 300),
        Snapshot(target, State.OFFLINE, None, NOW, NOW - 600, NOW - 300, failures=3),
        Snapshot(target, State.OFFLINE, None, NOW, None, None, failures=3),
        Snapshot(target, State.UNKNOWN),
        Snapshot(target, State.ONLINE, hidden, NOW, NOW),
    ]
    return [
        ServerView(server("N" * 100, i), shapes[i % len(shapes)], False, LONG_URL, (9990, 10000))
        for i in range(40)
    ]


@pytest.mark.parametrize("language", ALL)
def test_status_and_boards_stay_within_discords_limits(language: str) -> None:
    for view in views()[:5]:
        for icon in (False, True):
            embed = status_embed(view, NOW, chart=True, icon=icon, language=language)
            assert embed_problems(embed) == [], (language, view.snapshot.state)
    for style, per_message in (("compact", 10), ("detailed", 4)):
        everything = views()
        pages = marked(
            7,
            [
                page_of(everything[i : i + per_message], style, language)
                for i in range(0, len(everything), per_message)
            ],
        )
        for page in pages:
            assert sum(len(e) for e in page.embeds) <= MAX_EMBED_TOTAL, (language, style)
            assert all(embed_problems(e) == [] for e in page.embeds), (language, style)
    summary = summary_embed("G" * 100, views() * 5, language)
    assert embed_problems(summary) == []


@pytest.mark.parametrize(
    ("language", "online_line", "players_field"),
    [
        ("en", "🟢 **Online** · **2/20 (1 bot)** players", "Players (2)"),
        ("fr", "🟢 **En ligne** · **2/20 (1 bot)** joueurs", "Joueurs (2)"),
        ("de", "🟢 **Online** · **2/20 (1 Bot)** Spieler", "Spieler (2)"),
        ("ru", "🟢 **Онлайн** · игроки: **2/20 (1 бот)**", "Игроки (2)"),
        ("ja", "🟢 **オンライン** · プレイヤー **2/20 (Bot 1)**", "プレイヤー（2）"),
    ],
)
def test_the_status_embed_speaks_the_language(
    language: str, online_line: str, players_field: str
) -> None:
    players = (PlayerInfo("alice", 3, 4000.0), PlayerInfo("bob", 1, 60.0))
    info = ServerInfo("Main", "de_dust2", 2, 20, 1, False, True, "1.0", "cs2", 40.0, players)
    snap = Snapshot(Target.of("127.0.0.1", 27015), State.ONLINE, info, NOW, NOW)
    embed = status_embed(ServerView(server(), snap), NOW, language=language).to_dict()
    assert online_line in embed["description"].split("\n")
    assert embed["fields"][0]["name"] == players_field
    assert embed["footer"]["text"] == t(language, "status.last_checked")


def test_board_numbers_and_plurals_follow_the_language() -> None:
    snap = online((), name="x")
    view = ServerView(server(), snap, uptime=(9995, 10000))
    assert "99,9 % en ligne" in str(compact_embed(view, language="fr").description)
    assert "99.9 % up" in str(compact_embed(view, language="en").description)
    assert "(3 бота)" in str(detailed_embed(view, language="ru").description)
    offline = ServerView(server(), Snapshot(Target.of("h", 1), State.OFFLINE, None, NOW, None))
    assert "nie online gesehen" in str(compact_embed(offline, language="de").description)


def test_alert_texts_in_the_guilds_language() -> None:
    assert offline_transition_text("Main", None, "<@&1>", "fr") == "<@&1> 🔴 **Main** est tombé."
    assert online_transition_text("Main", 3900, None, "de") == (
        "🟢 **Main** ist nach 1 Std. 5 Min. Ausfall wieder online."
    )
    assert resolved_incident_text("Main", 0, 90, None, "ja") == (
        "✅ **Main** は 1 分 ダウンしていました（<t:0:f> – <t:90:t>）。"
    )
    # English keeps its compact form.
    assert online_transition_text("Main", 3900, None) == "🟢 **Main** is back up after 1h 05m down."


def test_player_times_and_more_lines_follow_the_language() -> None:
    players = tuple(PlayerInfo(f"p{i}", i, 3900.0) for i in range(300))
    values = player_columns(players, columns=3, budget=1500, language="ru")
    assert values[0].split("\n")[0].endswith("· 1 ч 5 мин")
    assert values[-1].split("\n")[-1].startswith("… и ещё ")


@pytest.mark.parametrize("language", ALL)
def test_every_feed_line_is_in_the_language_and_game_text_stays_as_typed(language: str) -> None:
    kinds = [m.JOIN, m.LEAVE, m.CHAT, m.KICK, m.BAN, m.ADMIN_LOGIN, m.ADMIN_MESSAGE, m.DEATH]
    kinds += [m.SERVER_UP, m.SERVER_DOWN, m.SAVE, m.RESTART, m.MAP_CHANGE]
    for kind in kinds:
        event = Event(1, 1700000000.0, kind, "@everyone", text="gg <@&1>")
        shown = feed_line(event, "Main", language)
        assert shown.startswith("<t:1700000000:T> **Main** · ")
        # Whatever the language, nothing from the game can ping.
        assert "@everyone" not in shown and "<@&1>" not in shown
    assert feed_line(Event(1, 0.0, m.JOIN, None), None, language).endswith(
        t(language, "feed.join", who=t(language, "feed.someone"))
    )


def test_feed_lines_read_naturally() -> None:
    kick = Event(1, 0.0, m.KICK, "Bob", text="afk")
    assert feed_line(kick, None, "de") == "<t:0:T> 👢 **Bob** wurde gekickt: afk"
    assert feed_line(kick, None, "fr") == "<t:0:T> 👢 **Bob** a été expulsé : afk"
    join = Event(1, 0.0, m.JOIN, "Bob")
    assert watch_line(join, "Main", "bob", "ru") == (
        "<t:0:T> 👀 отслеживаемый игрок **Bob** зашёл на **Main** (отслеживание: bob)"
    )


def test_join_buttons_under_shared_messages_speak_the_guilds_language() -> None:
    linked = ServerView(server("Zeta"), online(), join_url="https://zeta.example/join")
    assert join_links([linked], "fr") == [("Rejoindre Zeta", "https://zeta.example/join")]
    assert page_of([linked], "compact", "tr").links == [
        ("Zeta sunucusuna katıl", "https://zeta.example/join")
    ]


def test_uptime_summary_in_the_guilds_language() -> None:
    from bot.services.status.uptime import outage_lines, summary_line, uptime
    from tests.bot.test_uptime import NOW as UPTIME_NOW
    from tests.bot.test_uptime import series

    report = uptime(series("uuuddduuuuddu" + "u" * 87), gap=180, now=UPTIME_NOW)
    assert summary_line(report) == "🟠 **95.0 %** online · 2 outages, 5m down in all · longest 3m"
    assert summary_line(report, "ru") == (
        "🟠 **95,0 %** онлайн · 2 падения, всего 5 мин простоя · самый долгий 3 мин"
    )
    assert outage_lines(report, "de")[0].endswith(" · 2 Min.")


def test_player_lookup_in_the_readers_language() -> None:
    from bot.services.feed.lookup import Seen, describe

    seen = Seen("Ann", (), NOW - 60, "Main", 3900.0, 7800.0, 2)
    assert describe(seen, "pl") == (
        "**Ann** był ostatnio widziany na **Main** <t:1799999940:R>, po 1 godz. 5 min gry.\n"
        "2 sesje w zapisie, łącznie 2 godz. 10 min."
    )
    assert describe(seen).endswith("2 sessions on record, 2h 10m in total.")


def test_population_pings_in_the_guilds_language() -> None:
    from bot.services.status.population import ping_text
    from bot.storage.population import PopulationPing

    up = PopulationPing(1, 1, 1, 2, 3, "above", 20, 3600.0, True, None)
    assert (
        ping_text(up, "Main", 21, 32) == "<@&3> 📈 **Main** has **21/32** players: come and join!"
    )
    assert ping_text(up, "Main", 21, 32, "ru") == (
        "<@&3> 📈 На **Main** уже **21/32** игроков: залетайте!"
    )
