"""Feed lines: markdown escaped, mentions broken, categories parsed, bans recognised."""

from __future__ import annotations

import pytest

from bot.protocols.battleye.models import Player
from bot.services.errors import UserError
from bot.services.feed import model as m
from bot.services.feed.model import ALL, describe, kinds_of, parse_categories
from bot.services.feed.render import ZWSP, line, neutral, watch_line
from bot.services.feed.watch import matches, pattern_key
from bot.storage.events import Event
from bot.storage.feeds import Watch
from tests.bot import feed_battleye as be


@pytest.mark.parametrize(
    "name", ["@everyone", "@here", "<@&123456789012345678>", "<@42>", "<@!42>"]
)
def test_neutral_breaks_every_mention(name: str) -> None:
    text = neutral(name)
    assert "@everyone" not in text and "@here" not in text
    assert "<@" not in text
    assert ZWSP in text


def test_markdown_is_escaped() -> None:
    assert neutral("**bold** _it_ `code` ~~x~~ [a](http://x)") == (
        r"\*\*bold\*\* \_it\_ \`code\` \~\~x\~\~ \[a\](http://x)"
    )
    assert neutral("# heading") == r"\# heading"
    assert neutral("a\nb") == "a b"


def test_lines_per_kind() -> None:
    def ev(kind: str, **kw: str) -> Event:
        return Event(1, 1700000000.0, kind, **kw)  # type: ignore[arg-type]

    assert line(ev(m.JOIN, player="Bob"), "Main") == (
        "<t:1700000000:T> **Main** · ➡️ **Bob** joined"
    )
    approx = Event(1, 1700000000.0, m.LEAVE, "Bob", source=m.SOURCE_A2S)
    assert line(approx, "Main").endswith("⬅️ **Bob** left ≈")
    assert "💬 **Bob**: \\*hi\\*" in line(ev(m.CHAT, player="Bob", text="*hi*"), "S")
    assert "was banned: Admin Ban" in line(ev(m.BAN, player="Bob", text="Admin Ban"), "S")
    assert "map changed: a → b" in line(ev(m.MAP_CHANGE, text="a → b"), "S")
    assert "🔴 server is down" in line(ev(m.SERVER_DOWN), "S")
    assert "watched player **Bob** joined **S**" in watch_line(ev(m.JOIN, player="Bob"), "S", "bob")


def test_categories() -> None:
    assert parse_categories(None) == ALL
    assert parse_categories(" all ") == ALL
    assert parse_categories("Joins, leaves chat") == {"joins", "leaves", "chat"}
    with pytest.raises(UserError, match="Unknown event type:"):
        parse_categories("jions")
    assert kinds_of(frozenset({"admin", "status"})) == {
        m.ADMIN_LOGIN,
        m.ADMIN_MESSAGE,
        m.ADMIN_ACTION,
        m.SERVER_UP,
        m.SERVER_DOWN,
        m.MAP_CHANGE,
    }
    assert describe(ALL) == "all events"
    assert describe(frozenset({"chat", "joins"})) == "joins, chat"


def test_battleye_mapping() -> None:
    player = Player(3, "Bob", guid="ABCDEF0123456789ABCDEF0123456789")
    assert be.connect(1, 5.0, player) == Event(
        1, 5.0, m.JOIN, "Bob", "abcdef0123456789abcdef0123456789", "", m.SOURCE_BATTLEYE
    )
    assert be.kick(1, 5.0, player, "Admin Ban (cheating)").kind == m.BAN
    assert be.kick(1, 5.0, player, "Client not responding").kind == m.KICK
    assert be.chat(1, 5.0, player, "Global", "hello").text == "(Global) hello"
    assert be.admin_login(1, 5.0, 2).player == "admin #2"


def test_watch_matching() -> None:
    guid = "abcdef0123456789abcdef0123456789"
    by_name = Watch(1, 1, 7, "BoB", pattern_key(" BoB "), 10, None, 0)
    by_guid = Watch(2, 1, 7, guid.upper(), pattern_key(guid.upper()), 10, None, 0)
    assert by_guid.pattern_key == guid
    join = Event(7, 1.0, m.JOIN, "bob")
    assert matches(by_name, join) and not matches(by_guid, join)
    assert not matches(by_name, Event(8, 1.0, m.JOIN, "bob"))  # another server
    guid_line = Event(7, 1.0, m.GUID, "Bob", guid)
    assert matches(by_guid, guid_line) and not matches(by_name, guid_line)
    with pytest.raises(UserError):
        pattern_key("   ")


def test_lines_without_a_server_and_with_short_ids() -> None:
    from bot.services.feed.render import short_id
    from bot.storage.events import PlayerIds

    steam = Event(1, 5.0, m.KICK, "Bob", text="afk", ids=PlayerIds(steam_id="76561198000000042"))
    assert line(steam, None) == "<t:5:T> 👢 **Bob** was kicked: afk · `…00000042`"
    eos = Event(1, 5.0, m.LEAVE, "Eve", ids=PlayerIds(eos_id="a" * 32), source=m.SOURCE_A2S)
    assert line(eos, "S").endswith("⬅️ **Eve** left · `…aaaaaaaa` ≈")
    # Chat lines are about what was said: no id.
    assert "`" not in line(Event(1, 5.0, m.CHAT, "Bob", guid="f" * 32, text="hi"), None)
    assert short_id(Event(1, 5.0, m.JOIN, "x")) is None
    assert short_id(Event(1, 5.0, m.JOIN, "x", guid="abc")) == "abc"
    admin = Event(1, 5.0, m.ADMIN_LOGIN, "admin #2")
    assert line(admin, None) == "<t:5:T> 🛡️ **admin #2** logged in to the console"
