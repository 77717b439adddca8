"""One line of a feed message per event: escaped markdown, no live mentions.

``<t:…:T> **Server** · ➡️ **name** joined · `…89abcdef```: the time in each reader's zone, the
server only where the channel carries several, an icon per kind, the player bold, and the end
of the player's id so two players of one name tell apart (``/player lookup`` has it whole).

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
        return f"🛡️ {who} logged in to the console"
    if kind == m.ADMIN_MESSAGE:
        return f"📢 {who} (console): {text}"
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


def line(event: Event, server_name: str | None) -> str:
    """``<t:…:T> **Server** · ➡️ **name** joined`` (``≈`` marks an approximate event);
    ``server_name`` None: the channel carries this server only."""
    body = _body(event)
    ident = short_id(event) if event.kind in _IDENTIFIED else None
    if ident is not None:
        body += f" · `{ident}`"  # ids are hex or digits: nothing to escape in code
    if event.source == m.SOURCE_A2S:
        body += f" {APPROX}"
    where = f"**{neutral(server_name, MAX_NAME)}** · " if server_name is not None else ""
    return f"<t:{int(event.at)}:T> {where}{body}"


def watch_line(event: Event, server_name: str, pattern: str) -> str:
    return (
        f"<t:{int(event.at)}:T> 👀 watched player **{neutral(event.player, MAX_NAME)}** "
        f"joined **{neutral(server_name, MAX_NAME)}** (watch: {neutral(pattern, MAX_NAME)})"
    )


def dropped_line(count: int) -> str:
    return f"⚠️ {count} older event(s) dropped: the queue of this channel was full."
