"""The live player list of a server for ``/rcon`` (ids for commands, names for autocomplete).

BattlEye: the pooled client's ``players`` (kept current by join/leave events). Source: parsed
``status``. Autocomplete answers from the cache within Discord's deadline and refreshes a stale
cache in the background; with nothing cached yet, A2S names from the poller are the fallback.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from bot.crypto import DecryptionError
from bot.games import RconKind, get_game
from bot.services.rcon_actions import PlayerRef
from bot.services.rcon_errors import RconError, RconNotConfigured
from bot.services.rcon_pool import RconPool
from bot.services.source_players import parse_status
from bot.storage import Server

log = logging.getLogger(__name__)

A2SNames = Callable[[Server], list[str]]


def rcon_kind(server: Server) -> RconKind:
    game = get_game(server.game)
    return game.rcon if game is not None else RconKind.NONE


class LivePlayers:
    def __init__(
        self,
        pool: RconPool,
        a2s_names: A2SNames | None = None,
        *,
        ttl: float = 20.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pool = pool
        self.a2s_names = a2s_names
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[int, tuple[float, list[PlayerRef]]] = {}
        self._refreshing: dict[int, asyncio.Task[None]] = {}

    async def fetch(self, server: Server) -> list[PlayerRef]:
        """The list now, from the server (raises RconError)."""
        kind = rcon_kind(server)
        if kind is RconKind.BATTLEYE:
            client = await self.pool.battleye(server)
            try:
                found = await client.fetch_players()
            except Exception as exc:  # the client's own errors: no answer, not logged in
                raise RconError(f"{server.name!r} did not send its player list.") from exc
            players = [PlayerRef(p.id, p.name) for p in found]
        elif kind is RconKind.SOURCE:
            text = await self.pool.execute(server, "status")
            players = [PlayerRef(p.userid, p.name) for p in parse_status(text) if not p.is_bot]
        else:
            raise RconNotConfigured(f"{server.name!r} has no RCON configured.")
        self._cache[server.id] = (self.clock(), players)
        return players

    def suggestions(self, server: Server, text: str, limit: int = 25) -> list[PlayerRef]:
        """From memory only. Entries with id -1 are A2S names (no id known yet)."""
        cached = self._cache.get(server.id)
        if cached is None or self.clock() - cached[0] > self.ttl:
            self._refresh_soon(server)
        if cached is not None:
            players = cached[1]
        elif self.a2s_names is not None:
            players = [PlayerRef(-1, name) for name in self.a2s_names(server) if name.strip()]
        else:
            players = []
        needle = text.strip().casefold().removeprefix("#")
        hits = [p for p in players if needle in p.name.casefold() or needle == str(p.id)]
        hits.sort(key=lambda p: (not p.name.casefold().startswith(needle), p.name.casefold()))
        return hits[:limit]

    def forget(self, server_id: int) -> None:
        self._cache.pop(server_id, None)

    def _refresh_soon(self, server: Server) -> None:
        task = self._refreshing.get(server.id)
        if task is not None and not task.done():
            return

        async def refresh() -> None:
            try:
                await self.fetch(server)
            except (RconError, DecryptionError) as exc:
                # Nobody awaits this task: what it raises is handled here or never seen.
                log.debug("player list of server %s not refreshed: %s", server.id, exc)
            except Exception:
                log.exception("player list of server %s: refresh failed", server.id)

        self._refreshing[server.id] = asyncio.get_running_loop().create_task(refresh())

    async def close(self) -> None:
        tasks = [t for t in self._refreshing.values() if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._refreshing.clear()
