"""The guild ban list's rules: who may ban and lift, whom a ban names, where it goes, and the
round that sends what is due (bans to servers that were unreachable, unbans at expiry).

Every console command is audited (``ban apply``, ``ban lift``) with its server and outcome;
``ban add`` and ``ban remove`` record the change itself. A round only works on servers of this
process's shards, and lifting a ban is claimed in the database first, so a sharded deployment
never lifts or announces one twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from bot.catalogue import Console
from bot.rendering.text import clip
from bot.services.audit import Actor, AuditLog
from bot.services.bans import native
from bot.services.bans.duration import parse_minutes, shown
from bot.services.bans.naming import name_player
from bot.services.bans.sending import STILL_TRYING, ConsoleSender, ServerOutcome, console_of
from bot.services.bans.transfer import Imported, export_csv, export_json
from bot.services.errors import UserError
from bot.services.rcon.actions import MAX_REASON
from bot.services.rcon.permissions import Action, Caller, PermissionService
from bot.services.rcon.pool import RconPool
from bot.services.tasks import TaskSet
from bot.services.text_rule import TextRule
from bot.storage import Server, Store
from bot.storage.bans import Ban, BanTarget, NewBan

log = logging.getLogger(__name__)

ROUND_LIMIT = 50  # targets sent per round: an import of thousands goes out in steps
REPLY_WAIT = 4.0  # how long /ban add and remove wait for the servers before answering
MAX_ACTIVE_BANS = 10_000  # per guild
ACTIVE_GUILDS_TTL = 60.0
SYSTEM = "ban list"  # the actor name of what the list does by itself


@dataclass(frozen=True, slots=True)
class BanReport:
    ban: Ban
    outcomes: tuple[ServerOutcome, ...]
    refused: tuple[str, ...] = ()  # servers left out: the member may not ban there


@dataclass(frozen=True, slots=True)
class _Scope:
    """Where a new ban goes, and whether servers added later get it too."""

    servers: Sequence[Server]
    all_servers: bool


def has_console(server: Server) -> bool:
    """Whether the ban list can reach the server: a console the catalogue knows, a password."""
    return console_of(server) is not None and server.has_rcon_password


_REASON = TextRule(
    MAX_REASON,
    native.reason_ok,
    "banlist.reason_needed",
    "banlist.reason_too_long",
    "banlist.reason_chars",
)


def check_reason(reason: str) -> str:
    return _REASON.check(reason.strip())


class BanService:
    def __init__(
        self,
        store: Store,
        pool: RconPool,
        permissions: PermissionService,
        audit: AuditLog,
        servers_of: Callable[[int], list[Server]],
        server_by_id: Callable[[int], Server | None],
        *,
        owns: Callable[[int], bool] = lambda _guild: True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.owns = owns
        self.store = store
        self.pool = pool
        self.permissions = permissions
        self.audit = audit
        self.servers_of = servers_of
        self.server_by_id = server_by_id
        self.clock = clock
        self.wake = asyncio.Event()  # set when something is due sooner than planned
        self.sender = ConsoleSender(store, pool, audit, lambda: self.clock(), self.wake)
        # The guilds with active bans, read at most once a minute: every join the feed sees
        # asks, and most guilds have none (a ban added here shows at once: its guild's
        # commands come to this process).
        self._active_guilds: set[int] = set()
        self._active_read = float("-inf")
        self._background: TaskSet[ServerOutcome] = TaskSet()

    # -- adding and lifting -------------------------------------------------------------------

    async def add(
        self,
        caller: Caller,
        user_name: str,
        player: str,
        reason: str,
        duration: str = "",
        server_names: Sequence[str] = (),
    ) -> BanReport:
        """Record the ban and send it to each chosen server now; servers that cannot be
        reached get it from the rounds."""
        why = check_reason(reason)
        minutes = parse_minutes(duration)
        named = await name_player(self.store, caller.guild_id, player)
        now = self.clock()
        if await self.store.bans.count_active(caller.guild_id, now) >= MAX_ACTIVE_BANS:
            raise UserError(key="banlist.too_many", max=MAX_ACTIVE_BANS)
        servers, refused = await self._chosen(caller, server_names, Action.BAN)
        actor = Actor(caller.guild_id, caller.user_id, user_name)
        for old in await self.store.bans.matching(caller.guild_id, named.identifiers, now):
            raise UserError(key="banlist.already_banned", id=str(old.id))
        expires = None if minutes is None else now + minutes * 60
        entry = Imported(named.label, named.identifiers, why, expires)
        scope = _Scope(servers, all_servers=not server_names and not refused)
        ban = await self._record(caller, user_name, entry, scope, named.player_id)
        await self.audit.record(
            actor,
            "ban add",
            f"ban=#{ban.id} player={clip(named.label, 64)!r} length={shown(minutes)} "
            f"servers={len(servers)} reason={why!r}",
        )
        outcomes = await self._within_reply(
            [(s.name, self.sender.send_ban(ban, s, actor)) for s in servers], "pending"
        )
        return BanReport(ban, tuple(outcomes), tuple(refused))

    async def _within_reply(
        self, sends: Sequence[tuple[str, Coroutine[Any, Any, ServerOutcome]]], state: str
    ) -> list[ServerOutcome]:
        """Run ``sends`` at once; what is not done within REPLY_WAIT goes on in the background
        (its state is stored when it ends) and is shown as ``state``, still under way."""
        tasks = [(name, asyncio.ensure_future(c)) for name, c in sends]
        if tasks:
            await asyncio.wait([t for _, t in tasks], timeout=REPLY_WAIT)
        outcomes: list[ServerOutcome] = []
        for name, task in tasks:
            if task.done():
                outcomes.append(task.result())
                continue
            self._background.hold(task)
            outcomes.append(ServerOutcome(name, state, STILL_TRYING))
        return outcomes

    async def close(self) -> None:
        await self._background.close()

    async def wait_idle(self) -> None:
        """Until the sends that outlived their reply are done (tests, shutdown)."""
        await self._background.wait_idle()

    async def has_active_bans(self, guild_id: int) -> bool:
        now = self.clock()
        if not 0 <= now - self._active_read < ACTIVE_GUILDS_TTL:
            self._active_guilds = set(await self.store.bans.active_guilds(now))
            self._active_read = now
        return guild_id in self._active_guilds

    async def _record(
        self,
        caller: Caller,
        user_name: str,
        entry: Imported,
        scope: _Scope,
        player_id: int | None = None,
    ) -> Ban:
        self._active_guilds.add(caller.guild_id)
        return await self.store.bans.add(
            NewBan(
                guild_id=caller.guild_id,
                label=entry.label,
                reason=entry.reason,
                identifiers=entry.identifiers,
                created_at=self.clock(),
                created_by=caller.user_id,
                created_by_name=user_name,
                expires_at=entry.expires_at,
                player_id=player_id,
                all_servers=scope.all_servers,
            ),
            [s.id for s in scope.servers],
        )

    async def _chosen(
        self, caller: Caller, names: Sequence[str], action: Action
    ) -> tuple[list[Server], list[str]]:
        """The servers asked for (default: all of the guild) that the member may act on, and
        the names of those refused for lack of the permission."""
        own = self.servers_of(caller.guild_id)
        if names:
            wanted = {n.strip().casefold() for n in names if n.strip()}
            chosen = [s for s in own if s.name.casefold() in wanted]
            missing = wanted - {s.name.casefold() for s in chosen}
            if missing:
                raise UserError(key="banlist.no_server_named", name=repr(sorted(missing)[0]))
            for server in chosen:
                if not has_console(server):
                    raise UserError(key="banlist.no_console", name=repr(server.name))
        else:
            chosen = [s for s in own if has_console(s)]
        chosen = sorted(chosen, key=lambda s: s.name.casefold())
        if not chosen:
            raise UserError(key="banlist.no_consoles")
        allowed: list[Server] = []
        refused: list[str] = []
        for server in chosen:
            if (await self.permissions.decide(caller, action, server.id)).allowed:
                allowed.append(server)
            else:
                refused.append(server.name)
        if not allowed:
            raise UserError(key="banlist.not_permitted", permission=action.value)
        return allowed, refused

    async def find(self, guild_id: int, text: str) -> Ban:
        """An active ban by number (``12``, ``#12``) or by any identifier or name of its player."""
        value = text.strip().removeprefix("#")
        now = self.clock()
        if value.isdigit() and value.isascii() and len(value) <= 12:
            ban = await self.store.bans.get(int(value))
            if ban is None or ban.guild_id != guild_id:
                raise UserError(key="banlist.no_such_ban", id=value)
            return ban
        named = await name_player(self.store, guild_id, text)
        bans = await self.store.bans.matching(guild_id, named.identifiers, now)
        if not bans:
            raise UserError(key="banlist.no_active_ban")
        return bans[0]

    async def remove(self, caller: Caller, user_name: str, text: str) -> BanReport:
        ban = await self.find(caller.guild_id, text)
        if not ban.active(self.clock()):
            raise UserError(key="banlist.not_active", id=str(ban.id))
        # Lifting needs the unban permission on every server the ban reached.
        targets = await self.store.bans.targets(ban.id)
        for target in targets:
            decision = await self.permissions.decide(caller, Action.UNBAN, target.server_id)
            if not decision.allowed:
                raise UserError(key="banlist.not_permitted_unban")
        actor = Actor(caller.guild_id, caller.user_id, user_name)
        outcomes = await self.lift(ban, "removed", actor)
        refreshed = await self.store.bans.get(ban.id)
        return BanReport(refreshed or ban, tuple(outcomes))

    async def lift(self, ban: Ban, why: str, actor: Actor) -> list[ServerOutcome]:
        """Lift ``ban`` everywhere (``why``: removed or expired); nothing if another process
        lifted it first."""
        now = self.clock()
        if not await self.store.bans.lift(ban.id, now, actor.user_id or None, why):
            return []
        await self.audit.record(
            actor, "ban remove" if why == "removed" else "ban expire", f"ban=#{ban.id}"
        )
        outcomes: list[ServerOutcome] = []
        unbans: list[tuple[Server, BanTarget]] = []
        for target in await self.store.bans.targets(ban.id):
            server = self.server_by_id(target.server_id)
            name = server.name if server is not None else f"#{target.server_id}"
            console = console_of(server) if server is not None else None
            state = _state_after_lift(target.state, why, console)
            await self.store.bans.set_target(
                ban.id, target.server_id, state, now, detail="", attempts=0
            )
            if state == "lifting" and server is not None:
                unbans.append((server, target))
            else:
                outcomes.append(ServerOutcome(name, state))
        lifted = await self._within_reply(
            [(s.name, self.sender.send_unban(ban, s, actor)) for s, _ in unbans], "lifting"
        )
        return outcomes + lifted

    async def import_bans(
        self,
        caller: Caller,
        user_name: str,
        entries: Sequence[Imported],
        server_names: Sequence[str] = (),
    ) -> tuple[int, int]:
        """Record imported bans (the rounds send them, ROUND_LIMIT at a time); how many were
        added and how many players were banned already."""
        servers, refused = await self._chosen(caller, server_names, Action.BAN)
        now = self.clock()
        room = MAX_ACTIVE_BANS - await self.store.bans.count_active(caller.guild_id, now)
        if len(entries) > room:
            raise UserError(key="banlist.import_too_many", max=MAX_ACTIVE_BANS)
        added = already = 0
        scope = _Scope(servers, all_servers=not server_names and not refused)
        for entry in entries:
            if await self.store.bans.matching(caller.guild_id, entry.identifiers, now):
                already += 1
                continue
            await self._record(caller, user_name, entry, scope)
            added += 1
        await self.audit.record(
            Actor(caller.guild_id, caller.user_id, user_name),
            "ban import",
            f"added={added} already={already} servers={len(servers)}",
        )
        self.wake.set()
        return added, already

    async def export(self, guild_id: int, fmt: str) -> bytes:
        """Every ban of the guild, active first (CSV or JSON)."""
        now = self.clock()
        bans = await self.store.bans.listed(guild_id, now, limit=MAX_ACTIVE_BANS)
        bans += await self.store.bans.listed(guild_id, now, active=False, limit=MAX_ACTIVE_BANS)
        return export_json(bans, now) if fmt == "json" else export_csv(bans, now)

    # -- the rounds ---------------------------------------------------------------------------

    async def run_round(self) -> None:
        """One round: new servers get the all-servers bans, expired bans are lifted, due
        targets are sent (at most ROUND_LIMIT)."""
        now = self.clock()
        added = await self.store.bans.add_new_servers(now)
        if added:
            log.info("bans: %d ban(s) queued for newly added servers", added)
        for ban in await self.store.bans.expired(now):
            if self.owns(ban.guild_id):
                await self.lift(ban, "expired", Actor(ban.guild_id, 0, SYSTEM))
        due = await self.store.bans.due(now, ROUND_LIMIT * 4)
        sent = 0
        for target in due:
            server = self.server_by_id(target.server_id)
            if server is None:
                continue  # another process's shard, or a server removed meanwhile
            banned = await self.store.bans.get(target.ban_id)
            if banned is None:
                continue
            actor = Actor(banned.guild_id, 0, SYSTEM)
            if target.state == "lifting":
                await self.sender.send_unban(banned, server, actor)
            elif banned.active(now):
                await self.sender.send_ban(banned, server, actor)
            sent += 1
            if sent >= ROUND_LIMIT:
                break

    async def next_wake(self, default: float) -> float:
        """Seconds until the next round is useful (due target or expiry), at most ``default``."""
        now = self.clock()
        times = [
            t
            for t in (await self.store.bans.next_due(), await self.store.bans.next_expiry())
            if t is not None
        ]
        if not times:
            return default
        return max(1.0, min(default, min(times) - now))

    async def run(self, idle: float = 60.0) -> None:
        """The background loop: a round, then sleep until something is due (woken early by
        :attr:`wake`)."""
        while True:
            try:
                await self.run_round()
            except Exception:
                log.exception("bans: round failed")
            self.wake.clear()
            try:
                async with asyncio.timeout(await self.next_wake(idle)):
                    await self.wake.wait()
            except TimeoutError:
                pass


def _state_after_lift(state: str, why: str, console: Console | None) -> str:
    """What a target becomes when its ban is lifted."""
    if state in ("pending", "failed"):
        return "cancelled"  # never reached the server: nothing to take back
    if state == "applied":
        if why == "expired" and console is not None and console.ban_expires:
            return "lifted"  # the console ended its own timed ban
        return "lifting"
    return "lifted" if state == "kick" else state
