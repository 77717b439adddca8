"""End to end: the real OutpostBot, through real discord.py, against the fake Discord and fake
game servers on loopback."""

from __future__ import annotations

import asyncio
import io
import logging
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.app import OutpostBot
from bot.config import Settings
from tests.cogs.conftest import make_settings
from tests.cogs.rcon_world import removed
from tests.cogs.status_world import Commands, answered, cs2_fakes, server_add
from tests.fakes.a2s_server import FakeA2SServer
from tests.fakes.battleye_server import FakeBattlEyeServer
from tests.fakes.discord import FakeDiscord, run_bot
from tests.fakes.rcon_server import FakeRCONServer

PASSWORD = "Pl4in-RCON-pa55word"
MANAGE = discord.Permissions(manage_guild=True).value
SUBCOMMANDS = ["add", "edit", "list", "remove", "test"]
# Every top-level command the bot registers (one per feature cog).
EXPECTED_COMMANDS = [
    "alert",
    "audit",
    "ban",
    "board",
    "counter",
    "feed",
    "history",
    "notify",
    "permissions",
    "player",
    "rcon",
    "restart",
    "schedule",
    "server",
    "settings",
    "status",
    "status-connect",
    "status-link",
    "uptime",
    "watch",
]


@dataclass
class World(Commands):
    fake: FakeDiscord
    settings: Settings
    guild_id: int
    admin: int
    member: int
    other_guild_id: int
    other_admin: int
    a2s: FakeA2SServer
    rcon: FakeRCONServer

    def bot(self) -> OutpostBot:
        return OutpostBot(self.settings, guild_ready_timeout=0.05)


@pytest.fixture
async def world(fake_discord: FakeDiscord, tmp_path: Path) -> AsyncIterator[World]:
    guild = fake_discord.add_guild("Alpha")
    admins = guild.add_role("Admins", permissions=MANAGE)
    other = fake_discord.add_guild("Beta")
    other_admins = other.add_role("Admins", permissions=MANAGE)
    async with cs2_fakes(PASSWORD, max_failed_auth=10) as (a2s, rcon):
        yield World(
            fake=fake_discord,
            settings=make_settings(fake_discord, tmp_path),
            guild_id=guild.id,
            admin=guild.add_member("alice", roles=[admins]),
            member=guild.add_member("bob"),
            other_guild_id=other.id,
            other_admin=other.add_member("carol", roles=[other_admins]),
            a2s=a2s,
            rcon=rcon,
        )


async def add_main(w: World) -> dict[str, Any]:
    """``/server add`` for a CS2 server, through the password modal; returns the follow-up."""
    host, port = w.a2s.address
    submitted = await server_add(
        w.fake, w.guild_id, w.admin, "Main", f"{host}:{port}", "cs2", w.rcon.address[1], PASSWORD
    )
    assert submitted.response_type == 5 and submitted.ephemeral  # deferred while it probes
    return await submitted.wait_followup()


def database_bytes(settings: Settings) -> bytes:
    path = settings.database_path
    return b"".join(
        p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists()
    )


async def test_startup_registers_commands_once(world: World) -> None:
    # Discord answers the sync with a 429 first: discord.py must wait, then succeed.
    world.fake.rate_limit("PUT", r"/applications/\d+/commands$", retry_after=0.2)
    async with run_bot(world.fake, world.bot()) as bot:
        assert bot.commands_synced is True
    commands = world.fake.commands()
    assert sorted(c["name"] for c in commands) == EXPECTED_COMMANDS
    server = next(c for c in commands if c["name"] == "server")
    assert sorted(o["name"] for o in server["options"]) == SUBCOMMANDS
    assert int(server["default_member_permissions"]) == MANAGE
    assert world.fake.sync_requests == 1
    puts = [p for m, p in world.fake.requests if m == "PUT" and p.endswith("/commands")]
    assert len(puts) == 2  # the 429, then the retry after waiting
    # Same definitions: a second start must not sync again.
    async with run_bot(world.fake, world.bot()) as bot:
        assert bot.commands_synced is False
    assert world.fake.sync_requests == 1


async def test_dev_guild_sync(world: World, tmp_path: Path) -> None:
    settings = make_settings(world.fake, tmp_path, DEV_GUILD_ID=str(world.guild_id))
    async with run_bot(world.fake, OutpostBot(settings, guild_ready_timeout=0.05)):
        pass
    assert sorted(c["name"] for c in world.fake.commands(world.guild_id)) == EXPECTED_COMMANDS


async def test_add_with_modal_stores_password_encrypted(
    world: World, captured_log: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with run_bot(world.fake, world.bot()) as bot:
        followup = await add_main(world)
        embed = followup["embeds"][0]
        assert embed["title"] == "Server Main added"
        assert "A2S answers on port" in embed["description"]
        assert "RCON login OK" in embed["description"]
        assert followup["flags"] & 64  # ephemeral
        stored = await bot.services.store.servers.get(world.guild_id, "main")
        assert stored is not None and stored.rcon_password is not None
        assert bot.services.registry.password_of(stored) == PASSWORD
    assert world.rcon.auth_attempts == 1
    assert PASSWORD.encode() not in database_bytes(world.settings)
    with sqlite3.connect(world.settings.database_path) as conn:
        (token,) = conn.execute("SELECT rcon_password FROM servers").fetchone()
    assert token.startswith("gAAAA")
    assert PASSWORD not in captured_log.getvalue()
    assert PASSWORD not in caplog.text
    assert world.fake.token not in captured_log.getvalue()
    assert "server 'Main' added" in captured_log.getvalue()


async def test_wrong_password_is_refused_and_nothing_saved(world: World) -> None:
    host, port = world.a2s.address
    async with run_bot(world.fake, world.bot()) as bot:
        submitted = await server_add(
            world.fake,
            world.guild_id,
            world.admin,
            "Main",
            f"{host}:{port}",
            "cs2",
            world.rcon.address[1],
            "nope!",
        )
        followup = await submitted.wait_followup()
        assert "refused" in followup["content"] and "Nothing was saved" in followup["content"]
        assert await bot.services.store.servers.all() == []


async def test_list_edit_test_remove(world: World) -> None:
    async with run_bot(world.fake, world.bot()) as bot:
        await add_main(world)
        listing = await world.as_admin("server list")
        assert listing.ephemeral
        field = listing.embeds[0]["fields"][0]
        assert field["name"] == "Main" and "Counter-Strike 2" in field["value"]
        assert "password set" in field["value"]

        test = await world.as_admin("server test", {"name": "main"})
        assert test.response_type == 5
        report = (await test.wait_followup())["embeds"][0]
        checks = {f["name"]: f["value"] for f in report["fields"]}
        assert set(checks) == {"➖ DNS", "✅ A2S query", "✅ Ping", "✅ RCON login"}
        assert "Fake CS2" in checks["✅ A2S query"]

        edit = await world.as_admin("server edit", {"name": "Main", "new_name": "Prime"})
        edited = await edit.wait_followup()
        assert edited["embeds"][0]["title"] == "Server Prime updated"
        # A new password goes through the same modal.
        again = await world.as_admin("server edit", {"name": "Prime", "new_password": True})
        assert again.modal is not None
        resubmit = await answered(await world.fake.submit_modal(again, {"password": PASSWORD}))
        assert "RCON login OK" in (await resubmit.wait_followup())["embeds"][0]["description"]

        remove = await world.as_admin("server remove", {"name": "Prime"})
        assert "Remove **Prime**" in (remove.content or "")
        buttons = {
            c["label"]: c["custom_id"] for row in remove.components for c in row["components"]
        }
        confirm = await answered(await world.fake.click(remove, buttons["Remove"], world.admin))
        assert confirm.response_type == 7  # the confirmation message is updated in place
        # Answered first ("Removing…"), then edited once the removal is done.
        await world.fake.wait_until(lambda: removed(remove.original, "Prime"))
        assert await bot.services.store.servers.all() == []


async def test_status_autocomplete_sees_changes_without_waiting_for_a_poll(world: World) -> None:
    async def status_choices() -> list[str]:
        choices = await world.fake.autocomplete(
            world.guild_id, world.admin, "status", {"server": ""}, focused="server"
        )
        return [c["value"] for c in choices]

    bot = OutpostBot(world.settings, guild_ready_timeout=0.05, autopoll=False)
    async with run_bot(world.fake, bot):
        assert await status_choices() == []
        await add_main(world)
        assert await status_choices() == ["Main"]
        await bot.services.registry.remove(world.guild_id, "Main")
        assert await status_choices() == []


async def test_cancel_keeps_the_server(world: World) -> None:
    async with run_bot(world.fake, world.bot()) as bot:
        await add_main(world)
        remove = await world.as_admin("server remove", {"name": "Main"})
        buttons = {
            c["label"]: c["custom_id"] for row in remove.components for c in row["components"]
        }
        await answered(await world.fake.click(remove, buttons["Cancel"], world.admin))
        assert "nothing was removed" in (remove.original or {}).get("content", "")
        assert len(await bot.services.store.servers.all()) == 1


async def test_member_without_manage_server_is_refused(world: World) -> None:
    async with run_bot(world.fake, world.bot()) as bot:
        await add_main(world)
        # Discord hides the command from bob; an admin may override that in the Integrations
        # settings, so the bot checks again at run time.
        handle = await world.as_member("server list", bypass=True)
        assert handle.ephemeral
        assert handle.content == "You need the **Manage Server** permission to use this command."
        add = await world.as_member(
            "server add", {"name": "X", "address": "127.0.0.1", "game": "other"}, bypass=True
        )
        assert "Manage Server" in (add.content or "")
        choices = await world.fake.autocomplete(
            world.guild_id, world.member, "server remove", {"name": ""}, focused="name"
        )
        assert choices == []
        assert len(await bot.services.store.servers.all()) == 1


async def test_second_guild_sees_nothing(world: World) -> None:
    async with run_bot(world.fake, world.bot()):
        await add_main(world)
        mine = await world.fake.autocomplete(
            world.guild_id, world.admin, "server test", {"name": "ma"}, focused="name"
        )
        assert [c["value"] for c in mine] == ["Main"]
        theirs = await world.fake.autocomplete(
            world.other_guild_id, world.other_admin, "server test", {"name": ""}, focused="name"
        )
        assert theirs == []
        listing = await answered(
            await world.fake.slash(world.other_guild_id, world.other_admin, "server list")
        )
        assert "No servers yet" in listing.embeds[0]["description"]
        for command in ("server test", "server remove", "server edit"):
            handle = await answered(
                await world.fake.slash(
                    world.other_guild_id, world.other_admin, command, {"name": "Main"}
                )
            )
            assert handle.content == "No such server here."
        # The same name is free in the other guild.
        handle = await answered(
            await world.fake.slash(
                world.other_guild_id,
                world.other_admin,
                "server add",
                {"name": "Main", "address": "127.0.0.1:1", "game": "other"},
            )
        )
        followup = await handle.wait_followup()
        # Nothing answers on port 1: saved, but amber and pointing at the diagnostics.
        saved = followup["embeds"][0]
        assert saved["title"] == "Saved, but not answering" and saved["color"] == 0xF0B232
        assert "/server test" in saved["description"]


async def test_game_autocomplete_and_validation_error(world: World) -> None:
    async with run_bot(world.fake, world.bot()):
        choices = await world.fake.autocomplete(
            world.guild_id,
            world.admin,
            "server add",
            {"name": "x", "address": "y", "game": "dayz"},
            focused="game",
        )
        # The catalogue has several "Day…" games; the exact name comes first.
        assert choices[0] == {"name": "DayZ", "value": "dayz"}
        bad = await world.as_admin(
            "server add", {"name": "Bad", "address": "300.1.1.1", "game": "cs2"}
        )
        assert bad.ephemeral and bad.response_type == 4
        assert (bad.content or "").startswith("The address must be")


async def test_restart_keeps_everything(world: World) -> None:
    async with run_bot(world.fake, world.bot()):
        await add_main(world)
    async with run_bot(world.fake, world.bot()) as bot:
        assert bot.commands_synced is False
        test = await world.as_admin("server test", {"name": "Main"})
        report = (await test.wait_followup())["embeds"][0]
        assert "✅ RCON login" in [f["name"] for f in report["fields"]]
    assert world.rcon.auth_attempts == 2


async def test_changed_secret_key_is_reported_not_fatal(
    world: World, tmp_path: Path, captured_log: io.StringIO
) -> None:
    async with run_bot(world.fake, world.bot()):
        await add_main(world)
    (tmp_path / "secret.key").unlink()  # make_settings generates another key
    settings = make_settings(world.fake, tmp_path)
    async with run_bot(world.fake, OutpostBot(settings, guild_ready_timeout=0.05)):
        assert "1 stored RCON password(s) cannot be decrypted" in captured_log.getvalue()
        test = await world.as_admin("server test", {"name": "Main"})
        fields = (await test.wait_followup())["embeds"][0]["fields"]
        rcon = next(f for f in fields if f["name"].endswith("RCON login"))
        assert rcon["name"].startswith("❌") and "OUTPOST_SECRET_KEY" in rcon["value"]


async def test_dayz_with_battleye_rcon_and_probed_query_port(world: World) -> None:
    a2s_host, a2s_port = world.a2s.address
    game_port = a2s_port - 1  # the rule's 27016 is silent: the probe must find game + 1
    async with FakeBattlEyeServer(PASSWORD) as be, run_bot(world.fake, world.bot()) as bot:
        submitted = await server_add(
            world.fake,
            world.guild_id,
            world.admin,
            "Chernarus",
            f"{a2s_host}:{game_port}",
            "dayz",
            be.address[1],
            PASSWORD,
        )
        # Found by probing: the reply names who answered, and nothing is saved before Save.
        question = await submitted.wait_followup()
        embed = question["embeds"][0]
        assert embed["title"] == "Is this Chernarus?"
        assert f"port {a2s_port} does" in embed["description"]
        fields = {f["name"]: f["value"] for f in embed["fields"]}
        assert fields == {"Name": "Fake CS2", "Map": "de\\_inferno", "Players": "5/20"}
        assert await bot.services.store.servers.get(world.guild_id, "chernarus") is None
        buttons = {
            c["label"]: c["custom_id"] for row in question["components"] for c in row["components"]
        }
        click = await answered(await world.fake.click(question, buttons["Save"], world.admin))
        description = (await click.wait_followup())["embeds"][0]["description"]
        assert f"found the query port by probing: {a2s_port}" in description
        assert "RCON login OK" in description
        stored = await bot.services.store.servers.get(world.guild_id, "chernarus")
        assert stored is not None and stored.query_port == a2s_port


async def test_unanswered_confirmation_times_out(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # cogs.servers itself is re-imported by load_extension; its helper module is not.
    monkeypatch.setattr("cogs._server_ui.CONFIRM_TIMEOUT", 0.2)
    async with run_bot(world.fake, world.bot()) as bot:
        await add_main(world)
        remove = await world.as_admin("server remove", {"name": "Main"})
        assert remove.components
        for _ in range(100):  # bounded: at most 5 s
            if (remove.original or {}).get("content") == "No answer: nothing was removed.":
                break
            await asyncio.sleep(0.05)
        assert (remove.original or {}).get("content") == "No answer: nothing was removed."
        assert not (remove.original or {}).get("components")
        assert len(await bot.services.store.servers.all()) == 1


async def test_remove_answers_before_the_slow_part(world: World) -> None:
    async with run_bot(world.fake, world.bot()) as bot:
        await add_main(world)
        release = asyncio.Event()

        async def slow_listener() -> None:
            await release.wait()  # e.g. the RCON pool closing connections, a big cascade

        bot.services.registry.add_change_listener(slow_listener)
        remove = await world.as_admin("server remove", {"name": "Main"})
        buttons = {
            c["label"]: c["custom_id"] for row in remove.components for c in row["components"]
        }
        confirm = await world.fake.click(remove, buttons["Remove"], world.admin)
        # Answered while the listeners still run (before: only after them, past 3 s here).
        await confirm.wait_response(timeout=2.0)
        assert "Removing **Main**" in (remove.original or {}).get("content", "")
        release.set()
        await world.fake.wait_until(lambda: removed(remove.original, "Main"))
        assert await bot.services.store.servers.all() == []


async def test_a_german_member_manages_servers_in_german(world: World) -> None:
    world.fake.user_locales[world.admin] = "de"
    async with run_bot(world.fake, world.bot()) as bot:
        host, port = world.a2s.address
        options = {
            "name": "Main",
            "address": f"{host}:{port}",
            "game": "cs2",
            "rcon_port": world.rcon.address[1],
        }
        asked = await answered(
            await world.fake.slash(world.guild_id, world.admin, "server add", options)
        )
        assert asked.modal is not None
        assert asked.modal["title"] == "RCON-Passwort für Main"
        submitted = await answered(await world.fake.submit_modal(asked, {"password": PASSWORD}))
        saved = (await submitted.wait_followup())["embeds"][0]
        assert saved["title"] == "Server Main hinzugefügt"
        # The registry's notes in German; the server's own name as it answered.
        assert "RCON-Login auf Port" in saved["description"]
        assert "antwortet auf Port" in saved["description"] and "Fake CS2" in saved["description"]

        listing = await world.as_admin("server list")
        (embed,) = listing.embeds
        assert listing.ephemeral and embed["title"] == "Gameserver"
        assert embed["footer"]["text"] == "1 Server"
        field = embed["fields"][0]
        assert field["name"] == "Main" and "Passwort gesetzt" in field["value"]
        assert "· Query " in field["value"]

        test = await world.as_admin("server test", {"name": "Main"})
        report = (await test.wait_followup())["embeds"][0]
        assert report["title"] == "Test von Main"
        checks = {f["name"]: f["value"] for f in report["fields"]}
        assert set(checks) == {"➖ DNS", "✅ A2S query", "✅ Ping", "✅ RCON-Login"}
        assert checks["➖ DNS"].endswith("ist eine IP-Adresse")
        assert "ms vom Bot aus" in checks["✅ Ping"]

        remove = await world.as_admin("server remove", {"name": "Main"})
        assert (remove.content or "").startswith("**Main** (`")
        buttons = {
            c["label"]: c["custom_id"] for row in remove.components for c in row["components"]
        }
        assert set(buttons) == {"Entfernen", "Abbrechen"}
        await answered(await world.fake.click(remove, buttons["Abbrechen"], world.admin))
        assert (remove.original or {}).get("content") == "Abgebrochen: nichts wurde entfernt."
        assert len(await bot.services.store.servers.all()) == 1
