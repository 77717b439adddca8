"""End to end: typed ``/rcon`` actions come from the game's catalogue row (Squad gets Squad's
commands, not srcds'), actions a console does not support are refused with the ``exec`` hint,
and a command the console did not know is never audited ``ok``."""

from __future__ import annotations

import pytest

from tests.cogs.rcon_world import (
    RED,
    RconWorld,
    SourceConsole,
    asked,
    audit_rows,
    confirm,
    followup_text,
    last_audit,
    on_picked_player,
    player_choices,
    register,
    register_listed,
    result_of,
    world_fixture,
)
from tests.fakes.discord import run_bot

SQUAD_ANN = (
    "ID: 0 | Online IDs: EOS: 0002a1b2c3d4e5f60718293a4b5c6d7e steam: 76561198000000001 | "
    "Name: Ann | Team ID: 1 | Squad ID: N/A | Is Leader: False | Role: USA_Rifleman_01"
)
SQUAD_BOB = (
    "ID: 1 | Online IDs: EOS: 0002a1b2c3d4e5f60718293a4b5c6d7f steam: 76561198000000002 | "
    "Name: Bob | Team ID: 2 | Squad ID: 1 | Is Leader: True | Role: RUS_SL_01"
)

pytestmark = pytest.mark.usefixtures("no_rcon_cooldown")


class Console(SourceConsole):
    """srcds' answer to a command it does not know; Squad's ListPlayers and AdminKick."""

    def __init__(self) -> None:
        super().__init__()
        self.squad = [SQUAD_ANN, SQUAD_BOB]

    def __call__(self, command: str) -> str:
        name = command.split(" ", 1)[0]
        if name in ("nosuchcommand", "status2"):
            return f'Unknown command "{name}"\n'
        if command == "ListPlayers":
            return "\n".join(
                [
                    "----- Active Players -----",
                    *self.squad,
                    "----- Recently Disconnected Players [Max of 15] -----",
                ]
            )
        if name in ("AdminKick", "AdminBan"):
            steam_id = command.split('"')[1]
            self.squad = [row for row in self.squad if steam_id not in row]
            return f"Kicked player {steam_id}"
        return super().__call__(command)


world = world_fixture(console=Console, max_failed_auth=10)


async def test_squad_say_sends_squads_broadcast(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Squad", "squad", w.source.address[1])
        said = await w.admin_reads("rcon say", {"server": "Squad", "message": "restart in 5"})
        assert "Said on Squad" in said
        players = await w.admin_reads("rcon players", {"server": "Squad"})
        assert "Ann" in players
    # Before the catalogue, Squad got srcds' "say restart in 5" and "status".
    assert w.source.received == ["AdminBroadcast restart in 5", "ListPlayers"]
    assert [r["outcome"] for r in audit_rows(w.settings)] == ["ok", "ok"]


async def test_squad_kick_by_steamid_from_listplayers(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register_listed(bot, w.guild_id, "Squad", "squad", w.source.address[1])
        reply = await followup_text(
            await on_picked_player(w, "rcon kick", "Squad", "an", "Ann", reason="bye")
        )
    assert reply.startswith("Done on Squad\nKicked **Ann** (#0) from **Squad**: bye")
    assert 'AdminKick "76561198000000001" bye' in w.source.received
    assert "status" not in w.source.received
    assert last_audit(w.settings)["outcome"] == "ok"


async def test_squad_ban_by_steamid_with_squads_length(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register_listed(bot, w.guild_id, "Squad", "squad", w.source.address[1])
        question = await asked(
            await on_picked_player(
                w, "rcon ban", "Squad", "bo", "Bob", duration=90, reason="teamkill"
            )
        )
        await confirm(w.fake, question, w.admin)
    assert 'AdminBan "76561198000000002" 90m teamkill' in w.source.received
    assert last_audit(w.settings)["outcome"] == "ok"


async def test_player_autocomplete_sends_no_srcds_status_to_squad(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        server = await register(bot, w.guild_id, "Squad", "squad", w.source.address[1])
        await player_choices(w, "rcon kick", "Squad", "A")
        refresh = bot.services.live_players._refreshing.get(server.id)
        if refresh is not None:
            await refresh
    assert "status" not in w.source.received


@pytest.mark.parametrize(
    ("game", "command", "options"),
    [
        ("squad", "rcon unban", {"ban": "76561198000000000"}),
        ("squad", "rcon bans", {}),
        ("conan", "rcon say", {"message": "hi"}),  # Source RCON, exec only
        ("ark", "rcon bans", {}),
    ],
)
async def test_unsupported_action_is_refused_with_the_exec_hint(
    world: RconWorld, game: str, command: str, options: dict[str, str]
) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Game", game, w.source.address[1])
        reply = await w.admin_reads(command, {"server": "Game", **options})
    assert "use `/rcon exec`" in reply and "Nothing was sent" in reply
    assert w.source.received == []  # not even a player list
    row = last_audit(w.settings)
    # unban and bans are audited under the ban permission they need.
    audited = "rcon ban" if command in ("rcon unban", "rcon bans") else command
    assert (row["action"], row["outcome"]) == (audited, "denied")


async def test_unknown_command_is_not_audited_ok(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Main", "cs2", w.source.address[1])
        question = await w.admin_asked(
            "rcon exec", {"server": "Main", "command": "nosuchcommand 1"}
        )
        done = await confirm(w.fake, question, w.admin)
        ok = await w.admin_reads("rcon say", {"server": "Main", "message": "hi"})
    failed = result_of(done)
    assert (failed["title"], failed["color"]) == ("Failed on Main", RED)
    assert "did not accept the command" in failed["description"]
    assert 'Unknown command "nosuchcommand"' in failed["description"]
    assert "Said on Main" in ok
    rows = audit_rows(w.settings)
    assert [(r["action"], r["outcome"]) for r in rows] == [
        ("rcon exec", "error"),
        ("rcon say", "ok"),
    ]
    assert 'Unknown command "nosuchcommand"' in rows[0]["excerpt"]
    assert w.source.received == ["nosuchcommand 1", "say hi"]
