"""SRV resolution of ``_minecraft._tcp.HOST`` (what the vanilla client does when no port is given).

Records are ordered as RFC 2782 says (lowest priority first, weighted-random within a
priority), not just ``answers[0]`` as mcstatus takes. No usable record (NXDOMAIN, no answer,
no resolver configuration, target ``.``, a timeout) means ``HOST:25565``. The resolver is
injectable so tests point it at a fake DNS server on loopback.
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Sequence
from dataclasses import dataclass

import dns.asyncresolver
import dns.exception
import dns.rdtypes.IN.SRV

SRV_PREFIX = "_minecraft._tcp."
DEFAULT_PORT = 25565
# Records looked at, at most (a hostile zone could list thousands).
MAX_SRV_RECORDS = 32


@dataclass(frozen=True, slots=True)
class SrvRecord:
    priority: int
    weight: int
    port: int
    target: str


def order_srv(records: Sequence[SrvRecord], rng: random.Random | None = None) -> list[SrvRecord]:
    """``records`` in the order to try them (RFC 2782: by priority, weighted within one)."""
    chooser = rng or random.Random()
    ordered: list[SrvRecord] = []
    for priority in sorted({record.priority for record in records}):
        # Zero weights first, so that they keep a small chance (RFC 2782).
        group = sorted((r for r in records if r.priority == priority), key=lambda r: r.weight > 0)
        while group:
            pick = chooser.randint(0, sum(r.weight for r in group))
            running = 0
            for index, record in enumerate(group):
                running += record.weight
                if running >= pick:
                    ordered.append(group.pop(index))
                    break
    return ordered


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class SrvResolver:
    """Looks up SRV records with dnspython.

    ``nameservers=None`` uses the system configuration (``/etc/resolv.conf``), read on first
    use; otherwise those addresses on ``port`` (tests: a fake server on 127.0.0.1).
    """

    def __init__(self, nameservers: Sequence[str] | None = None, port: int = 53) -> None:
        self._nameservers = list(nameservers) if nameservers is not None else None
        self._port = port
        self._resolver: dns.asyncresolver.Resolver | None = None

    def _get(self) -> dns.asyncresolver.Resolver:
        if self._resolver is None:
            if self._nameservers is None:
                resolver = dns.asyncresolver.Resolver(configure=True)
            else:
                resolver = dns.asyncresolver.Resolver(configure=False)
                resolver.nameservers = self._nameservers
            resolver.port = self._port
            self._resolver = resolver
        return self._resolver

    async def lookup(self, host: str, *, timeout: float) -> list[SrvRecord]:
        """The usable SRV records of ``_minecraft._tcp.host`` in RFC 2782 order; [] for none."""
        try:
            answer = await self._get().resolve(
                SRV_PREFIX + host, "SRV", lifetime=timeout, search=False
            )
        except (dns.exception.DNSException, ValueError):
            # NXDOMAIN, no answer, no nameserver, timeout, no configuration, a name that is no
            # DNS name (too long, bad IDNA): all mean "no SRV", so the default port.
            return []
        records = []
        for rdata in list(answer)[:MAX_SRV_RECORDS]:
            if not isinstance(rdata, dns.rdtypes.IN.SRV.SRV):
                continue
            target = rdata.target.to_text(omit_final_dot=True)
            # Target "." says the service is decidedly not there (RFC 2782).
            if target in ("", ".") or not 0 < rdata.port <= 0xFFFF:
                continue
            records.append(SrvRecord(rdata.priority, rdata.weight, rdata.port, target))
        return order_srv(records)


_default_resolver: SrvResolver | None = None


def default_resolver() -> SrvResolver:
    """One resolver on the system configuration, shared by every call that injects none."""
    global _default_resolver
    if _default_resolver is None:
        _default_resolver = SrvResolver()
    return _default_resolver


async def resolve_address(
    host: str,
    port: int | None,
    *,
    timeout: float,
    resolver: SrvResolver | None = None,
) -> tuple[str, int]:
    """Where to connect: ``(host, port)`` as given when a port is given or ``host`` is an IP
    literal, else the first SRV target, else ``(host, 25565)``.

    Callers that vet addresses (private ranges) should vet the returned host, not ``host``.
    """
    if port is not None:
        return host, port
    if is_ip_literal(host):
        return host, DEFAULT_PORT
    records = await (resolver or default_resolver()).lookup(host, timeout=timeout)
    if records:
        return records[0].target, records[0].port
    return host, DEFAULT_PORT
