"""Enforcement: a banned player seen on a server of the guild is kicked with the ban's reason,
audited as ``ban kick``. Seen means a join (or GUID) line in the feed, or the server's live
player list, read every few minutes for guilds with active bans; so servers without native
bans, or whose ban file was reset, stay protected.

A name identifies a player only where nothing stronger is known (a Minecraft name ban; a live
list without ids): two players may share a name, a SteamID is one player.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from bot.i18n import ENGLISH, t
from bot.rendering.text import clip
from bot.services.audit import Actor, about
from bot.services.bans import identity
from bot.services.bans.sending import console_of
from bot.services.bans.service import SYSTEM, BanService
from bot.services.rcon.actions import PlayerRef, plan_kick
from bot.services.rcon.errors import RconError
from bot.services.rcon.live_players import LivePlayers, rcon_game
from bot.services.tasks import TaskSet
from bot.storage import Server
from bot.storage.bans import Ban
from bot.storage.players import Identifier

log = logging.getLogger(__name__)

KICK_AGAIN_AFTER = 30.0  # the same player on the same server: one kick per 30 s
MAX_KICKS_RUNNING = 20
# A banned player on a server whose joins the feed does not see plays at most about a minute;
# one player-list command a minute per server, only in guilds with active bans.
SWEEP_EVERY = 60.0
SWEEP_AT_ONCE = 16  # player lists read at the same time
SWEEP_SERVER_TIMEOUT = 10.0
# States in which a server holds (or enforces) the ban.
_ENFORCED = frozenset({"pending", "applied", "failed", "kick"})


def _ids_of(player: PlayerRef) -> list[Identifier]:
    return identity.seen_identifiers(player.name, uid=player.uid)


def same_player(ban: Ban, seen: Sequence[Identifier]) -> bool:
    """Whether identifiers seen on a server are the ban's player: by a strong id when the
    server showed one, else by name, for bans that carry the name as an identity (a Minecraft
    name; never a name that came along with a SteamID or GUID)."""
    banned = set(ban.identifiers)
    strong_seen = identity.strong(seen)
    if strong_seen:
        return any(i in banned for i in strong_seen)
    return any(i in banned for i in seen if i.kind == "name")


class BanEnforcer:
    def __init__(
        self,
        bans: BanService,
        live_players: LivePlayers,
        *,
        owns: Callable[[int], bool] = lambda _guild: True,
        language_of: Callable[[int], str] = lambda _guild: ENGLISH,
    ) -> None:
        self.bans = bans
        # The kick's "Banned:" is the bot's word to the player: the guild's language.
        self.language_of = language_of
        self.live = live_players
        self.owns = owns
        self.kicks_sent = 0
        self._last_kick: dict[tuple[int, int], float] = {}
        self._running: TaskSet[None] = TaskSet()

    async def banned_in(self, server: Server, seen: Sequence[Identifier]) -> Ban | None:
        """The active ban that covers ``server`` for the player seen with ``seen``."""
        now = self.bans.clock()
        for ban in await self.bans.store.bans.matching(server.guild_id, list(seen), now):
            if not same_player(ban, seen):
                continue
            targets = await self.bans.store.bans.targets(ban.id)
            if any(t.server_id == server.id and t.state in _ENFORCED for t in targets):
                return ban
        return None

    async def on_seen(self, server_id: int, name: str, seen: list[Identifier]) -> None:
        """A join (or identification) line: kick the player in the background if banned."""
        server = self.bans.server_by_id(server_id)
        if server is None or not seen or not await self.bans.has_active_bans(server.guild_id):
            return
        seen = identity.with_derived(seen)
        ban = await self.banned_in(server, seen)
        if ban is None or not self._may_kick(server.id, ban.id):
            return
        if len(self._running) >= MAX_KICKS_RUNNING:
            log.warning(
                "bans: %d kicks under way; the sweep kicks %r later",
                len(self._running),
                clip(name, 32),
            )
            return
        self._running.start(self._kick_seen(server, ban, name, seen))

    def _may_kick(self, server_id: int, ban_id: int) -> bool:
        now = self.bans.clock()
        key = (server_id, ban_id)
        if now - self._last_kick.get(key, float("-inf")) < KICK_AGAIN_AFTER:
            return False
        self._last_kick[key] = now
        if len(self._last_kick) > 10_000:
            self._last_kick = {
                k: t for k, t in self._last_kick.items() if now - t < KICK_AGAIN_AFTER
            }
        return True

    async def _kick_seen(self, server: Server, ban: Ban, name: str, seen: list[Identifier]) -> None:
        try:
            players = await self.live.fetch(server)
        except RconError as exc:
            log.info(
                "bans: %s's player list unavailable for a kick (%s)", server.id, type(exc).__name__
            )
            return
        for player in players:
            ids = _ids_of(player)
            if identity.strong(seen) and not identity.strong(ids):
                # The list shows names only: the player the line named, by that name.
                if player.name.strip().casefold() != name.strip().casefold():
                    continue
            elif not same_player(ban, ids):
                continue
            await self.kick(server, ban, player)
            return

    async def kick(self, server: Server, ban: Ban, player: PlayerRef) -> bool:
        """Kick ``player`` off ``server`` for ``ban``, audited; whether the console took it."""
        actor = Actor(ban.guild_id, 0, SYSTEM)
        audit = self.bans.audit
        ticket = await audit.begin(
            actor, "ban kick", f"ban=#{ban.id} player={clip(player.name, 64)!r}", **about(server)
        )
        try:
            plan = plan_kick(rcon_game(server), player, self.kick_reason(ban))
            outputs = [await self.bans.pool.execute(server, c) for c in plan.commands]
        except RconError as exc:
            await asyncio.shield(audit.complete(ticket, exc.outcome, str(exc)))
            return False
        output = "\n".join(o for o in outputs if o)
        console = console_of(server)
        rejected = console.rejected(output) if console is not None else None
        secret = self.bans.pool.password_for(server)
        await audit.complete(ticket, "error" if rejected else "ok", output, secret=secret)
        if rejected is None:
            self.kicks_sent += 1
        return rejected is None

    def kick_reason(self, ban: Ban) -> str:
        """What the kicked player reads: the moderator's reason, as typed, after the word."""
        language = self.language_of(ban.guild_id)
        return t(language, "banlist.kick_reason", reason=ban.reason)[:120]

    async def sweep(self) -> int:
        """Read the live list of every server of the guilds with active bans; kick who is
        banned. How many kicks were sent."""
        now = self.bans.clock()
        servers = [
            server
            for guild_id in await self.bans.store.bans.active_guilds(now)
            if self.owns(guild_id)
            for server in self.bans.servers_of(guild_id)
            if (console := console_of(server)) is not None
            and console.supports("kick")
            and server.has_rcon_password
        ]
        # Side by side, each bounded in time: a guild of silent servers never holds up another.
        slots = asyncio.Semaphore(SWEEP_AT_ONCE)

        async def one(server: Server) -> int:
            async with slots:
                return await self._sweep_server(server)

        return sum(await asyncio.gather(*(one(s) for s in servers)))

    async def _sweep_server(self, server: Server) -> int:
        try:
            async with asyncio.timeout(SWEEP_SERVER_TIMEOUT):
                players = await self.live.fetch(server)
        except (RconError, TimeoutError):
            return 0  # offline or no console: the next sweep tries again
        kicked = 0
        for player in players:
            ban = await self.banned_in(server, _ids_of(player))
            if ban is not None and self._may_kick(server.id, ban.id):
                kicked += await self.kick(server, ban, player)
        return kicked

    async def run(self, every: float = SWEEP_EVERY) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:
                log.exception("bans: sweep failed")
            await asyncio.sleep(every)

    async def close(self) -> None:
        await self._running.close()
