"""How the audit log looks in Discord: one line per entry (who as a mention, when as a Discord
timestamp in each reader's own time zone, an outcome icon), the ``/audit view`` page with its
filters in the footer, and the embeds of the mirror channel.

The page is in the reader's language, the mirror in the guild's; what a row stores (action
names like ``rcon kick``, arguments, excerpts, names) is shown as stored."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

import discord

from bot.i18n import ENGLISH, t
from bot.rendering.text import clip, escape, join_within, sanitize
from bot.services.audit import DeniedGroup, Dropped, MirrorItem
from bot.storage.audit import AuditEntry
from cogs._results import COLOUR_FAIL, COLOUR_OK, COLOUR_WARN, code_block

MAX_DESCRIPTION = 4096
MAX_FOOTER = 2048
MAX_LINE = 1000  # one entry never fills a page alone
MESSAGE_EMBEDS_MAX = 10
MESSAGE_EMBED_CHARS_MAX = 6000

# The outcomes bot.storage.audit.OUTCOMES allows. A timeout may or may not have run on the
# server, so it is a warning like "unknown" (left pending by a stopped process), not a failure.
OUTCOME_MARK = {
    "ok": "✅",
    "denied": "⛔",
    "error": "❌",
    "timeout": "⚠️",
    "unknown": "⚠️",
    "pending": "⏳",
}
OUTCOME_COLOUR = {
    "ok": COLOUR_OK,
    "denied": COLOUR_FAIL,
    "error": COLOUR_FAIL,
    "timeout": COLOUR_WARN,
    "unknown": COLOUR_WARN,
    "pending": COLOUR_WARN,
}

# Ids the commands write into arguments ("channel=123 role=456", "via role 456"), shown as
# mentions.
_ID_ARGUMENT = re.compile(r"\b(channel|role)([= ])(\d{15,21})\b")
_MENTION = {"channel": "<#{}>", "role": "<@&{}>"}


def _arguments(text: str) -> str:
    """Arguments as readable text: typed text cannot mention or format anything (a zero-width
    space after each ``<`` and ``@``), the ids our commands record become mentions."""
    safe = escape(clip(text, 160)).replace("<", "<\u200b").replace("@", "@\u200b")
    return _ID_ARGUMENT.sub(lambda m: m[1] + m[2] + _MENTION[m[1]].format(m[3]), safe)


def unix_of(at: str) -> int | None:
    """Unix seconds of a stored ISO 8601 UTC time, or None when it does not parse."""
    try:
        moment = datetime.datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return int(moment.timestamp())


def when(at: str) -> str:
    """The row's time as a Discord timestamp each reader sees in their own time zone."""
    stamp = unix_of(at)
    if stamp is None:
        return f"`{escape(at[:19])}`"
    return f"<t:{stamp}:f> (<t:{stamp}:R>)"


def outcome_name(outcome: str, language: str) -> str:
    """A stored outcome code in ``language``; a code this bot does not know, as stored."""
    if outcome not in OUTCOME_MARK:
        return escape(outcome)
    return t(language, f"auditlog.outcome.{outcome}")


def entry_line(e: AuditEntry, language: str = ENGLISH) -> str:
    where = (
        " " + t(language, "auditlog.on", server=escape(clip(e.server_name, 100)))
        if e.server_name
        else ""
    )
    latency = f" · {e.latency_ms:.0f} ms" if e.latency_ms is not None else ""
    args = f" · {_arguments(e.arguments)}" if e.arguments else ""
    by = " " + t(language, "auditlog.via", grant=_arguments(e.allowed_by)) if e.allowed_by else ""
    # User 0: the bot itself (the ban list's kicks and expiries), shown by its role's name.
    who = f"<@{e.user_id}>" if e.user_id else f"*{escape(clip(e.user_name, 40))}*"
    line = (
        f"{OUTCOME_MARK.get(e.outcome, '⚠️')} {when(e.at)} {who} "
        f"**{escape(e.action)}**{where}{args}{by} → {outcome_name(e.outcome, language)}{latency}"
    )
    return clip(line, MAX_LINE)


def filters_text(
    server: str | None, user: str | None, action: str | None, since: str | None
) -> str:
    """The filters of an ``/audit view``, as the footer shows them (plain text). Labelled by
    the option names, which Discord shows in English to everyone."""
    parts = [
        f"{label}: {sanitize(value).strip()}"
        for label, value in (("server", server), ("user", user), ("action", action))
        if value
    ]
    if since:
        parts.append(f"since: {sanitize(since).strip()}")
    return " · ".join(parts)


def audit_embed(
    entries: list[AuditEntry],
    page: int,
    pages: int,
    total: int,
    filters: str = "",
    language: str = ENGLISH,
) -> discord.Embed:
    embed = discord.Embed(title=t(language, "auditlog.title"), colour=discord.Colour.blurple())
    if not entries:
        embed.description = t(language, "auditlog.empty")
    else:
        # Whole lines only; what does not fit is counted ("… and N more").
        lines = [entry_line(e, language) for e in entries]
        embed.description = join_within(lines, MAX_DESCRIPTION, language)
    footer = t(
        language,
        "auditlog.footer",
        page=page + 1,
        pages=max(pages, 1),
        entries=t(language, "auditlog.entries", count=total),
    )
    if filters:
        footer = f"{filters} · {footer}"
    embed.set_footer(text=clip(footer, MAX_FOOTER))
    return embed


def mirror_embed(e: AuditEntry, language: str = ENGLISH) -> discord.Embed:
    colour = OUTCOME_COLOUR.get(e.outcome, COLOUR_WARN)
    embed = discord.Embed(description=entry_line(e, language), colour=colour)
    if e.excerpt:
        excerpt = sanitize(e.excerpt, multiline=True)
        name = t(language, "auditlog.response")
        embed.add_field(name=name, value=code_block(excerpt, 1024), inline=False)
    embed.set_footer(text=clip(f"#{e.id} · {e.user_name}", MAX_FOOTER))
    return embed


def _span(group: DeniedGroup) -> str:
    first, last = unix_of(group.first_at), unix_of(group.last_at)
    if first is None or last is None:
        return f"`{group.first_at[11:19]}Z`–`{group.last_at[11:19]}Z`"
    return f"<t:{first}:T>–<t:{last}:T>"


def denied_line(group: DeniedGroup, language: str = ENGLISH) -> str:
    """One line for a member's denied attempts of one window."""
    actions = ", ".join(
        f"{escape(a)} ×{n}" for a, n in sorted(group.actions.items(), key=lambda kv: -kv[1])[:5]
    )
    servers = ", ".join(f"**{escape(s)}**" for s in sorted(group.servers)[:3])
    where = " " + t(language, "auditlog.on_servers", servers=servers) if group.servers else ""
    who = f"<@{group.user_id}>" if group.user_id else t(language, "auditlog.others")
    denied = t(language, "auditlog.denied", who=who, count=group.count, actions=actions)
    return f"⛔ {_span(group)} {denied}{where}"


def _denied_embed(
    items: Sequence[MirrorItem], language: str = ENGLISH
) -> tuple[discord.Embed, int]:
    """One embed for the consecutive denied groups at the start of ``items``."""
    lines: list[str] = []
    size = 0
    for group in items:
        if not isinstance(group, DeniedGroup):
            break
        line = clip(denied_line(group, language), MAX_LINE)
        if lines and size + len(line) + 1 > 4000:
            break
        lines.append(line)
        size += len(line) + 1
    embed = discord.Embed(
        title=t(language, "auditlog.denied_title"),
        description="\n".join(lines),
        colour=COLOUR_FAIL,
    )
    return embed, len(lines)


def mirror_embeds(
    items: Sequence[MirrorItem], language: str = ENGLISH
) -> tuple[list[discord.Embed], int]:
    """The embeds of one mirror message for a prefix of ``items`` in the guild's ``language``,
    and how many it took (consecutive denied groups share one embed; Discord's per-message
    limits hold)."""
    embeds: list[discord.Embed] = []
    taken = chars = 0
    while taken < len(items):
        item = items[taken]
        count = 1
        if isinstance(item, DeniedGroup):
            embed, count = _denied_embed(items[taken:], language)
        elif isinstance(item, Dropped):
            embed = discord.Embed(
                description=t(language, "auditlog.dropped", count=item.count),
                colour=discord.Colour.dark_grey(),
            )
        else:
            embed = mirror_embed(item, language)
        if embeds and (
            len(embeds) >= MESSAGE_EMBEDS_MAX or chars + len(embed) > MESSAGE_EMBED_CHARS_MAX
        ):
            break
        embeds.append(embed)
        chars += len(embed)
        taken += count
    return embeds, taken
