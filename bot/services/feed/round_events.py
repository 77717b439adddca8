"""Feed events from the poller's rounds: up/down, map changes, and joins and leaves derived
from successive A2S player lists (for servers whose console does not report them)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence

from bot.services.feed import a2s
from bot.services.feed import model as m
from bot.services.feed.console_link import Submit
from bot.services.poller import Poller, RoundReport, target_of
from bot.snapshots import ServerInfo, State
from bot.storage import Server, Store
from bot.storage.events import Event

log = logging.getLogger(__name__)

_MAP_KEY = "feed:map:{}"


class RoundEvents:
    def __init__(
        self,
        store: Store,
        poller: Poller,
        submit: Submit,
        clock: Callable[[], float],
        linked: Callable[[int], bool],
    ) -> None:
        self.store = store
        self.poller = poller
        self._submit = submit
        self._clock = clock
        self._linked = linked  # the console reports this server's joins and leaves
        self._known: dict[int, Counter[str]] = {}
        self._maps: dict[int, str | None] = {}

    def forget(self, server_id: int) -> None:
        """The next player list of the server is a baseline, announcing nobody."""
        self._known.pop(server_id, None)

    async def on_round(self, report: RoundReport, servers: Sequence[Server]) -> None:
        transitions = {t.target: t for t in report.transitions}
        for server in servers:
            snap = self.poller.snapshot(server)
            at = snap.checked_at if snap.checked_at is not None else self._clock()
            change = transitions.get(target_of(server))
            moved = (change.before.state, change.after.state) if change is not None else None
            if moved == (State.ONLINE, State.OFFLINE):
                self._submit(Event(server.id, at, m.SERVER_DOWN, source=m.SOURCE_STATUS))
                # The ingest loop ends every session; the first answer after it is a baseline.
                self.forget(server.id)
            elif moved == (State.OFFLINE, State.ONLINE):
                self._submit(Event(server.id, at, m.SERVER_UP, source=m.SOURCE_STATUS))
            if snap.state is not State.ONLINE or snap.info is None:
                continue
            try:
                await self._derive(server, snap.info, at)
            except Exception:
                log.exception("feed: could not derive the events of server %d", server.id)

    async def _derive(self, server: Server, info: ServerInfo, at: float) -> None:
        previous = await self._last_map(server.id)
        change = a2s.map_change(previous, info)
        if info.map and info.map != previous:
            self._maps[server.id] = info.map
            await self.store.state.set(_MAP_KEY.format(server.id), info.map)
        if change is not None:
            self._submit(Event(server.id, at, m.MAP_CHANGE, text=change, source=m.SOURCE_STATUS))
        # Consoles that report joins and leaves report them exactly.
        if self._linked(server.id) or not info.players_known:
            return
        known = self._known.get(server.id)
        now = a2s.names_of(info)
        self._known[server.id] = now
        if known is None:
            # The first answer since the start, since its console stopped reporting for it or
            # since it came back is a baseline: who is there was not seen arriving, so the
            # sessions are made to match and nobody is announced.
            self._submit(m.Roster(server.id, tuple(sorted(now.elements())), at, m.SOURCE_A2S))
            return
        players = a2s.diff(known, now)
        for name in players.left:
            self._submit(Event(server.id, at, m.LEAVE, name, source=m.SOURCE_A2S))
        for name in players.joined:
            self._submit(Event(server.id, at, m.JOIN, name, source=m.SOURCE_A2S))

    async def _last_map(self, server_id: int) -> str | None:
        if server_id not in self._maps:
            self._maps[server_id] = await self.store.state.get(_MAP_KEY.format(server_id))
        return self._maps[server_id]
