"""The ban list as text for Discord embeds (pure: markdown with every name escaped and every
server answer cleaned and clipped)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.rendering.text import clip, escape, sanitize
from bot.services.bans.duration import shown
from bot.services.bans.sending import ServerOutcome
from bot.services.feed import ids as player_ids
from bot.storage.bans import Ban, BanTarget

STATE_MARKS = {
    "applied": ("✅", "banned"),
    "pending": ("⏳", "waiting for the server"),
    "failed": ("❌", "the console refused"),
    "kick": ("👢", "kicked when they join"),
    "lifting": ("⏳", "unban waiting for the server"),
    "lifted": ("✅", "lifted"),
    "cancelled": ("➖", "lifted before it reached the server"),
}
_LABELS = {
    "steam": "SteamID",
    "guid": "BattlEye GUID",
    "eos": "EOS id",
    "mc_uuid": "Minecraft UUID",
    "name": "Name",
}
MAX_LINES = 25


def length_text(ban: Ban) -> str:
    if ban.expires_at is None:
        return "permanent"
    minutes = round((ban.expires_at - ban.created_at) / 60)
    end = int(ban.expires_at)
    return f"{shown(minutes)}, ends <t:{end}:f> (<t:{end}:R>)"


def status_text(ban: Ban, now: float) -> str:
    if ban.lifted_at is not None:
        how = "expired" if ban.lift_reason == "expired" else "lifted"
        by = f" by <@{ban.lifted_by}>" if ban.lifted_by else ""
        return f"{how}{by} <t:{int(ban.lifted_at)}:R>"
    return "active" if ban.active(now) else "expired"


def outcome_line(outcome: ServerOutcome) -> str:
    mark, words = STATE_MARKS.get(outcome.state, ("•", outcome.state))
    line = f"{mark} **{escape(clip(outcome.server_name, 60))}**: {words}"
    if outcome.detail and outcome.state in ("pending", "failed", "lifting"):
        line += f" ({clip(escape(sanitize(outcome.detail)), 120)})"
    return line


def outcome_lines(outcomes: Sequence[ServerOutcome]) -> str:
    lines = [outcome_line(o) for o in outcomes[:MAX_LINES]]
    if len(outcomes) > MAX_LINES:
        lines.append(f"… and {len(outcomes) - MAX_LINES} more servers")
    return "\n".join(lines) or "No server."


def target_outcomes(targets: Sequence[BanTarget], names: Mapping[int, str]) -> list[ServerOutcome]:
    return [
        ServerOutcome(names.get(t.server_id, f"server #{t.server_id}"), t.state, t.detail)
        for t in targets
    ]


def identifier_lines(ban: Ban) -> list[str]:
    lines = []
    for ident in ban.identifiers:
        label = _LABELS.get(ident.kind, ident.kind)
        profile = player_ids.steam_profile(ident.value) if ident.kind == "steam" else None
        value = f"[{ident.value}]({profile})" if profile else f"`{escape(ident.value)}`"
        lines.append(f"{label}: {value}")
    return lines


def list_line(ban: Ban, targets: Sequence[BanTarget], now: float) -> str:
    reached = sum(t.state in ("applied", "kick") for t in targets)
    waiting = sum(t.state in ("pending", "failed") for t in targets)
    where = f"{reached}/{len(targets)} servers" + (f", {waiting} waiting" if waiting else "")
    when = "permanent" if ban.expires_at is None else f"ends <t:{int(ban.expires_at)}:R>"
    if not ban.active(now):
        when = status_text(ban, now)
    line = (
        f"`#{ban.id}` **{escape(clip(ban.label, 40))}** · {clip(escape(ban.reason), 60)} · {when}"
    )
    return f"{line} · {where}" if targets else line
