"""Channel counters: a channel's name shows a server's status (``🟢 DayZ: 42/60``).

Discord allows two renames of a channel per ten minutes and holds a third until the window
has passed. A counter never gets there: it renames at most once per :data:`MIN_GAP` (so never
twice in any five minutes, never three times in ten), and a change that arrives inside the gap
is not queued: the next round after the gap renames to what is true then (changes coalesce).
The last rename is stored, so a restart does not spend a rename the limit has not given back.
"""

from __future__ import annotations

import asyncio
import logging
import string
from collections.abc import Callable
from typing import Protocol

from bot.rendering.text import sanitize
from bot.services.errors import UserError
from bot.services.status.notifier import RoundNotifier
from bot.services.status.poller import Poller, RoundReport
from bot.snapshots import Snapshot, State
from bot.storage import Store
from bot.storage.counters import Counter

log = logging.getLogger(__name__)

MIN_GAP = 305.0  # seconds between two renames: 5 min and a margin for clocks that differ
MAX_NAME = 100  # Discord's limit for a channel name
DEFAULT_FORMAT = "{status} {name}: {players}/{max}"
FIELDS = ("status", "name", "players", "max", "map", "bots")
RENAME_TIMEOUT = 10.0  # a rename Discord holds back is given up, never waited for
MAX_COUNTERS_PER_GUILD = 10


def check_format(fmt: str) -> str:
    """``fmt`` with only known ``{fields}`` (no attribute access, conversion or format spec);
    UserError saying what is allowed otherwise."""
    text = fmt.strip()
    if not 1 <= len(text) <= MAX_NAME:
        raise UserError(key="counters.format_length", max=MAX_NAME)
    if _fields_of(text) is None:
        known = ", ".join("{" + f + "}" for f in FIELDS)
        raise UserError(key="counters.format_fields", fields=known)
    return text


def _fields_of(fmt: str) -> list[str] | None:
    """The plain ``{field}`` names of ``fmt``, None when it has any other kind of field (or
    is no valid format): ``{name.__class__}`` must never reach ``str.format``."""
    try:
        parsed = list(string.Formatter().parse(fmt))
    except ValueError:
        return None
    names = []
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in FIELDS or spec or conversion:
            return None
        names.append(field)
    return names


def render(fmt: str, name: str, snap: Snapshot | None) -> str:
    """The channel name for a server: its fields filled, cut to Discord's 100 characters."""
    info = snap.info if snap is not None else None
    online = snap is not None and snap.state is State.ONLINE and info is not None
    if _fields_of(fmt) is None:
        raise ValueError("unchecked counter format")
    values = {
        "status": "🟢" if online else "🔴",
        "name": sanitize(name),
        "players": str(info.players) if online and info is not None else "-",
        "max": str(info.max_players) if info is not None else "-",
        "map": sanitize(info.map) if online and info is not None else "-",
        "bots": str(info.bots) if online and info is not None else "-",
    }
    text = fmt.format_map(values)
    return " ".join(text.split())[:MAX_NAME] or "-"


class CounterChannels(Protocol):
    async def rename(self, counter: Counter, name: str) -> bool:
        """True when Discord took the new name."""
        ...


class CounterUpdater(RoundNotifier[CounterChannels]):
    def __init__(
        self,
        channels: CounterChannels,
        store: Store,
        poller: Poller,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(channels, store, poller, clock)
        self._busy: set[int] = set()  # counters whose rename is in flight

    async def on_round(self, report: RoundReport) -> None:
        now = self.clock()
        for counter in self.poller.shards.keep(await self.store.counters.all()):
            server = self.poller.server_by_id(counter.server_id)
            if server is None or counter.id in self._busy:
                continue
            try:
                name = render(counter.format, server.name, self.poller.snapshot(server))
            except ValueError:
                continue  # formats are checked at /counter set: only a changed rule gets here
            if name == counter.shown:
                continue
            if counter.renamed_at is not None and now - counter.renamed_at < MIN_GAP:
                continue  # coalesced: the next round after the gap shows what is true then
            # Stored first: a rename that times out still counts against the limit.
            await self.store.counters.set_shown(counter.id, name, now)
            self._busy.add(counter.id)
            self._tasks.start(self._rename(counter, name))

    async def _rename(self, counter: Counter, name: str) -> None:
        try:
            async with asyncio.timeout(RENAME_TIMEOUT):
                if await self.channels.rename(counter, name):
                    self.sent += 1
        except TimeoutError:
            log.warning("counter %d: rename held back by Discord; given up", counter.id)
        except Exception:
            log.exception("counter %d: rename failed", counter.id)
        finally:
            self._busy.discard(counter.id)
