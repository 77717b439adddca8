"""Events stored in arrival order, in chunks of one INSERT each, with the player sessions they
open and close; an event leaves ``pending`` only once it is stored."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from bot.services.feed import model as m
from bot.storage import Store
from bot.storage.events import Event
from bot.storage.players import STRONG_KINDS, Identifier, identifiers_of

log = logging.getLogger(__name__)

STORE_CHUNK = 100  # events per INSERT (one statement: atomic)
DRAIN_GRACE = 5.0
PRUNE_EVERY = 3600.0

Pending = deque[Event | m.Roster]
# Told of each player who joined (or was identified) on a server: the ban list's enforcement.
PlayerSeen = Callable[[int, str, list[Identifier]], Awaitable[None]]
# Events that are about a player's presence: they keep the player's record current.
_PLAYER_KINDS = frozenset({m.JOIN, m.LEAVE, m.KICK, m.BAN, m.GUID})


class EventWriter:
    def __init__(self, store: Store, route: Callable[[Event], None]) -> None:
        self.store = store
        self._route = route
        self.events_stored = 0
        self._last_prune = float("-inf")
        self.on_player_seen: PlayerSeen | None = None

    async def ingest(self, pending: Pending) -> None:
        """Store, track and route ``pending`` in order, removing each item once handled (a
        failure leaves the rest, and only the rest, for the retry)."""
        while pending:
            head = pending[0]
            if isinstance(head, m.Roster):
                ended, opened = await self.store.sessions.reconcile(
                    head.server_id, head.players, head.source, head.at
                )
                pending.popleft()
                if ended or opened:
                    log.info(
                        "feed: server %d sessions reconciled (%d ended, %d opened)",
                        head.server_id,
                        ended,
                        opened,
                    )
                continue
            run: list[Event] = []
            for item in pending:
                if not isinstance(item, Event) or len(run) >= STORE_CHUNK:
                    break
                run.append(item)
            stored = await self._store_run(pending, run)
            self.events_stored += len(stored)
            for event in stored:
                try:
                    await self._track_session(event)
                except Exception:
                    log.exception("feed: session of event %d not recorded", event.id)
                self._route(event)

    async def _store_run(self, pending: Pending, run: list[Event]) -> list[Event]:
        """Store ``run`` (the head of ``pending``) in one INSERT, entirely or not at all, and
        take it off ``pending``. Cancelled meanwhile (shutdown), the statement may still
        complete in the database's thread: it is waited for, so the drain neither stores the
        events twice nor forgets them."""
        task = asyncio.ensure_future(self.store.events.add_many(run))
        try:
            stored = await asyncio.shield(task)
        except asyncio.CancelledError:
            try:
                async with asyncio.timeout(DRAIN_GRACE):
                    await asyncio.shield(task)
            except Exception:
                # Not stored (or unknown after the grace): the drain tries again.
                task.cancel()
            else:
                self.events_stored += len(run)
                for _ in run:
                    pending.popleft()
            raise
        for _ in run:
            pending.popleft()
        return stored

    async def _track_session(self, event: Event) -> None:
        sessions = self.store.sessions
        if event.kind == m.JOIN and event.player:
            await sessions.open(
                event.server_id, event.player, event.guid, event.source, event.at, event.ids
            )
            await self._track_player(event)
            return
        if event.ids and event.player:
            # A session opened from a player list has no ids: the player's next line names them.
            await sessions.add_ids(event.server_id, event.player, event.ids)
        if event.kind in (m.LEAVE, m.KICK, m.BAN) and event.player:
            await sessions.close(event.server_id, event.player, event.at)
        elif event.kind == m.GUID and event.guid:
            await sessions.set_guid(event.server_id, event.player, event.guid)
            await self.store.events.set_join_guid(event.server_id, event.player, event.guid)
        elif event.kind == m.SERVER_DOWN:
            await sessions.close_all(event.server_id, event.at)
        await self._track_player(event)

    async def _track_player(self, event: Event) -> None:
        """The player's record: on joins, leaves, and lines that say who the player is."""
        if not event.player or not (event.kind in _PLAYER_KINDS or event.ids):
            return
        ids = event.ids
        identifiers = identifiers_of(
            event.player,
            steam=ids.steam_id,
            guid=event.guid.lower() if event.guid else None,
            eos=ids.eos_id,
            mc_uuid=ids.mc_uuid,
        )
        if event.source == m.SOURCE_BATTLEYE and not any(
            i.kind in STRONG_KINDS for i in identifiers
        ):
            # BattlEye sends the GUID just after the connect line: the record waits for it
            # (a name alone would pool every "Survivor" into one record).
            return
        player_id = await self.store.players.observe(
            event.server_id, event.player, identifiers, event.at
        )
        if player_id is not None and (event.kind in (m.JOIN, m.GUID) or event.ids):
            await self.store.players.link_open_session(event.server_id, event.player, player_id)
        if self.on_player_seen is not None and event.kind in (m.JOIN, m.GUID):
            try:
                await self.on_player_seen(event.server_id, event.player, identifiers)
            except Exception:
                log.exception("feed: ban check of event %d failed", event.id)

    async def forget_removed_servers(self, pending: Pending) -> None:
        """Drop what belongs to servers removed meanwhile: their rows could never be stored
        (foreign keys), and retrying them would hold up every other server's events."""
        try:
            existing = {s.id for s in await self.store.servers.all()}
        except Exception as exc:
            # The database still failing (the caller logged the ingest failure), or a bug:
            # said either way, by type only; the retry comes anyway.
            log.warning("feed: removed servers not checked (%s)", type(exc).__name__)
            return
        kept = [item for item in pending if item.server_id in existing]
        if len(kept) < len(pending):
            log.info("feed: %d event(s) of removed servers dropped", len(pending) - len(kept))
            pending.clear()
            pending.extend(kept)

    async def store_at_shutdown(self, events: list[Event]) -> bool:
        """Store what is left when the feed stops (nothing is routed: the next start replays
        it); False when it could not be stored."""
        try:
            async with asyncio.timeout(DRAIN_GRACE):
                await self.store.events.add_many(events)
        except Exception as exc:
            log.error(
                "feed: %d event(s) could not be stored at shutdown (%s)",
                len(events),
                type(exc).__name__,
            )
            return False
        self.events_stored += len(events)
        log.info("feed: %d event(s) stored at shutdown, posted at the next start", len(events))
        return True

    async def maybe_prune(self, now: float, retention: float) -> None:
        """Events and sessions older than ``retention`` seconds go, once per hour."""
        if now - self._last_prune < PRUNE_EVERY:
            return
        self._last_prune = now
        try:
            events = await self.store.events.prune(now - retention)
            sessions = await self.store.sessions.prune(now - retention)
        except Exception:
            log.exception("feed: pruning failed")
            return
        if events or sessions:
            log.info(
                "feed: pruned %d event(s) and %d session(s) past the retention", events, sessions
            )
