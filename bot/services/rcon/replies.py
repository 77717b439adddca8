"""What a typed /rcon action did, said to the member: to whom, where, and whether the server
confirmed it (its own words attached when it said something)."""

from __future__ import annotations

from bot.rendering.text import clip, escape, sanitize
from bot.services.rcon.actions import Plan, PlayerRef
from bot.services.rcon.errors import RconInvalidInput
from bot.services.rcon.permissions import Action


def player_label(player: PlayerRef) -> str:
    return f"**{escape(clip(player.name, 100))}** (#{player.id})"


def _answer_note(answer: str) -> str:
    # The server's own words when it said something (an empty answer is BattlEye's "done").
    text = answer.strip()
    if not text:
        return ""
    return "\nThe server answered: `" + clip(sanitize(text), 300).replace("`", "ˋ") + "`"


def player_action_reply(
    plan: Plan,
    server_name: str,
    *,
    reason: str,
    minutes: int | None,
    answer: str,
    confirmed: bool,
) -> str:
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
    return text + _answer_note(answer)


def whisper_reply(plan: Plan, server_name: str, *, answer: str) -> str:
    if plan.target is None:
        raise ValueError("a whisper plan names its target")
    text = f"Whispered to {player_label(plan.target)} on **{escape(server_name)}**"
    return text + _answer_note(answer)


def unban_reply(ban: str, banned: str, server_name: str, *, answer: str, confirmed: bool) -> str:
    what = f"ban #{ban} (**{escape(banned)}**)" if banned != ban else f"**{escape(ban)}**"
    where = f"**{escape(server_name)}**"
    if confirmed:
        text = f"Lifted {what} on {where}" if banned != ban else f"Unbanned {what} on {where}"
    else:
        text = f"Unban of {what} sent to {where}; the server did not confirm yet."
    return text + _answer_note(answer)


def find_ban(bans: dict[str, str], ban: str, server_name: str) -> str:
    """What ban ``ban`` holds (GUID, IP or SteamID), or RconInvalidInput when there is none."""
    banned = bans.get(ban.strip())
    if banned is None:
        raise RconInvalidInput(
            f"**{escape(server_name)}** has no ban {ban.strip()!r} (see /rcon bans); "
            "nothing was sent."
        )
    return banned
