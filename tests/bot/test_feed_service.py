"""FeedService pieces with a stub Discord client behind the real Discord side: delivery
outcomes and cursors, BattlEye holds."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Any, cast

import discord
import pytest

from bot.adapters.admin import CONSOLE_EVENT
from bot.crypto import SecretBox, generate_key
from bot.delivery.feed import DiscordFeedChannels
from bot.protocols.backoff import BackoffPolicy
from bot.services.feed import FeedService
from bot.services.feed.queue import Batch, Item
from bot.services.feed.sender import Outcome
from bot.services.status.poller import Poller
from bot.storage import NewServer, Server, Store
from bot.storage.events import Event
from tests.fakes.waiting import eventually


class StubSource:
    async def fetch(self, *args: object) -> Any:
        raise TimeoutError


class StubResponse:
    def __init__(self, status: int) -> None:
        self.status = status
        self.reason = "stub"


class StubChannel(discord.abc.Messageable):
    def __init__(self, fail_status: int | None = None) -> None:
        self.fail_status = fail_status
        self.sent: list[dict[str, Any]] = []

    async def _get_channel(self) -> Any:
        return self

    async def send(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if self.fail_status is not None:
            raise discord.HTTPException(
                cast(Any, StubResponse(self.fail_status)), {"code": 0, "message": "no"}
            )
        self.sent.append(kwargs)
        return None


class StubClient:
    """``channel`` is in the cache; ``fetched`` is what Discord answers on a cache miss (a
    channel, or the HTTP status of the refusal)."""

    def __init__(self, channel: StubChannel | None, fetched: StubChannel | int = 404) -> None:
        self.channel = channel
        self.fetched = fetched
        self.fetches = 0

    def get_channel(self, channel_id: int) -> StubChannel | None:
        return self.channel

    async def fetch_channel(self, channel_id: int) -> StubChannel:
        self.fetches += 1
        if isinstance(self.fetched, int):
            error = discord.NotFound if self.fetched == 404 else discord.Forbidden
            raise error(cast(Any, StubResponse(self.fetched)), {"code": 0, "message": "no"})
        return self.fetched


class StubHub:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.held: list[int] = []
        self.listeners: dict[int, list[str]] = {}

    async def session(self, server: Server) -> Any:
        raise RuntimeError("not connected in these tests")

    def hold(self, server: Server) -> None:
        if self.fail:
            raise RuntimeError("cannot decrypt")
        self.held.append(server.id)

    def release(self, server: Server) -> None:
        self.held.remove(server.id)

    def add_listener(self, server_id: int, event: str, listener: Callable[..., Any]) -> None:
        self.listeners.setdefault(server_id, []).append(event)

    def remove_listener(self, server_id: int, event: str, listener: Callable[..., Any]) -> None:
        self.listeners[server_id].remove(event)


async def run_until_stored(feed: FeedService, count: int) -> None:
    """``feed`` running until it has stored ``count`` events, then stopped."""
    task = asyncio.create_task(feed.run())
    try:
        await eventually(lambda: feed.writer.events_stored >= count, 10)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def service(store: Store, client: StubClient, hub: StubHub | None = None) -> FeedService:
    poller = Poller(store, StubSource(), interval=60)
    return FeedService(DiscordFeedChannels(cast(discord.Client, client)), store, poller, hub=hub)


async def feed_of(store: Store, game: str = "cs2", password: str | None = None) -> int:
    token = SecretBox(generate_key()).encrypt(password) if password else None
    server = await store.servers.add(
        NewServer(1, "Main", game, "127.0.0.1", 2302, 27016, 2306 if password else None, token, 1)
    )
    feed = await store.feeds.upsert(1, server.id, 10, frozenset({"joins"}), 1)
    return feed.id


def batch(feed_id: int, event_id: int) -> Batch:
    item = Item(("feed", feed_id), event_id, "line", None)
    return Batch((item,), 0, {("feed", feed_id): event_id})


@pytest.mark.parametrize(
    ("fail_status", "outcome", "cursor"),
    [
        (None, Outcome.SENT, 5),
        (503, Outcome.RETRY, 0),
        (404, Outcome.GONE, 5),
        (400, Outcome.GONE, 5),
        # Missing permissions can be given back: the lines wait, the cursor stays.
        (403, Outcome.RETRY, 0),
    ],
)
async def test_delivery_outcomes_and_cursor(
    store: Store, fail_status: int | None, outcome: Outcome, cursor: int
) -> None:
    feed_id = await feed_of(store)
    channel = StubChannel(fail_status)
    feed = service(store, StubClient(channel))
    assert await feed.outbox.deliver(10, batch(feed_id, 5)) is outcome
    assert (await store.feeds.all())[0].delivered_through == cursor
    if outcome is Outcome.SENT:
        (sent,) = channel.sent
        assert sent["allowed_mentions"].to_dict() == {"parse": [], "roles": []}
        assert sent["content"] is None and sent["embed"].description == "line"
        assert len(sent["nonce"]) <= 25
    assert (feed.channel_problem(10) is not None) is (fail_status == 403)


async def test_a_deleted_channel_is_gone(store: Store) -> None:
    feed_id = await feed_of(store)
    client = StubClient(None, 404)
    feed = service(store, client)
    assert await feed.outbox.deliver(10, batch(feed_id, 3)) is Outcome.GONE
    assert client.fetches == 1
    assert (await store.feeds.all())[0].delivered_through == 3


async def test_a_cache_miss_fetches_the_channel_and_never_moves_the_cursor_unsent(
    store: Store,
) -> None:
    feed_id = await feed_of(store)
    hidden = StubClient(None, 403)
    feed = service(store, hidden)
    assert await feed.outbox.deliver(10, batch(feed_id, 3)) is Outcome.RETRY
    assert (await store.feeds.all())[0].delivered_through == 0
    assert "missing access" in (feed.channel_problem(10) or "")
    channel = StubChannel()
    feed = service(store, StubClient(None, channel))
    assert await feed.outbox.deliver(10, batch(feed_id, 3)) is Outcome.SENT
    assert len(channel.sent) == 1 and (await store.feeds.all())[0].delivered_through == 3


async def test_battleye_servers_with_a_feed_are_held_and_released(store: Store) -> None:
    await feed_of(store, "dayz", "pw")
    hub = StubHub()
    feed = service(store, StubClient(None), hub)
    await feed.reload()
    (server,) = await store.servers.all()
    assert hub.held == [server.id]
    assert CONSOLE_EVENT in hub.listeners[server.id]
    await store.feeds.remove(1, server.id, None)
    await feed.reload()
    assert hub.held == [] and hub.listeners[server.id] == []


async def test_a2s_servers_are_not_held_and_a_failing_hold_is_undone(store: Store) -> None:
    await feed_of(store, "cs2")
    hub = StubHub()
    await service(store, StubClient(None), hub).reload()
    assert hub.held == [] and hub.listeners == {}
    await store.servers.remove(1, "Main")
    await feed_of(store, "dayz", "pw")
    failing = StubHub(fail=True)
    await service(store, StubClient(None), failing).reload()
    (server,) = await store.servers.all()
    assert failing.held == [] and failing.listeners[server.id] == []


async def test_events_survive_a_failed_start_and_a_failed_drain(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    await feed_of(store)
    (server,) = await store.servers.all()
    feed = service(store, StubClient(None))
    for name in ("a", "b"):
        feed.submit(Event(server.id, time.time(), "join", name))

    async def locked(*args: object) -> Any:
        raise sqlite3.OperationalError("database is locked")

    with monkeypatch.context() as patch:
        patch.setattr(store.feeds, "all", locked)
        patch.setattr(store.events, "add_many", locked)
        with pytest.raises(sqlite3.OperationalError):
            await feed.run()  # the start fails, and so does storing the inbox
    # What the supervisor does next: run the service again.
    await run_until_stored(feed, 2)
    assert [e.player for e in await store.events.recent(server.id)] == ["a", "b"]


async def test_events_of_a_server_removed_meanwhile_never_hold_up_the_others(
    store: Store,
) -> None:
    await feed_of(store)
    (gone,) = await store.servers.all()
    other = await store.servers.add(
        NewServer(1, "Other", "cs2", "127.0.0.1", 2402, 27116, None, None, 1)
    )
    feed = service(store, StubClient(None))
    feed.submit(Event(gone.id, time.time(), "join", "a"))
    feed.submit(Event(other.id, time.time(), "join", "b"))
    await store.servers.remove(1, "Main")  # its events can no longer be stored
    await run_until_stored(feed, 1)
    assert [e.player for e in await store.events.recent(other.id)] == ["b"]


async def test_a_failing_ingest_logs_its_traceback_once_and_retries(
    store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await feed_of(store)
    (server,) = await store.servers.all()
    feed = service(store, StubClient(None))
    feed.submit(Event(server.id, time.time(), "join", "a"))
    ingest = feed.writer.ingest
    calls = 0

    async def broken_twice(pending: Any) -> None:
        nonlocal calls
        calls += 1
        if calls <= 2:
            raise KeyError("a bug")
        await ingest(pending)

    monkeypatch.setattr(feed.writer, "ingest", broken_twice)
    monkeypatch.setattr("bot.services.feed.service.INGEST_BACKOFF", BackoffPolicy(0.01, 0.01))
    await run_until_stored(feed, 1)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    # Two failures, one traceback; each retry still says it is one.
    assert len(errors) == 1 and errors[0].exc_info is not None
    assert "KeyError" in errors[0].getMessage()
    assert caplog.text.count("not stored yet (KeyError)") == 2


async def test_a_reload_that_read_before_a_change_keeps_the_change(store: Store) -> None:
    # The deferred reload can read the tables just before a command stores its change; what
    # it then installs must not undo the change the command already put in effect.
    hub = StubHub()
    feed = service(store, StubClient(None), hub)
    await feed.reload()
    server = await store.servers.add(
        NewServer(
            1,
            "Main",
            "dayz",
            "127.0.0.1",
            2302,
            27016,
            2306,
            SecretBox(generate_key()).encrypt("pw"),
            1,
        )
    )
    old = await store.feeds.upsert(1, server.id, 10, frozenset({"joins"}), 1)
    await feed.reload()
    read, release = asyncio.Event(), asyncio.Event()
    real_all = store.feeds.all

    async def stale_read() -> list[Any]:
        rows = await real_all()
        read.set()
        await release.wait()  # the command runs while this reload holds what it read
        return rows

    store.feeds.all = stale_read  # type: ignore[method-assign]
    reloading = asyncio.ensure_future(feed.reload())
    await read.wait()
    new = await store.feeds.upsert(1, server.id, 11, frozenset({"joins"}), 1)
    feed.subscribe(server, new)
    removed = await store.feeds.remove(1, server.id, 10)
    feed.unsubscribe(removed)
    assert [f.id for f in feed.feeds_of(server.id)] == [new.id]
    release.set()
    await reloading
    assert [f.id for f in feed.feeds_of(server.id)] == [new.id]
    assert hub.held == [server.id]  # still held for the remaining feed, once
    store.feeds.all = real_all  # type: ignore[method-assign]
    await feed.reload()  # the next reload reads it from the table: the same
    assert [f.id for f in feed.feeds_of(server.id)] == [new.id] and old.id not in (
        f.id for f in feed.feeds_of(server.id)
    )
