"""The poller's resolver: TTL cache, shared lookups, global and per-guild bounds (no real DNS)."""

from __future__ import annotations

import asyncio
import socket
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

import pytest

from bot.services.servers.resolver import AddressRefused, Resolver
from bot.services.status.player_names import PollContext
from bot.services.status.poller import Poller
from bot.snapshots import ServerInfo, Target
from bot.storage import NewServer, Store


class FakeDNS:
    """Names map to addresses; names starting with ``slow`` wait for ``release``."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.calls: Counter[str] = Counter()
        self.running = 0
        self.peak = 0
        self.fail: set[str] = set()

    async def __call__(self, host: str) -> str:
        self.calls[host] += 1
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            if host.startswith("slow"):
                await self.release.wait()
            if host in self.fail:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return f"10.0.0.{sum(host.encode()) % 250 + 1}"
        finally:
            self.running -= 1


@pytest.fixture
async def dns() -> AsyncIterator[FakeDNS]:
    fake = FakeDNS()
    yield fake
    fake.release.set()  # let parked lookups end within the test's loop
    await asyncio.sleep(0)


async def test_positive_and_shorter_negative_ttl(dns: FakeDNS) -> None:
    now = [0.0]
    resolver = Resolver(dns, ttl=60.0, negative_ttl=10.0, clock=lambda: now[0])
    dns.fail.add("gone.example")
    first = await resolver.resolve("Game.Example", 1)
    assert await resolver.resolve("game.example", 2) == first
    for _ in range(2):
        with pytest.raises(socket.gaierror):
            await resolver.resolve("gone.example", 1)
    assert dns.calls == {"game.example": 1, "gone.example": 1}
    now[0] = 11.0  # the failure expired, the answer not yet
    with pytest.raises(socket.gaierror):
        await resolver.resolve("gone.example", 1)
    await resolver.resolve("game.example", 1)
    assert dns.calls == {"game.example": 1, "gone.example": 2}
    now[0] = 61.0
    await resolver.resolve("game.example", 1)
    assert dns.calls["game.example"] == 2


async def test_literals_need_no_lookup(dns: FakeDNS) -> None:
    resolver = Resolver(dns)
    assert await resolver.resolve("127.0.0.1", 1) == "127.0.0.1"
    assert await resolver.resolve("2001:DB8::1", 1) == "2001:db8::1"
    assert not dns.calls


async def test_concurrent_requests_share_one_lookup(dns: FakeDNS) -> None:
    resolver = Resolver(dns)
    waiting = [asyncio.ensure_future(resolver.resolve("slow.example", g)) for g in range(10)]
    await asyncio.sleep(0.01)
    dns.release.set()
    assert len(set(await asyncio.gather(*waiting))) == 1
    assert dns.calls == {"slow.example": 1}


async def test_global_bound(dns: FakeDNS) -> None:
    resolver = Resolver(dns, concurrency=3, per_guild=3)
    waiting = [asyncio.ensure_future(resolver.resolve(f"slow{i}.example", i)) for i in range(12)]
    await asyncio.sleep(0.02)
    assert dns.running == 3
    dns.release.set()
    await asyncio.gather(*waiting)
    assert dns.peak == 3 and len(dns.calls) == 12


async def test_one_guilds_slow_names_leave_room_for_the_others(dns: FakeDNS) -> None:
    resolver = Resolver(dns, concurrency=4, per_guild=2)
    hog = [asyncio.ensure_future(resolver.resolve(f"slow{i}.example", 1)) for i in range(50)]
    await asyncio.sleep(0.02)
    assert dns.running == 2  # guild 1 holds two slots whatever it asks for
    async with asyncio.timeout(1.0):
        assert await resolver.resolve("fast.example", 2)
        assert await resolver.resolve("quick.example", 3)
    dns.release.set()
    await asyncio.gather(*hog)
    assert dns.peak <= 4


async def test_a_caller_giving_up_leaves_the_answer_cached(dns: FakeDNS) -> None:
    resolver = Resolver(dns)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.02):
            await resolver.resolve("slow.example", 1)
    dns.release.set()
    await asyncio.sleep(0.01)
    assert resolver.cached("slow.example") is not None
    await resolver.resolve("slow.example", 1)
    assert dns.calls == {"slow.example": 1}


# -- in the poller --------------------------------------------------------------------------------


class RecordingSource:
    """Answers every query; keeps each target and the context it was queried with."""

    def __init__(self) -> None:
        self.queried: list[Target] = []
        self.contexts: list[PollContext] = []

    async def fetch(self, target: Target, context: PollContext, timeout: float) -> ServerInfo:
        self.queried.append(target)
        self.contexts.append(context)
        return ServerInfo("srv", "map", 1, 10, 0, False, True, "1", "game", 5.0)


def refusing_private_poller(
    store: Store, source: RecordingSource, dns: Callable[[str], Awaitable[str]]
) -> Poller:
    """A poller that refuses private addresses, every RCON password "pw"."""
    return Poller(
        store,
        source,
        interval=60,
        password_of=lambda _s: "pw",
        resolver=Resolver(dns, allow_private=False),
    )


async def add(store: Store, guild: int, name: str, host: str, port: int) -> None:
    await store.servers.add(NewServer(guild, name, "other", host, port, port, None, None, 1))


async def test_poller_resolves_each_name_once_and_queries_the_address(
    store: Store, dns: FakeDNS
) -> None:
    source = RecordingSource()
    await add(store, 1, "a", "game.example", 27015)
    await add(store, 1, "b", "game.example", 27016)
    await add(store, 2, "c", "GAME.example", 27015)
    poller = Poller(store, source, interval=60, resolver=Resolver(dns))
    for _ in range(3):
        report = await poller.run_round()
        assert report.answered == 2
    assert dns.calls == {"game.example": 1}
    address = await poller.resolver.resolve("game.example", 1)  # type: ignore[union-attr]
    assert set(source.queried) == {Target(address, 27015), Target(address, 27016)}
    (server, *_) = await store.servers.all()
    assert poller.snapshot(server).online  # snapshots stay keyed by the name


async def test_slow_dns_of_one_guild_makes_only_its_servers_late(
    store: Store, dns: FakeDNS
) -> None:
    source = RecordingSource()
    for i in range(30):
        await add(store, 1, f"hog{i}", f"slow{i}.example", 27015)
    await add(store, 2, "victim", "victim.example", 27015)
    await add(store, 3, "literal", "127.0.0.1", 27015)
    resolver = Resolver(dns, concurrency=4, per_guild=2)
    poller = Poller(store, source, interval=60, query_timeout=0.3, resolver=resolver)
    async with asyncio.timeout(5.0):
        await poller.run_round()
    servers = {s.name: s for s in await store.servers.all()}
    assert poller.snapshot(servers["victim"]).online
    assert poller.snapshot(servers["literal"]).online
    hog = poller.snapshot(servers["hog0"])
    assert not hog.online and hog.error == "name does not resolve"
    assert dns.peak <= 4 and dns.running == 2  # guild 1 still holds only its two slots


async def test_a_name_that_does_not_resolve_is_reported_as_such(store: Store, dns: FakeDNS) -> None:
    dns.fail.add("typo.example")
    await add(store, 1, "typo", "typo.example", 27015)
    poller = Poller(store, RecordingSource(), interval=60, resolver=Resolver(dns))
    await poller.run_round()
    (server,) = await store.servers.all()
    assert poller.snapshot(server).error == "name does not resolve"


async def test_internal_addresses_refused_when_private_addresses_are_off() -> None:
    # The address checked is the address returned (and queried): a name pointed at the bot's
    # network later (DNS rebinding) is refused at that lookup, not only when saved.
    answers = {"game.example": "93.184.216.34"}

    async def dns(host: str) -> str:
        return answers[host]

    now = [0.0]
    resolver = Resolver(dns, ttl=10.0, allow_private=False, clock=lambda: now[0])
    assert await resolver.resolve("game.example", 1) == "93.184.216.34"
    assert await resolver.resolve("1.1.1.1", 1) == "1.1.1.1"
    answers["game.example"] = "192.168.1.10"
    now[0] = 11.0
    with pytest.raises(AddressRefused, match="ALLOW_PRIVATE_ADDRESSES"):
        await resolver.resolve("game.example", 1)
    for literal in ("127.0.0.1", "10.1.2.3", "169.254.1.1", "::1", "::ffff:127.0.0.1", "224.0.0.1"):
        with pytest.raises(AddressRefused):
            await resolver.resolve(literal, 1)
    assert await Resolver(dns).resolve("127.0.0.1", 1) == "127.0.0.1"  # allowed by default


async def test_poller_never_queries_a_refused_address(store: Store) -> None:
    async def dns(host: str) -> str:
        return {"rebound.example": "10.0.0.5", "public.example": "93.184.216.35"}[host]

    source = RecordingSource()
    await add(store, 1, "stored-before", "127.0.0.1", 27015)
    await add(store, 1, "rebound", "rebound.example", 27015)
    await add(store, 2, "public", "public.example", 27015)
    poller = Poller(store, source, interval=60, resolver=Resolver(dns, allow_private=False))
    report = await poller.run_round()
    assert report.answered == 1
    assert source.queried == [Target("93.184.216.35", 27015)]
    servers = {s.name: s for s in await store.servers.all()}
    for name in ("stored-before", "rebound"):
        snap = poller.snapshot(servers[name])
        assert not snap.online
        assert snap.error == "private address refused (ALLOW_PRIVATE_ADDRESSES is off)"


async def test_battleye_names_go_to_the_address_that_was_checked(store: Store) -> None:
    # The A2S query went to the checked address; a short BattlEye session for the names must
    # not look the name up again (it could point at the bot's own network by then).
    from bot.protocols.battleye import Player
    from bot.services.status.player_names import BattlEyePlayerNames
    from tests.fakes.battleye_server import FakeBattlEyeServer

    async def dns(host: str) -> str:
        return "93.184.216.36"

    await store.servers.add(
        NewServer(1, "dayz", "dayz", "game.example", 2302, 27016, 2305, "token", 1)
    )
    source = RecordingSource()
    poller = refusing_private_poller(store, source, dns)
    await poller.run_round()
    (context,) = source.contexts
    assert context.battleye is not None
    assert context.battleye.host == "game.example"  # the pooled connection is found by name
    assert context.battleye.connect_host == "93.184.216.36"
    assert [a.connect_host for a in context.accesses] == ["93.184.216.36"]
    # And the short session connects there: here a name that does not resolve at all.
    async with FakeBattlEyeServer("pw", players=[Player(0, "Ann", "1.2.3.4", 1, 0)]) as be:
        host, port = be.address
        pinned = PollContext(
            context.target,
            context.games,
            replace(context.battleye, host="unresolvable.invalid", port=port, connect_host=host),
        )
        assert await BattlEyePlayerNames(login_timeout=1.0).names(pinned) == ["Ann"]


async def test_a_live_query_is_refused_or_pinned_like_a_round(store: Store) -> None:
    # /status on a stale snapshot queries at once: the same check and the same address.
    async def dns(host: str) -> str:
        return {"ok.example": "93.184.216.37", "lan.example": "192.168.0.9"}[host]

    await store.servers.add(NewServer(1, "ok", "dayz", "ok.example", 2302, 27016, 2305, "token", 1))
    await store.servers.add(
        NewServer(1, "lan", "dayz", "lan.example", 2302, 27016, 2305, "token", 1)
    )
    source = RecordingSource()
    poller = refusing_private_poller(store, source, dns)
    servers = {s.name: s for s in await store.servers.all()}
    lan = await poller.query_now(servers["lan"])
    assert lan.error == "private address refused (ALLOW_PRIVATE_ADDRESSES is off)"
    assert (await poller.query_now(servers["ok"])).online
    assert source.queried == [Target("93.184.216.37", 27016)]
    (context,) = source.contexts
    assert context.battleye is not None and context.battleye.connect_host == "93.184.216.37"
