"""What a typed /rcon action did, said to the member: to whom, where, and whether the server
confirmed it (its own words, shown by the cog, only when it said something)."""

from __future__ import annotations

from dataclasses import dataclass

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


def _title(server_name: str, confirmed: bool) -> str:
    where = escape(clip(server_name, 100))
    return f"Done on {where}" if confirmed else f"Sent to {where}, not confirmed yet"


def player_action_reply(
    plan: Plan,
    server_name: str,
    *,
    reason: str,
    minutes: int | None,
    answer: str,
    confirmed: bool,
) -> Reply:
    """What a kick or ban did, to whom and where; honest when the server did not confirm it."""
    if plan.target is None:
        raise ValueError("a kick or ban plan names its target")
    who, where = player_label(plan.target), f"**{escape(server_name)}**"
    why = f": {escape(reason)}" if reason else ""
    if plan.action is Action.KICK:
        done, sent = f"Kicked {who} from {where}{why}", f"Kick of {who} sent to {where}"
    else:
        length = f"for {minutes} minutes" if minutes else "permanently"
        done = f"Banned {who} on {where} {length}{why}"
        sent = f"Ban of {who} ({length}) sent to {where}"
    text = done if confirmed else f"{sent}; the server did not confirm yet."
    return Reply(_title(server_name, confirmed), text, answer.strip(), confirmed)


def whisper_reply(plan: Plan, server_name: str, *, answer: str) -> Reply:
    if plan.target is None:
        raise ValueError("a whisper plan names its target")
    text = f"Whispered to {player_label(plan.target)} on **{escape(server_name)}**"
    return Reply(_title(server_name, True), text, answer.strip())


def unban_reply(ban: str, banned: str, server_name: str, *, answer: str, confirmed: bool) -> Reply:
    what = f"ban #{ban} (**{escape(banned)}**)" if banned != ban else f"**{escape(ban)}**"
    where = f"**{escape(server_name)}**"
    if confirmed:
        text = f"Lifted {what} on {where}" if banned != ban else f"Unbanned {what} on {where}"
    else:
        text = f"Unban of {what} sent to {where}; the server did not confirm yet."
    return Reply(_title(server_name, confirmed), text, answer.strip(), confirmed)


def find_ban(bans: dict[str, str], ban: str, server_name: str) -> str:
    """What ban ``ban`` holds (GUID, IP or SteamID), or RconInvalidInput when there is none."""
    banned = bans.get(ban.strip())
    if banned is None:
        raise RconInvalidInput(
            f"**{escape(server_name)}** has no ban {ban.strip()!r} (see /rcon bans); "
            "nothing was sent."
        )
    return banned
