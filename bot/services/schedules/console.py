"""What a schedule or countdown sends: the console lines through :class:`RconCommands` (the
permission of its owner checked at run time, one audit row per send, marked with where it
came from), and the short outcome a schedule shows in ``/schedule list``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.i18n import ENGLISH
from bot.rendering.text import clip, sanitize
from bot.services.errors import UserError
from bot.services.rcon.actions import Plan, plan_exec, plan_say, plan_shutdown
from bot.services.rcon.commands import RconCommands
from bot.services.rcon.live_players import rcon_game
from bot.services.rcon.permissions import Action, Caller, NotPermitted
from bot.services.schedules.countdown import announcement
from bot.services.schedules.outcomes import OK, stored
from bot.storage import Server

log = logging.getLogger(__name__)

# Longest message or command a schedule stores (plan_say/plan_exec apply the console's limit).
MAX_PAYLOAD = 400


class Members(Protocol):
    async def caller(self, guild_id: int, user_id: int) -> Caller | None:
        """The member as the permission check sees them now; None when they left (or Discord
        could not say)."""
        ...


@dataclass(frozen=True, slots=True)
class Owner:
    """Who a run acts for: the schedule's creator, or who started a countdown."""

    guild_id: int
    user_id: int
    name: str


# What each schedule kind needs, as the permission check names it (a restart: its shutdown's).
KIND_ACTIONS = {"message": Action.SAY, "command": Action.EXEC, "restart": Action.EXEC}


def check_payload(
    server: Server, kind: str, payload: str, steps: tuple[int, ...], language: str = ENGLISH
) -> str:
    """The payload as it will be sent, or a UserError; nothing reaches the console here. A
    restart's announcement is checked as the players will read it (``language``: the
    guild's)."""
    game = rcon_game(server)
    if kind == "message":
        plan_say(game, payload)
        return payload.strip()
    if kind == "command":
        return plan_exec(game, payload).commands[0]
    plan_shutdown(game)  # refuses consoles without a shutdown command
    if steps:
        plan_say(game, announcement(max(steps), payload, language))
    return payload.strip()


class ConsoleRuns:
    def __init__(self, rcon: RconCommands, members: Members) -> None:
        self.rcon = rcon
        self.members = members

    async def _caller(self, owner: Owner) -> Caller:
        found = await self.members.caller(owner.guild_id, owner.user_id)
        # Gone from the guild: no roles and no Administrator, so only a denial is audited.
        return found or Caller(owner.guild_id, owner.user_id, False, ())

    async def send(
        self, owner: Owner, server: Server, action: Action, label: str, build: Callable[[], Plan]
    ) -> str:
        """Run one plan as ``owner`` with ``action`` checked: the outcome ("ok", "denied: …",
        "error: …") for the schedule; never raises for a console or permission failure."""

        async def plan() -> Plan:
            return build()

        caller = await self._caller(owner)
        try:
            await self.rcon.run(caller, owner.name, action, server, label, plan)
        except NotPermitted:
            return stored("denied", who=clip(owner.name, 40), permission=action.value)
        except UserError as exc:  # console errors and refused input; already audited
            outcome = getattr(exc, "outcome", "error")
            return f"{outcome}: {clip(sanitize(str(exc)), 160)}"
        except Exception as exc:  # a scheduled run must not take the runner down
            log.exception("scheduled run %s on server %d failed", label, server.id)
            return f"error: {type(exc).__name__}"
        return OK

    async def say(self, owner: Owner, server: Server, action: Action, label: str, text: str) -> str:
        game = rcon_game(server)
        return await self.send(
            owner, server, action, f"{label}: say {text!r}", lambda: plan_say(game, text)
        )

    async def command(self, owner: Owner, server: Server, label: str, command: str) -> str:
        game = rcon_game(server)
        return await self.send(
            owner, server, Action.EXEC, f"{label}: {command}", lambda: plan_exec(game, command)
        )

    async def shutdown(self, owner: Owner, server: Server, label: str) -> str:
        game = rcon_game(server)
        return await self.send(
            owner, server, Action.EXEC, f"{label}: shutdown now", lambda: plan_shutdown(game)
        )

    async def may(self, owner: Owner, server: Server, action: Action, label: str) -> str:
        """ "ok" when ``owner`` holds ``action`` now; else the denial, audited."""
        caller = await self._caller(owner)
        try:
            await self.rcon.authorize(caller, owner.name, action, server, label)
        except NotPermitted:
            return stored("denied", who=clip(owner.name, 40), permission=action.value)
        return OK
