"""Status embeds: one server in detail, one server compact (boards), a guild summary.

Pure functions of their arguments (``now`` is passed in), so the same input renders the same
embed: boards compare renders to skip edits, and tests check Discord's limits on them.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Sequence

import discord

from bot.rendering.text import address, clip, duration, escape, relative
from bot.rendering.views import ServerView
from bot.snapshots import PlayerInfo, ServerInfo, Snapshot, State

# Discord's embed limits.
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER = 2048
MAX_EMBED_TOTAL = 6000
MAX_EMBEDS_PER_MESSAGE = 10

# Our own budgets inside those limits.
PLAYER_LIST_BUDGET = 3000  # characters of player lines in a /status embed
PLAYER_LIST_FIELDS = 3
# Ten compact embeds share one message's 6,000 characters.
COMPACT_BUDGET = MAX_EMBED_TOTAL // MAX_EMBEDS_PER_MESSAGE - 20
CHART_FILENAME = "players-24h.png"
ICON_FILENAME = "icon.png"  # the server's picture, as /status attaches it


class Look(enum.Enum):
    """What the embed colour says, most important first."""

    OFFLINE = ("Offline", "🔴", discord.Colour.red())
    PENDING = ("Waiting for the first answer", "⚪", discord.Colour.light_grey())
    FULL = ("Full", "🟠", discord.Colour.orange())
    PASSWORD = ("Password", "🔒", discord.Colour.gold())
    ONLINE = ("Online", "🟢", discord.Colour.green())

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def icon(self) -> str:
        return self.value[1]

    @property
    def colour(self) -> discord.Colour:
        return self.value[2]


def look_of(snap: Snapshot) -> Look:
    # Undecided but never answered and failing: nothing suggests it is up.
    if snap.state is State.OFFLINE or (snap.info is None and snap.failures > 0):
        return Look.OFFLINE
    if snap.state is State.UNKNOWN or snap.info is None:
        return Look.PENDING
    if snap.info.full:
        return Look.FULL
    if snap.info.password:
        return Look.PASSWORD
    return Look.ONLINE


def players_line(info: ServerInfo) -> str:
    text = f"{info.players}/{info.max_players}"
    if info.bots:
        text += f" ({info.bots} bot{'s' if info.bots != 1 else ''})"
    return text


def player_fields(
    players: Sequence[PlayerInfo],
    budget: int = PLAYER_LIST_BUDGET,
    max_fields: int = PLAYER_LIST_FIELDS,
) -> list[str]:
    """Player lines packed into field values; the last line says "and N more" when cut."""
    lines = []
    for p in players:
        name = clip(escape(p.name), 100) or "*(connecting)*"
        # Names from BattlEye (DayZ) come without score or time: show just the name.
        known = p.score or p.duration
        lines.append(f"{name} · {p.score} · {duration(p.duration)}" if known else name)
    values: list[str] = []
    current: list[str] = []
    size = used = 0
    shown = 0
    more_reserve = 24  # room for "… and 255 more"
    for line in lines:
        if used + len(line) + 1 > budget - more_reserve:
            break
        if size + len(line) + 1 > MAX_FIELD_VALUE - more_reserve:
            if len(values) + 1 >= max_fields:
                break
            values.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
        used += len(line) + 1
        shown += 1
    hidden = len(lines) - shown
    if hidden:
        current.append(f"… and {hidden} more")
    if current:
        values.append("\n".join(current))
    return values


def status_embed(
    view: ServerView, now: float, *, chart: bool = False, icon: bool = False
) -> discord.Embed:
    """``/status server``: everything about one server. ``chart``/``icon``: the message attaches
    the chart as :data:`CHART_FILENAME` / the server's icon as :data:`ICON_FILENAME`."""
    snap, look = view.snapshot, look_of(view.snapshot)
    embed = discord.Embed(title=clip(escape(view.name), MAX_TITLE), colour=look.colour)
    info = snap.info
    lines: list[str] = []
    if info is not None:
        lines.append(clip(escape(view.shown(info.name)), 300))
    if look is Look.OFFLINE:
        seen = f"last seen {relative(snap.last_seen)}" if snap.last_seen else "never seen online"
        lines.append(f"**Offline**: {seen}.")
    elif look is Look.PENDING:
        lines.append("No answer yet: the server is being checked.")
    if view.connect is not None:
        lines.append(f"Connect: `{view.connect}`")
    embed.description = clip("\n".join(lines), 1000) or None
    embed.add_field(name="Status", value=f"{look.icon} {look.label}")
    if info is not None and look is not Look.OFFLINE:
        embed.add_field(name="Players", value=players_line(info))
        embed.add_field(name="Map", value=clip(escape(view.shown(info.map)), 100) or "-")
        embed.add_field(name="Ping", value=f"{info.ping_ms:.0f} ms")
    embed.add_field(name="Game", value=clip(escape(view.game_name), 100))
    if info is not None:
        embed.add_field(name="Version", value=clip(escape(info.version), 100) or "-")
        flags = f"VAC {'on' if info.vac else 'off'} · password {'yes' if info.password else 'no'}"
        embed.add_field(name="Flags", value=flags)
    if not view.hide_connect:
        embed.add_field(
            name="Address", value=f"`{address(view.server.host, view.server.game_port)}`"
        )
    if info is not None and look is not Look.OFFLINE:
        if info.player_list:
            values = player_fields(info.player_list)
            for i, value in enumerate(values):
                name = f"Players online ({len(info.player_list)})" if i == 0 else "\u200b"
                embed.add_field(name=name, value=value, inline=False)
        elif not info.players_known and info.players:
            embed.add_field(
                name="Players online", value="The server hides its player list.", inline=False
            )
    if snap.checked_at is not None:
        embed.add_field(name="Last update", value=relative(snap.checked_at), inline=False)
    if chart:
        embed.set_image(url=f"attachment://{CHART_FILENAME}")
    if icon:
        embed.set_thumbnail(url=f"attachment://{ICON_FILENAME}")
    return embed


def icon_filename(png: bytes) -> str:
    """A board's name for a server icon: named by its content, so several fit in one message
    (two servers with one picture share it) and an unchanged icon keeps its name, which makes
    the board's digest change exactly when a picture does."""
    return f"icon-{hashlib.sha256(png).hexdigest()[:16]}.png"


def compact_embed(view: ServerView, *, thumbnail: str | None = None) -> discord.Embed:
    """One server on a status board: small enough for ten in a message, and no clock in it
    (a board is edited only when what it shows changed). ``thumbnail``: the filename of the
    server's icon as the message attaches it."""
    snap, look = view.snapshot, look_of(view.snapshot)
    embed = discord.Embed(title=clip(escape(view.name), 80), colour=look.colour)
    if thumbnail is not None:
        embed.set_thumbnail(url=f"attachment://{thumbnail}")
    info = snap.info
    lines = [f"{look.icon} **{look.label}**"]
    if info is not None and look is not Look.OFFLINE:
        shown_map = clip(escape(view.shown(info.map)), 40)
        lines.append(f"Players: **{players_line(info)}** · Map: {shown_map}")
    if look is Look.OFFLINE and snap.last_seen is not None:
        lines.append(f"Last seen {relative(snap.last_seen)}")
    if view.connect is not None:
        lines.append(f"`{view.connect}`")
    if info is not None and look is not Look.OFFLINE and info.player_list:
        names = ", ".join(clip(escape(p.name), 32) for p in info.player_list[:40] if p.name)
        if names:
            lines.append(clip(names, 200))
    embed.description = clip("\n".join(lines), COMPACT_BUDGET - len(embed.title or ""))
    return embed


def summary_embed(guild_name: str, views: Sequence[ServerView]) -> discord.Embed:
    """``/status`` without a server: every server of the guild, one line each."""
    online = [v for v in views if v.snapshot.online]
    players = sum(v.snapshot.info.players for v in online if v.snapshot.info is not None)
    embed = discord.Embed(
        title=clip(f"Servers of {escape(guild_name)}", MAX_TITLE),
        colour=discord.Colour.green() if len(online) == len(views) else discord.Colour.orange(),
    )
    if not views:
        embed.description = "No servers yet. An admin adds them with `/server add`."
        return embed
    lines = []
    for view in views:
        look, info = look_of(view.snapshot), view.snapshot.info
        line = f"{look.icon} **{clip(escape(view.name), 60)}**"
        if info is not None and look is not Look.OFFLINE:
            line += f" · {players_line(info)} · {clip(escape(view.shown(info.map)), 30)}"
        else:
            line += f" · {look.label.lower()}"
        lines.append(line)
    body = ""
    for i, line in enumerate(lines):
        if len(body) + len(line) + 40 > MAX_DESCRIPTION:
            body += f"… and {len(lines) - i} more"
            break
        body += line + "\n"
    embed.description = body.rstrip("\n")
    embed.add_field(name="Online", value=f"{len(online)}/{len(views)}")
    embed.add_field(name="Players", value=str(players))
    return embed


def embed_problems(embed: discord.Embed) -> list[str]:
    """Discord limits this embed breaks (empty when it is valid)."""
    data = embed.to_dict()
    problems = []
    if len(data.get("title", "")) > MAX_TITLE:
        problems.append("title")
    if len(data.get("description", "")) > MAX_DESCRIPTION:
        problems.append("description")
    fields = data.get("fields", [])
    if len(fields) > MAX_FIELDS:
        problems.append("field count")
    for f in fields:
        if not f["name"] or len(f["name"]) > MAX_FIELD_NAME:
            problems.append(f"field name {f['name']!r}")
        if not f["value"] or len(f["value"]) > MAX_FIELD_VALUE:
            problems.append(f"field value of {f['name']!r}")
    if len(embed) > MAX_EMBED_TOTAL:
        problems.append("total length")
    return problems
