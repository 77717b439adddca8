"""End to end: Discord's message and embed limits on long lists and long server text, and text
from hostile game servers (controls, line separators, bidi overrides) neutralised."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.app import OutpostBot
from bot.services.rcon.permissions import Action
from bot.storage import NewServer, Server
from tests.cogs.rcon_world import (
    GREEN,
    PASSWORD,
    RconWorld,
    audit_rows,
    confirm,
    open_world,
    player_choices,
    register,
    register_listed,
    result_of,
    source_answers,
    world_fixture,
)
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec
from tests.fakes.discord import FakeDiscord, payloads, run_bot

# Characters a game server may send that reorder or break what Discord shows around them.
UNSAFE = "\u0085\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\x1b\x9b"


pytestmark = pytest.mark.usefixtures("no_rcon_cooldown")


def hostile_answers(command: str) -> str:
    if command == "echo ticks":
        # 3,600 characters (they fit an embed's 4,096) that the code-block escaping grows to
        # 4,800 (they do not).
        return "```" * 1200
    if command == "echo bidi":
        return "\n".join(f"line {i} {UNSAFE} gnp.exe" for i in range(5))
    if command == "status":
        eve = '#      7 "\u202eEve\u2069" STEAM_1:0:13 01:02 60 0 active 786432 1.2.3.4:27007'
        return source_answers(command) + "\n" + eve
    return source_answers(command)


world = world_fixture(handler=hostile_answers)


async def _exec_on_main(w: RconWorld, command: str) -> dict[str, object]:
    """The bot running with Main (CS2, its RCON the world's fake Source server): ``/rcon exec
    command`` by the admin, confirmed; the result message."""
    async with run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Main", "cs2", w.source.address[1])
        question = await w.admin_asked("rcon exec", {"server": "Main", "command": command})
        return await confirm(w.fake, question, w.admin)


async def test_rcon_answer_that_escaping_grows_past_4096_is_attached(world: RconWorld) -> None:
    w = world
    done = await _exec_on_main(w, "echo ticks")
    # The fake Discord fails the test on an embed past its limits; and the answer is whole.
    embed = result_of(done)
    assert embed["color"] == GREEN and "attached" in embed["description"]
    assert "```" not in embed["description"] and not embed.get("fields")
    files = {a["filename"]: a["data"] for a in done["attachments"]}  # type: ignore[attr-defined]
    assert files["response.txt"].decode() == "```" * 1200


async def test_rcon_answer_loses_controls_and_bidi_but_keeps_lines(world: RconWorld) -> None:
    w = world
    done = await _exec_on_main(w, "echo bidi")
    embed = result_of(done)
    content = embed["description"]
    assert embed["title"] == "Done on Main" and content.startswith("```\n")
    assert not any(ch in content for ch in UNSAFE)
    assert content.count("gnp.exe") == 5 and "line 0" in content and "line 4" in content
    assert len(content.splitlines()) == 7  # the fences and the five lines


async def _many_servers(w: RconWorld, bot: OutpostBot, count: int) -> list[Server]:
    servers = []
    for i in range(count):
        # 30 of the 32 characters a name may have, each doubled by the markdown escaping.
        name = f"{i:02d} " + "*_~" * 9
        servers.append(
            await bot.services.store.servers.add(
                NewServer(w.guild_id, name, "cs2", "127.0.0.1", 27015 + i, 27015 + i, None, None, 1)
            )
        )
    return servers


async def test_board_list_with_many_big_boards_stays_within_embed_limits(
    world: RconWorld,
) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        servers = await _many_servers(w, bot, 20)
        ids = [s.id for s in servers]
        for channel in range(30):
            board = await bot.services.store.boards.upsert(
                w.guild_id, 10_000 + channel, ids, w.admin
            )
            await bot.services.store.boards.set_paused(
                board.id, "I lost the permission " + "x" * 900
            )
        listing = await w.as_admin("board list")
    embed = listing.embeds[0]
    shown = len(embed["fields"])
    assert 0 < shown < 30
    assert embed["footer"]["text"] == f"… and {30 - shown} more"


async def test_long_lists_stay_within_embed_limits(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        servers = await _many_servers(w, bot, 50)
        for s in servers:
            await bot.services.permissions.grant(w.guild_id, w.mods_role, Action.SAY, s.id, w.admin)
            await bot.services.permissions.grant(
                w.guild_id, w.mods_role, Action.KICK, s.id, w.admin
            )
            await bot.services.store.alerts.upsert(
                w.guild_id, s.id, w.channel_id, w.mods_role, 1, None
            )
            await bot.services.store.feeds.upsert(
                w.guild_id, s.id, w.channel_id, frozenset({"joins"}), 1
            )
        texts = []
        for command in ("permissions list", "alert list", "feed list"):
            listing = await w.as_admin(command)
            texts.append(listing.embeds[0]["description"])
    grants, alerts, feeds = texts
    assert grants.splitlines()[-1].startswith("… and ") and grants.endswith(" more")
    shown = len(grants.splitlines()) - 1
    assert grants.splitlines()[-1] == f"… and {100 - shown} more"
    assert alerts.splitlines()[-1].startswith("… and ")
    assert feeds.splitlines()[-1].startswith("… and ")


async def test_two_server_add_modals_at_once_cannot_pass_the_quota(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    async with (
        FakeA2SServer(info=InfoSpec(server_name="Fake CS2")) as a2s,
        open_world(fake_discord, tmp_path, MAX_SERVERS_PER_GUILD="1") as w,
    ):
        host, port = a2s.address
        async with run_bot(w.fake, w.bot()) as bot:
            modals = []
            for name in ("One", "Two"):
                handle = await w.as_admin(
                    "server add",
                    {
                        "name": name,
                        "address": f"{host}:{port}",
                        "game": "cs2",
                        "rcon_port": w.source.address[1],
                    },
                )
                assert handle.modal is not None  # both pass the early count
                modals.append(handle)
            submitted = await asyncio.gather(
                *(w.fake.submit_modal(m, {"password": PASSWORD}) for m in modals)
            )
            texts = []
            for handle in submitted:
                await handle.wait_response()
                message = await handle.wait_followup()
                texts.append(repr(message["content"]) + repr(message["embeds"]))
            assert [s.name for s in await bot.services.registry.servers_of(w.guild_id)] in (
                ["One"],
                ["Two"],
            )
            assert sum("already has 1 servers" in t for t in texts) == 1
            refused = await w.as_admin(
                "server add",
                {
                    "name": "Three",
                    "address": f"{host}:{port}",
                    "game": "cs2",
                },
            )
            assert refused.modal is None and "already has 1 servers" in str(refused.content)
    rows = [r for r in audit_rows(w.settings) if r["action"] == "server add"]
    assert sorted(r["outcome"] for r in rows) == ["denied", "ok"]


async def test_board_alert_feed_and_watch_quotas_are_refused_in_discord(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    async with open_world(
        fake_discord,
        tmp_path,
        MAX_BOARDS_PER_GUILD="1",
        MAX_ALERTS_PER_GUILD="1",
        MAX_FEEDS_PER_GUILD="1",
        MAX_WATCHES_PER_GUILD="1",
    ) as w:
        other = fake_discord.guild(w.guild_id).add_channel("other")
        async with run_bot(w.fake, w.bot()) as bot:
            await register(bot, w.guild_id, "Main", "cs2", w.source.address[1])
            cases = [
                ("board set", {}, "status boards"),
                ("alert set", {"server": "Main"}, "alerts"),
                ("feed set", {"server": "Main"}, "feeds"),
            ]
            for command, options, what in cases:
                for channel in (w.channel_id, other):
                    text = await w.admin_reads(command, {**options, "channel": channel})
                refusal = f"already has 1 {what}, the most allowed"
                assert refusal in text, (command, text)
                # The first one can still be changed.
                again = await w.admin_reads(command, {**options, "channel": w.channel_id})
                assert refusal not in again
            for player in ("Ann", "Bob"):
                text = await w.admin_reads(
                    "watch add",
                    {
                        "server": "Main",
                        "name_or_guid": player,
                        "channel": w.channel_id,
                    },
                )
            assert "already has 1 watches, the most allowed" in text
            assert len(await bot.services.store.boards.for_guild(w.guild_id)) == 1
            assert len(await bot.services.store.alerts.for_guild(w.guild_id)) == 1
            assert len(await bot.services.store.feeds.for_guild(w.guild_id)) == 1
            assert len(await bot.services.store.watches.for_guild(w.guild_id)) == 1
    denied = [r["action"] for r in audit_rows(w.settings) if r["outcome"] == "denied"]
    assert denied == ["board set", "alert set", "feed set", "watch add"]


async def test_rcon_answer_past_the_upload_limit_is_cut_to_fit(
    world: RconWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = world
    monkeypatch.setattr(payloads, "ATTACHMENT_SIZE_LIMIT", 4096)
    done = await _exec_on_main(w, "cvarlist")  # about 16 KB
    (attachment,) = done["attachments"]  # type: ignore[misc]
    assert len(attachment["data"]) <= 4096 - 1024
    assert attachment["data"].decode().startswith("cvar_0 : 1")
    note = result_of(done)["description"]
    assert "only the first" in note and "upload limit" in note


async def test_player_autocomplete_shows_names_without_bidi_controls(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register_listed(bot, w.guild_id, "Main", "cs2", w.source.address[1])
        choices = await player_choices(w, "rcon kick", "Main", "ev")
    # The value pins the player (slot, SteamID, display-safe name), see test_rcon_targets_e2e.
    assert [c["value"] for c in choices] == ["#7 g:STEAM_1:0:13 Eve"]
    assert choices[0]["name"].startswith("#7 Eve") and not any(
        ch in choices[0]["name"] for ch in UNSAFE
    )


async def test_server_add_and_test_replies_lose_controls_from_the_a2s_name(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    hostile = f"Fake{UNSAFE}CS2\u202egnp.exe"
    async with (
        FakeA2SServer(info=InfoSpec(server_name=hostile)) as a2s,
        open_world(fake_discord, tmp_path) as w,
    ):
        async with run_bot(w.fake, w.bot()):
            submitted = await w.add_cs2_main(a2s)
            added = await submitted.wait_followup()
            test = await w.as_admin("server test", {"name": "Main"})
            tested = await test.wait_followup()
    for message in (added, tested):
        text = json.dumps(message["embeds"], ensure_ascii=False)
        assert "CS2" in text and "gnp.exe" in text, text
        assert not any(ch in text for ch in UNSAFE), text
