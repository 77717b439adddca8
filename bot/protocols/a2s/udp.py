"""The engine's UDP plumbing: address literals, its non-blocking sockets and Linux ICMP errors.

One unconnected socket per address family serves every server. On Linux with asyncio's
selector loop the socket asks for ICMP errors, so a closed port is reported as
``ConnectionRefusedError`` instead of a timeout (not on uvloop: libuv treats the resulting
POLLERR as fatal for the handle).
"""

from __future__ import annotations

import asyncio
import asyncio.selector_events
import errno
import os
import socket
import struct
import sys
from collections.abc import Iterator
from typing import Any

Key = tuple[str, int]

SOCKET_RCVBUF = 4 << 20
IS_LINUX = sys.platform.startswith("linux")
ICMP_ERRNOS = frozenset({errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH})
AF_INET = int(socket.AF_INET)
_IP_RECVERR = 11
_IPV6_RECVERR = 25
_EE_ERRNO = struct.Struct("=I")
_MAX_ERRORS_PER_CALL = 64


def literal(host: str) -> tuple[int, str] | None:
    """``(family, normalised ip)`` of an IP literal, None for a name to resolve.

    The family as a plain int: hashing an AddressFamily enum member runs Python code, and
    the family keys a dict lookup on every query.
    """
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            packed = socket.inet_pton(family, host)
        except (OSError, ValueError):
            continue
        return int(family), socket.inet_ntop(family, packed)
    return None


async def resolve(
    host: str, port: int, literals: dict[str, tuple[int, str] | None]
) -> tuple[int, Key, tuple[Any, ...]]:
    """``(family, key, sockaddr)`` of ``host:port``; ``literals`` caches which hosts are IP
    literals (bounded), so a name is resolved each time and a literal never."""
    try:
        found = literals[host]
    except KeyError:
        found = literal(host)
        if len(literals) < 4096:
            literals[host] = found
    if found is None:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
        if not infos:
            raise socket.gaierror(socket.EAI_NONAME, "no address for host")
        found = (int(infos[0][0]), str(infos[0][4][0]))
    family, ip = found
    target: tuple[Any, ...] = (ip, port) if family == socket.AF_INET else (ip, port, 0, 0)
    return family, (ip, port), target


def open_socket(family: int, loop: asyncio.AbstractEventLoop) -> socket.socket:
    """A bound, non-blocking UDP socket for ``family``, with a large receive buffer."""
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        # Bursts of split answers from hundreds of servers must not overflow the queue
        # (the kernel caps this at net.core.rmem_max).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_RCVBUF)
        if IS_LINUX and isinstance(loop, asyncio.selector_events.BaseSelectorEventLoop):
            if family == socket.AF_INET:
                sock.setsockopt(socket.IPPROTO_IP, _IP_RECVERR, 1)
            else:
                sock.setsockopt(socket.IPPROTO_IPV6, _IPV6_RECVERR, 1)
        sock.bind(("0.0.0.0", 0) if family == socket.AF_INET else ("::", 0))
    except BaseException:
        sock.close()
        raise
    return sock


def icmp_errors(sock: socket.socket) -> Iterator[tuple[Key, OSError]]:
    """The queued ICMP errors of ``sock`` (Linux): the address each concerns and its error,
    ``ConnectionRefusedError`` for port unreachable."""
    if not IS_LINUX:
        return
    for _ in range(_MAX_ERRORS_PER_CALL):
        try:
            _, ancdata, _, addr = sock.recvmsg(1, 1024, socket.MSG_ERRQUEUE)
        except OSError:  # the queue is empty (BlockingIOError) or cannot be read
            return
        if not isinstance(addr, tuple):
            continue
        for _level, _type, data in ancdata:
            code = _EE_ERRNO.unpack_from(data)[0] if len(data) >= 4 else 0
            if code == errno.ECONNREFUSED:
                yield (addr[0], addr[1]), ConnectionRefusedError(code, "port closed")
            elif code in ICMP_ERRNOS:
                yield (addr[0], addr[1]), OSError(code, os.strerror(code))
