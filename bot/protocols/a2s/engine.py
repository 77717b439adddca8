"""The asyncio transport: many concurrent queries over one UDP socket per address family.

Answers are routed by source address to the one query in flight for that address (queries to the
same address wait their turn: a challenge answer could not be attributed otherwise). Reading uses
``loop.add_reader`` on a non-blocking socket with one reused 64 KiB buffer: asyncio's datagram
transport allocates a fresh 256 KiB buffer per datagram, which can cost a factor of three
(bench/results/a2s.md). Resends and timeouts share one coarse timer wheel and one loop timer.
"""

from __future__ import annotations

import asyncio
import asyncio.selector_events
import collections
import errno
import heapq
import math
import os
import socket
import struct
import sys
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, cast

from bot.protocols.a2s import games
from bot.protocols.a2s.errors import EngineClosedError, EngineLoopError
from bot.protocols.a2s.fragments import DEFAULT_MAX_RESPONSE, SplitLayout, split_layout_for
from bot.protocols.a2s.models import GoldSrcInfo, Player, PlayerList, RulesDict, SourceInfo
from bot.protocols.a2s.session import DEFAULT_CHALLENGE_ROUNDS, Kind, QuerySession

Key = tuple[str, int]

RECV_BUFFER = 65536
SOCKET_RCVBUF = 4 << 20
# Datagrams handled per readiness callback, so one busy socket cannot starve the loop. Small
# bursts also let the awaiting tasks consume results before many pile up: hundreds of decoded
# player lists alive at once cost cache misses and survive into older GC generations (measured:
# PLAYERS(32) at 200 in flight, 56 -> 44 ms CPU per 1,000 queries going from 512 to 64).
MAX_READS_PER_WAKEUP = 64
MAX_CACHED_SERVERS = 65536
# Timer wheel resolution: resends and timeouts fire up to one tick late, never early.
TICKS_PER_SECOND = 200
_IS_LINUX = sys.platform.startswith("linux")
# Linux with asyncio's selector loop only: ask for ICMP errors on the unconnected socket, to
# report closed ports as ConnectionRefusedError (elsewhere a closed port is a timeout).
_IP_RECVERR = 11
_IPV6_RECVERR = 25
_EE_ERRNO = struct.Struct("=I")
_ICMP_ERRNOS = frozenset({errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH})


@dataclass(slots=True)
class _ServerMeta:
    """What we learnt about a server: its last challenge and, from INFO, its split layout."""

    challenge: bytes | None = None
    layout: SplitLayout | None = None
    app_id: int | None = None


class _Query(QuerySession):
    """A query in flight: the sans-IO session plus what the transport needs (one object per
    query instead of two). ``_start`` sets the transport fields."""

    __slots__ = (
        "deadline",
        "future",
        "interval",
        "key",
        "sock",
        "sockaddr",
        "timer_seq",
    )

    future: asyncio.Future[Any]
    key: Key
    sock: socket.socket
    sockaddr: tuple[Any, ...]
    deadline: float
    interval: float
    timer_seq: int


_AF_INET = int(socket.AF_INET)
_new_query = object.__new__
_init_session = QuerySession.__init__


def _literal(host: str) -> tuple[int, str] | None:
    # The family as a plain int: hashing an AddressFamily enum member runs Python code, and
    # the family keys a dict lookup on every query.
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            packed = socket.inet_pton(family, host)
        except (OSError, ValueError):
            continue
        return int(family), socket.inet_ntop(family, packed)
    return None


class A2SEngine:
    """Runs A2S queries; one engine serves any number of servers from one event loop.

    ``max_in_flight`` caps concurrent queries; ``resend_interval`` (default: a third of the
    timeout, at most 1 s) paces resends of unanswered requests; ``close_when_idle`` closes the
    sockets whenever no query is in flight (used by the module-level functions' default engine,
    which has no owner to close it); ``min_query_gap`` spaces queries to the same server (servers
    with ``STEAM_GAMESERVER_RATE_LIMIT_200MS`` or rate-limiting firewalls drop bursts).
    """

    def __init__(
        self,
        *,
        max_in_flight: int = 1024,
        resend_interval: float | None = None,
        max_challenge_rounds: int = DEFAULT_CHALLENGE_ROUNDS,
        max_response_size: int = DEFAULT_MAX_RESPONSE,
        close_when_idle: bool = False,
        min_query_gap: float = 0.0,
    ) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self.max_in_flight = max_in_flight
        self.resend_interval = resend_interval
        self.max_challenge_rounds = max_challenge_rounds
        self.max_response_size = max_response_size
        self.close_when_idle = close_when_idle
        self.min_query_gap = min_query_gap
        self._last_start: dict[Key, float] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._free = max_in_flight
        self._slot_waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._socks: dict[int, socket.socket] = {}
        self._active: dict[Key, _Query] = {}
        # Address -> waiters for its turn (None: busy, nobody waiting).
        self._queues: dict[Key, collections.deque[asyncio.Future[None]] | None] = {}
        self._meta: dict[Key, _ServerMeta] = {}
        self._literals: dict[str, tuple[int, str] | None] = {}
        self._buf = bytearray(RECV_BUFFER)
        self._view = memoryview(self._buf)
        self._inflight = 0
        self._closed = False
        # Timer wheel: tick number -> entries due in that tick, flattened as sequence, address,
        # sequence, address… (no tuple per entry: thousands of long-lived tuples would make
        # the garbage collector run full collections), and a heap of the ticks holding entries
        # (one heap push per tick, not per query).
        self._wheel: dict[int, list[int | Key]] = {}
        self._ticks: list[int] = []
        self._timer_seq = 0
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf

    # -- public API ---------------------------------------------------------------------------

    # Plain methods returning the query coroutine: one coroutine less per query.
    def info(
        self, address: tuple[str, int], timeout: float = 3.0, encoding: str | None = "utf-8"
    ) -> Coroutine[Any, Any, SourceInfo[Any] | GoldSrcInfo[Any]]:
        """A2S_INFO; await the result."""
        return self.query(Kind.INFO, address, timeout, encoding)

    def players(
        self, address: tuple[str, int], timeout: float = 3.0, encoding: str | None = "utf-8"
    ) -> Coroutine[Any, Any, PlayerList[Player[Any]]]:
        """A2S_PLAYER; await the result."""
        return self.query(Kind.PLAYERS, address, timeout, encoding)

    def rules(
        self, address: tuple[str, int], timeout: float = 3.0, encoding: str | None = "utf-8"
    ) -> Coroutine[Any, Any, RulesDict[Any, Any]]:
        """A2S_RULES; await the result."""
        return self.query(Kind.RULES, address, timeout, encoding)

    async def __aenter__(self) -> A2SEngine:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Fail the queries in flight and close the sockets."""
        self._closed = True
        for query in list(self._active.values()):
            self._finish(query, error=ConnectionAbortedError("A2S engine closed"))
        self._close_sockets()

    @property
    def in_flight(self) -> int:
        return self._inflight

    def forget(self, address: tuple[str, int]) -> None:
        """Drop what is cached about a server (challenge, split layout)."""
        literal = _literal(address[0])
        if literal is not None:
            self._meta.pop((literal[1], address[1]), None)

    # -- internals ----------------------------------------------------------------------------

    async def _resolve(self, host: str, port: int) -> tuple[int, Key, tuple[Any, ...]]:
        try:
            literal = self._literals[host]
        except KeyError:
            literal = _literal(host)
            if len(self._literals) < 4096:
                self._literals[host] = literal
        if literal is None:
            loop = asyncio.get_running_loop()
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
            if not infos:
                raise socket.gaierror(socket.EAI_NONAME, "no address for host")
            literal = (int(infos[0][0]), str(infos[0][4][0]))
        family, ip = literal
        target: tuple[Any, ...] = (ip, port) if family == socket.AF_INET else (ip, port, 0, 0)
        return family, (ip, port), target

    def _socket(self, family: int) -> socket.socket:
        sock = self._socks.get(family)
        if sock is not None:
            return sock
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            if self._loop is not None and self._socks:
                raise EngineLoopError("an A2SEngine is bound to one event loop")
            self._loop = loop
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.setblocking(False)
            # Bursts of split answers from hundreds of servers must not overflow the queue
            # (the kernel caps this at net.core.rmem_max).
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_RCVBUF)
            if _IS_LINUX and isinstance(loop, asyncio.selector_events.BaseSelectorEventLoop):
                # Not on uvloop: libuv treats the resulting POLLERR as fatal for the handle.
                if family == socket.AF_INET:
                    sock.setsockopt(socket.IPPROTO_IP, _IP_RECVERR, 1)
                else:
                    sock.setsockopt(socket.IPPROTO_IPV6, _IPV6_RECVERR, 1)
            sock.bind(("0.0.0.0", 0) if family == socket.AF_INET else ("::", 0))
            loop.add_reader(sock.fileno(), self._on_readable, sock)
        except BaseException:
            sock.close()
            raise
        self._socks[family] = sock
        return sock

    def _close_sockets(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_at = math.inf
        self._wheel.clear()
        self._ticks.clear()
        for sock in self._socks.values():
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(sock.fileno())
            sock.close()
        self._socks.clear()

    async def query(
        self,
        kind: Kind,
        address: tuple[str, int],
        timeout: float,  # noqa: ASYNC109
        encoding: str | None,
    ) -> Any:
        """Run one query; raises TimeoutError, BrokenMessageError or an OSError.

        ``timeout`` bounds the whole call, as python-a2s users expect: resolution, the wait
        for a slot and for this address's turn, challenge rounds, resends and reassembly.
        """
        if self._closed:
            raise EngineClosedError("A2S engine closed")
        host, port = address
        # Fast path (``_cached_target`` inlined): an IP literal seen before needs no
        # resolution coroutine.
        literal = self._literals.get(host)
        deadline: float | None = None
        if literal is not None:
            family, ip = literal
            key: Key = (ip, port)
            sockaddr: tuple[Any, ...] = key if family == _AF_INET else (ip, port, 0, 0)
        else:
            deadline = asyncio.get_running_loop().time() + timeout
            async with asyncio.timeout_at(deadline):
                family, key, sockaddr = await self._resolve(host, port)
        if self._free > 0 and key not in self._queues and self.min_query_gap <= 0:
            # Fast path (a free slot, the address idle, no spacing): nothing to wait for.
            self._free -= 1
            self._queues[key] = None
            self._inflight += 1
            try:
                query = self._start(kind, family, key, sockaddr, timeout, encoding, deadline)
                try:
                    return await query.future
                finally:
                    self._stop(query)
            finally:
                self._release(key)
        if deadline is None:
            deadline = asyncio.get_running_loop().time() + timeout
        self._inflight += 1
        try:
            # Two queues: a slot under max_in_flight, then the turn for this address. Both
            # are plain counters/dicts on the fast path (no waiting, no extra coroutine).
            # Waiting counts against the deadline: three queries to one silent server
            # must not take three timeouts.
            if self._free > 0:
                self._free -= 1
            else:
                async with asyncio.timeout_at(deadline):
                    await self._wait(self._slot_waiters, self._release_slot)
            try:
                if key in self._queues:
                    queue = self._queues[key]
                    if queue is None:
                        queue = self._queues[key] = collections.deque()
                    async with asyncio.timeout_at(deadline):
                        await self._wait(queue, lambda: self._release_address(key))
                else:
                    self._queues[key] = None
                try:
                    delay = self._gap_delay(key)
                    if delay > 0:
                        async with asyncio.timeout_at(deadline):
                            await asyncio.sleep(delay)
                    query = self._start(kind, family, key, sockaddr, timeout, encoding, deadline)
                    try:
                        return await query.future
                    finally:
                        self._stop(query)
                finally:
                    self._release_address(key)
            finally:
                self._release_slot()
        finally:
            self._inflight -= 1
            if self._inflight == 0 and self.close_when_idle:
                self._close_sockets()

    async def batch(
        self,
        kind: Kind,
        addresses: Sequence[tuple[str, int]],
        timeout: float = 3.0,  # noqa: ASYNC109
        encoding: str | None = "utf-8",
    ) -> list[Any]:
        """Query many servers; returns, in input order, each result or the exception raised
        for it (TimeoutError, BrokenMessageError, OSError…).

        The queries run on callbacks, without a task or coroutine each, under the same
        ``max_in_flight`` cap and one-at-a-time-per-address rule as ``query``: one await for
        a whole fleet, and one failing server never aborts the others.
        """
        if self._closed:
            raise EngineClosedError("A2S engine closed")
        loop = asyncio.get_running_loop()
        targets: list[tuple[int, Key, tuple[Any, ...]] | BaseException] = []
        for host, port in addresses:
            try:
                targets.append(self._cached_target(host, port) or await self._resolve(host, port))
            except OSError as exc:  # resolution errors belong to that address only
                targets.append(exc)
        results: list[Any] = [None] * len(targets)
        if not targets:
            return results
        done: asyncio.Future[None] = loop.create_future()
        pending = collections.deque(range(len(targets)))
        waiting: dict[int, tuple[asyncio.Future[None], bool]] = {}  # item -> (waiter, has slot)
        launched: dict[int, _Query] = {}
        delayed: dict[int, asyncio.TimerHandle] = {}  # holding slot and address, spacing out
        counts = {"running": 0, "finished": 0}
        aborted = False

        def record(i: int, value: Any) -> None:
            results[i] = value
            counts["finished"] += 1
            if counts["finished"] == len(targets) and not done.done():
                done.set_result(None)

        def pump() -> None:
            while pending and counts["running"] < self.max_in_flight and not aborted:
                i = pending.popleft()
                target = targets[i]
                if isinstance(target, BaseException):
                    record(i, target)
                    continue
                counts["running"] += 1
                if self._free > 0:
                    self._free -= 1
                    got_slot(i)
                else:
                    wait_for(i, self._slot_waiters, has_slot=False)

        def wait_for(
            i: int, queue: collections.deque[asyncio.Future[None]], has_slot: bool
        ) -> None:
            waiter: asyncio.Future[None] = loop.create_future()
            waiter.add_done_callback(lambda f: woken(i, f, has_slot))
            waiting[i] = (waiter, has_slot)
            queue.append(waiter)

        def woken(i: int, waiter: asyncio.Future[None], has_slot: bool) -> None:
            waiting.pop(i, None)
            if waiter.cancelled():
                return  # the abort path released what this item held
            if aborted:  # handed a turn after the abort: give back everything
                key = cast(tuple[Any, Key, Any], targets[i])[1]
                if has_slot:
                    self._release_address(key)
                self._release_slot()
                return
            if has_slot:
                launch(i)
            else:
                got_slot(i)

        def got_slot(i: int) -> None:
            key = cast(tuple[Any, Key, Any], targets[i])[1]
            if key in self._queues:
                queue = self._queues[key]
                if queue is None:
                    queue = self._queues[key] = collections.deque()
                wait_for(i, queue, has_slot=True)
            else:
                self._queues[key] = None
                launch(i)

        def launch(i: int) -> None:
            key = cast(tuple[Any, Key, Any], targets[i])[1]
            delay = self._gap_delay(key)
            if delay > 0:
                delayed[i] = loop.call_later(delay, launch_now, i)
            else:
                launch_now(i)

        def launch_now(i: int) -> None:
            delayed.pop(i, None)
            family, key, sockaddr = cast(tuple[int, Key, Any], targets[i])
            self._inflight += 1
            try:
                query = self._start(kind, family, key, sockaddr, timeout, encoding)
            except Exception as exc:
                self._inflight -= 1
                self._release_address(key)
                self._release_slot()
                counts["running"] -= 1
                record(i, exc)
                pump()
                return
            launched[i] = query
            query.future.add_done_callback(lambda f: landed(i, query))

        def landed(i: int, query: _Query) -> None:
            launched.pop(i, None)
            self._stop(query)
            self._release_address(query.key)
            self._release_slot()
            self._inflight -= 1
            counts["running"] -= 1
            future = query.future
            if future.cancelled():
                record(i, asyncio.CancelledError())
            else:
                record(i, future.exception() or future.result())
            pump()
            if self._inflight == 0 and self.close_when_idle:
                self._close_sockets()

        pump()
        try:
            await done
        except asyncio.CancelledError:
            aborted = True
            for waiter, has_slot in list(waiting.values()):
                if waiter.cancel() and has_slot:
                    self._release_slot()
            for i, handle in list(delayed.items()):
                handle.cancel()
                self._release_address(cast(tuple[Any, Key, Any], targets[i])[1])
                self._release_slot()
            for query in list(launched.values()):
                query.future.cancel()  # its done-callback releases the slot and address
            raise
        return results

    def _gap_delay(self, key: Key) -> float:
        """Seconds to wait before the next query to ``key`` honours ``min_query_gap``."""
        if self.min_query_gap <= 0:
            return 0.0
        last = self._last_start.get(key)
        if last is None:
            return 0.0
        return last + self.min_query_gap - asyncio.get_running_loop().time()

    def _cached_target(self, host: str, port: int) -> tuple[int, Key, tuple[Any, ...]] | None:
        literal = self._literals.get(host)
        if literal is None:
            return None
        family, ip = literal
        key = (ip, port)
        return family, key, (key if family == socket.AF_INET else (ip, port, 0, 0))

    @staticmethod
    async def _wait(
        waiters: collections.deque[asyncio.Future[None]], release: Callable[[], None]
    ) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                release()  # we were handed the turn but will not use it
            raise

    @staticmethod
    def _hand_over(waiters: collections.deque[asyncio.Future[None]] | None) -> bool:
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return True
        return False

    def _release_slot(self) -> None:
        if not self._hand_over(self._slot_waiters):
            self._free += 1

    def _release_address(self, key: Key) -> None:
        if not self._hand_over(self._queues[key]):
            del self._queues[key]

    def _release(self, key: Key) -> None:
        """``_release_address``, ``_release_slot`` and the in-flight count in one call."""
        waiters = self._queues[key]
        if not (waiters and self._hand_over(waiters)):
            del self._queues[key]
        if not (self._slot_waiters and self._hand_over(self._slot_waiters)):
            self._free += 1
        self._inflight -= 1
        if self._inflight == 0 and self.close_when_idle:
            self._close_sockets()

    def _start(
        self,
        kind: Kind,
        family: int,
        key: Key,
        sockaddr: tuple[Any, ...],
        timeout: float,
        encoding: str | None,
        deadline: float | None = None,
    ) -> _Query:
        """Create the session, send the request and arm the resend/timeout timer.

        ``deadline`` (loop time) ends the query; None: ``timeout`` from now."""
        sock = self._socks.get(family) or self._socket(family)
        loop = self._loop
        assert loop is not None
        meta = self._meta.get(key)
        # Allocated, then initialised by a plain call: calling the class with keywords would
        # build a keyword dict per query.
        query: _Query = _new_query(_Query)
        if meta is None:
            _init_session(
                query,
                kind,
                encoding=encoding,
                max_rounds=self.max_challenge_rounds,
                max_size=self.max_response_size,
            )
        else:
            _init_session(
                query,
                kind,
                encoding=encoding,
                challenge=meta.challenge,
                layout=meta.layout,
                app_id=meta.app_id,
                max_rounds=self.max_challenge_rounds,
                max_size=self.max_response_size,
            )
        query.future = future = loop.create_future()
        query.key = key
        query.sock = sock
        query.sockaddr = sockaddr
        query.timer_seq = -1
        self._active[key] = query
        now = loop.time()
        if self.min_query_gap > 0:
            if key not in self._last_start and len(self._last_start) >= MAX_CACHED_SERVERS:
                del self._last_start[next(iter(self._last_start))]
            self._last_start[key] = now
        try:
            sock.sendto(query.request(), sockaddr)
        except OSError as exc:
            self._send_failed(query, query.request(), now, exc)
            if future.done():
                query.deadline = query.interval = 0.0
                return query
        else:
            query.sent(now)
        interval = self.resend_interval
        if interval is None:
            interval = min(max(timeout / 3, 0.02), 1.0)
        query.interval = interval
        if deadline is None:
            deadline = now + timeout
        query.deadline = deadline
        if deadline <= now:
            self._finish(query, error=TimeoutError("no answer from the server"))
            return query
        self._arm(min(now + interval, deadline), query)
        return query

    def _stop(self, query: _Query) -> None:
        # Its timer entry stays in the wheel and is skipped when due (lazy deletion).
        key = query.key
        if self._active.get(key) is query:
            del self._active[key]
        if query.challenge is not None or query.kind is Kind.INFO:
            self._remember(key, query)

    def _remember(self, key: Key, session: QuerySession) -> None:
        meta = self._meta.get(key)
        if meta is None:
            if len(self._meta) >= MAX_CACHED_SERVERS:
                del self._meta[next(iter(self._meta))]
            meta = self._meta[key] = _ServerMeta()
        if session.challenge is not None:
            meta.challenge = session.challenge
        result = session.result
        if isinstance(result, SourceInfo):
            meta.layout = split_layout_for(result.protocol, result.app_id)
            meta.app_id = games.resolve_app_id(result.app_id, result.game_id)
        elif isinstance(result, GoldSrcInfo):
            meta.layout = SplitLayout.GOLDSRC

    def _send(self, query: _Query, datagram: bytes, now: float) -> None:
        try:
            query.sock.sendto(datagram, query.sockaddr)
        except OSError as exc:
            self._send_failed(query, datagram, now, exc)
        else:
            query.sent(now)

    def _send_failed(self, query: _Query, datagram: bytes, now: float, exc: OSError) -> None:
        if isinstance(exc, (BlockingIOError, InterruptedError)):
            return  # socket buffer full: treated as a lost datagram, the resend covers it
        if _IS_LINUX and exc.errno in _ICMP_ERRNOS:
            # A pending ICMP error of *another* destination surfaces on any call: hand it to
            # its query, then send ours again (once).
            self._drain_errors(query.sock)
            try:
                query.sock.sendto(datagram, query.sockaddr)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as again:
                self._finish(query, error=again)
                return
            query.sent(now)
            return
        self._finish(query, error=exc)

    def _arm(self, when: float, query: _Query) -> None:
        """Schedule the query's next resend or expiry.

        A coarse timer wheel with a single loop timer: appending to a tick's list costs less
        than a heap push per query, and asyncio's own timer heap compares TimerHandles in
        Python, which costs more than the rest of a query. Entries name the address and a
        sequence number, not the query, so a finished query (and its decoded result) is not
        kept alive until its entry comes due; stale entries are skipped when due.
        """
        seq = self._timer_seq
        self._timer_seq = seq + 1
        query.timer_seq = seq
        # The first tick starting after ``when``: never early, at most one tick late.
        tick = int(when * TICKS_PER_SECOND) + 1
        entries = self._wheel.get(tick)
        if entries is not None:
            entries.append(seq)
            entries.append(query.key)
            return
        self._wheel[tick] = [seq, query.key]
        heapq.heappush(self._ticks, tick)
        self._schedule(tick / TICKS_PER_SECOND)

    def _schedule(self, at: float) -> None:
        """Make sure the loop timer fires by ``at``."""
        if at < self._timer_at:
            if self._timer is not None:
                self._timer.cancel()
            assert self._loop is not None
            self._timer = self._loop.call_at(at, self._on_timer)
            self._timer_at = at

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_at = math.inf
        loop = self._loop
        assert loop is not None
        now = loop.time()
        limit = now * TICKS_PER_SECOND
        ticks = self._ticks
        wheel = self._wheel
        active = self._active
        while ticks and ticks[0] <= limit:
            entries = iter(wheel.pop(heapq.heappop(ticks)))
            for seq, key in zip(entries, entries, strict=True):
                query = active.get(cast(Key, key))
                if query is None or query.timer_seq != seq or query.future.done():
                    continue  # finished, or superseded by a newer entry
                if now >= query.deadline:
                    self._finish(query, error=TimeoutError("no answer from the server"))
                    continue
                self._send(query, query.request(), now)
                if not query.future.done():
                    self._arm(min(now + query.interval, query.deadline), query)
        if ticks:
            self._schedule(ticks[0] / TICKS_PER_SECOND)

    def _finish(
        self, query: _Query, result: Any = None, error: BaseException | None = None
    ) -> None:
        if self._active.get(query.key) is query:
            del self._active[query.key]
        if not query.future.done():
            if error is not None:
                query.future.set_exception(error)
            else:
                query.future.set_result(result)

    def _on_readable(self, sock: socket.socket) -> None:
        view = self._view
        active = self._active
        loop = self._loop
        assert loop is not None
        now = loop.time()
        for _ in range(MAX_READS_PER_WAKEUP):
            try:
                size, addr = sock.recvfrom_into(self._buf)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                if sock.fileno() < 0:
                    return  # closed while this wakeup was queued
                self._drain_errors(sock)
                continue
            # IPv4 source addresses are (host, port) already; IPv6 ones carry flow and scope.
            query = active.get(addr if len(addr) == 2 else addr[:2])
            if query is None:
                continue  # not a server we are waiting for
            reply = query.receive(view[:size].tobytes(), now)
            if reply is not None:
                self._send(query, reply, now)
            if query.done:
                if query.error is not None:
                    self._finish(query, error=query.error)
                else:  # _finish inlined: the common outcome
                    if active.get(query.key) is query:
                        del active[query.key]
                    if not query.future.done():
                        query.future.set_result(query.result)

    def _drain_errors(self, sock: socket.socket) -> None:
        """Report ICMP port-unreachable as ConnectionRefusedError to the query concerned."""
        if not _IS_LINUX:
            return
        for _ in range(MAX_READS_PER_WAKEUP):
            try:
                _, ancdata, _, addr = sock.recvmsg(1, 1024, socket.MSG_ERRQUEUE)
            except OSError:  # the queue is empty (BlockingIOError) or cannot be read
                return
            if not isinstance(addr, tuple):
                continue
            query = self._active.get((addr[0], addr[1]))
            if query is None:
                continue
            for _level, _type, data in ancdata:
                code = _EE_ERRNO.unpack_from(data)[0] if len(data) >= 4 else 0
                if code == errno.ECONNREFUSED:
                    error: OSError = ConnectionRefusedError(code, "port closed")
                elif code in _ICMP_ERRNOS:
                    error = OSError(code, os.strerror(code))
                else:
                    continue
                self._finish(query, error=error)
