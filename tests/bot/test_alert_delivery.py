"""Alert delivery from its own queue: a 429 or 5xx is retried with backoff, a bounded number of
times, and never counted as delivered (the stored state moves only when Discord accepted)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import discord
import pytest

from bot.delivery.alerts import DiscordAlertChannels
from bot.services.status.alerts import MAX_ATTEMPTS, AlertNotifier
from bot.sharding import ShardFilter
from bot.snapshots import Snapshot, State, Target
from bot.storage import NewServer, Server, Store
from tests.protocols.battleye.helpers import eventually


class Channel(discord.abc.Messageable):
    """Answers each send with the next status of ``statuses`` (200 when they run out)."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.sent: list[str] = []
        self.attempts = 0

    async def _get_channel(self) -> Any:
        return self

    async def send(self, content: str | None = None, **_: Any) -> Any:  # type: ignore[override]
        self.attempts += 1
        status = self.statuses.pop(0) if self.statuses else 200
        if status != 200:
            error = discord.Forbidden if status == 403 else discord.HTTPException
            raise error(
                SimpleNamespace(status=status, reason="nope"), {"message": "nope", "code": 0}
            )
        self.sent.append(str(content))
        return SimpleNamespace(id=len(self.sent))


class Poller:
    """What the notifier reads of the poller: the roster and the decided state."""

    def __init__(self, server: Server) -> None:
        self.shards = ShardFilter.everything()
        self.clock = lambda: 1000.0
        self.server = server
        self.state = State.ONLINE

    def server_by_id(self, server_id: int) -> Server | None:
        return self.server if server_id == self.server.id else None

    def snapshot(self, server: Server) -> Snapshot:
        return Snapshot(Target.of(server.host, server.query_port), self.state, down_since=990.0)


async def setup(store: Store, statuses: list[int]) -> tuple[AlertNotifier, Channel, Poller]:
    server = await store.servers.add(
        NewServer(1, "Main", "cs2", "127.0.0.1", 27015, 27015, None, None, 1)
    )
    await store.alerts.upsert(1, server.id, 55, None, 1, "up")
    channel = Channel(statuses)
    client = SimpleNamespace(get_channel=lambda channel_id: channel)
    poller = Poller(server)
    channels = DiscordAlertChannels(client)  # type: ignore[arg-type]
    notifier = AlertNotifier(channels, store, poller, backoff_initial=0.01)  # type: ignore[arg-type]
    return notifier, channel, poller


@pytest.mark.parametrize("status", [429, 503])
async def test_refused_alert_is_retried_and_counted_once(store: Store, status: int) -> None:
    notifier, channel, poller = await setup(store, [status, status])
    worker = asyncio.create_task(notifier.run())
    try:
        poller.state = State.OFFLINE
        await notifier.on_round(None)  # type: ignore[arg-type]
        await asyncio.wait_for(notifier.wait_idle(), 5)
    finally:
        worker.cancel()
    assert channel.attempts == 3 and len(channel.sent) == 1
    assert "**Main** is down" in channel.sent[0]
    assert notifier.sent == 1
    (alert,) = await store.alerts.all()
    assert alert.last_state == "down"


async def test_given_up_alert_is_not_delivered_and_is_decided_again(store: Store) -> None:
    notifier, channel, poller = await setup(store, [503] * MAX_ATTEMPTS)
    worker = asyncio.create_task(notifier.run())
    try:
        poller.state = State.OFFLINE
        await notifier.on_round(None)  # type: ignore[arg-type]
        await asyncio.wait_for(notifier.wait_idle(), 5)
        assert channel.attempts == MAX_ATTEMPTS and channel.sent == []
        assert notifier.sent == 0 and notifier.given_up == 1
        (alert,) = await store.alerts.all()
        assert alert.last_state == "up"  # not counted as delivered
        await notifier.on_round(None)  # type: ignore[arg-type]
        await asyncio.wait_for(notifier.wait_idle(), 5)
    finally:
        worker.cancel()
    assert len(channel.sent) == 1 and notifier.sent == 1


async def test_a_forbidden_alert_is_not_delivered_and_is_decided_again(store: Store) -> None:
    notifier, channel, poller = await setup(store, [403])
    worker = asyncio.create_task(notifier.run())
    try:
        poller.state = State.OFFLINE
        await notifier.on_round(None)  # type: ignore[arg-type]
        await asyncio.wait_for(notifier.wait_idle(), 5)
        assert channel.attempts == 1 and channel.sent == [] and notifier.sent == 0
        (alert,) = await store.alerts.all()
        assert alert.last_state == "up"  # lost permissions are not a delivery
        await notifier.on_round(None)  # type: ignore[arg-type]  # permission given back
        await asyncio.wait_for(notifier.wait_idle(), 5)
    finally:
        worker.cancel()
    assert len(channel.sent) == 1 and notifier.sent == 1
    (alert,) = await store.alerts.all()
    assert alert.last_state == "down"


async def test_a_message_withdrawn_when_the_server_is_back_before_it_went_out(
    store: Store,
) -> None:
    notifier, channel, poller = await setup(store, [503])
    notifier.backoff_initial = 0.5
    worker = asyncio.create_task(notifier.run())
    try:
        poller.state = State.OFFLINE
        await notifier.on_round(None)  # type: ignore[arg-type]
        await eventually(lambda: channel.attempts == 1)
        poller.state = State.ONLINE  # back up while the down message waits for its retry
        await notifier.on_round(None)  # type: ignore[arg-type]
        await asyncio.wait_for(notifier.wait_idle(), 5)
    finally:
        worker.cancel()
    assert channel.sent == [] and channel.attempts == 1
