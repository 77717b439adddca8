"""The Prometheus endpoint, scraped during a run against the fake Discord: the values move."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp
import discord
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import OutpostBot, create_bot
from bot.metrics import (
    NO_METRICS,
    MetricsError,
    PrometheusMetrics,
    RateLimitCounter,
    create_metrics,
)
from bot.services.audit import Actor
from bot.storage import Server
from tests.cogs.conftest import make_settings
from tests.cogs.status_world import make_world, register
from tests.cogs.stored import add_rcon_server
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec, PlayerSpec
from tests.fakes.battleye_server import FakeBattlEyeServer
from tests.fakes.discord import FakeDiscord, run_bot
from tests.fakes.rcon_server import FakeRCONServer

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(port: int) -> Samples:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        assert response.status == 200
        text = await response.text()
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def closed_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _pooled(
    bot: OutpostBot, guild_id: int, name: str, game: str, address: tuple[str, int]
) -> Server:
    """A server whose every port is the fake at ``address`` (its RCON password "hunter22")."""
    host, port = address
    return await add_rcon_server(
        bot,
        guild_id,
        name,
        game,
        port,
        password="hunter22",
        host=host,
        game_port=port,
        query_port=port,
    )


async def test_metrics_move_during_a_run(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    world = make_world(fake_discord, tmp_path)
    metrics = PrometheusMetrics()
    metrics.serve("127.0.0.1", 0)
    bot = OutpostBot(world.settings, guild_ready_timeout=0.05, autopoll=False, metrics=metrics)
    a2s = FakeA2SServer(InfoSpec(player_count=1), [PlayerSpec("Ann")])
    rcon = FakeRCONServer(password="hunter22", handler=lambda cmd: f"did {cmd}")
    battleye = FakeBattlEyeServer("hunter22", responses={"version": "DayZ 1.26"})
    async with a2s, rcon, battleye, run_bot(fake_discord, bot):
        before = await scrape(metrics.port)
        assert value(before, "outpost_poll_round_seconds_count") == 0
        assert value(before, "outpost_feed_queue_depth") == 0
        assert value(before, "outpost_feed_dropped_total") == 0

        # A poll round: one server answers, one does not.
        await register(bot, world.guild_id, "up", a2s)
        await register(bot, world.guild_id, "down", ("127.0.0.1", closed_udp_port()), game="tf2")
        bot.services.poller.query_timeout = 0.3
        await bot.services.poller.run_round()
        # An RCON command over a pooled Source connection.
        server = await _pooled(bot, world.guild_id, "rcon", "cs2", rcon.address)
        assert await bot.services.rcon_pool.execute(server, "status") == "did status"
        # And one over a pooled BattlEye connection.
        dayz = await _pooled(bot, world.guild_id, "dayz", "dayz", battleye.address)
        assert await bot.services.rcon_pool.execute(dayz, "version") == "DayZ 1.26"
        # An audit row.
        await bot.services.audit.record(
            Actor(world.guild_id, world.admin, "alice"), "rcon", "status"
        )
        # A 429 from Discord, which discord.py waits out and retries.
        fake_discord.rate_limit("POST", r"^/channels/\d+/messages$", retry_after=0.05)
        channel = bot.get_channel(world.channel_id)
        assert isinstance(channel, discord.TextChannel)
        await channel.send("hello")

        after = await scrape(metrics.port)
    assert value(after, "outpost_poll_round_seconds_count") == 1
    assert value(after, "outpost_poll_round_seconds_sum") > 0
    assert value(after, "outpost_queries_total", game="cs2", result="success") == 1
    assert value(after, "outpost_queries_total", game="tf2", result="failure") == 1
    assert value(after, "outpost_rcon_commands_total", protocol="source", outcome="ok") == 1
    assert value(after, "outpost_rcon_connections", protocol="source", state="connected") == 1
    assert value(after, "outpost_rcon_commands_total", protocol="battleye", outcome="ok") == 1
    assert value(after, "outpost_rcon_connections", protocol="battleye", state="connected") == 1
    assert value(after, "outpost_audit_rows_total") == 1
    assert value(after, "outpost_discord_rate_limited_total", scope="route") == 1
    assert len(fake_discord.ratelimits.limited) == 1
    # close() stopped the endpoint and unhooked the 429 counter.
    assert bot.services.metrics is metrics
    assert not any(isinstance(f, RateLimitCounter) for f in discord.http._log.filters)


async def test_settings_choose_the_recorder(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    plain = make_settings(fake_discord, tmp_path)
    assert create_metrics(plain) is NO_METRICS
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = int(sock.getsockname()[1])
    settings = make_settings(fake_discord, tmp_path, METRICS_PORT=str(free))
    assert (settings.metrics_host, settings.metrics_port) == ("127.0.0.1", free)
    metrics = create_metrics(settings)
    try:
        assert isinstance(metrics, PrometheusMetrics)
        assert metrics.port == free
        samples = await scrape(free)
        assert value(samples, "outpost_audit_rows_total") == 0
    finally:
        metrics.close()
    # A port that is taken stops the start with one clear line.
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = make_settings(fake_discord, tmp_path, METRICS_PORT=str(busy.getsockname()[1]))
        with pytest.raises(MetricsError, match=r"cannot serve metrics on 127\.0\.0\.1:"):
            create_metrics(taken)
    # An unsharded settings file builds the plain bot.
    assert type(create_bot(plain)) is OutpostBot
