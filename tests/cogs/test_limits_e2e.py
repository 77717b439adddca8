"""End to end: Discord's message and embed limits on long lists and long server text, and text
from hostile game servers (controls, line separators, bidi overrides) neutralised."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import cogs._rcon_ui
from bot.app import OutpostBot
from bot.services.permissions import Action
from bot.storage import NewServer, Server
from tests.cogs.conftest import make_settings
from tests.cogs.rcon_world import (
    PASSWORD,
    RconWorld,
    answered,
    register,
    seed_guild,
    source_answers,
)
from tests.fakes.battleye_server import FakeBattlEyeServer
from tests.fakes.discord import FakeDiscord, run_bot
from tests.fakes.rcon_server import FakeRCONServer

# Characters a game server may send that reorder or break what Discord shows around them.
UNSAFE = "\u0085\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\x1b\x9b"


@pytest.fixture(autouse=True)
def no_cooldown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cogs._rcon_ui, "COOLDOWN_SECONDS", 0.0)


def hostile_answers(command: str) -> str:
    if command == "echo ticks":
        # 1,800 characters that the code-block escaping grows to 2,400.
        return "```" * 600
    if command == "echo bidi":
        return "\n".join(f"line {i} {UNSAFE} gnp.exe" for i in range(5))
    return source_answers(command)


@pytest.fixture
async def world(fake_discord: FakeDiscord, tmp_path: Path) -> AsyncIterator[RconWorld]:
    ids = seed_guild(fake_discord)
    async with (
        FakeRCONServer(password=PASSWORD, handler=hostile_answers) as source,
        FakeBattlEyeServer(PASSWORD) as battleye,
    ):
        yield RconWorld(
            fake=fake_discord, settings=make_settings(fake_discord, tmp_path), source=source,
            battleye=battleye, **ids,
        )


async def _exec(w: RconWorld, command: str) -> dict[str, object]:
    handle = await w.fake.slash(
        w.guild_id, w.admin, "rcon exec", {"server": "Main", "command": command}
    )
    await handle.wait_response()
    question = await handle.wait_followup()
    click = await w.fake.click(question, "rcon:confirm", w.admin)
    await click.wait_response()
    return await click.wait_followup()


async def test_rcon_answer_that_escaping_grows_past_2000_is_attached(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Main", "cs2", w.source.address[1])
        done = await _exec(w, "echo ticks")
    # The fake Discord fails the test on a >2000-character message; and the answer is whole.
    content = str(done["content"])
    assert len(content) <= 2000 and "attached" in content
    files = {a["filename"]: a["data"] for a in done["attachments"]}  # type: ignore[attr-defined]
    assert files["response.txt"].decode() == "```" * 600


async def test_rcon_answer_loses_controls_and_bidi_but_keeps_lines(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Main", "cs2", w.source.address[1])
        done = await _exec(w, "echo bidi")
    content = str(done["content"])
    assert not any(ch in content for ch in UNSAFE)
    assert content.count("gnp.exe") == 5 and "line 0" in content and "line 4" in content
    assert len(content.splitlines()) >= 7  # title, fences and the five lines


async def _many_servers(w: RconWorld, bot: OutpostBot, count: int) -> list[Server]:
    servers = []
    for i in range(count):
        # 30 of the 32 characters a name may have, each doubled by the markdown escaping.
        name = f"{i:02d} " + "*_~" * 9
        servers.append(await bot.store.servers.add(
            NewServer(w.guild_id, name, "cs2", "127.0.0.1", 27015 + i, 27015 + i, None, None, 1)
        ))
    return servers


async def test_board_list_with_many_big_boards_stays_within_embed_limits(
    world: RconWorld,
) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        servers = await _many_servers(w, bot, 20)
        ids = [s.id for s in servers]
        for channel in range(30):
            board = await bot.store.boards.upsert(w.guild_id, 10_000 + channel, ids, w.admin)
            await bot.store.boards.set_paused(board.id, "I lost the permission " + "x" * 900)
        listing = await answered(await w.fake.slash(w.guild_id, w.admin, "board list"))
    embed = listing.embeds[0]
    shown = len(embed["fields"])
    assert 0 < shown < 30
    assert embed["footer"]["text"] == f"… and {30 - shown} more"


async def test_long_lists_stay_within_embed_limits(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        servers = await _many_servers(w, bot, 50)
        for s in servers:
            await bot.permissions.grant(w.guild_id, w.mods_role, Action.SAY, s.id, w.admin)
            await bot.permissions.grant(w.guild_id, w.mods_role, Action.KICK, s.id, w.admin)
            await bot.store.alerts.upsert(w.guild_id, s.id, w.channel_id, w.mods_role, 1, None)
            await bot.store.feeds.upsert(w.guild_id, s.id, w.channel_id, frozenset({"joins"}), 1)
        texts = []
        for command in ("permissions list", "alert list", "feed list"):
            listing = await answered(await w.fake.slash(w.guild_id, w.admin, command))
            texts.append(listing.embeds[0]["description"])
    grants, alerts, feeds = texts
    assert grants.splitlines()[-1].startswith("… and ") and grants.endswith(" more")
    shown = len(grants.splitlines()) - 1
    assert grants.splitlines()[-1] == f"… and {100 - shown} more"
    assert alerts.splitlines()[-1].startswith("… and ")
    assert feeds.splitlines()[-1].startswith("… and ")
