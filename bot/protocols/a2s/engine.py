"""The asyncio transport: many concurrent queries over one UDP socket per address family.

Answers are routed by source address to the one query in flight for that address (queries to the
same address wait their turn: a challenge answer could not be attributed otherwise). Reading uses
``loop.add_reader`` on a non-blocking socket with one reused 64 KiB buffer: asyncio's datagram
transport allocates a fresh 256 KiB buffer per datagram, which can cost a factor of three
(bench/results/a2s.md). Resends and timeouts share one coarse timer wheel and one loop timer.
"""

from __future__ import annotations

import asyncio
import collections
import socket
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from bot.protocols.a2s import games, udp
from bot.protocols.a2s.errors import EngineClosedError, EngineLoopError
from bot.protocols.a2s.fragments import DEFAULT_MAX_RESPONSE_BYTES, SplitLayout, split_layout_for
from bot.protocols.a2s.models import GoldSrcInfo, Player, PlayerList, RulesDict, SourceInfo
from bot.protocols.a2s.session import DEFAULT_CHALLENGE_ROUNDS, Kind, QuerySession
from bot.protocols.a2s.timers import TimerWheel
from bot.protocols.a2s.udp import AF_INET, ICMP_ERRNOS, IS_LINUX, Key

RECV_BUFFER = 65536
# Datagrams handled per readiness callback, so one busy socket cannot starve the loop. Small
# bursts also let the awaiting tasks consume results before many pile up: hundreds of decoded
# player lists alive at once cost cache misses and survive into older GC generations (measured:
# PLAYERS(32) at 200 in flight, 56 -> 44 ms CPU per 1,000 queries going from 512 to 64).
MAX_READS_PER_WAKEUP = 64
MAX_CACHED_SERVERS = 65536


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
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        close_when_idle: bool = False,
        min_query_gap: float = 0.0,
    ) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self.max_in_flight = max_in_flight
        self.resend_interval = resend_interval
        self.max_challenge_rounds = max_challenge_rounds
        self.max_response_bytes = max_response_bytes
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
        self._timers = TimerWheel(self._on_due)

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

    # -- internals ----------------------------------------------------------------------------

    async def _resolve(self, host: str, port: int) -> tuple[int, Key, tuple[Any, ...]]:
        return await udp.resolve(host, port, self._literals)

    def _socket(self, family: int) -> socket.socket:
        sock = self._socks.get(family)
        if sock is not None:
            return sock
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            if self._loop is not None and self._socks:
                raise EngineLoopError("an A2SEngine is bound to one event loop")
            self._loop = loop
        sock = udp.open_socket(family, loop)
        try:
            loop.add_reader(sock.fileno(), self._on_readable, sock)
        except BaseException:
            sock.close()
            raise
        self._socks[family] = sock
        return sock

    def _close_sockets(self) -> None:
        self._timers.clear()
        for sock in self._socks.values():
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(sock.fileno())
            sock.close()
        self._socks.clear()

    async def query(
        self,
        kind: Kind,
        address: tuple[str, int],
        timeout: float,
        encoding: str | None,
    ) -> Any:
        """Run one query; raises TimeoutError, BrokenMessageError or an OSError.

        ``timeout`` bounds the whole call, as python-a2s users expect: resolution, the wait
        for a slot and for this address's turn, challenge rounds, resends and reassembly.
        Any number of servers at once is ``asyncio.gather`` over this: queries wait for a
        slot under ``max_in_flight``, then for their address's turn.
        """
        if self._closed:
            raise EngineClosedError("A2S engine closed")
        host, port = address
        # An IP literal seen before needs no resolution coroutine.
        literal = self._literals.get(host)
        deadline: float | None = None
        if literal is not None:
            family, ip = literal
            key: Key = (ip, port)
            sockaddr: tuple[Any, ...] = key if family == AF_INET else (ip, port, 0, 0)
        else:
            deadline = asyncio.get_running_loop().time() + timeout
            async with asyncio.timeout_at(deadline):
                family, key, sockaddr = await self._resolve(host, port)
        self._inflight += 1
        try:
            if self._free > 0 and key not in self._queues and self.min_query_gap <= 0:
                # A free slot, the address idle, no spacing: nothing to wait for (the usual
                # case, kept free of coroutines and timeouts).
                self._free -= 1
                self._queues[key] = None
            else:
                if deadline is None:
                    deadline = asyncio.get_running_loop().time() + timeout
                await self._acquire(key, deadline)
            try:
                query = self._start(kind, family, key, sockaddr, timeout, encoding, deadline)
                try:
                    return await query.future
                finally:
                    self._stop(query)
            finally:
                self._release_address(key)
                self._release_slot()
        finally:
            self._inflight -= 1
            if self._inflight == 0 and self.close_when_idle:
                self._close_sockets()

    async def _acquire(self, key: Key, deadline: float) -> None:
        """A slot under ``max_in_flight``, then ``key``'s turn, then the spacing: all within
        the deadline (three queries to one silent server must not take three timeouts).
        On failure nothing stays held."""
        async with asyncio.timeout_at(deadline):
            if self._free > 0:
                self._free -= 1
            else:
                await self._wait(self._slot_waiters, self._release_slot)
            try:
                if key in self._queues:
                    queue = self._queues[key]
                    if queue is None:
                        queue = self._queues[key] = collections.deque()
                    await self._wait(queue, lambda: self._release_address(key))
                else:
                    self._queues[key] = None
                try:
                    delay = self._gap_delay(key)
                    if delay > 0:
                        await asyncio.sleep(delay)
                except BaseException:
                    self._release_address(key)
                    raise
            except BaseException:
                self._release_slot()
                raise

    def _gap_delay(self, key: Key) -> float:
        """Seconds to wait before the next query to ``key`` honours ``min_query_gap``."""
        if self.min_query_gap <= 0:
            return 0.0
        last = self._last_start.get(key)
        if last is None:
            return 0.0
        return last + self.min_query_gap - asyncio.get_running_loop().time()

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
        if meta is None:
            query = _Query(
                kind,
                encoding=encoding,
                max_rounds=self.max_challenge_rounds,
                max_size=self.max_response_bytes,
            )
        else:
            query = _Query(
                kind,
                encoding=encoding,
                challenge=meta.challenge,
                layout=meta.layout,
                app_id=meta.app_id,
                max_rounds=self.max_challenge_rounds,
                max_size=self.max_response_bytes,
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
        if IS_LINUX and exc.errno in ICMP_ERRNOS:
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
        """Schedule the query's next resend or expiry (see :mod:`.timers`)."""
        assert self._loop is not None
        query.timer_seq = self._timers.add(when, query.key, self._loop)

    def _on_due(self, seq: int, key: Key, now: float) -> None:
        query = self._active.get(key)
        if query is None or query.timer_seq != seq or query.future.done():
            return  # finished, or superseded by a newer entry
        if now >= query.deadline:
            self._finish(query, error=TimeoutError("no answer from the server"))
            return
        self._send(query, query.request(), now)
        if not query.future.done():
            self._arm(min(now + query.interval, query.deadline), query)

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
        """Report ICMP errors (port unreachable: ConnectionRefusedError) to their queries."""
        for key, error in udp.icmp_errors(sock):
            query = self._active.get(key)
            if query is not None:
                self._finish(query, error=error)
