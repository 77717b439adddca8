"""Host name resolution for the poller: a TTL cache in front of a bounded, per-guild-fair lookup.

Every query used to call ``getaddrinfo`` in the loop's default executor (4-6 threads shared by
the whole bot), so one tenant's slow DNS starved every other tenant's servers. Here a name is
looked up at most once per TTL (a failure is remembered for a shorter TTL), requests for a name
being looked up share that lookup, at most ``concurrency`` lookups run at once and one guild
holds at most ``per_guild`` of them: a guild's many slow names queue behind each other, so a
name that resolves slowly makes only its own servers late.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.services.servers.addresses import INTERNAL_REFUSED, is_internal_ip, literal_ip
from bot.services.unexpected import UnexpectedErrors

log = logging.getLogger(__name__)

Lookup = Callable[[str], Awaitable[str]]

DEFAULT_TTL = 120.0
DEFAULT_NEGATIVE_TTL = 20.0
# Below the default executor's thread count (min(32, cores + 4)), so name lookups never take
# every thread other work (file I/O, to_thread) needs.
DEFAULT_CONCURRENCY = 4
DEFAULT_PER_GUILD = 2
MAX_ENTRIES = 65536


class AddressRefused(OSError):
    """The host is, or resolves to, an internal address while ALLOW_PRIVATE_ADDRESSES is off.

    Checked where traffic goes, not only when saving: a name may later resolve elsewhere (DNS
    rebinding), and a server may have been stored before the setting was turned off."""

    def __init__(self) -> None:
        super().__init__(INTERNAL_REFUSED)


async def system_lookup(host: str) -> str:
    """The first address ``getaddrinfo`` gives for ``host`` (IPv4 or IPv6)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_DGRAM)
    if not infos:
        raise socket.gaierror(socket.EAI_NONAME, "no address for host")
    return str(infos[0][4][0])


@dataclass(frozen=True, slots=True)
class _Entry:
    expires: float
    address: str | None
    # A failure as (code, text): a fresh exception is raised each time (re-raising one
    # object would grow its traceback with every hit).
    error: tuple[int, str] | None


class Resolver:
    """``await resolver.resolve(host, guild_id)`` gives an IP literal or raises an OSError
    (``socket.gaierror`` for a name that does not resolve)."""

    def __init__(
        self,
        lookup: Lookup | None = None,
        *,
        ttl: float = DEFAULT_TTL,
        negative_ttl: float = DEFAULT_NEGATIVE_TTL,
        concurrency: int = DEFAULT_CONCURRENCY,
        per_guild: int = DEFAULT_PER_GUILD,
        clock: Callable[[], float] = time.monotonic,
        allow_private: bool = True,
    ) -> None:
        if concurrency < 1 or per_guild < 1:
            raise ValueError("concurrency and per_guild must be at least 1")
        self._lookup_fn = lookup
        self.ttl = ttl
        self.negative_ttl = negative_ttl
        self.concurrency = concurrency
        # Never the whole pool: one guild always leaves room for the others.
        self.per_guild = min(per_guild, max(1, concurrency - 1))
        self.clock = clock
        self.allow_private = allow_private
        self._cache: dict[str, _Entry] = {}
        self._inflight: dict[str, asyncio.Task[str]] = {}
        self._global = asyncio.Semaphore(concurrency)
        # guild -> (its semaphore, requests using it); dropped when nobody uses it.
        self._guilds: dict[int, tuple[asyncio.Semaphore, int]] = {}
        self.lookups = 0  # lookups started (for tests and metrics)
        # A lookup function raising something else shows as "name does not resolve": logged,
        # once per kind (every server of every round may hit it).
        self._unexpected = UnexpectedErrors(
            log, "a name lookup raised %s, not an OSError (logged once per kind)"
        )

    def cached(self, host: str) -> str | None:
        """The cached address of ``host`` if still fresh (no lookup)."""
        entry = self._cache.get(host.lower())
        if entry is None or entry.expires <= self.clock():
            return None
        return entry.address

    async def resolve(self, host: str, guild_id: int) -> str:
        """The address to send to; :class:`AddressRefused` when it is internal and those are
        refused (the very address returned is the one checked, so a caller connecting to it
        cannot be rebound elsewhere)."""
        address = await self._resolve(host, guild_id)
        if not self.allow_private:
            # An IPv6 zone id ("fe80::1%eth0") is not part of the address.
            if is_internal_ip(ipaddress.ip_address(address.split("%", 1)[0])):
                raise AddressRefused()
        return address

    async def _resolve(self, host: str, guild_id: int) -> str:
        literal = literal_ip(host)
        if literal is not None:
            return str(literal)
        name = host.lower()
        entry = self._cache.get(name)
        if entry is not None and entry.expires > self.clock():
            if entry.error is not None:
                raise socket.gaierror(*entry.error)
            assert entry.address is not None
            return entry.address
        task = self._inflight.get(name)
        if task is None:
            task = asyncio.get_running_loop().create_task(
                self._lookup(name, guild_id), name=f"resolve:{name}"
            )
            self._inflight[name] = task
            task.add_done_callback(self._landed)
        # Shielded: a caller giving up (its poll deadline) leaves the lookup running, and its
        # result cached for the next round.
        return await asyncio.shield(task)

    def _landed(self, task: asyncio.Task[str]) -> None:
        for name, running in list(self._inflight.items()):
            if running is task:
                del self._inflight[name]
        if not task.cancelled():
            task.exception()  # retrieved: every caller may have given up already

    async def _lookup(self, name: str, guild_id: int) -> str:
        semaphore = self._guild_semaphore(guild_id)
        try:
            async with semaphore, self._global:
                self.lookups += 1
                failure: tuple[int, str] | None
                try:
                    # Looked up at call time: None means this module's system_lookup.
                    lookup = self._lookup_fn or system_lookup
                    address = await lookup(name)
                except OSError as exc:
                    code = exc.errno if isinstance(exc.errno, int) else socket.EAI_FAIL
                    failure = (code, exc.strerror or "name does not resolve")
                except Exception as exc:  # a broken lookup function: a failure like any other
                    if not isinstance(exc, UnicodeError):  # a name IDNA cannot encode: no bug
                        self._unexpected.report(exc)
                    failure = (socket.EAI_FAIL, f"lookup failed: {type(exc).__name__}")
                else:
                    failure = None
                if failure is not None:
                    self._store(name, _Entry(self.clock() + self.negative_ttl, None, failure))
                    raise socket.gaierror(*failure)
        finally:
            self._release_guild(guild_id)
        self._store(name, _Entry(self.clock() + self.ttl, address, None))
        return address

    def _guild_semaphore(self, guild_id: int) -> asyncio.Semaphore:
        held = self._guilds.get(guild_id)
        if held is None:
            semaphore = asyncio.Semaphore(self.per_guild)
            self._guilds[guild_id] = (semaphore, 1)
            return semaphore
        self._guilds[guild_id] = (held[0], held[1] + 1)
        return held[0]

    def _release_guild(self, guild_id: int) -> None:
        semaphore, users = self._guilds[guild_id]
        if users <= 1:
            del self._guilds[guild_id]
        else:
            self._guilds[guild_id] = (semaphore, users - 1)

    def _store(self, name: str, entry: _Entry) -> None:
        cache = self._cache
        if name not in cache and len(cache) >= MAX_ENTRIES:
            now = self.clock()
            for key in [k for k, e in cache.items() if e.expires <= now]:
                del cache[key]
            if len(cache) >= MAX_ENTRIES:
                del cache[next(iter(cache))]  # the oldest entry
        cache.pop(name, None)  # re-inserted last: dict order is insertion order
        cache[name] = entry
