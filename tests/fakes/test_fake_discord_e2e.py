"""The fake Discord driving a small real ``commands.Bot`` through discord.py 2.7.

Every test goes through the real client: REST over loopback, the gateway websocket, the
command tree, views and modals. ``fake_discord`` fails a test that breaks a Discord rule.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakes.discord import FakeDiscord, FakeDiscordError, FakeGuild, run_bot
from tests.fakes.discord.pytest_plugin import fake_discord

__all__ = ["fake_discord"]

MANAGE_GUILD = discord.Permissions(manage_guild=True).value
GAMES = [f"game-{i:02d}" for i in range(40)]


class ConfirmView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.button(label="Confirm", custom_id="demo:confirm", style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction, _: discord.ui.Button[ConfirmView]
    ) -> None:
        await interaction.response.edit_message(content="confirmed", view=None)


class PasswordModal(discord.ui.Modal, title="RCON password"):
    password: discord.ui.TextInput[PasswordModal] = discord.ui.TextInput(
        label="Password", custom_id="demo:password", max_length=32
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"stored {len(self.password.value)} characters", ephemeral=True
        )


server = app_commands.Group(name="server", description="Manage game servers", guild_only=True)


@server.command(name="add", description="Register a server")
async def server_add(
    interaction: discord.Interaction, name: str, port: int, game: str, public: bool = False
) -> None:
    await interaction.response.send_message(
        f"added {name}:{port} ({game}, public={public})", ephemeral=True
    )


@server_add.autocomplete("game")
async def game_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=g, value=g) for g in GAMES if current in g][:25]


@server.command(name="list", description="List servers (slow)")
async def server_list(interaction: discord.Interaction) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    await asyncio.sleep(0)
    await interaction.followup.send("alpha, bravo")


@app_commands.command(name="ping", description="Answer pong")
async def ping(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("pong <@&1> @everyone")


@app_commands.command(name="confirm", description="Ask for confirmation")
async def confirm(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("sure?", view=ConfirmView(), ephemeral=True)


@app_commands.command(name="password", description="Open the password modal")
async def password(interaction: discord.Interaction) -> None:
    await interaction.response.send_modal(PasswordModal())


@app_commands.command(name="report", description="Send a file")
async def report(interaction: discord.Interaction) -> None:
    await interaction.response.send_message(
        "report attached", file=discord.File(io.BytesIO(b"players: 3\n"), "report.txt")
    )
    await interaction.followup.send(
        "raw", file=discord.File(io.BytesIO(b"\x00\x01"), "raw.bin"), ephemeral=True
    )


@app_commands.command(name="manage", description="Admins only")
@app_commands.default_permissions(manage_guild=True)
@app_commands.checks.has_permissions(manage_guild=True)
async def manage(interaction: discord.Interaction) -> None:
    me = interaction.app_permissions
    await interaction.response.send_message(f"ok, I can embed: {me.embed_links}", ephemeral=True)


@app_commands.command(name="whoami", description="Roles as the bot sees them")
async def whoami(interaction: discord.Interaction) -> None:
    assert isinstance(interaction.user, discord.Member)
    names = sorted(r.name for r in interaction.user.roles if not r.is_default())
    await interaction.response.send_message(f"roles={','.join(names)}", ephemeral=True)


@app_commands.command(name="kick", description="Pick a member")
async def kick(interaction: discord.Interaction, member: discord.Member, reason: str) -> None:
    await interaction.response.send_message(f"kick {member.name}: {reason}", ephemeral=True)


class ChooseView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.select(
        custom_id="demo:choose",
        options=[discord.SelectOption(label=n, value=n) for n in ("alpha", "bravo", "charlie")],
        max_values=2,
    )
    async def choose(
        self, interaction: discord.Interaction, select: discord.ui.Select[ChooseView]
    ) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content=f"chose {','.join(select.values)}")


@app_commands.command(name="choose", description="A select menu")
async def choose(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("pick servers", view=ChooseView())


@app_commands.command(name="edits", description="Edit the answer and follow-ups")
async def edits(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("v1")
    await interaction.edit_original_response(
        content="v2", attachments=[discord.File(io.BytesIO(b"v2 data"), "v2.txt")]
    )
    first = await interaction.followup.send("f1", wait=True)
    await first.edit(content="f1 edited")
    second = await interaction.followup.send("f2", wait=True)
    await second.delete()
    original = await interaction.original_response()
    await interaction.followup.send(f"original was {original.content}")


COMMANDS: list[app_commands.Command[Any, ..., Any] | app_commands.Group] = [
    server,
    ping,
    confirm,
    password,
    report,
    manage,
    whoami,
    kick,
    choose,
    edits,
]


class DemoBot(commands.Bot):
    def __init__(self, guild_id: int) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.guild_id = guild_id
        self.errors: list[app_commands.AppCommandError] = []
        self.tree.error(self._on_tree_error)

    async def setup_hook(self) -> None:
        guild = discord.Object(self.guild_id)
        for command in COMMANDS:
            self.tree.add_command(command, guild=guild)
        await self.tree.sync(guild=guild)

    async def _on_tree_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        self.errors.append(error)
        await interaction.response.send_message("denied", ephemeral=True)


@dataclass
class World:
    fake: FakeDiscord
    guild: FakeGuild
    channel: int
    admin: int
    member: int
    bot: DemoBot

    def text_channel(self) -> discord.TextChannel:
        """The world's channel as the bot's cache holds it (what the bot posts through)."""
        channel = self.bot.get_channel(self.channel)
        assert isinstance(channel, discord.TextChannel)
        return channel


@pytest.fixture
async def world(fake_discord: FakeDiscord) -> AsyncIterator[World]:
    guild = fake_discord.add_guild("Test guild")
    channel = guild.add_channel("general")
    admins = guild.add_role("Admins", permissions=MANAGE_GUILD)
    admin = guild.add_member("alice", roles=[admins])
    member = guild.add_member("bob")
    bot = DemoBot(guild.id)
    async with run_bot(fake_discord, bot):
        yield World(fake_discord, guild, channel, admin, member, bot)


async def test_startup_logs_in_and_syncs_guild_commands(world: World) -> None:
    fake = world.fake
    names = sorted(c["name"] for c in fake.commands(world.guild.id))
    assert names == [
        "choose",
        "confirm",
        "edits",
        "kick",
        "manage",
        "password",
        "ping",
        "report",
        "server",
        "whoami",
    ]
    assert fake.commands() == []
    assert fake.sync_requests == 1
    assert fake.requests[:2] == [("GET", "/users/@me"), ("GET", "/oauth2/applications/@me")]
    assert ("WS", "/gateway") in fake.requests
    assert world.bot.get_guild(world.guild.id) is not None
    assert world.bot.get_channel(world.channel) is not None


async def test_wrong_token_is_a_login_failure(fake_discord: FakeDiscord) -> None:
    bot = DemoBot(1)
    with pytest.raises(discord.LoginFailure):
        await bot.login("not-the-token")
    await bot.close()


async def test_slash_command_answer_is_posted_in_the_channel(world: World) -> None:
    handle = await world.fake.slash(world.guild.id, world.member, "ping", channel_id=world.channel)
    response = await handle.wait_response()
    assert response["type"] == 4
    assert handle.content == "pong <@&1> @everyone"
    assert not handle.ephemeral
    posted = world.fake.channel_messages(world.channel)
    assert [m["content"] for m in posted] == ["pong <@&1> @everyone"]
    # The bot's AllowedMentions.none() is sent, so nobody is pinged.
    assert posted[0]["allowed_mentions"] == {"parse": []}
    assert not posted[0]["pings"].anyone
    assert world.fake.pinging_messages() == []


async def test_pings_are_recorded_when_allowed(world: World) -> None:
    channel = world.text_channel()
    await channel.send(
        f"<@{world.member}> <@&{world.guild.everyone_role_id}> @everyone",
        allowed_mentions=discord.AllowedMentions(users=True, roles=False, everyone=False),
    )
    [pinging] = world.fake.pinging_messages()
    assert pinging["pings"].users == (world.member,)
    assert not pinging["pings"].everyone and pinging["pings"].roles == ()
    assert pinging["mentions"] == [str(world.member)]


async def test_group_subcommand_with_typed_options(world: World) -> None:
    handle = await world.fake.slash(
        world.guild.id,
        world.admin,
        "server add",
        {"name": "alpha", "port": 2302, "game": "dayz", "public": True},
    )
    await handle.wait_response()
    assert handle.ephemeral
    assert handle.content == "added alpha:2302 (dayz, public=True)"
    assert world.fake.channel_messages(world.guild.default_channel_id()) == []


async def test_slash_rejects_what_discord_would_not_send(world: World) -> None:
    fake, gid, uid = world.fake, world.guild.id, world.admin
    with pytest.raises(FakeDiscordError, match="no slash command /nope"):
        await fake.slash(gid, uid, "nope")
    with pytest.raises(FakeDiscordError, match="no subcommand 'remove'"):
        await fake.slash(gid, uid, "server remove")
    with pytest.raises(FakeDiscordError, match="cannot be invoked"):
        await fake.slash(gid, uid, "server")
    with pytest.raises(FakeDiscordError, match="'port' is required"):
        await fake.slash(gid, uid, "server add", {"name": "a", "game": "g"})
    with pytest.raises(FakeDiscordError, match="integer option"):
        await fake.slash(gid, uid, "server add", {"name": "a", "game": "g", "port": "80"})
    with pytest.raises(FakeDiscordError, match=r"no option\(s\) \['colour'\]"):
        await fake.slash(gid, uid, "ping", {"colour": "red"})


async def test_user_option_is_resolved(world: World) -> None:
    handle = await world.fake.slash(
        world.guild.id, world.admin, "kick", {"member": world.member, "reason": "afk"}
    )
    await handle.wait_response()
    assert handle.content == "kick bob: afk"


async def test_autocomplete_returns_the_bots_choices(world: World) -> None:
    choices = await world.fake.autocomplete(
        world.guild.id, world.admin, "server add", {"name": "alpha"}, focused="game"
    )
    assert len(choices) == 25
    assert choices[0] == {"name": "game-00", "value": "game-00"}
    narrowed = await world.fake.autocomplete(
        world.guild.id, world.admin, "server add", {"game": "game-3"}, focused="game"
    )
    assert [c["value"] for c in narrowed] == [f"game-{i}" for i in range(30, 40)]


async def test_button_click_updates_the_message(world: World) -> None:
    handle = await world.fake.slash(world.guild.id, world.admin, "confirm")
    await handle.wait_response()
    assert handle.ephemeral
    button = handle.components[0]["components"][0]
    assert button["custom_id"] == "demo:confirm" and button["label"] == "Confirm"
    with pytest.raises(FakeDiscordError, match="only the user"):
        await world.fake.click(handle, "demo:confirm", world.member)
    click = await world.fake.click(handle, "demo:confirm", world.admin)
    await click.wait_response()
    assert click.response_type == 7
    assert handle.content == "confirmed"
    assert handle.components == []
    with pytest.raises(FakeDiscordError, match="no component"):
        await world.fake.click(handle, "demo:confirm", world.admin)


async def test_modal_submit(world: World) -> None:
    handle = await world.fake.slash(world.guild.id, world.admin, "password")
    await handle.wait_response()
    assert handle.modal is not None
    assert handle.modal["title"] == "RCON password"
    with pytest.raises(FakeDiscordError, match="is required"):
        await world.fake.submit_modal(handle, {})
    submitted = await world.fake.submit_modal(handle, {"demo:password": "hunter2"})
    await submitted.wait_response()
    assert submitted.ephemeral
    assert submitted.content == "stored 7 characters"


async def test_ephemeral_defer_then_followup(world: World) -> None:
    handle = await world.fake.slash(world.guild.id, world.admin, "server list")
    response = await handle.wait_response()
    assert response == {"type": 5, "data": {"flags": 64}}
    followup = await handle.wait_followup()
    assert followup["content"] == "alpha, bravo"
    assert handle.ephemeral and followup["flags"] & 64
    # The first follow-up after a deferral fills in the "thinking" message.
    original = handle.original
    assert original is not None and original["content"] == "alpha, bravo"
    assert followup["id"] == original["id"]


async def test_file_attachments_in_response_and_followup(world: World) -> None:
    handle = await world.fake.slash(world.guild.id, world.admin, "report")
    await handle.wait_response()
    assert handle.files == {"report.txt": b"players: 3\n"}
    followup = await handle.wait_followup()
    assert {a["filename"]: a["data"] for a in followup["attachments"]} == {"raw.bin": b"\x00\x01"}
    assert followup["flags"] & 64


async def test_default_permissions_and_runtime_check(world: World) -> None:
    fake, gid = world.fake, world.guild.id
    with pytest.raises(FakeDiscordError, match="default_member_permissions"):
        await fake.slash(gid, world.member, "manage")
    # An admin may override the default in Integrations settings: the bot's own check decides.
    denied = await fake.slash(gid, world.member, "manage", bypass_default_permissions=True)
    await denied.wait_response()
    assert denied.content == "denied"
    assert isinstance(world.bot.errors[-1], app_commands.MissingPermissions)
    allowed = await fake.slash(gid, world.admin, "manage")
    await allowed.wait_response()
    assert allowed.content == "ok, I can embed: True"
    payload = allowed.payload
    assert int(payload["member"]["permissions"]) & MANAGE_GUILD
    channel_id = int(payload["channel_id"])
    assert int(payload["app_permissions"]) == world.guild.bot_permissions(channel_id)


async def test_roles_resolve_through_guild_create(world: World) -> None:
    handle = await world.fake.slash(world.guild.id, world.admin, "whoami")
    await handle.wait_response()
    assert handle.content == "roles=Admins"


async def test_role_change_reaches_the_bot(world: World) -> None:
    role_id = world.guild.add_role("Mods")
    event = asyncio.Event()

    async def on_guild_role_update(before: discord.Role, after: discord.Role) -> None:
        event.set()

    world.bot.add_listener(on_guild_role_update)
    world.guild.set_role_permissions(role_id, MANAGE_GUILD)
    await asyncio.wait_for(event.wait(), 5)
    role = world.bot.get_guild(world.guild.id).get_role(role_id)  # type: ignore[union-attr]
    assert role is not None and role.permissions.manage_guild
    world.guild.set_member_roles(world.member, [role_id])
    handle = await world.fake.slash(world.guild.id, world.member, "manage")
    await handle.wait_response()
    assert (handle.content or "").startswith("ok")


async def test_channel_post_edit_delete(world: World) -> None:
    channel = world.text_channel()
    sent = await channel.send("status: up", embed=discord.Embed(title="alpha", description="3/10"))
    [posted] = world.fake.channel_messages(world.channel)
    assert posted["id"] == str(sent.id)
    assert posted["embeds"][0]["title"] == "alpha"
    await sent.edit(content="status: down")
    [edited] = world.fake.channel_messages(world.channel)
    assert edited["content"] == "status: down" and edited["edits"] == 1
    with_file = await channel.send(file=discord.File(io.BytesIO(b"log"), "log.txt"))
    assert world.fake.message(with_file.id)["attachments"][0]["data"] == b"log"
    assert await with_file.attachments[0].read() == b"log"
    fetched = await channel.fetch_message(sent.id)
    assert fetched.content == "status: down"
    await sent.delete()
    assert [m["id"] for m in world.fake.channel_messages(world.channel)] == [str(with_file.id)]
    with pytest.raises(discord.NotFound):
        await channel.fetch_message(sent.id)


async def test_moderator_delete_dispatches_message_delete(world: World) -> None:
    channel = world.text_channel()
    sent = await channel.send("to be removed")
    deleted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def on_raw_message_delete(event: discord.RawMessageDeleteEvent) -> None:
        deleted.set_result(event.message_id)

    world.bot.add_listener(on_raw_message_delete)
    world.guild.delete_message(sent.id)
    assert await asyncio.wait_for(deleted, 5) == sent.id
    with pytest.raises(discord.NotFound):
        await sent.edit(content="gone")


async def test_injected_errors_for_a_message(world: World) -> None:
    channel = world.text_channel()
    sent = await channel.send("board")
    world.fake.fail_message(sent.id, 30046)
    with pytest.raises(discord.HTTPException) as info:
        await sent.edit(content="x")
    assert info.value.code == 30046
    world.fake.fail_message(sent.id, 50013)
    with pytest.raises(discord.Forbidden):
        await sent.edit(content="x")
    world.fake.fail_message(sent.id, 10008, methods=["GET"])
    with pytest.raises(discord.NotFound):
        await channel.fetch_message(sent.id)
    await sent.edit(content="fine again")
    assert world.fake.message(sent.id)["content"] == "fine again"


async def test_old_message_edit_limit(world: World) -> None:
    world.fake.old_message_edit_limit = 2
    channel = world.text_channel()
    sent = await channel.send("board")
    world.fake.age_message(sent.id, 2 * 3600)
    await sent.edit(content="1")
    await sent.edit(content="2")
    with pytest.raises(discord.HTTPException) as info:
        await sent.edit(content="3")
    assert info.value.code == 30046


async def test_lost_channel_permission_is_a_403(world: World) -> None:
    channel = world.text_channel()
    updated = asyncio.Event()

    async def on_guild_channel_update(before: object, after: object) -> None:
        updated.set()

    world.bot.add_listener(on_guild_channel_update)
    world.guild.deny_bot(world.channel, discord.Permissions(send_messages=True).value)
    await asyncio.wait_for(updated.wait(), 5)
    assert not channel.permissions_for(channel.guild.me).send_messages
    with pytest.raises(discord.Forbidden) as info:
        await channel.send("hello")
    assert info.value.code == 50013


async def test_bot_waits_after_a_429(world: World) -> None:
    world.fake.rate_limit("POST", r"/channels/\d+/messages$", retry_after=0.1, count=2)
    channel = world.text_channel()
    loop = asyncio.get_running_loop()
    started = loop.time()
    await channel.send("after the limit")
    assert loop.time() - started >= 0.2
    assert len(world.fake.ratelimits.limited) == 2
    assert [m["content"] for m in world.fake.channel_messages(world.channel)] == ["after the limit"]


async def test_gateway_resume_after_reconnect(world: World) -> None:
    resumed = asyncio.Event()

    async def on_resumed() -> None:
        resumed.set()

    world.bot.add_listener(on_resumed)
    await world.fake.reconnect()
    await world.fake.wait_resumed()
    await asyncio.wait_for(resumed.wait(), 5)
    assert world.fake.gateway.identifies == 1
    assert world.fake.gateway.resumes == 1
    handle = await world.fake.slash(world.guild.id, world.admin, "ping")
    await handle.wait_response()
    assert handle.content is not None


async def test_guild_added_while_connected(world: World) -> None:
    joined: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def on_guild_join(guild: discord.Guild) -> None:
        joined.set_result(guild.id)

    world.bot.add_listener(on_guild_join)
    second = world.fake.add_guild("Second")
    assert await asyncio.wait_for(joined, 5) == second.id


async def test_select_menu_with_deferred_update(world: World) -> None:
    handle = await world.fake.slash(world.guild.id, world.member, "choose")
    await handle.wait_response()
    with pytest.raises(FakeDiscordError, match="not options of the select"):
        await world.fake.select(handle, "demo:choose", ["zulu"], world.member)
    picked = await world.fake.select(handle, "demo:choose", ["alpha", "charlie"], world.member)
    await picked.wait_response()
    assert picked.response_type == 6
    # The edit comes after the deferral: wait for it.
    await world.fake.wait_until(lambda: picked.content != "pick servers")
    assert picked.content == "chose alpha,charlie"
    assert handle.content == "chose alpha,charlie"


async def test_edit_original_and_followups(world: World) -> None:
    handle = await world.fake.slash(world.guild.id, world.admin, "edits")
    await handle.wait_followup(3)
    assert handle.content == "v2"
    assert handle.files == {"v2.txt": b"v2 data"}
    first, second, third = handle.followups
    assert first["content"] == "f1 edited" and first["edits"] == 1
    assert second["deleted"]
    assert third["content"] == "original was v2"
    channel = [m["content"] for m in world.fake.channel_messages(int(handle.payload["channel_id"]))]
    assert channel == ["v2", "f1 edited", "original was v2"]


async def test_rate_limited_followup_is_retried_after_retry_after(world: World) -> None:
    world.fake.rate_limit("POST", r"^/webhooks/", retry_after=0.05)
    handle = await world.fake.slash(world.guild.id, world.admin, "server list")
    followup = await handle.wait_followup()
    assert followup["content"] == "alpha, bravo"
    assert len(world.fake.ratelimits.limited) == 1


async def test_restart_against_the_same_fake(world: World) -> None:
    fake = world.fake
    await world.bot.close()
    again = DemoBot(world.guild.id)
    async with run_bot(fake, again):
        assert fake.gateway.identifies == 2
        assert fake.sync_requests == 2  # this demo bot syncs at every start
        handle = await fake.slash(world.guild.id, world.admin, "ping")
        await handle.wait_response()
        assert handle.content is not None


async def test_bot_follows_rate_limit_headers(world: World) -> None:
    world.fake.bucket("POST", r"^/channels/\d+/messages", limit=2, per=0.1)
    channel = world.text_channel()
    loop = asyncio.get_running_loop()
    started = loop.time()
    for i in range(5):
        await channel.send(f"event {i}")
    # 5 messages at 2 per 0.1 s: discord.py waited on the headers, twice, and never got a 429.
    assert loop.time() - started >= 0.2
    assert world.fake.ratelimits.limited == []
    assert len(world.fake.channel_messages(world.channel)) == 5


async def test_run_bot_stops_cleanly(fake_discord: FakeDiscord) -> None:
    guild = fake_discord.add_guild()
    tasks_before = asyncio.all_tasks()
    threads_before = set(threading.enumerate())
    async with run_bot(fake_discord, DemoBot(guild.id)) as bot:
        assert bot.is_ready()
        assert any(t.name.startswith("keep-alive") for t in threading.enumerate())
    assert bot.is_closed()
    assert [t for t in asyncio.all_tasks() - tasks_before if not t.done()] == []
    assert set(threading.enumerate()) - threads_before == set()
    with pytest.raises(FakeDiscordError, match="no bot is connected"):
        await fake_discord.slash(guild.id, guild.owner_id, "ping")
