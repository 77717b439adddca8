"""SRV resolution against a fake DNS server on loopback (no real DNS), and RFC 2782 order."""

from __future__ import annotations

import random
import time
from collections import Counter

from bot.protocols.minecraft import JavaVersion, SrvRecord, SrvResolver, resolve_address, status
from bot.protocols.minecraft.srv import order_srv
from tests.fakes.dns_server import FakeDNSServer
from tests.fakes.minecraft_server import FakeMinecraftServer


async def test_status_without_a_port_follows_the_srv_record() -> None:
    async with FakeMinecraftServer() as server:
        records = {"_minecraft._tcp.play.example": [(0, 5, server.address[1], "localhost")]}
        async with FakeDNSServer(records) as dns:
            result = await status(
                "play.example", timeout=3, resolver=SrvResolver([dns.host], dns.port)
            )
    assert result.version == JavaVersion("1.21.4", 769)
    assert dns.questions == [("_minecraft._tcp.play.example", "SRV")]
    # The handshake names the SRV target and port, as the vanilla client does.
    assert (server.handshakes[0].host, server.handshakes[0].port) == (
        "localhost",
        server.address[1],
    )


async def test_no_record_means_the_default_port() -> None:
    records = {
        "_minecraft._tcp.empty.example": [],
        "_minecraft._tcp.gone.example": [(0, 0, 25570, ".")],
    }
    async with FakeDNSServer(records) as dns:
        resolver = SrvResolver([dns.host], dns.port)
        # No such name, no record, and target "." (the service is decidedly not there, RFC 2782).
        for host in ("nx.example", "empty.example", "gone.example"):
            assert await resolve_address(host, None, timeout=2, resolver=resolver) == (host, 25565)
    assert len(dns.questions) == 3


async def test_a_given_port_or_ip_literal_asks_no_dns() -> None:
    async with FakeDNSServer({}) as dns:
        resolver = SrvResolver([dns.host], dns.port)
        for host, port, then in [
            ("play.example", 25570, 25570),
            ("192.0.2.7", None, 25565),
            ("2001:db8::1", None, 25565),
        ]:
            assert await resolve_address(host, port, timeout=1, resolver=resolver) == (host, then)
    assert dns.questions == []


async def test_a_silent_resolver_costs_only_the_time_given() -> None:
    async with FakeDNSServer({}, silent=True) as dns:
        started = time.monotonic()
        found = await resolve_address(
            "play.example", None, timeout=0.3, resolver=SrvResolver([dns.host], dns.port)
        )
        elapsed = time.monotonic() - started
    assert found == ("play.example", 25565)
    assert elapsed < 0.3 + 0.4


async def test_the_lowest_priority_wins() -> None:
    rows = [(10, 0, 25571, "backup.example"), (0, 1, 25570, "main.example")]
    async with FakeDNSServer({"_minecraft._tcp.play.example": rows}) as dns:
        found = await resolve_address(
            "play.example", None, timeout=2, resolver=SrvResolver([dns.host], dns.port)
        )
    assert found == ("main.example", 25570)


async def test_names_dns_cannot_carry_fall_back_without_asking() -> None:
    async with FakeDNSServer({}) as dns:
        resolver = SrvResolver([dns.host], dns.port)
        long_label = "a" * 64 + ".example"
        assert await resolve_address(long_label, None, timeout=1, resolver=resolver) == (
            long_label,
            25565,
        )
    assert dns.questions == []


def test_rfc_2782_order() -> None:
    records = [
        SrvRecord(20, 0, 3, "c"),
        SrvRecord(10, 90, 1, "heavy"),
        SrvRecord(10, 10, 2, "light"),
        SrvRecord(10, 0, 4, "zero"),
    ]
    rng = random.Random(7)
    firsts = Counter(order_srv(records, rng)[0].target for _ in range(2000))
    assert set(firsts) <= {"heavy", "light", "zero"}
    assert firsts["heavy"] > 5 * firsts["light"] > 0
    for _ in range(50):
        assert order_srv(records, rng)[-1].target == "c"
    assert sorted(r.target for r in order_srv(records, rng)) == ["c", "heavy", "light", "zero"]
    assert order_srv([]) == []
