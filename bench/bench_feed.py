"""Live-feed benchmark: event-to-message latency and messages per 1,000 events.

Everything runs in one process on loopback: a fake BattlEye server pushes ``Player #n … connected``
lines at a sustained ``RATE`` per second; the real ``OutpostBot`` (RCON pool, feed service)
receives them over BattlEye RCon and posts into one channel of the fake Discord, whose
per-channel message bucket is Discord's (5 messages per 5 s, announced in ``X-RateLimit-*``
headers). Latency is measured per event, from the moment the fake game server pushed it to the
creation time of the Discord message holding its line.

Run: ``.venv/bin/python -m bench feed`` (about 1.5 minutes).
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._common import run_stamp, write_results

EVENTS = 1000
RATE = 50.0  # events per second
WINDOWS = (2.0, 1.0)  # FEED_BATCH_SECONDS values compared
RUNS = 2
BUCKET = (5, 5.0)  # messages per seconds, per channel (Discord's limit)
PASSWORD = "bench-feed-secret"
DRAIN_LIMIT = 60.0


def _lines(messages: list[dict[str, Any]]) -> list[tuple[str, float]]:
    """(player name, message creation time) for every feed line."""
    out: list[tuple[str, float]] = []
    for message in messages:
        created = datetime.datetime.fromisoformat(message["timestamp"]).timestamp()
        for embed in message.get("embeds") or []:
            for line in str(embed.get("description", "")).split("\n"):
                parts = line.split("**")
                if len(parts) >= 4:
                    out.append((parts[3].replace("\\", ""), created))
    return out


async def _run(window: float) -> dict[str, Any]:
    from bot.app import OutpostBot
    from bot.config import load_settings
    from bot.crypto import generate_key
    from bot.storage import NewServer
    from tests.fakes.battleye_server import FakeBattlEyeServer
    from tests.fakes.discord import FakeDiscord, run_bot

    async with FakeDiscord() as fake, FakeBattlEyeServer(PASSWORD) as game:
        fake.bucket("POST", r"^/channels/[0-9]+/messages", *BUCKET)
        guild = fake.add_guild("Bench")
        channel = guild.add_channel("feed")
        with tempfile.TemporaryDirectory() as folder:
            settings = load_settings(
                Path(folder) / ".env",
                environ={
                    "DISCORD_TOKEN": fake.token,
                    "OUTPOST_SECRET_KEY": generate_key(),
                    "DATABASE_PATH": "bench.sqlite3",
                    "LOG_LEVEL": "WARNING",
                    "FEED_BATCH_SECONDS": str(window),
                    "FEED_QUEUE_LIMIT": str(EVENTS * 2),
                },
            )
            bot = OutpostBot(settings, guild_ready_timeout=0.05, autopoll=False)
            async with run_bot(fake, bot):
                server = await bot.services.store.servers.add(
                    NewServer(
                        guild.id,
                        "Day",
                        "dayz",
                        "127.0.0.1",
                        2302,
                        27016,
                        game.address[1],
                        bot.secret_box.encrypt(PASSWORD),
                        1,
                    )
                )
                await bot.services.store.feeds.upsert(
                    guild.id, server.id, channel, frozenset({"joins"}), 1
                )
                await bot.services.feed.reload()
                await bot.services.rcon_pool.battleye(server)  # connected and logged in
                pushed: dict[str, float] = {}
                loop = asyncio.get_running_loop()
                start = loop.time()
                for n in range(EVENTS):
                    await asyncio.sleep(max(0.0, start + n / RATE - loop.time()))
                    name = f"player{n:05d}"
                    pushed[name] = time.time()
                    await game.push_message(f"Player #{n} {name} (10.0.0.1:2304) connected")
                await fake.wait_until(
                    lambda: len(_lines(fake.channel_messages(channel))) >= EVENTS,
                    timeout=DRAIN_LIMIT,
                )
                messages = fake.channel_messages(channel)
                stats = bot.services.feed.stats()
        lines = _lines(messages)
        latencies = sorted(created - pushed[name] for name, created in lines)
        names = [name for name, _ in lines]
        return {
            "messages": len(messages),
            "lines": len(lines),
            "in_order_once": names == sorted(pushed),
            "median": statistics.median(latencies),
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            "limited": len(fake.ratelimits.limited),
            "violations": len(fake.violations),
            "dropped": stats["dropped"],
        }


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.ERROR)
    results: dict[float, list[dict[str, Any]]] = {w: [] for w in WINDOWS}
    for _ in range(RUNS):
        for window in WINDOWS:  # interleaved, so CPU noise from others hits both alike
            results[window].append(asyncio.run(_run(window)))
    write_results("feed", _table(results))
    return 0


def _table(results: dict[float, list[dict[str, Any]]]) -> str:
    lines = [
        "# Live feed benchmark",
        "",
        f"{run_stamp()}.",
        f"{EVENTS:,} BattlEye join lines at a sustained {RATE:g} events/s from a fake BattlEye "
        "server, through the bot's RCON pool and feed service, into one channel of the fake "
        f"Discord with Discord's per-channel bucket on ({BUCKET[0]} messages per "
        f"{BUCKET[1]:g} s). Latency: from the push by the game server to the creation of the "
        "message holding the line.",
        f"Numbers are medians of {RUNS} runs. Other processes share the CPU, so absolute "
        "numbers are noisy: compare within this run.",
        "",
        "| FEED_BATCH_SECONDS | latency median s | latency p99 s | messages / 1,000 events "
        "| 429s | dropped | every line once, in order |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for window, runs in results.items():
        median = statistics.median(r["median"] for r in runs)
        p99 = statistics.median(r["p99"] for r in runs)
        per_1000 = statistics.median(r["messages"] * 1000 / max(1, r["lines"]) for r in runs)
        limited = max(r["limited"] for r in runs)
        dropped = max(r["dropped"] for r in runs)
        ok = all(r["in_order_once"] and r["lines"] == EVENTS and not r["violations"] for r in runs)
        lines.append(
            f"| {window:g} | {median:.2f} | {p99:.2f} | {per_1000:.1f} | {limited} | {dropped} "
            f"| {'yes' if ok else 'NO'} |"
        )
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
