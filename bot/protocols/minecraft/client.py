"""The asyncio transport: :func:`status` over TCP (SLP, legacy fallback) and :func:`query` over UDP.

Each call has one ``timeout`` covering everything it does (SRV and address lookup, connect,
every round trip); both fail only with the errors in ``errors.py``. ``timeout`` follows the
other protocol packages' naming.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import random
import socket
from collections.abc import AsyncIterator
from typing import Any

from bot.protocols.minecraft.errors import (
    AnswerTooLarge,
    MinecraftError,
    MinecraftRefused,
    MinecraftTimeout,
    MinecraftUnreachable,
    MinecraftUnresolved,
    NotMinecraft,
    QueryDisabled,
)
from bot.protocols.minecraft.gs4 import QueryExchange, QueryState
from bot.protocols.minecraft.legacy import (
    decode_legacy_answer,
    encode_legacy_ping,
    legacy_answer_size,
)
from bot.protocols.minecraft.models import JavaStatus, QueryStat
from bot.protocols.minecraft.slp import (
    DEFAULT_PROTOCOL_VERSION,
    NeedData,
    PongReceived,
    StatusConnection,
    StatusReceived,
)
from bot.protocols.minecraft.srv import DEFAULT_PORT, SrvResolver, resolve_address
from bot.protocols.minecraft.status_json import parse_status

DEFAULT_TIMEOUT = 5.0
# Share of the timeout the SRV lookup may use: a resolver that drops SRV queries (some home
# routers do) must leave time to try HOST:25565.
SRV_TIMEOUT_SHARE = 0.5
READ_CHUNK = 65536
# Query datagrams are resent after this long without an answer (UDP loss).
QUERY_RESEND_INTERVAL = 1.0
# Datagrams waiting to be looked at; beyond it a flood is dropped.
MAX_PENDING_DATAGRAMS = 16


@contextlib.asynccontextmanager
async def _within(deadline: float, what: str) -> AsyncIterator[None]:
    try:
        async with asyncio.timeout_at(deadline):
            yield
    except MinecraftError:
        raise
    except TimeoutError:
        raise MinecraftTimeout(f"no {what} within the timeout") from None


def _refused(error: OSError | UnicodeError) -> MinecraftError:
    if isinstance(error, socket.gaierror):
        return MinecraftUnresolved("host name does not resolve")
    if isinstance(error, UnicodeError):
        # The stdlib's IDNA codec refuses the name before any lookup (empty or long labels).
        return MinecraftUnresolved("host name is not a valid DNS name")
    if isinstance(error, ConnectionRefusedError):
        return MinecraftRefused("connection refused")
    return MinecraftUnreachable(f"unreachable: {error.strerror or type(error).__name__}")


async def _connect(
    host: str, port: int, deadline: float
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    async with _within(deadline, "connection"):
        try:
            return await asyncio.open_connection(host, port)
        except TimeoutError:
            raise
        except (OSError, UnicodeError) as error:
            raise _refused(error) from None


def _close(writer: asyncio.StreamWriter) -> None:
    # A peer that does not read keeps our write buffer full; do not wait for it.
    if writer.transport.get_write_buffer_size():
        writer.transport.abort()
    else:
        writer.close()


async def _read_into(reader: asyncio.StreamReader) -> bytes:
    try:
        return await reader.read(READ_CHUNK)
    except OSError:
        raise NotMinecraft("connection reset before a complete answer") from None


async def _next_event(connection: StatusConnection, reader: asyncio.StreamReader) -> Any:
    while True:
        event = connection.next_event()
        if not isinstance(event, NeedData):
            return event
        connection.receive_data(await _read_into(reader))


async def _modern(host: str, port: int, deadline: float, protocol_version: int) -> JavaStatus:
    loop = asyncio.get_running_loop()
    connection = StatusConnection(host, port, protocol_version=protocol_version)
    reader, writer = await _connect(host, port, deadline)
    try:
        async with _within(deadline, "status response"):
            writer.write(connection.start())
            event = await _next_event(connection, reader)
        if not isinstance(event, StatusReceived):
            raise NotMinecraft("connection closed before the status response")
        result = parse_status(event.json_text)
        # The status stands on its own: a missing, wrong or late pong only leaves no latency.
        latency = None
        with contextlib.suppress(TimeoutError, NotMinecraft, OSError):
            async with asyncio.timeout_at(deadline):
                writer.write(connection.ping(random.getrandbits(63)))
                sent = loop.time()
                if isinstance(await _next_event(connection, reader), PongReceived):
                    latency = (loop.time() - sent) * 1000.0
        return dataclasses.replace(result, latency_ms=latency)
    finally:
        _close(writer)


async def _legacy(host: str, port: int, deadline: float) -> JavaStatus:
    loop = asyncio.get_running_loop()
    request = encode_legacy_ping(host, port)
    reader, writer = await _connect(host, port, deadline)
    try:
        async with _within(deadline, "legacy ping answer"):
            writer.write(request)  # one write: servers may not reassemble a split request
            sent = loop.time()
            answer = bytearray()
            while True:
                size = legacy_answer_size(answer)
                if size is not None and len(answer) >= size:
                    break
                data = await _read_into(reader)
                if not data:
                    break
                answer += data
        return decode_legacy_answer(bytes(answer), (loop.time() - sent) * 1000.0)
    finally:
        _close(writer)


async def legacy_status(
    host: str,
    port: int = DEFAULT_PORT,
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> JavaStatus:
    """The pre-1.7 ping alone (``FE 01 FA`` + ``MC|PingHost``); ``latency_ms`` is its round trip."""
    loop = asyncio.get_running_loop()
    return await _legacy(host, port, loop.time() + timeout)


async def status(
    host: str,
    port: int | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    legacy_fallback: bool = True,
    resolver: SrvResolver | None = None,
    protocol_version: int = DEFAULT_PROTOCOL_VERSION,
) -> JavaStatus:
    """A Java server's status by Server List Ping, ``latency_ms`` from the ping/pong.

    ``port=None`` looks up ``_minecraft._tcp.host`` (with ``resolver``, by default the system's;
    at most half the timeout) and falls back to 25565. The handshake names the host and port
    connected to (the SRV target, as the vanilla client sends). With ``legacy_fallback``, an
    answer that is not SLP (a pre-1.7 server kicks or closes) is retried once with the legacy
    ping on a new connection, within the same timeout; an oversized answer is not retried.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with _within(deadline, "SRV answer"):
        target = await resolve_address(
            host, port, timeout=timeout * SRV_TIMEOUT_SHARE, resolver=resolver
        )
    try:
        return await _modern(*target, deadline, protocol_version)
    except AnswerTooLarge:
        raise
    except NotMinecraft as modern_error:
        if not legacy_fallback:
            raise
        try:
            return await _legacy(*target, deadline)
        except NotMinecraft as legacy_error:
            raise NotMinecraft(f"{modern_error}; legacy ping: {legacy_error}") from legacy_error


class _QueryProtocol(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.inbox: asyncio.Queue[bytes | OSError] = asyncio.Queue(MAX_PENDING_DATAGRAMS)

    def _put(self, item: bytes | OSError) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            self.inbox.put_nowait(item)

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self._put(data)

    def error_received(self, exc: Exception) -> None:
        if isinstance(exc, OSError):
            self._put(exc)


async def _exchange(
    exchange: QueryExchange,
    transport: asyncio.DatagramTransport,
    protocol: _QueryProtocol,
    deadline: float,
) -> QueryStat:
    loop = asyncio.get_running_loop()
    request = exchange.request()
    while True:
        transport.sendto(request)
        resend_at = min(loop.time() + QUERY_RESEND_INTERVAL, deadline)
        while True:
            try:
                async with asyncio.timeout_at(resend_at):
                    item = await protocol.inbox.get()
            except TimeoutError:
                # Resend; an unanswered stat request starts over with a fresh token.
                if exchange.state is QueryState.STAT:
                    exchange.restart()
                    request = exchange.request()
                break
            if isinstance(item, OSError):
                raise item
            result = exchange.receive_datagram(item)
            if isinstance(result, QueryStat):
                return result
            if isinstance(result, bytes):
                request = result
                break


async def query(
    host: str,
    port: int = DEFAULT_PORT,
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> QueryStat:
    """The Query full stat (UDP ``query.port``, which defaults to the server port; no SRV).

    Silence or ICMP port unreachable is :class:`QueryDisabled`; a handshake answered but no
    stat is :class:`MinecraftTimeout`. A request unanswered for a second is sent again (a stat
    request after a new handshake, in case the token expired); stray datagrams (other session
    ids) are ignored.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    exchange = QueryExchange(random.getrandbits(32))
    protocol = _QueryProtocol()
    async with _within(deadline, "address for the Query port"):
        try:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: protocol, remote_addr=(host, port)
            )
        except TimeoutError:
            raise
        except (OSError, UnicodeError) as error:
            raise _refused(error) from None
    try:
        async with asyncio.timeout_at(deadline):
            return await _exchange(exchange, transport, protocol, deadline)
    except TimeoutError:
        if exchange.token is None:
            raise QueryDisabled("no Query answer (disabled, wrong port or firewall)") from None
        raise MinecraftTimeout("Query handshake answered, the full stat did not come") from None
    except ConnectionRefusedError:
        raise QueryDisabled("Query port closed (ICMP port unreachable)", refused=True) from None
    except OSError as error:
        raise _refused(error) from None
    finally:
        transport.close()
