"""Text helpers for embeds: markdown escaping, clipping, durations, Discord timestamps."""

from __future__ import annotations

import re

import discord

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Line-start syntax escape_markdown leaves alone: headings, quotes, lists, subtext.
_LINE_START = re.compile(r"^([#>]|[-*+](?=\s))")
_NUMBERED = re.compile(r"^(\d+)\.(?=\s)")
# escape_markdown escapes "[" (masked links) but not "]".
_BRACKET = re.compile(r"(?<!\\)\]")


def escape(text: str) -> str:
    """Game-server and player names shown as typed, never as Discord markdown."""
    flat = _CONTROL.sub(" ", text).strip()
    escaped = discord.utils.escape_markdown(flat)
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


def duration(seconds: float) -> str:
    """``45s``, ``12m``, ``3h 05m``, ``2d 4h``."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"


def relative(at: float) -> str:
    """A Discord timestamp that each reader sees as "3 minutes ago"."""
    return f"<t:{int(at)}:R>"


def address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
