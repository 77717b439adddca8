"""The ban list as text for Discord embeds (pure: markdown with every name escaped and every
server answer cleaned and clipped)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.i18n import ENGLISH, t
from bot.rendering.text import clip, escape, sanitize
from bot.services.bans.duration import shown_in
from bot.services.bans.sending import NO_ANSWER, STILL_TRYING, ServerOutcome
from bot.services.feed import ids as player_ids
from bot.storage.bans import Ban, BanTarget

# Each state's mark; its words are ``banlist.states.<state>`` in the reader's language.
STATE_MARKS = {
    "applied": "✅",
    "pending": "⏳",
    "failed": "❌",
    "kick": "👢",
    "lifting": "⏳",
    "lifted": "✅",
    "cancelled": "➖",
}
# Details that are the bot's own words (a console's answer is shown as it came).
_OWN_DETAILS = {STILL_TRYING: "banlist.states.still_trying", NO_ANSWER: "banlist.states.no_answer"}
_LABELS = {
    "steam": "SteamID",
    "guid": "BattlEye GUID",
    "eos": "EOS id",
    "mc_uuid": "Minecraft UUID",
}
MAX_LINES = 25


def length_text(ban: Ban, language: str = ENGLISH) -> str:
    if ban.expires_at is None:
        return t(language, "banlist.permanent")
    minutes = round((ban.expires_at - ban.created_at) / 60)
    end = int(ban.expires_at)
    return t(
        language,
        "banlist.ends",
        length=shown_in(max(1, minutes), language),
        date=f"<t:{end}:f>",
        relative=f"<t:{end}:R>",
    )


def status_text(ban: Ban, now: float, language: str = ENGLISH) -> str:
    if ban.lifted_at is not None:
        when = f"<t:{int(ban.lifted_at)}:R>"
        if ban.lift_reason == "expired":
            return t(language, "banlist.status_expired_at", when=when)
        if ban.lifted_by:
            return t(language, "banlist.status_lifted_by", user=f"<@{ban.lifted_by}>", when=when)
        return t(language, "banlist.status_lifted", when=when)
    return t(language, "banlist.active" if ban.active(now) else "banlist.expired")


def _state_words(state: str, language: str) -> str:
    return t(language, f"banlist.states.{state}") if state in STATE_MARKS else state


def outcome_line(outcome: ServerOutcome, language: str = ENGLISH) -> str:
    mark = STATE_MARKS.get(outcome.state, "•")
    line = f"{mark} **{escape(clip(outcome.server_name, 60))}**: "
    line += _state_words(outcome.state, language)
    if outcome.detail and outcome.state in ("pending", "failed", "lifting"):
        own = _OWN_DETAILS.get(outcome.detail)
        detail = t(language, own) if own else clip(escape(sanitize(outcome.detail)), 120)
        line += f" ({detail})"
    return line


def outcome_lines(outcomes: Sequence[ServerOutcome], language: str = ENGLISH) -> str:
    lines = [outcome_line(o, language) for o in outcomes[:MAX_LINES]]
    if len(outcomes) > MAX_LINES:
        lines.append(t(language, "banlist.more_servers", count=len(outcomes) - MAX_LINES))
    return "\n".join(lines) or t(language, "banlist.no_server")


def target_outcomes(
    targets: Sequence[BanTarget], names: Mapping[int, str], language: str = ENGLISH
) -> list[ServerOutcome]:
    """Each target with its server's name (a server removed since: its number)."""
    outcomes = []
    for target in targets:
        name = names.get(target.server_id)
        if name is None:
            name = t(language, "banlist.server.number", id=str(target.server_id))
        outcomes.append(ServerOutcome(name, target.state, target.detail))
    return outcomes


def identifier_lines(ban: Ban, language: str = ENGLISH) -> list[str]:
    lines = []
    for ident in ban.identifiers:
        if ident.kind == "name":
            label = t(language, "banlist.name_label")
        else:
            label = _LABELS.get(ident.kind, ident.kind)
        profile = player_ids.steam_profile(ident.value) if ident.kind == "steam" else None
        value = f"[{ident.value}]({profile})" if profile else f"`{escape(ident.value)}`"
        lines.append(f"{label}: {value}")
    return lines


def list_line(ban: Ban, targets: Sequence[BanTarget], now: float, language: str = ENGLISH) -> str:
    reached = sum(target.state in ("applied", "kick") for target in targets)
    waiting = sum(target.state in ("pending", "failed") for target in targets)
    where = t(language, "banlist.reached", reached=reached, count=len(targets))
    if waiting:
        where += ", " + t(language, "banlist.waiting", count=waiting)
    if not ban.active(now):
        when = status_text(ban, now, language)
    elif ban.expires_at is None:
        when = t(language, "banlist.permanent")
    else:
        when = t(language, "banlist.ends_relative", when=f"<t:{int(ban.expires_at)}:R>")
    line = (
        f"`#{ban.id}` **{escape(clip(ban.label, 40))}** · {clip(escape(ban.reason), 60)} · {when}"
    )
    return f"{line} · {where}" if targets else line
