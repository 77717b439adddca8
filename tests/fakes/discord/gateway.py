"""The fake gateway: HELLO, heartbeats, IDENTIFY -> READY + GUILD_CREATE, RESUME, dispatch.

Frames are plain JSON text (discord.py only decompresses binary frames, so the ``compress``
query parameter can be ignored). Every dispatch gets the session's next sequence number and
is kept, so a RESUME replays what the client missed while disconnected.

Shards: IDENTIFY's ``shard: [id, count]`` makes the session that shard's (no field: shard 0 of
1, every guild). Several sessions live at once, one per shard (a new IDENTIFY for a shard
replaces its old session, as on Discord); an event about a guild goes only to the session of
the shard owning it by Discord's formula ``(guild_id >> 22) % count``, events without a guild
to shard 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

_log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, INVALID_SESSION, HELLO, HEARTBEAT_ACK = (
    0,
    1,
    2,
    6,
    7,
    9,
    10,
    11,
)
AUTHENTICATION_FAILED = 4004
_REPLAY_KEEP = 20_000  # events kept per session for RESUME


# Identity semantics: connections live in a set.
@dataclass(slots=True, eq=False)
class _Connection:
    ws: web.WebSocketResponse
    queue: asyncio.Queue[tuple[str, asyncio.Event | None]] = field(default_factory=asyncio.Queue)
    writer: asyncio.Task[None] | None = None


@dataclass(slots=True)
class GatewaySession:
    session_id: str
    intents: int
    seq: int = 0
    events: list[tuple[int, str]] = field(default_factory=list)
    connection: _Connection | None = None
    shard_id: int = 0
    shard_count: int = 1

    def owns(self, guild_id: int | None) -> bool:
        """Discord's routing: a guild's events go to its shard, the rest to shard 0."""
        if guild_id is None:
            return self.shard_id == 0
        return (guild_id >> 22) % self.shard_count == self.shard_id


def guild_of(event: str, data: dict[str, Any]) -> int | None:
    """The guild an event is about (``id`` for the GUILD_CREATE/UPDATE/DELETE family)."""
    raw = data.get("guild_id")
    if raw is None and event in ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"):
        raw = data.get("id")
    return int(raw) if raw is not None else None


# Builds the events sent after IDENTIFY: READY first, then one GUILD_CREATE per guild.
ReadyBuilder = Callable[[GatewaySession], list[tuple[str, dict[str, Any]]]]


class Gateway:
    def __init__(
        self,
        *,
        token: str,
        on_identify: ReadyBuilder,
        heartbeat_interval: float,
        violation: Callable[[str], None],
    ) -> None:
        self._token = token
        self._on_identify = on_identify
        self._heartbeat_ms = int(heartbeat_interval * 1000)
        self._violation = violation
        # The most recently identified or resumed session (the only one without sharding).
        self.session: GatewaySession | None = None
        self._sessions: dict[str, GatewaySession] = {}
        # The current session of each shard id.
        self.shards: dict[int, GatewaySession] = {}
        self.shard_ready = asyncio.Condition()
        self._connections: set[_Connection] = set()
        self.ready = asyncio.Event()
        self.resumed = asyncio.Event()
        self.heartbeats = 0
        self.identifies = 0
        self.resumes = 0
        self.connects = 0
        self.received: list[dict[str, Any]] = []  # non-heartbeat frames from the client
        self._tasks: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------------ dispatch

    def dispatch(
        self,
        event: str,
        data: dict[str, Any],
        *,
        intent: int | None = None,
        guild_id: int | None = None,
    ) -> None:
        """Send a DISPATCH to the session of the shard owning the event's guild (buffered while
        it is disconnected). ``guild_id`` defaults to the one in ``data``."""
        guild = guild_id if guild_id is not None else guild_of(event, data)
        session = self.session_for(guild)
        if session is None:
            return
        if intent is not None and not session.intents & intent:
            return
        self._emit(session, event, data)

    def session_for(self, guild_id: int | None) -> GatewaySession | None:
        """The current session receiving this guild's events (None: no shard of it is up)."""
        for session in self.shards.values():
            if session.owns(guild_id):
                return session
        return None

    def _emit(
        self,
        session: GatewaySession,
        event: str,
        data: dict[str, Any],
        sent: asyncio.Event | None = None,
    ) -> None:
        session.seq += 1
        frame = json.dumps({"op": DISPATCH, "t": event, "s": session.seq, "d": data})
        session.events.append((session.seq, frame))
        if len(session.events) > _REPLAY_KEEP:
            del session.events[: len(session.events) - _REPLAY_KEEP]
        if session.connection is not None:
            session.connection.queue.put_nowait((frame, sent))
        elif sent is not None:
            sent.set()

    # ------------------------------------------------------------------ control (tests)

    async def send_reconnect(self) -> None:
        """Op 7 RECONNECT: the client drops the socket and RESUMEs."""
        connection = self._current_connection()
        self.resumed.clear()
        await connection.ws.send_str(json.dumps({"op": RECONNECT, "d": None}))

    async def drop(self, code: int = 4000) -> None:
        """Close the socket with ``code`` (4000: resumable, as on a Discord hiccup)."""
        connection = self._current_connection()
        self.resumed.clear()
        await connection.ws.close(code=code)

    async def invalidate_session(self) -> None:
        """Op 9 with d=false: the client must IDENTIFY again (READY, GUILD_CREATEs)."""
        connection = self._current_connection()
        self.ready.clear()
        await connection.ws.send_str(json.dumps({"op": INVALID_SESSION, "d": False}))

    def _current_connection(self) -> _Connection:
        if self.session is None or self.session.connection is None:
            raise RuntimeError("no client is connected to the fake gateway")
        return self.session.connection

    async def close(self) -> None:
        for connection in list(self._connections):
            with contextlib.suppress(Exception):
                await connection.ws.close(code=1001)
            await self._stop_writer(connection)
        for task in list(self._tasks):
            task.cancel()

    # ------------------------------------------------------------------ websocket

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        self.connects += 1
        connection = _Connection(ws)
        connection.writer = asyncio.create_task(self._write(connection))
        self._connections.add(connection)
        connection.queue.put_nowait(
            (json.dumps({"op": HELLO, "d": {"heartbeat_interval": self._heartbeat_ms}}), None)
        )
        try:
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    continue
                await self._handle_frame(connection, json.loads(message.data))
        finally:
            self._connections.discard(connection)
            for session in self._sessions.values():
                if session.connection is connection:
                    session.connection = None
            await self._stop_writer(connection)
        return ws

    async def _stop_writer(self, connection: _Connection) -> None:
        if connection.writer is not None and not connection.writer.done():
            connection.writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await connection.writer

    async def _write(self, connection: _Connection) -> None:
        while True:
            frame, sent = await connection.queue.get()
            try:
                await connection.ws.send_str(frame)
            except (ConnectionError, RuntimeError):
                return
            finally:
                if sent is not None:
                    sent.set()

    async def _handle_frame(self, connection: _Connection, frame: dict[str, Any]) -> None:
        op = frame.get("op")
        if op == HEARTBEAT:
            self.heartbeats += 1
            connection.queue.put_nowait((json.dumps({"op": HEARTBEAT_ACK}), None))
            return
        self.received.append(frame)
        data = frame.get("d") or {}
        if op == IDENTIFY:
            await self._identify(connection, data)
        elif op == RESUME:
            self._resume(connection, data)
        elif op not in (3, 4, 8, 31):  # presence, voice state, member chunks, soundboard
            self._violation(f"gateway: unexpected opcode {op}")

    async def _identify(self, connection: _Connection, data: dict[str, Any]) -> None:
        if data.get("token") != self._token:
            await connection.ws.close(code=AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return
        shard = data.get("shard") or [0, 1]
        shard_id, shard_count = int(shard[0]), int(shard[1])
        if not 0 <= shard_id < shard_count:
            self._violation(f"gateway: IDENTIFY with an invalid shard {shard!r}")
            await connection.ws.close(code=4010, message=b"Invalid shard.")
            return
        for other in self.shards.values():
            if other.shard_count != shard_count and other.connection is not None:
                self._violation(
                    f"gateway: shard {shard_id} identified with {shard_count} shards while "
                    f"shard {other.shard_id} runs with {other.shard_count}"
                )
        self.identifies += 1
        session = GatewaySession(
            secrets.token_hex(16),
            int(data.get("intents") or 0),
            shard_id=shard_id,
            shard_count=shard_count,
        )
        self._sessions[session.session_id] = session
        self.session = session
        self.shards[shard_id] = session
        session.connection = connection
        events = self._on_identify(session)
        done = asyncio.Event()
        for index, (event, payload) in enumerate(events):
            self._emit(session, event, payload, done if index == len(events) - 1 else None)
        await done.wait()
        self.ready.set()
        async with self.shard_ready:
            self.shard_ready.notify_all()

    def _resume(self, connection: _Connection, data: dict[str, Any]) -> None:
        session = self._sessions.get(str(data.get("session_id")))
        if data.get("token") != self._token or session is None:
            connection.queue.put_nowait((json.dumps({"op": INVALID_SESSION, "d": False}), None))
            return
        self.resumes += 1
        last = int(data.get("seq") or 0)
        session.connection = connection
        self.session = session
        self.shards[session.shard_id] = session
        for seq, frame in session.events:
            if seq > last:
                connection.queue.put_nowait((frame, None))
        done = asyncio.Event()
        self._emit(session, "RESUMED", {}, done)
        task = asyncio.get_running_loop().create_task(self._mark_resumed(done))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _mark_resumed(self, done: asyncio.Event) -> None:
        await done.wait()
        self.resumed.set()
