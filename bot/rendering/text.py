"""Text helpers for messages and embeds: markdown escaping, clipping, durations, Discord
timestamps, the alert messages. Plain strings only (no discord import): services render
feed lines and alert texts with them.

Text from game servers (names, maps, chat, console answers) may carry characters that break a
line or reorder what is shown around them (a bidi override makes "evil.exe" read "exe.live").
:func:`sanitize` removes them; :func:`escape` and the RCON answer path call it, so every embed
and feed line gets it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.i18n import ENGLISH, t
from bot.i18n.formatting import unit

# C0 and C1 controls (C1 includes U+0085 NEL), DEL, the line and paragraph separators: each
# becomes a space. Bidi embeddings, overrides, isolates and marks carry no text: dropped.
_SEPARATORS = "\x7f-\x9f\u2028\u2029"
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_CONTROL = re.compile("[\x00-\x1f" + _SEPARATORS + "]")
# The same but keeping line feeds and tabs (multi-line console answers in a code block).
_CONTROL_BLOCK = re.compile("[\x00-\x08\x0b-\x1f" + _SEPARATORS + "]")
# Line-start syntax escape_markdown leaves alone: headings, quotes, lists, subtext.
_LINE_START = re.compile(r"^([#>]|[-*+](?=\s))")
_NUMBERED = re.compile(r"^(\d+)\.(?=\s)")
# escape_markdown escapes "[" (masked links) but not "]".
_BRACKET = re.compile(r"(?<!\\)\]")
# discord.utils.escape_markdown(text) with its defaults (links left alone), written out here so
# that this module needs no discord import; tests/bot/test_text_sanitize.py pins the two equal.
_URL = r"(?P<url><[^: >]+:\/[^ >]+>|(?:https?|steam):\/\/[^\s<]+[^<.,:;\"\'\]\s])"
_MARKDOWN = re.compile(
    rf"(?:{_URL}|(?P<markdown>[_\\~|\*`]|^>(?:>>)?\s|\[.+\]\(.+\)|^#{{1,3}}|^\s*-))", re.MULTILINE
)


def escape_markdown(text: str) -> str:
    """Every markdown character of ``text`` escaped with a backslash, links left as they are."""
    return _MARKDOWN.sub(lambda m: m["url"] or "\\" + m["markdown"], text)


def sanitize(text: str, *, multiline: bool = False) -> str:
    """Server-provided text without controls, line separators or bidi controls.

    One line by default (controls and separators become spaces); ``multiline`` keeps line feeds
    and tabs, turns CR LF and a lone CR into a line feed, and drops the other controls.
    """
    text = _BIDI.sub("", text)
    if not multiline:
        return _CONTROL.sub(" ", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_BLOCK.sub("", text)


def escape(text: str) -> str:
    """Game-server and player names shown as typed, never as Discord markdown."""
    flat = sanitize(text).strip()
    escaped = escape_markdown(flat)
    escaped = _BRACKET.sub(r"\\]", escaped)
    escaped = _NUMBERED.sub(r"\1\\.", escaped)
    return _LINE_START.sub(r"\\\1", escaped)


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, an ellipsis marking a cut (never a dangling backslash)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if cut.endswith("\\") and not cut.endswith("\\\\"):
        cut = cut[:-1]
    return cut + "…"


def duration(seconds: float, language: str = ENGLISH) -> str:
    """``45s``, ``12m``, ``3h 05m``, ``2d 4h``; in another language its CLDR short units
    (``3 ч 5 мин``, ``3小时5分钟``)."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if language != ENGLISH:
        return _localised_duration(language, days, hours, minutes, secs)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"


def _localised_duration(language: str, days: int, hours: int, minutes: int, secs: int) -> str:
    # The two largest units, as the English form shows them.
    if days:
        parts = [(days, "duration-day"), (hours, "duration-hour")]
    elif hours:
        parts = [(hours, "duration-hour"), (minutes, "duration-minute")]
    elif minutes:
        parts = [(minutes, "duration-minute")]
    else:
        parts = [(secs, "duration-second")]
    gap = "" if language in _NO_SPACES else " "
    return gap.join(unit(language, value, name) for value, name in parts)


# Scripts written without spaces between words.
_NO_SPACES = frozenset({"zh-CN"})


def relative(at: float) -> str:
    """A Discord timestamp that each reader sees as "3 minutes ago"."""
    return f"<t:{int(at)}:R>"


HIDDEN_ADDRESS = "(address hidden)"  # English; misc.address_hidden in the catalogue


def mask_address(text: str, host: str, language: str = ENGLISH) -> str:
    """``text`` with the host (and a ``:port`` after it) replaced by "(address hidden)" in
    ``language``, for servers whose address is hidden (``/status-connect show:False``): names
    and A2S titles often carry it."""
    if not host:
        return text
    pattern = re.escape(host.strip("[]")) + r"\]?(?::\d{1,5})?"
    hidden = t(language, "misc.address_hidden")
    # A function, not a template: the text is never read as backreferences.
    return re.sub(r"\[?" + pattern, lambda _: hidden, text, flags=re.IGNORECASE)


def address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def join_within(lines: Sequence[str], limit: int, language: str = ENGLISH) -> str:
    """Whole lines joined by line feeds within ``limit`` characters; the lines that do not fit
    are counted in a last "… and N more" line in ``language`` (never a line cut in half)."""
    whole = "\n".join(lines)
    if len(whole) <= limit:
        return whole
    kept: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        # Room for this line and for the "and N more" line that will follow it.
        if used + len(line) + 1 + len(more_line(len(lines) - i - 1, language)) > limit:
            kept.append(more_line(len(lines) - i, language))
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)


def more_line(count: int, language: str = ENGLISH) -> str:
    return t(language, "status.summary_more", count=count)


# -- alert messages ---------------------------------------------------------------------------


# In the guild's language (shared messages); times are Discord timestamps, shown to each reader
# in their own language and zone.


def _alert(language: str, mention: str | None, key: str, name: str, **values: str) -> str:
    """The alert message ``key`` about the server ``name`` (escaped, clipped), after the mention."""
    text = t(language, key, name=clip(escape(name), 100), **values)
    return f"{mention} {text}" if mention else text


def offline_transition_text(
    name: str, down_since: float | None, mention: str | None, language: str = ENGLISH
) -> str:
    """The alert message for a server going down."""
    if down_since is None:
        return _alert(language, mention, "alerts.down", name)
    return _alert(language, mention, "alerts.down_since", name, relative=relative(down_since))


def resolved_incident_text(
    name: str,
    down_since: float,
    back_at: float,
    mention: str | None,
    language: str = ENGLISH,
) -> str:
    """The "down" alert message as it is edited once the server is back: the outage's
    length and times (each reader's own time zone)."""
    return _alert(
        language,
        mention,
        "alerts.resolved",
        name,
        duration=duration(max(0.0, back_at - down_since), language),
        start=f"<t:{int(down_since)}:f>",
        end=f"<t:{int(back_at)}:t>",
    )


def online_transition_text(
    name: str, downtime: float | None, mention: str | None, language: str = ENGLISH
) -> str:
    """The alert message for a server back up, with how long it was down."""
    if downtime is None:
        return _alert(language, mention, "alerts.up", name)
    after = duration(downtime, language)
    return _alert(language, mention, "alerts.up_after", name, duration=after)


def percent_up(online: int, total: int) -> str:
    """``99.9``: the share of ``total`` samples that were online, cut (never rounded up) to one
    decimal, so 99.95 % never shows as a 100 that hides an outage; ``100`` only when all were."""
    if total <= 0:
        return "-"
    if online >= total:
        return "100"
    return f"{int(online * 1000 / total) / 10:.1f}"
