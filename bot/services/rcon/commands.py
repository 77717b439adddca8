"""Running one ``/rcon`` action: permission check, validation, the commands, the audit row.

The audit row is written first (outcome ``pending``) and completed whatever happens: ``denied``
(no permission, or input refused before anything was sent), ``ok``, ``error`` or ``timeout``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.games import get_game
from bot.rendering.text import clip, escape, sanitize
from bot.services.audit import Actor, AuditLog, about
from bot.services.errors import UserError
from bot.services.rcon.actions import Plan
from bot.services.rcon.errors import RconError, RconRefused
from bot.services.rcon.permissions import Action, Caller, Decision, NotPermitted, PermissionService
from bot.services.rcon.pool import RconPool
from bot.storage import Server

PlanBuilder = Callable[[], Awaitable[Plan]]


class PartlyDone(RconError):
    """A plan's first commands ran, then one failed: the action is partly applied (a ban
    written but its kick not sent). Audited with the failure's own outcome."""

    def __init__(self, done: int, total: int, cause: RconError) -> None:
        # str() (logs, audit) is English; the reader's text is made when shown, with the
        # cause's own text in the same language (see cogs/_results.py).
        super().__init__(f"Only {done} of {total} commands ran before this failed: {cause}")
        self.outcome = cause.outcome
        self.done, self.total = done, total
        self.cause = cause


@dataclass(frozen=True, slots=True)
class Outcome:
    plan: Plan
    output: str
    decision: Decision


class RconCommands:
    def __init__(self, pool: RconPool, permissions: PermissionService, audit: AuditLog) -> None:
        self.pool = pool
        self.permissions = permissions
        self.audit = audit

    async def authorize(
        self, caller: Caller, user_name: str, action: Action, server: Server, arguments: str
    ) -> Decision:
        """The decision when allowed; a denial is audited and raised as NotPermitted."""
        decision = await self.permissions.decide(caller, action, server.id)
        if not decision.allowed:
            reason = f"needs the {action.value} permission"
            await self.refuse(caller, user_name, action, server, arguments, reason)
            raise NotPermitted(action, server.name)
        return decision

    async def refuse(
        self,
        caller: Caller,
        user_name: str,
        action: Action,
        server: Server,
        arguments: str,
        reason: str,
        decision: Decision | None = None,
    ) -> None:
        """Audit an attempt that was stopped before anything was sent."""
        await self.audit.record(
            _actor(caller, user_name),
            f"rcon {action.value}",
            arguments,
            outcome="denied",
            excerpt=reason,
            **about(server),
            allowed_by=decision.allowed_by if decision else "",
        )

    async def run(
        self,
        caller: Caller,
        user_name: str,
        action: Action,
        server: Server,
        arguments: str,
        build: PlanBuilder,
    ) -> Outcome:
        """Check, audit, build the plan (validation), send its commands in order."""
        actor = _actor(caller, user_name)
        ticket = await self.audit.begin(actor, f"rcon {action.value}", arguments, **about(server))
        decision = await self.permissions.decide(caller, action, server.id)
        if not decision.allowed:
            await self.audit.complete(ticket, "denied", f"needs the {action.value} permission")
            raise NotPermitted(action, server.name)
        outputs: list[str] = []
        total = 0
        try:
            plan = await build()
            total = len(plan.commands)
            for command in plan.commands:
                outputs.append(await self.pool.execute(server, command))
        except BaseException as exc:
            outcome, excerpt = _failure(exc)
            # Shielded: a cancelled command (shutdown) must still close its audit row.
            await asyncio.shield(
                self.audit.complete(ticket, outcome, excerpt, allowed_by=decision.allowed_by)
            )
            if isinstance(exc, RconError) and outputs:
                raise PartlyDone(len(outputs), total, exc) from exc
            raise
        output = "\n".join(o for o in outputs if o)
        secret = self.pool.password_for(server)
        rejected = _rejected(server, output)
        if rejected is not None:
            # The console said it does not know the command: that is no success.
            if secret:
                rejected = rejected.replace(secret, "•••")
            await self.audit.complete(
                ticket, "error", output, allowed_by=decision.allowed_by, secret=secret
            )
            line = clip(sanitize(rejected), 200).replace("`", "ˋ")
            raise RconRefused(key="rcon.refused", server=escape(server.name), line=line)
        await self.audit.complete(
            ticket, "ok", output, allowed_by=decision.allowed_by, secret=secret
        )
        return Outcome(plan, output, decision)


def _rejected(server: Server, output: str) -> str | None:
    """The console's "unknown command" line in ``output``, for consoles that have one."""
    game = get_game(server.game)
    if game is None or game.console is None:
        return None
    return game.console.rejected(output)


def _failure(exc: BaseException) -> tuple[str, str]:
    """Outcome and excerpt of the audit row of a command that failed with ``exc``."""
    if isinstance(exc, RconError):
        return exc.outcome, str(exc)
    if isinstance(exc, UserError):
        return "denied", str(exc)  # refused input: the message is safe to store
    return "error", type(exc).__name__


def _actor(caller: Caller, user_name: str) -> Actor:
    return Actor(caller.guild_id, caller.user_id, user_name)
