"""Where the poller gets a server's status from: the query adapter of the target's protocol.

``StatusSource`` is the interface (tests pass their own); :class:`AdapterStatusSource` is the
real one: it asks the adapter the catalogue names for the target's game (A2S through the bot's
one shared engine, Minecraft, …) and, for games whose query hides player names (DayZ's A2S
list), adds the names from a :class:`~bot.services.status.player_names.PlayerNames` provider.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import Protocol

from bot.adapters.registry import QueryAdapters
from bot.protocols import battleye
from bot.services.status.player_names import PlayerNames, PollContext
from bot.services.unexpected import UnexpectedErrors
from bot.snapshots import PlayerInfo, ServerInfo, Target

log = logging.getLogger(__name__)


class StatusSource(Protocol):
    async def fetch(self, target: Target, context: PollContext, timeout: float) -> ServerInfo:
        """Query one target; raise any exception on failure (the poller isolates it)."""
        ...


class AdapterStatusSource:
    """The target's query adapter; player names from the console where the query hides them."""

    def __init__(self, adapters: QueryAdapters, names: PlayerNames | None = None) -> None:
        self.adapters = adapters
        self.names = names
        # Once per kind, not per server and round.
        self._unexpected = UnexpectedErrors(
            log, "a player-name provider raised %s (the names are left out; logged once per kind)"
        )

    async def fetch(self, target: Target, context: PollContext, timeout: float) -> ServerInfo:
        adapter = self.adapters.adapter(target.protocol)
        started = time.monotonic()
        access = context.query_access
        result = await adapter.query(
            target.host,
            target.port,
            timeout=timeout,
            password=access.password if access is not None else None,
        )
        server = result.status
        if result.icon is not None:
            # Checked (PNG, size) and deduplicated against the last round in the snapshot.
            server = replace(server, icon=result.icon)
        if access is not None and server.player_list:
            # Fetched with one server's stored password: its names are that server's alone.
            own = ((access.key, server.player_list),)
            return replace(server, player_list=(), players_known=False, private_lists=own)
        players = server.player_list if server.players_known else None
        private: list[tuple[str, tuple[PlayerInfo, ...]]] = []
        if self.names is not None and context.wants_names(players):
            # One fetch per guild's credentials; each result is kept for that guild alone.
            for access in context.all_accesses():
                remaining = max(0.1, timeout - (time.monotonic() - started))
                try:
                    async with asyncio.timeout(remaining):
                        names = await self.names.names(replace(context, battleye=access))
                except (battleye.RCONError, OSError) as exc:  # keep the query's answer
                    log.debug("player names of %s failed: %s", target.key, type(exc).__name__)
                except Exception as exc:  # a bug: still keep the query's answer
                    self._unexpected.report(exc)
                else:
                    private.append((access.key, tuple(PlayerInfo(n, 0, 0.0) for n in names)))
        return replace(server, private_lists=tuple(private)) if private else server
