"""Status embeds: one server in detail, one server compact (boards), a guild summary.

Pure functions of their arguments (``now`` is passed in), so the same input renders the same
embed: boards compare renders to skip edits, and tests check Discord's limits on them.
"""

from __future__ import annotations

import datetime
import enum
import hashlib
from collections.abc import Sequence

import discord

from bot.i18n import ENGLISH, number, t
from bot.i18n.formatting import decimal_sign
from bot.rendering.players import PlayerSort, player_columns, sorted_players
from bot.rendering.text import clip, escape, percent_up, relative
from bot.rendering.views import ServerView
from bot.snapshots import ServerInfo, Snapshot, State

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
# Ten compact embeds share one message's 6,000 characters.
COMPACT_BUDGET = MAX_EMBED_TOTAL // MAX_EMBEDS_PER_MESSAGE - 20
# Detailed board embeds carry player columns: four share a message.
DETAILED_PER_MESSAGE = 4
DETAILED_PLAYERS_BUDGET = 700
CHART_FILENAME = "players-24h.png"
ICON_FILENAME = "icon.png"  # the server's picture, as /status attaches it


class Look(enum.Enum):
    """What the embed colour says, most important first."""

    OFFLINE = ("status.offline", "🔴", discord.Colour.red())
    PENDING = ("status.pending", "⚪", discord.Colour.light_grey())
    FULL = ("status.full", "🟠", discord.Colour.orange())
    PASSWORD = ("status.password", "🔒", discord.Colour.gold())
    ONLINE = ("status.online", "🟢", discord.Colour.green())

    def label_in(self, language: str) -> str:
        """The look's label ("Online", "Offline"…) in ``language``."""
        return t(language, self.value[0])

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


def players_line(info: ServerInfo, language: str = ENGLISH) -> str:
    text = f"{info.players}/{info.max_players}"
    if info.bots:
        text += f" ({t(language, 'status.bots', count=info.bots)})"
    return text


def board_ping(ping_ms: float) -> str:
    """Ping as a board shows it: coarse, so a few milliseconds of jitter do not edit the
    message every pass (boards are edited only when what they show changed)."""
    step = 10 if ping_ms < 100 else 50
    return f"{max(step, round(ping_ms / step) * step):.0f} ms"


def state_line(view: ServerView, look: Look, language: str = ENGLISH) -> str:
    """``🟢 **Online** · **12/60** players (2 bots)``, or since when a server is offline.
    Times are Discord timestamps: each reader sees them in their own language and zone."""
    snap, info = view.snapshot, view.snapshot.info
    label = look.label_in(language)
    if look is Look.OFFLINE:
        line = f"{look.icon} **{label}**"
        if snap.down_since is not None:
            since = int(snap.down_since)
            down = t(
                language, "status.down_since", time=f"<t:{since}:f>", relative=f"<t:{since}:R>"
            )
            line += f" {down}"
        if snap.last_seen is None:
            return f"{line} · {t(language, 'status.never_seen')}"
        if snap.down_since is None:
            return f"{line} · {t(language, 'status.last_seen', relative=relative(snap.last_seen))}"
        return line
    if look is Look.PENDING or info is None:
        return f"{look.icon} {label}: {t(language, 'status.being_checked')}"
    players = t(language, "status.players_line", players=players_line(info, language))
    return f"{look.icon} **{label}** · {players}"


def details_line(
    view: ServerView, info: ServerInfo, *, ping: str | None, language: str = ENGLISH
) -> str:
    """``🗺️ de_dust2 · 📶 35 ms · 🏷️ 1.38``: what is there, nothing for what is not."""
    parts = []
    shown_map = clip(escape(view.shown(info.map, language)), 60)
    if shown_map:
        parts.append(f"🗺️ {shown_map}")
    if ping is not None:
        parts.append(f"📶 {ping}")
    version = clip(escape(info.version), 40)
    if version:
        parts.append(f"🏷️ {version}")
    if info.password:
        parts.append(f"🔒 {t(language, 'status.password_tag')}")
    return " · ".join(parts)


def game_line(view: ServerView) -> str:
    """``🎮 Counter-Strike 2 · 🛡️ VAC``."""
    info = view.snapshot.info
    line = f"🎮 {clip(escape(view.game_name), 60)}"
    return f"{line} · 🛡️ VAC" if info is not None and info.vac else line


def _header(
    view: ServerView,
    look: Look,
    *,
    ping: str | None,
    own_name: int,
    game: bool = False,
    language: str = ENGLISH,
) -> list[str]:
    """The lines every style starts with: the server's own name where it differs, the state,
    the details (and the game), the join address as copyable code."""
    info = view.snapshot.info
    lines: list[str] = []
    if info is not None and own_name:
        own = clip(escape(view.shown(info.name, language)), own_name)
        if own and own != escape(view.name_in(language)):
            lines.append(f"*{own}*")
    state = state_line(view, look, language)
    if view.uptime is not None and view.uptime[1] > 0:
        state += f" · ⏱️ {t(language, 'status.uptime', percent=_percent(language, view.uptime))}"
    lines.append(state)
    if info is not None and look is not Look.OFFLINE:
        details = details_line(view, info, ping=ping, language=language)
        if details:
            lines.append(details)
    if game:
        lines.append(game_line(view))
    if view.connect is not None:
        lines.append(t(language, "status.join", address=view.connect))
    return lines


def _percent(language: str, uptime: tuple[int, int]) -> str:
    """``99.9`` with the language's decimal sign (cut, never rounded up: see percent_up)."""
    shown = percent_up(*uptime)
    return shown.replace(".", decimal_sign(language))


def _players(
    embed: discord.Embed,
    view: ServerView,
    *,
    columns: int,
    budget: int,
    sort: PlayerSort,
    language: str = ENGLISH,
) -> None:
    """The player list as inline columns, or why there is none."""
    info, look = view.snapshot.info, look_of(view.snapshot)
    if info is None or look is Look.OFFLINE:
        return
    values = player_columns(
        info.player_list, columns=columns, budget=budget, sort=sort, language=language
    )
    for i, value in enumerate(values):
        name = (
            t(language, "status.players_count", count=len(info.player_list)) if i == 0 else "\u200b"
        )
        embed.add_field(name=name, value=value, inline=True)
    if not values and not info.players_known and info.players:
        embed.add_field(
            name=t(language, "status.players"),
            value=t(language, "status.players_hidden"),
            inline=False,
        )


def status_embed(
    view: ServerView,
    now: float,
    *,
    chart: bool = False,
    icon: bool = False,
    sort: PlayerSort = PlayerSort.TIME,
    language: str = ENGLISH,
) -> discord.Embed:
    """``/status server``: everything about one server. ``chart``/``icon``: the message attaches
    the chart as :data:`CHART_FILENAME` / the server's icon as :data:`ICON_FILENAME`."""
    snap, look = view.snapshot, look_of(view.snapshot)
    embed = discord.Embed(
        title=clip(escape(view.name_in(language)), MAX_TITLE), colour=look.colour, url=view.join_url
    )
    info = snap.info
    ping = f"{info.ping_ms:.0f} ms" if info is not None else None
    lines = _header(view, look, ping=ping, own_name=300, game=True, language=language)
    embed.description = clip("\n".join(lines), 1000)
    # The player columns are the only inline fields: side by side in one row (two fit
    # beside a thumbnail, else three).
    _players(
        embed,
        view,
        columns=2 if icon else 3,
        budget=PLAYER_LIST_BUDGET,
        sort=sort,
        language=language,
    )
    if snap.checked_at is not None:
        # Shown in the footer in each reader's own time zone.
        embed.set_footer(text=t(language, "status.last_checked"))
        embed.timestamp = datetime.datetime.fromtimestamp(snap.checked_at, datetime.UTC)
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


def _board_embed(
    view: ServerView, thumbnail: str | None, *, own_name: int, game: bool, language: str
) -> tuple[discord.Embed, list[str]]:
    """A board embed's title, colour, link and thumbnail, and its header lines (pings coarse:
    no clock in a board, which is edited only when what it shows changed)."""
    look, info = look_of(view.snapshot), view.snapshot.info
    embed = discord.Embed(
        title=clip(escape(view.name_in(language)), 80), colour=look.colour, url=view.join_url
    )
    if thumbnail is not None:
        embed.set_thumbnail(url=f"attachment://{thumbnail}")
    ping = board_ping(info.ping_ms) if info is not None else None
    return embed, _header(view, look, ping=ping, own_name=own_name, game=game, language=language)


def compact_embed(
    view: ServerView, *, thumbnail: str | None = None, language: str = ENGLISH
) -> discord.Embed:
    """One server on a ``compact`` status board: small enough for ten in a message.
    ``thumbnail``: the filename of the server's icon as the message attaches it."""
    embed, lines = _board_embed(view, thumbnail, own_name=0, game=False, language=language)
    info = view.snapshot.info
    if info is not None and look_of(view.snapshot) is not Look.OFFLINE and info.player_list:
        ordered = sorted_players(info.player_list, PlayerSort.TIME)
        names = ", ".join(clip(escape(p.name), 32) for p in ordered[:40] if p.name)
        if names:
            lines.append(clip(names, 200))
    embed.description = clip("\n".join(lines), COMPACT_BUDGET - len(embed.title or ""))
    return embed


def detailed_embed(
    view: ServerView, *, thumbnail: str | None = None, language: str = ENGLISH
) -> discord.Embed:
    """One server on a ``detailed`` board: the compact lines, the game, and the players in
    columns; :data:`DETAILED_PER_MESSAGE` of them share one message's 6,000 characters."""
    embed, lines = _board_embed(view, thumbnail, own_name=100, game=True, language=language)
    embed.description = clip("\n".join(lines), 600)
    columns = 2 if thumbnail is not None else 3
    _players(
        embed,
        view,
        columns=columns,
        budget=DETAILED_PLAYERS_BUDGET,
        sort=PlayerSort.TIME,
        language=language,
    )
    return embed


def summary_embed(
    guild_name: str, views: Sequence[ServerView], language: str = ENGLISH
) -> discord.Embed:
    """``/status`` without a server: every server of the guild, one line each."""
    online = [v for v in views if v.snapshot.online]
    players = sum(v.snapshot.info.players for v in online if v.snapshot.info is not None)
    embed = discord.Embed(
        title=clip(t(language, "status.summary_title", guild=escape(guild_name)), MAX_TITLE),
        colour=discord.Colour.green() if len(online) == len(views) else discord.Colour.orange(),
    )
    if not views:
        embed.description = t(language, "status.summary_empty")
        return embed
    lines = []
    for view in views:
        look, info = look_of(view.snapshot), view.snapshot.info
        line = f"{look.icon} **{clip(escape(view.name_in(language)), 60)}**"
        if info is not None and look is not Look.OFFLINE:
            shown_map = clip(escape(view.shown(info.map, language)), 30)
            line += f" · {players_line(info, language)} · {shown_map}"
        else:
            line += f" · {look.label_in(language).lower()}"
        lines.append(line)
    body = ""
    for i, line in enumerate(lines):
        if len(body) + len(line) + 40 > MAX_DESCRIPTION:
            body += t(language, "status.summary_more", count=len(lines) - i)
            break
        body += line + "\n"
    embed.description = body.rstrip("\n")
    embed.add_field(name=t(language, "status.online"), value=f"{len(online)}/{len(views)}")
    embed.add_field(name=t(language, "status.players"), value=number(language, players))
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
