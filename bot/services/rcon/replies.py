"""What a typed /rcon action did, said to the member: to whom, where, and whether the server
confirmed it (its own words, shown by the cog, only when it said something)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import ENGLISH, t
from bot.rendering.text import clip, escape
from bot.services.rcon.actions import Plan, PlayerRef
from bot.services.rcon.errors import RconInvalidInput
from bot.services.rcon.permissions import Action


@dataclass(frozen=True, slots=True)
class Reply:
    """What an action did: a title and one sentence (markdown, names escaped), the server's own
    words ("" when it answered nothing), and whether the server confirmed it."""

    title: str
    text: str
    answer: str = ""
    confirmed: bool = True


def player_label(player: PlayerRef) -> str:
    return f"**{escape(clip(player.name, 100))}** (#{player.id})"


def _title(language: str, server_name: str, confirmed: bool) -> str:
    where = escape(clip(server_name, 100))
    return t(
        language, "rcon.reply.done_title" if confirmed else "rcon.reply.sent_title", server=where
    )


def ban_length(language: str, minutes: int | None) -> str:
    """ "for 5 minutes" or "permanently", as a ban's question and reply say it."""
    if minutes:
        return t(language, "rcon.reply.for_minutes", count=minutes)
    return t(language, "rcon.reply.permanently")


def player_action_reply(
    plan: Plan,
    server_name: str,
    *,
    reason: str,
    minutes: int | None,
    answer: str,
    confirmed: bool,
    language: str = ENGLISH,
) -> Reply:
    """What a kick or ban did, to whom and where; honest when the server did not confirm it.
    The reason is the member's own text: shown as typed (escaped), never translated."""
    if plan.target is None:
        raise ValueError("a kick or ban plan names its target")
    who, where = player_label(plan.target), f"**{escape(server_name)}**"
    done, sent = ("kicked", "kick_sent") if plan.action is Action.KICK else ("banned", "ban_sent")
    if not confirmed:
        key = f"rcon.reply.{sent}"
    else:
        key = f"rcon.reply.{done}_reason" if reason else f"rcon.reply.{done}"
    length = ban_length(language, minutes)
    text = t(language, key, who=who, where=where, length=length, reason=escape(reason))
    return Reply(_title(language, server_name, confirmed), text, answer.strip(), confirmed)


def whisper_reply(plan: Plan, server_name: str, *, answer: str, language: str = ENGLISH) -> Reply:
    if plan.target is None:
        raise ValueError("a whisper plan names its target")
    who, where = player_label(plan.target), f"**{escape(server_name)}**"
    text = t(language, "rcon.reply.whispered", who=who, where=where)
    return Reply(_title(language, server_name, True), text, answer.strip())


def unban_reply(
    ban: str,
    banned: str,
    server_name: str,
    *,
    answer: str,
    confirmed: bool,
    language: str = ENGLISH,
) -> Reply:
    numbered = banned != ban
    what = (
        t(language, "rcon.reply.ban_number", ban=ban, banned=escape(banned))
        if numbered
        else f"**{escape(ban)}**"
    )
    where = f"**{escape(server_name)}**"
    if not confirmed:
        key = "rcon.reply.unban_sent"
    else:
        key = "rcon.reply.lifted" if numbered else "rcon.reply.unbanned"
    text = t(language, key, what=what, where=where)
    return Reply(_title(language, server_name, confirmed), text, answer.strip(), confirmed)


def find_ban(bans: dict[str, str], ban: str, server_name: str) -> str:
    """What ban ``ban`` holds (GUID, IP or SteamID), or RconInvalidInput when there is none."""
    banned = bans.get(ban.strip())
    if banned is None:
        raise RconInvalidInput(
            key="rcon.no_such_ban", server=escape(server_name), ban=repr(ban.strip())
        )
    return banned
