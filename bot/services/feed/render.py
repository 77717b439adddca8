"""One line of a feed message per event: escaped markdown, no live mentions.

Player names and chat text come from the game, so they are shown as typed: markdown is escaped
and every ``@`` and ``<`` gets a zero-width space after it, so ``@everyone`` or ``<@&123>`` is
neither a ping nor a rendered mention, even if a message were sent with mentions allowed.
"""

from __future__ import annotations

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


def _body(event: Event) -> str:
    who = f"**{neutral(event.player, MAX_NAME)}**" if event.player else "someone"
    text = neutral(event.text)
    kind = event.kind
    if kind == m.JOIN:
        return f"➡️ {who} joined"
    if kind == m.LEAVE:
        return f"⬅️ {who} left"
    if kind == m.CHAT:
        return f"💬 {who}: {text}"
    if kind == m.KICK:
        return f"👢 {who} was kicked" + (f": {text}" if text else "")
    if kind == m.BAN:
        return f"🔨 {who} was banned" + (f": {text}" if text else "")
    if kind == m.ADMIN_LOGIN:
        return f"🛡️ RCon {neutral(event.player, MAX_NAME)} logged in"
    if kind == m.ADMIN_MESSAGE:
        return f"📢 RCon {neutral(event.player, MAX_NAME)}: {text}"
    if kind == m.ADMIN_ACTION:
        return f"🛡️ {who} {text}"
    if kind == m.SERVER_UP:
        return "🟢 server is up"
    if kind == m.SERVER_DOWN:
        return "🔴 server is down"
    if kind == m.DEATH:
        return f"💀 {who} died" + (f": {text}" if text else "")
    if kind == m.SAVE:
        return "💾 world saved" + (f": {text}" if text else "")
    if kind == m.RESTART:
        return "🔄 server restart announced" + (f": {text}" if text else "")
    if kind == m.MAP_CHANGE:
        return f"🗺️ map changed: {text}"
    return f"{neutral(kind, 32)}: {text}"


def line(event: Event, server_name: str) -> str:
    """``<t:…:T> **Server** · ➡️ **name** joined`` (``≈`` marks an approximate event)."""
    mark = f" {APPROX}" if event.source == m.SOURCE_A2S else ""
    return f"<t:{int(event.at)}:T> **{neutral(server_name, MAX_NAME)}** · {_body(event)}{mark}"


def watch_line(event: Event, server_name: str, pattern: str) -> str:
    return (
        f"<t:{int(event.at)}:T> 👀 watched player **{neutral(event.player, MAX_NAME)}** "
        f"joined **{neutral(server_name, MAX_NAME)}** (watch: {neutral(pattern, MAX_NAME)})"
    )


def dropped_line(count: int) -> str:
    return f"⚠️ {count} older event(s) dropped: the queue of this channel was full."
