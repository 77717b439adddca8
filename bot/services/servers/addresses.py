"""Parsing the ``address`` users type: ``host`` or ``host:port``, IPv6 in brackets; telling
internal targets (the bot's own host or network) from public ones."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.protocols.text_checks import ascii_int
from bot.services.errors import UserError

# RFC 1123 labels; underscores are accepted because some LAN names use them.
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
_MAX_HOSTNAME = 253


@dataclass(frozen=True, slots=True)
class HostPort:
    host: str
    port: int | None

    def display(self, default_port: int | None = None) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = self.port if self.port is not None else default_port
        return host if port is None else f"{host}:{port}"


def parse_port(text: str) -> int:
    port = ascii_int(text, 5)
    if port is None or not 1 <= port <= 65535:
        raise UserError(key="servers.bad_port")
    return port


def _check_host(host: str) -> str:
    ip = literal_ip(host)
    if ip is not None:
        return str(ip)
    name = host.rstrip(".")
    labels = name.split(".")
    if (
        not name
        or len(name) > _MAX_HOSTNAME
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()  # "1.2.3" or "300.1.1.1": a mistyped IP, not a name
    ):
        raise UserError(key="servers.bad_address")
    return name.lower()


def parse_address(text: str) -> HostPort:
    """``example.com``, ``example.com:2302``, ``1.2.3.4:27015``, ``[2001:db8::1]:27015``."""
    text = text.strip()
    if not text:
        raise UserError(key="servers.address_empty")
    if text.startswith("["):
        close = text.find("]")
        if close == -1:
            raise UserError(key="servers.ipv6_unclosed")
        inner, rest = text[1:close], text[close + 1 :]
        try:
            host = str(ipaddress.IPv6Address(inner))
        except ValueError:
            raise UserError(key="servers.ipv6_invalid") from None
        if not rest:
            return HostPort(host, None)
        if not rest.startswith(":"):
            raise UserError(key="servers.after_bracket")
        return HostPort(host, parse_port(rest[1:]))
    if text.count(":") > 1:
        # A bare IPv6 address: accepted without a port, since a port would be ambiguous.
        try:
            return HostPort(str(ipaddress.IPv6Address(text)), None)
        except ValueError:
            raise UserError(key="servers.ipv6_port") from None
    host, sep, port = text.partition(":")
    return HostPort(_check_host(host), parse_port(port) if sep else None)


# -- internal targets --------------------------------------------------------------------------

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Awaitable[list[str]]]
RESOLVE_TIMEOUT = 5.0
# RFC 6598 shared address space (carrier-grade NAT): not "private" to ipaddress, yet internal.
_SHARED = ipaddress.ip_network("100.64.0.0/10")
INTERNAL_REFUSED = (
    "This bot does not accept private, loopback, link-local or multicast addresses "
    "(ALLOW_PRIVATE_ADDRESSES is off). Use the server's public address."
)


def is_internal_ip(ip: IpAddress) -> bool:
    """Loopback, private, link-local, multicast, unspecified or reserved: an address on the
    bot's own host or network rather than a public game server."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_unspecified
        or ip.is_reserved
        or (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED)
    )


def literal_ip(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


async def resolve(host: str) -> list[str]:
    """Every address ``host`` resolves to ([] when it does not resolve in time)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, None, type=socket.SOCK_DGRAM), RESOLVE_TIMEOUT
        )
    except (OSError, TimeoutError):
        return []
    return sorted({str(info[4][0]) for info in infos})


async def is_internal(host: str, resolver: Resolver = resolve) -> bool:
    """True when ``host`` is, or resolves to, an internal address (any one of them)."""
    ip = literal_ip(host)
    if ip is not None:
        return is_internal_ip(ip)
    for text in await resolver(host):
        found = literal_ip(text.split("%", 1)[0])  # drop an IPv6 zone id
        if found is not None and is_internal_ip(found):
            return True
    return False
