"""Sending the ban list's commands to one console at a time: the ban or its unban, audited
(``ban apply``, ``ban lift``), and the target's new state stored with its next try.

One lock per server keeps a round's retry and a member's ``/ban remove`` from interleaving on
the same console; a lift that lands while a ban is on its way takes the ban back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.catalogue import Console
from bot.games import get_game
from bot.protocols.backoff import BackoffPolicy
from bot.rendering.text import clip
from bot.services.audit import Actor, AuditLog, about
from bot.services.bans import identity, native
from bot.services.rcon.errors import RconError
from bot.services.rcon.pool import RconPool
from bot.storage import Server, Store
from bot.storage.bans import Ban

# A retry waits 30 s, then twice as long each time, at most an hour; a console that refused
# (failed) starts at five minutes: it will not change its mind soon.
RETRY_FIRST = 30.0
RETRY_BACKOFF = BackoffPolicy(initial=RETRY_FIRST, maximum=3600.0, jitter=0.0)
REFUSED_BACKOFF = BackoffPolicy(initial=300.0, maximum=3600.0, jitter=0.0)
APPLY_TIMEOUT = 15.0  # one server's commands, at most
# The bot's own details of a target (shown in the reader's language; a console's are as is).
STILL_TRYING = "still trying to reach it"
NO_ANSWER = "the console did not answer"


@dataclass(frozen=True, slots=True)
class ServerOutcome:
    server_name: str
    state: str
    detail: str = ""


def retry_after(attempts: int, refused: bool) -> float:
    """The wait after ``attempts`` earlier tries (0: the first retry waits ``initial``)."""
    return (REFUSED_BACKOFF if refused else RETRY_BACKOFF).step(attempts + 1)


def console_of(server: Server) -> Console | None:
    game = get_game(server.game)
    return game.console if game is not None else None


class ConsoleSender:
    def __init__(
        self,
        store: Store,
        pool: RconPool,
        audit: AuditLog,
        clock: Callable[[], float],
        wake: asyncio.Event,
    ) -> None:
        self.store = store
        self.pool = pool
        self.audit = audit
        self.clock = clock
        self.wake = wake  # set when an unban became due at once
        self._locks: dict[int, asyncio.Lock] = {}

    # -- talking to the consoles --------------------------------------------------------------

    def _lock(self, server_id: int) -> asyncio.Lock:
        return self._locks.setdefault(server_id, asyncio.Lock())

    async def send_ban(self, ban: Ban, server: Server, actor: Actor) -> ServerOutcome:
        async with self._lock(server.id):
            now = self.clock()
            commands = native.ban_commands(console_of(server), ban, now)
            if commands is None:
                detail = "no ban command for this player's ids here: kicked when they join"
                await self._settle(ban, server, "kick", detail, ("pending", "failed"))
                return ServerOutcome(server.name, "kick", detail)
            state, detail = await self._run(server, actor, "ban apply", ban, commands)
            await self._settle(ban, server, state, detail, ("pending", "failed"))
            return ServerOutcome(server.name, state, detail)

    async def send_unban(self, ban: Ban, server: Server, actor: Actor) -> ServerOutcome:
        async with self._lock(server.id):
            console = console_of(server)
            try:
                commands = await self._unban_commands(console, ban, server)
            except RconError as exc:
                await self._settle(ban, server, "lifting", str(exc), ("lifting",))
                return ServerOutcome(server.name, "lifting", str(exc))
            if not commands:
                await self._settle(ban, server, "lifted", "", ("lifting",))
                return ServerOutcome(server.name, "lifted")
            state, detail = await self._run(server, actor, "ban lift", ban, commands)
            final = "lifted" if state == "applied" else "lifting"
            await self._settle(ban, server, final, detail, ("lifting",))
            return ServerOutcome(server.name, final, detail)

    async def _unban_commands(self, console: Console | None, ban: Ban, server: Server) -> list[str]:
        """The unban commands; for consoles that lift by number, one removeBan per row of the
        ban's GUID in the ban list now (none left: nothing to send)."""
        if console is None:
            return []
        if not native.needs_ban_number(console):
            return list(native.unban_commands(console, ban) or ())
        guid = identity.template_values(ban.identifiers, ban.label).get("guid")
        if not guid or "bans" not in console.actions:
            return []
        listing = await asyncio.wait_for(
            self.pool.execute(server, console.actions["bans"][0]), APPLY_TIMEOUT
        )
        commands: list[str] = []
        for number in native.battleye_ban_numbers(listing, guid):
            commands += native.unban_commands(console, ban, number) or ()
        return commands

    async def _run(
        self, server: Server, actor: Actor, action: str, ban: Ban, commands: Sequence[str]
    ) -> tuple[str, str]:
        """Send ``commands`` in order, audited: ("applied", "") or the state to retry in and
        why (pending: not reached; failed: the console refused)."""
        ticket = await self.audit.begin(
            actor, action, f"ban=#{ban.id} player={clip(ban.label, 64)!r}", **about(server)
        )
        outputs: list[str] = []
        try:
            async with asyncio.timeout(APPLY_TIMEOUT):
                for command in commands:
                    outputs.append(await self.pool.execute(server, command))
        except (RconError, TimeoutError) as exc:
            detail = str(exc) if isinstance(exc, RconError) else NO_ANSWER
            outcome = exc.outcome if isinstance(exc, RconError) else "timeout"
            await asyncio.shield(self.audit.complete(ticket, outcome, detail))
            return "pending", detail
        output = "\n".join(o for o in outputs if o)
        secret = self.pool.password_for(server)
        console = console_of(server)
        rejected = console.rejected(output) if console is not None else None
        if rejected is not None:
            await self.audit.complete(ticket, "error", output, secret=secret)
            return "failed", rejected
        await self.audit.complete(ticket, "ok", output, secret=secret)
        return "applied", ""

    async def _settle(
        self, ban: Ban, server: Server, state: str, detail: str, only_from: Sequence[str]
    ) -> None:
        """Store a target's new state, with the next try for one to retry. A ban lifted while
        its command was on the way is lifted again (the server has it now)."""
        now = self.clock()
        target = next(
            (t for t in await self.store.bans.targets(ban.id) if t.server_id == server.id), None
        )
        attempts = target.attempts if target is not None else 0
        retry = state in ("pending", "failed", "lifting")
        next_try = now + retry_after(attempts, state == "failed") if retry else 0.0
        moved = await self.store.bans.set_target(
            ban.id,
            server.id,
            state,
            now,
            detail=detail,
            next_try=next_try,
            attempts=attempts + 1 if retry else 0,
            only_from=only_from,
        )
        if not moved and state == "applied":
            # Lifted while the ban was on its way: the server has it now, take it back.
            if await self.store.bans.set_target(
                ban.id, server.id, "lifting", now, attempts=0, only_from=("cancelled",)
            ):
                self.wake.set()
