"""End to end, as an attacker would try it: a Manage-Server member, a member of another guild, a
stale or double-pressed confirm. The real bot through the fake Discord, fake game servers on
loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import pytest

import cogs._rcon_ui
from bot.app import OutpostBot
from bot.config import Settings
from bot.logsetup import REDACTED, secrets
from bot.services.audit import Actor
from tests.cogs.conftest import make_settings
from tests.cogs.rcon_world import (
    audit_rows,
    confirm,
    followup_text,
    last_audited,
    message_text,
    register,
    removed,
)
from tests.cogs.status_world import Commands, answered, cs2_fakes
from tests.cogs.stored import add_rcon_server
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec
from tests.fakes.discord import FakeDiscord, InteractionHandle, run_bot
from tests.fakes.rcon_server import FakeRCONServer

PASSWORD = "Real-RCON-pa55word"
OTHER_PASSWORD = "0ther-guild-secret"
AUTH = 3  # SERVERDATA_AUTH
MANAGE = discord.Permissions(manage_guild=True).value
ADMINISTRATOR = discord.Permissions(administrator=True).value


@dataclass
class TrustWorld(Commands):
    fake: FakeDiscord
    settings: Settings
    guild_id: int
    admin: int  # Administrator
    manager: int  # Manage Server only, role "Managers"
    managers_role: int
    low_role: int  # below Managers
    high_role: int  # above Managers
    member: int  # no permissions
    other_guild_id: int
    other_admin: int
    a2s: FakeA2SServer
    rcon: FakeRCONServer  # the real server of guild Alpha
    attacker: FakeRCONServer  # where a hostile manager points /server edit

    def bot(self) -> OutpostBot:
        return OutpostBot(
            self.settings, guild_ready_timeout=0.05, autopoll=False, rcon_connect_timeout=1.0
        )


@pytest.fixture(autouse=True)
def no_cooldown(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(cogs._rcon_ui, "COOLDOWN_SECONDS", 0.0)
    yield
    secrets.clear()  # the tests register passwords in the process-wide registry


@pytest.fixture
async def world(fake_discord: FakeDiscord, tmp_path: Path) -> AsyncIterator[TrustWorld]:
    guild = fake_discord.add_guild("Alpha")
    admins = guild.add_role("Admins", permissions=ADMINISTRATOR)
    low = guild.add_role("Helpers", permissions=0)
    managers = guild.add_role("Managers", permissions=MANAGE)
    high = guild.add_role("Seniors", permissions=0)
    other = fake_discord.add_guild("Beta")
    other_admins = other.add_role("Admins", permissions=ADMINISTRATOR)
    async with (
        cs2_fakes(PASSWORD, max_failed_auth=10) as (a2s, rcon),
        FakeRCONServer(password="attacker-knows-nothing", max_failed_auth=10) as attacker,
    ):
        yield TrustWorld(
            fake=fake_discord,
            settings=make_settings(fake_discord, tmp_path),
            guild_id=guild.id,
            admin=guild.add_member("alice", roles=[admins]),
            manager=guild.add_member("mallory", roles=[managers]),
            managers_role=managers,
            low_role=low,
            high_role=high,
            member=guild.add_member("bob"),
            other_guild_id=other.id,
            other_admin=other.add_member("eve", roles=[other_admins]),
            a2s=a2s,
            rcon=rcon,
            attacker=attacker,
        )


async def text_of(handle: InteractionHandle) -> str:
    return await followup_text(handle)


async def _add(w: TrustWorld, bot: OutpostBot) -> None:
    """Guild Alpha's CS2 server, its password stored encrypted (as /server add leaves it)."""
    host, port = w.a2s.address
    await add_rcon_server(
        bot,
        w.guild_id,
        "Main",
        "cs2",
        w.rcon.address[1],
        password=PASSWORD,
        host=host,
        game_port=port,
        query_port=port,
        created_by=w.admin,
    )


def auth_bodies(server: FakeRCONServer) -> list[bytes]:
    return [p.body for p in server.received_packets if p.type == AUTH]


# -- /server edit never sends the stored password to a changed target ----------------------------


async def test_edit_to_another_host_asks_for_the_password_and_never_sends_the_stored_one(
    world: TrustWorld,
) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await _add(w, bot)
        host, port = w.attacker.address
        edit = await answered(
            await w.fake.slash(
                w.guild_id,
                w.manager,
                "server edit",
                {"name": "Main", "address": f"{host}:{w.a2s.address[1]}", "rcon_port": port},
            )
        )
        # A modal, and nothing sent anywhere before it is filled in.
        assert edit.modal is not None, edit.data
        await asyncio.sleep(0.2)
        assert w.attacker.auth_attempts == 0 and w.rcon.auth_attempts == 0
        stored = await bot.services.store.servers.get(w.guild_id, "Main")
        assert stored is not None and stored.rcon_port == w.rcon.address[1]  # unchanged
        submitted = await answered(
            await w.fake.submit_modal(edit, {"password": "attacker-knows-nothing"})
        )
        await submitted.wait_followup()
        # Only the typed password ever reached the new target; it replaced the stored one.
        assert auth_bodies(w.attacker) == [b"attacker-knows-nothing"]
        edited = await bot.services.store.servers.get(w.guild_id, "Main")
        assert edited is not None and edited.rcon_port == port
        assert bot.services.registry.password_of(edited) == "attacker-knows-nothing"
    assert PASSWORD.encode() not in b"".join(auth_bodies(w.attacker))


async def test_password_modal_submit_rechecks_manage_server(world: TrustWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await _add(w, bot)
        edit = await answered(
            await w.fake.slash(
                w.guild_id, w.manager, "server edit", {"name": "Main", "new_password": True}
            )
        )
        assert edit.modal is not None
        # Manage Server is taken away while the modal is open.
        w.fake.guild(w.guild_id).set_role_permissions(w.managers_role, 0)
        await asyncio.sleep(0.1)
        submitted = await answered(await w.fake.submit_modal(edit, {"password": "new-pass-1"}))
        assert "Manage Server" in (submitted.content or "")
        stored = await bot.services.store.servers.get(w.guild_id, "Main")
        assert stored is not None and bot.services.registry.password_of(stored) == PASSWORD
    assert w.rcon.auth_attempts == 0


# -- no oracle: what a member types never goes through the redaction filter --------------------


async def test_typed_text_is_never_redacted_back_to_the_member(world: TrustWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await _add(w, bot)
        stored = await bot.services.store.servers.get(w.guild_id, "Main")
        assert stored is not None
        bot.services.registry.password_of(stored)  # as the poller does: now a known secret
        answers = []
        for guess in (PASSWORD, "not-the-password"):
            for command, option in (("status", "server"), ("history", "server")):
                handle = await w.fake.slash(
                    w.other_guild_id, w.other_admin, command, {option: guess}
                )
                answers.append(await text_of(handle))
        # The same answer for the right and a wrong guess: nothing to tell them apart.
        assert set(answers) == {"No such server here."}
        assert not any(REDACTED in a or PASSWORD in a for a in answers)
        # The audit log keeps what was typed as typed (read by this guild's own admins): a
        # "[redacted]" there would be the same oracle, one step later.
        secrets.add(OTHER_PASSWORD)  # another guild's password, known to the bot
        said = await w.by_admin("rcon say", {"server": "Main", "message": OTHER_PASSWORD})
        assert "Said on Main" in await text_of(said)
    row = next(r for r in audit_rows(w.settings) if r["action"] == "rcon say")
    assert row["arguments"] == f"message={OTHER_PASSWORD!r}"


# -- grants ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role_key", "action", "refusal"),
    [
        ("managers_role", "exec", "Only an Administrator can grant **exec**"),
        ("low_role", "exec", "Only an Administrator can grant **exec**"),
        ("low_role", "ban", "Only an Administrator can grant **ban**"),
        ("managers_role", "say", "a role you have yourself"),
        ("everyone", "say", "a role you have yourself"),
        ("high_role", "kick", "roles below your highest role"),
    ],
)
async def test_manage_server_member_cannot_raise_rights(
    world: TrustWorld, role_key: str, action: str, refusal: str
) -> None:
    w = world
    role = w.guild_id if role_key == "everyone" else getattr(w, role_key)
    async with run_bot(w.fake, w.bot()) as bot:
        await _add(w, bot)
        handle = await answered(
            await w.fake.slash(
                w.guild_id, w.manager, "permissions grant", {"role": role, "action": action}
            )
        )
        assert refusal in (handle.content or ""), handle.content
        assert await bot.services.permissions.grants_of(w.guild_id) == []
        if action == "exec":
            run = await w.fake.slash(
                w.guild_id, w.manager, "rcon exec", {"server": "Main", "command": "status"}
            )
            assert "needs the **exec** permission" in await text_of(run)
    row = audit_rows(w.settings)[0]
    assert (row["action"], row["outcome"]) == ("permissions grant", "denied")
    assert w.rcon.received == []


async def test_manage_server_member_may_grant_say_to_a_lower_role(world: TrustWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await _add(w, bot)
        handle = await answered(
            await w.fake.slash(
                w.guild_id, w.manager, "permissions grant", {"role": w.low_role, "action": "say"}
            )
        )
        assert "may now use **say**" in (handle.content or "")
        assert len(await bot.services.permissions.grants_of(w.guild_id)) == 1


async def test_nobody_grants_exec_to_everyone(world: TrustWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        handle = await w.as_admin("permissions grant", {"role": w.guild_id, "action": "exec"})
        assert "Nobody can grant **exec** to @everyone" in (handle.content or "")
        assert await bot.services.permissions.grants_of(w.guild_id) == []
        # An Administrator may still hand exec to a role, even their own.
        ok = await w.as_admin("permissions grant", {"role": w.high_role, "action": "exec"})
        assert "may now use **exec**" in (ok.content or "")


# -- later clicks re-check; confirms act on the server as it is, once ----------------------------


def buttons(handle: InteractionHandle) -> dict[str, str]:
    return {c["label"]: c["custom_id"] for row in handle.components for c in row["components"]}


async def test_remove_button_rechecks_manage_server(world: TrustWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await _add(w, bot)
        remove = await answered(
            await w.fake.slash(w.guild_id, w.manager, "server remove", {"name": "Main"})
        )
        w.fake.guild(w.guild_id).set_role_permissions(w.managers_role, 0)
        await asyncio.sleep(0.1)
        click = await answered(await w.fake.click(remove, buttons(remove)["Remove"], w.manager))
        assert "Manage Server" in (click.content or "")
        assert len(await bot.services.store.servers.all()) == 1


async def test_audit_page_buttons_recheck_manage_server(world: TrustWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        for i in range(12):
            await bot.services.audit.record(_actor(w), "test", f"n={i}")
        view = await answered(await w.fake.slash(w.guild_id, w.manager, "audit view"))
        custom_ids = [c["custom_id"] for row in view.components for c in row["components"]]
        assert "audit:next" in custom_ids
        w.fake.guild(w.guild_id).set_role_permissions(w.managers_role, 0)
        await asyncio.sleep(0.1)
        page = await answered(await w.fake.click(view, "audit:next", w.manager))
        assert "Manage Server" in (page.content or "")
        assert "Page 1 of 2" in view.embeds[0]["footer"]["text"]


def _actor(w: TrustWorld) -> Actor:
    return Actor(w.guild_id, w.admin, "alice")


async def test_remove_confirm_refuses_a_server_renamed_and_replaced_meanwhile(
    world: TrustWorld,
) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await _add(w, bot)
        remove = await w.as_admin("server remove", {"name": "Main"})
        # Meanwhile Main is renamed and another server takes its name.
        renamed = await w.as_admin("server edit", {"name": "Main", "new_name": "Old"})
        await renamed.wait_followup()
        await register(bot, w.guild_id, "Main", "cs2", w.rcon.address[1])
        click = await answered(await w.fake.click(remove, buttons(remove)["Remove"], w.admin))
        assert "was changed since this was asked" in (click.content or "")
        assert sorted(s.name for s in await bot.services.store.servers.all()) == ["Main", "Old"]


async def test_exec_confirm_refuses_a_server_edited_meanwhile(world: TrustWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await _add(w, bot)
        question = await w.admin_asked("rcon exec", {"server": "Main", "command": "status"})
        # The admin points Main at another RCON server (typing that server's password).
        port = w.attacker.address[1]
        edit = await w.as_admin("server edit", {"name": "Main", "rcon_port": port})
        await (
            await answered(await w.fake.submit_modal(edit, {"password": "attacker-knows-nothing"}))
        ).wait_followup()
        attempts = w.rcon.auth_attempts
        refused = await confirm(w.fake, question, w.admin)
        assert "was changed since this was asked" in message_text(refused)
        removed = await w.by_admin("rcon exec", {"server": "Main", "command": "status"})
        await removed.wait_response()
        second = await removed.wait_followup()
        await bot.services.registry.remove(w.guild_id, "Main")
        gone = await confirm(w.fake, second, w.admin)
        assert "was removed since this was asked" in message_text(gone)
    # Nothing went to the old host with the old password, nor to the new one.
    assert w.rcon.auth_attempts == attempts and w.rcon.received == []
    assert w.attacker.received == []
    rows = [r for r in audit_rows(w.settings) if r["action"] == "rcon exec"]
    assert [r["outcome"] for r in rows] == ["denied", "denied"]


@pytest.mark.parametrize("second", ["rcon:confirm", "rcon:cancel"])
async def test_double_press_runs_once_and_is_answered(world: TrustWorld, second: str) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await _add(w, bot)
        question = await w.admin_asked("rcon exec", {"server": "Main", "command": "echo once"})
        # Both presses land before the bot answered the first (a double click).
        first = await w.fake.click(question, "rcon:confirm", w.admin)
        again = await w.fake.click(question, second, w.admin)
        await first.wait_response()
        await first.wait_followup()
        await again.wait_response()
        assert again.content == "This was already answered: it runs only once."
        assert again.ephemeral
    assert w.rcon.received == ["echo once"]
    rows = [r for r in audit_rows(w.settings) if r["action"] == "rcon exec"]
    assert [r["outcome"] for r in rows] == ["ok"]


async def test_remove_double_press_is_answered(world: TrustWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await _add(w, bot)
        remove = await w.as_admin("server remove", {"name": "Main"})
        ids = buttons(remove)
        first = await w.fake.click(remove, ids["Remove"], w.admin)
        again = await w.fake.click(remove, ids["Cancel"], w.admin)
        await first.wait_response()
        await again.wait_response()
        assert again.content == "This was already answered: it runs only once."
        await w.fake.wait_until(lambda: removed(remove.original, "Main"))
        assert await bot.services.store.servers.all() == []
    rows = [r for r in audit_rows(w.settings) if r["action"] == "server remove"]
    assert [r["outcome"] for r in rows] == ["ok"]


# -- exec: the confirm shows everything that is sent -----------------------------------------


@pytest.mark.parametrize(
    ("command", "refusal"),
    [
        ("echo hi" + " " * 300 + "; quit", "run of more than 4 spaces"),
        ("echo hi\u200b; quit", "invisible characters"),
        ("echo hi\u202e; tiuq", "invisible characters"),
        ("echo hi\u3000\u3000; quit", "invisible characters"),
    ],
)
async def test_exec_that_the_confirm_could_not_show_is_refused(
    world: TrustWorld, command: str, refusal: str
) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await _add(w, bot)
        handle = await w.by_admin("rcon exec", {"server": "Main", "command": command})
        text = await text_of(handle)
        assert refusal in text, text
        assert not (await handle.wait_followup()).get("components")
    assert w.rcon.received == []
    assert last_audited(w.settings) == ("rcon exec", "denied")


async def test_exec_confirm_shows_the_whole_command(world: TrustWorld) -> None:
    w = world
    tail = "; say the end"
    command = "echo " + "x" * 300 + " " + "y" * 170 + tail  # 490 characters
    async with run_bot(w.fake, w.bot()) as bot:
        await _add(w, bot)
        question = await w.admin_asked("rcon exec", {"server": "Main", "command": command})
        assert f"```\n{command}\n```" in question["content"]
        assert question["content"].rstrip().endswith(tail + "\n```")


async def test_exec_password_setting_is_masked_in_audit_and_mirror(world: TrustWorld) -> None:
    w = world
    channel = w.fake.guild(w.guild_id).add_channel("audit")
    async with run_bot(w.fake, w.bot()) as bot:
        await _add(w, bot)
        await bot.services.store.audit.set_channel(w.guild_id, channel)
        for command in ('sv_password "n3w pass"', "rcon_password hunter2x; status"):
            question = await w.admin_asked("rcon exec", {"server": "Main", "command": command})
            assert "hunter2x" not in question["content"] and "n3w" not in question["content"]
            await confirm(w.fake, question, w.admin)
        mirrored: list[str] = []
        for _ in range(100):  # bounded: at most 5 s
            mirrored = [repr(m) for m in w.fake.channel_messages(channel)]
            if len(mirrored) >= 2:
                break
            await asyncio.sleep(0.05)
    assert w.rcon.received == ['sv_password "n3w pass"', "rcon_password hunter2x; status"]
    rows = [r for r in audit_rows(w.settings) if r["action"] == "rcon exec"]
    assert [r["arguments"] for r in rows] == [
        "sv_password [hidden]",
        "rcon_password [hidden]; status",
    ]
    assert len(mirrored) == 2
    assert not any("hunter2x" in m or "n3w" in m for m in mirrored)
    # The mirror shows arguments markdown-escaped; without the escapes:
    assert "rcon_password [hidden]; status" in mirrored[1].replace("\\", "")


# -- registering servers ---------------------------------------------------------------------

AMBER = 0xF0B232  # warnings: saved but not answering, a probed port to confirm
GREEN = discord.Colour.green().value


async def add_server(w: TrustWorld, options: dict[str, object]) -> dict[str, Any]:
    """``/server add`` of a game without RCON (no modal); the deferred reply."""
    handle = await w.as_admin("server add", options)
    return await handle.wait_followup()


def labels(message: dict[str, Any]) -> dict[str, str]:
    return {c["label"]: c["custom_id"] for row in message["components"] for c in row["components"]}


async def test_probed_neighbour_is_named_and_cancel_saves_nothing(world: TrustWorld) -> None:
    """Ours is down; the host runs another server, three ports up, which the probe finds. The
    reply names who answered and asks; the member cancels and nothing is saved."""
    w = world
    host, neighbour = w.a2s.address
    async with run_bot(w.fake, w.bot()) as bot:
        question = await add_server(
            w, {"name": "Ours", "address": f"{host}:{neighbour - 3}", "game": "other"}
        )
        embed = question["embeds"][0]
        assert embed["title"] == "Is this Ours?" and embed["color"] == AMBER
        fields = {f["name"]: f["value"] for f in embed["fields"]}
        assert (fields["Name"], fields["Players"]) == ("Fake CS2", "5/20")
        assert await bot.services.store.servers.all() == []  # nothing saved before the answer
        cancel = await answered(await w.fake.click(question, labels(question)["Cancel"], w.admin))
        assert cancel.response_type == 7
        assert w.fake.message(int(question["id"]))["content"] == "Cancelled: nothing was saved."
        assert await bot.services.store.servers.all() == []


async def test_saved_without_an_answer_is_a_warning(world: TrustWorld) -> None:
    w = world
    async with FakeA2SServer() as silent:
        host, port = silent.address
    # The port is closed now: nothing answers there, nor (on loopback) around it.
    async with run_bot(w.fake, w.bot()) as bot:
        saved = await add_server(
            w,
            {"name": "Down", "address": f"{host}:{port}", "game": "other", "query_port": port},
        )
        embed = saved["embeds"][0]
        # Saved, but not a green "added": amber, saying what to run next.
        assert embed["title"] == "Saved, but not answering"
        assert embed["color"] == AMBER, embed
        assert embed["description"].startswith("**Down** is saved but did not answer")
        assert "Run `/server test`" in embed["description"]
        assert "No A2S answer" in embed["description"]
        assert len(await bot.services.store.servers.all()) == 1
        up = await add_server(
            w,
            {"name": "Up", "address": f"{w.a2s.address[0]}:{w.a2s.address[1]}", "game": "other"},
        )
        assert up["embeds"][0]["color"] == GREEN
        assert up["embeds"][0]["title"] == "Server Up added"


async def test_a2s_server_name_is_escaped_in_add_and_test(world: TrustWorld) -> None:
    w = world
    evil = InfoSpec(server_name="[Verify your account](https://evil)", map_name="**big**")
    async with FakeA2SServer(info=evil) as hostile, run_bot(w.fake, w.bot()):
        host, port = hostile.address
        saved = await add_server(w, {"name": "Evil", "address": f"{host}:{port}", "game": "other"})
        description = saved["embeds"][0]["description"]
        assert r"(\[Verify your account\](https://evil))" in description
        test = await w.as_admin("server test", {"name": "Evil"})
        report = (await test.wait_followup())["embeds"][0]
        query = next(f["value"] for f in report["fields"] if f["name"].endswith("A2S query"))
        assert r"\[Verify your account\](https://evil) — \*\*big\*\*" in query
