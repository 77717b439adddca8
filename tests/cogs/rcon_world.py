"""A guild with an Administrator, a moderator role and a plain member, a fake Source RCON and a
fake BattlEye server, for the ``/rcon``, ``/permissions`` and ``/audit`` end-to-end tests."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.app import OutpostBot
from bot.config import Settings
from bot.protocols.battleye import Player
from bot.storage import Server
from tests.cogs.answers import asked as asked  # the RCON tests import these from here
from tests.cogs.answers import followup_text as followup_text
from tests.cogs.answers import message_text as message_text
from tests.cogs.conftest import make_settings
from tests.cogs.status_world import Commands, server_add
from tests.cogs.status_world import answered as answered  # the RCON tests import it from here
from tests.cogs.stored import add_rcon_server
from tests.fakes.a2s_server import FakeA2SServer
from tests.fakes.battleye_server import FakeBattlEyeServer
from tests.fakes.discord import FakeDiscord, InteractionHandle
from tests.fakes.rcon_server import FakeRCONServer

PASSWORD = "Rc0n-S3cret-pa55"
ANN = Player(0, "Ann", "1.2.3.4", 2304, 40, "a" * 32, True)  # on the fake BattlEye server
ADMINISTRATOR = discord.Permissions(administrator=True).value
HOSTILE_NAME = 'Bob"; quit; "'
STATUS = "\n".join(
    [
        "hostname: Fake CS",
        "# userid name uniqueid connected ping loss state rate adr",
        '#      2 "Ann" STEAM_1:0:11 05:12 50 0 active 786432 1.2.3.4:27005',
        f'#      4 "{HOSTILE_NAME}" STEAM_1:0:12 01:02 60 0 active 786432 1.2.3.4:27006',
        '#      5 "BOT Carl" BOT active',
    ]
)


def source_answers(command: str) -> str:
    if command == "status":
        return STATUS
    if command == "listid":
        return "ID filter list: 1 entry\n1 permanent STEAM_1:0:99"
    if command.startswith("echo "):
        return command[5:]
    if command == "cvarlist":
        return "\n".join(f'cvar_{i} : 1 : , "sv" : a setting' for i in range(400))
    return ""


class SourceConsole:
    """``source_answers`` with state: ``kickid``/``banid`` take the player off ``status`` (as a
    real server does, so kick and ban replies can be confirmed), ``removeid`` lifts a ban."""

    def __init__(self) -> None:
        self.rows = STATUS.splitlines()
        self.banned = ["STEAM_1:0:99"]

    def __call__(self, command: str) -> str:
        name, _, rest = command.partition(" ")
        if command == "status":
            return "\n".join(self.rows)
        if command == "listid":
            lines = [f"{i + 1} permanent {sid}" for i, sid in enumerate(self.banned)]
            return "\n".join([f"ID filter list: {len(lines)} entry", *lines])
        if name == "kickid":
            self._remove(rest.split(" ", 1)[0])
            return ""
        if name == "banid":
            parts = rest.split(" ")
            if len(parts) >= 2:
                sid = self._remove(parts[1])
                if sid:
                    self.banned.append(sid)
            return ""
        if name == "removeid":
            if rest in self.banned:
                self.banned.remove(rest)
                return ""
            return f"removeid: couldn't find {rest}"
        return source_answers(command)

    def _remove(self, userid: str) -> str:
        for row in self.rows:
            fields = row.split()
            if len(fields) > 1 and fields[0] == "#" and fields[1] == userid:
                self.rows.remove(row)
                return next((f for f in fields if f.startswith("STEAM_")), "")
        return ""


@dataclass
class RconWorld(Commands):
    fake: FakeDiscord
    settings: Settings
    guild_id: int
    admin: int  # Administrator
    mod: int  # the Mods role, no Discord permissions
    member: int  # no roles
    mods_role: int
    channel_id: int
    source: FakeRCONServer
    battleye: FakeBattlEyeServer

    def bot(self) -> OutpostBot:
        return OutpostBot(
            self.settings, guild_ready_timeout=0.05, autopoll=False, rcon_connect_timeout=1.0
        )

    async def add_cs2_main(self, a2s: FakeA2SServer) -> InteractionHandle:
        """``/server add`` by the admin of CS2 server "Main" queried on ``a2s``, its RCON the
        world's fake Source server, through the password modal (see ``server_add``)."""
        host, port = a2s.address
        return await server_add(
            self.fake,
            self.guild_id,
            self.admin,
            "Main",
            f"{host}:{port}",
            "cs2",
            self.source.address[1],
            PASSWORD,
        )


async def register(
    bot: OutpostBot, guild_id: int, name: str, game: str, port: int, password: str = PASSWORD
) -> Server:
    """``name`` with its RCON on localhost ``port`` (the query ports left at 27015)."""
    return await add_rcon_server(bot, guild_id, name, game, port, password=password)


async def register_listed(
    bot: OutpostBot, guild_id: int, name: str, game: str, port: int
) -> Server:
    """``register``, then the server's live player list fetched once: what the ``player``
    autocomplete answers from, so a test can pick a player by name straight away."""
    server = await register(bot, guild_id, name, game, port)
    await bot.services.live_players.fetch(server)
    return server


async def player_choices(
    w: Commands, command: str, server: str, typed: str, user: int | None = None
) -> list[dict[str, Any]]:
    """What the ``player`` autocomplete of ``/command`` on ``server`` offers after ``typed``,
    to the admin unless ``user`` is given."""
    return await w.fake.autocomplete(
        w.guild_id,
        w.admin if user is None else user,
        command,
        {"server": server, "player": typed},
        "player",
    )


async def pick_player(
    w: Commands, command: str, server: str, typed: str, name: str | None = None
) -> str:
    """The value of the admin's first choice naming ``name`` (by default ``typed``, in any case)."""
    wanted = (name or typed).casefold()
    choices = await player_choices(w, command, server, typed)
    return str(next(c["value"] for c in choices if wanted in c["name"].casefold()))


async def on_picked_player(
    w: Commands, command: str, server: str, typed: str, name: str | None = None, **options: object
) -> InteractionHandle:
    """``/command`` by the admin, not waited for, on the player of ``server`` picked as a member
    picks one (``pick_player``), with the command's other ``options``."""
    value = await pick_player(w, command, server, typed, name)
    return await w.by_admin(command, {"server": server, "player": value, **options})


# The colours of a result: done, only partly done or unconfirmed, failed.
GREEN = discord.Colour.green().value
AMBER = 0xF0B232
RED = discord.Colour.red().value


def result_of(message: dict[str, Any]) -> dict[str, Any]:
    """The one embed a result message is (no text beside it)."""
    assert not message.get("content"), message
    (embed,) = message["embeds"]
    return dict(embed)


async def confirm(
    fake: FakeDiscord, question: dict[str, Any], user: int, button: str = "rcon:confirm"
) -> dict[str, Any]:
    """``button`` of ``question`` clicked by ``user``: the follow-up the click answers with."""
    click = await fake.click(question, button, user)
    await click.wait_response()
    return await click.wait_followup()


async def result(handle: InteractionHandle) -> dict[str, Any]:
    """The result embed of a deferred command."""
    await handle.wait_response()
    assert handle.response_type == 5, handle.data
    return result_of(await handle.wait_followup())


def removed(message: dict[str, Any] | None, name: str) -> bool:
    """Whether ``message`` became the green "Removed" result (its text replaced)."""
    embeds = (message or {}).get("embeds") or []
    return (
        bool(embeds)
        and embeds[0]["title"] == f"Removed {name}"
        and embeds[0]["color"] == GREEN
        and not (message or {}).get("content")
    )


def audit_rows(settings: Settings) -> list[dict[str, Any]]:
    with sqlite3.connect(settings.database_path) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM audit_log ORDER BY id")]


def last_audit(settings: Settings) -> dict[str, Any]:
    rows = audit_rows(settings)
    assert rows, "no audit row"
    return rows[-1]


def last_audited(settings: Settings) -> tuple[str, str]:
    """The action and outcome of the last audit row: what most audit checks compare."""
    row = last_audit(settings)
    return row["action"], row["outcome"]


def database_bytes(settings: Settings) -> bytes:
    path = settings.database_path
    return b"".join(
        p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists()
    )


def all_text(fake: FakeDiscord) -> str:
    """Everything the bot sent to Discord, as one string (for secret checks)."""
    return "\n".join(repr(fake.view(m)) for m in fake.messages.messages.values())


def seed_guild(fake: FakeDiscord) -> dict[str, int]:
    guild = fake.add_guild("Alpha")
    admins = guild.add_role("Admins", permissions=ADMINISTRATOR)
    mods = guild.add_role("Mods", permissions=0)
    return {
        "guild_id": guild.id,
        "admin": guild.add_member("alice", roles=[admins]),
        "mod": guild.add_member("mallory", roles=[mods]),
        "member": guild.add_member("bob"),
        "mods_role": mods,
        "channel_id": guild.add_channel("audit"),
    }


@asynccontextmanager
async def open_world(
    fake: FakeDiscord,
    tmp_path: Path,
    handler: Callable[[str], str | bytes] | None = None,
    *,
    players: list[Player] | None = None,
    max_failed_auth: int = 3,
    **settings: str,
) -> AsyncIterator[RconWorld]:
    """The guild of ``seed_guild``, a fake Source RCON answering with ``handler`` and a fake
    BattlEye server with ``players``, both with ``PASSWORD``; ``settings`` go to the app."""
    ids = seed_guild(fake)
    async with (
        FakeRCONServer(
            password=PASSWORD, handler=handler, max_failed_auth=max_failed_auth
        ) as source,
        FakeBattlEyeServer(PASSWORD, players=players) as battleye,
    ):
        yield RconWorld(
            fake=fake,
            settings=make_settings(fake, tmp_path, **settings),
            source=source,
            battleye=battleye,
            **ids,
        )


Handler = Callable[[str], str | bytes]


def world_fixture(
    *,
    console: Callable[[], Handler] | None = None,
    handler: Handler | None = None,
    name: str = "world",
    players: list[Player] | None = None,
    max_failed_auth: int = 3,
    **settings: str,
) -> Any:
    """A test module's RconWorld fixture (called ``name``): ``open_world`` with the fake Source
    RCON answering through a fresh ``console()`` each test (a console with state, such as its
    ban list) or the stateless ``handler``."""

    async def world(fake_discord: FakeDiscord, tmp_path: Path) -> AsyncIterator[RconWorld]:
        answers = console() if console is not None else handler
        async with open_world(
            fake_discord,
            tmp_path,
            answers,
            players=None if players is None else list(players),  # the fake may change its list
            max_failed_auth=max_failed_auth,
            **settings,
        ) as opened:
            yield opened

    return pytest.fixture(name=name)(world)
