"""One line of a feed message per event: escaped markdown, no live mentions.

``<t:…:T> **Server** · ➡️ **name** joined · `…89abcdef```: the time in each reader's zone, the
server only where the channel carries several, an icon per kind, the player bold, and the end
of the player's id so two players of one name tell apart (``/player lookup`` has it whole).

Player names and chat text come from the game, so they are shown as typed: markdown is escaped
and every ``@`` and ``<`` gets a zero-width space after it, so ``@everyone`` or ``<@&123>`` is
neither a ping nor a rendered mention, even if a message were sent with mentions allowed.
"""

from __future__ import annotations

from bot.i18n import ENGLISH, t
from bot.rendering.text import clip, escape
from bot.services.feed import model as m
from bot.storage.events import Event

ZWSP = "\u200b"
MAX_TEXT = 300  # a long chat line must not fill a whole message
MAX_NAME = 64
APPROX = "≈"


def neutral(text: str, limit: int = MAX_TEXT) -> str:
    """Escaped for markdown and unable to mention anyone."""
    safe = escape(clip(text, limit))
    return safe.replace("@", "@" + ZWSP).replace("<", "<" + ZWSP)


SHORT_ID = 8  # the end of an id: enough to tell two players apart, short enough to read
# Events about who a player is: their lines carry the short id.
_IDENTIFIED = frozenset({m.JOIN, m.LEAVE, m.KICK, m.BAN})


def short_id(event: Event) -> str | None:
    """``…89abcdef``: the end of the player's most stable id (SteamID64, EOS, Minecraft
    UUID, then BattlEye GUID), None when the console gave none."""
    ids = event.ids
    full = ids.steam_id or ids.eos_id or ids.mc_uuid or event.guid
    if not full:
        return None
    return full if len(full) <= SHORT_ID else "…" + full[-SHORT_ID:]


# Catalogue keys by kind: (without the event's text, with it); None where the text is the line.
_KEYS: dict[str, tuple[str, str | None]] = {
    m.JOIN: ("feed.join", None),
    m.LEAVE: ("feed.leave", None),
    m.CHAT: ("feed.chat", "feed.chat"),
    m.KICK: ("feed.kick", "feed.kick_reason"),
    m.BAN: ("feed.ban", "feed.ban_reason"),
    m.ADMIN_LOGIN: ("feed.admin_login", None),
    m.ADMIN_MESSAGE: ("feed.admin_message", "feed.admin_message"),
    m.SERVER_UP: ("feed.server_up", None),
    m.SERVER_DOWN: ("feed.server_down", None),
    m.DEATH: ("feed.death", "feed.death_reason"),
    m.SAVE: ("feed.save", "feed.save_text"),
    m.RESTART: ("feed.restart", "feed.restart_text"),
    m.MAP_CHANGE: ("feed.map_change", "feed.map_change"),
}


def _body(event: Event, language: str) -> str:
    # The feed is a shared message: in the guild's language; what players typed stays as typed.
    if event.player:
        who = f"**{neutral(event.player, MAX_NAME)}**"
    else:
        who = t(language, "feed.someone")
    text = neutral(event.text)
    kind = event.kind
    if kind == m.ADMIN_ACTION:
        return f"🛡️ {who} {text}"  # the console's own words for what was done
    keys = _KEYS.get(kind)
    if keys is None:
        return f"{neutral(kind, 32)}: {text}"
    plain, with_text = keys
    if text and with_text is not None:
        return t(language, with_text, who=who, text=text)
    return t(language, plain, who=who, text=text)


def line(event: Event, server_name: str | None, language: str = ENGLISH) -> str:
    """``<t:…:T> **Server** · ➡️ **name** joined`` (``≈`` marks an approximate event);
    ``server_name`` None: the channel carries this server only."""
    body = _body(event, language)
    ident = short_id(event) if event.kind in _IDENTIFIED else None
    if ident is not None:
        body += f" · `{ident}`"  # ids are hex or digits: nothing to escape in code
    if event.source == m.SOURCE_A2S:
        body += f" {APPROX}"
    where = f"**{neutral(server_name, MAX_NAME)}** · " if server_name is not None else ""
    return f"<t:{int(event.at)}:T> {where}{body}"


def watch_line(event: Event, server_name: str, pattern: str, language: str = ENGLISH) -> str:
    text = t(
        language,
        "feed.watch",
        who=f"**{neutral(event.player, MAX_NAME)}**",
        server=f"**{neutral(server_name, MAX_NAME)}**",
        pattern=neutral(pattern, MAX_NAME),
    )
    return f"<t:{int(event.at)}:T> {text}"


def dropped_line(count: int, language: str = ENGLISH) -> str:
    return "⚠️ " + t(language, "misc.feed_dropped", count=count)
