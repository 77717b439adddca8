"""``/ban`` end to end through the fake Discord against the fake Source RCON, BattlEye and a
Minecraft console: one ban reaches each console with its own command, a server that was down
gets it when it is back, a timed ban is lifted at expiry (clock injected), a banned player who
joins is kicked (feed line and live list), ``bans.txt`` imports, exports, guild isolation."""

from __future__ import annotations

import asyncio
import csv
import io
import socket
from typing import Any

from bot.app import OutpostBot
from bot.protocols.battleye import Player
from bot.services.bans import identity
from bot.services.bans.sending import RETRY_FIRST
from bot.storage.audit import AuditFilter
from tests.cogs.feed_world import settle
from tests.cogs.rcon_world import (
    ANN,
    PASSWORD,
    RconWorld,
    SourceConsole,
    answered,
    register,
    world_fixture,
)
from tests.fakes.battleye_server import FakeBattlEyeServer
from tests.fakes.discord import InteractionHandle, Upload, run_bot
from tests.fakes.rcon_server import FakeRCONServer
from tests.fakes.webrcon_server import FakeWebRconServer

STEAM = "76561198017965694"
GUID = identity.battleye_guid(STEAM)
# Ann on the fake srcds status: STEAM_1:0:11.
ANN_STEAM = "76561197960265750"
T0 = 1_900_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


class MinecraftConsole:
    """Minecraft's ban, pardon and list, as its RCON answers them."""

    def __init__(self) -> None:
        self.banned: set[str] = set()
        self.online = ["Steve"]

    def __call__(self, command: str) -> str:
        verb, _, rest = command.partition(" ")
        name = rest.split(" ")[0]
        if verb == "ban":
            self.banned.add(name.casefold())
            return f"Banned {name}: {rest[len(name) :].strip() or 'Banned by an operator.'}"
        if verb == "pardon":
            self.banned.discard(name.casefold())
            return f"Unbanned {name}"
        if verb == "list":
            return f"There are {len(self.online)} of a max of 20 players online: " + ", ".join(
                self.online
            )
        if verb == "kick":
            self.online = [p for p in self.online if p.casefold() != name.casefold()]
            return f"Kicked {name}"
        return "Unknown command. Type /help for help."


world = world_fixture(console=SourceConsole, players=[ANN])


def clocked(bot: OutpostBot) -> Clock:
    clock = Clock()
    bot.services.bans.clock = clock
    return clock


async def ban_embed(handle: InteractionHandle) -> dict[str, Any]:
    await handle.wait_response()
    assert handle.response_type == 5 and handle.ephemeral
    message = await handle.wait_followup()
    (embed,) = message["embeds"]
    return dict(embed)


def fields(embed: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed.get("fields", [])}


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_one_ban_reaches_every_console_and_a_server_that_was_down(
    world: RconWorld,
) -> None:
    w = world
    down_port = free_udp_port()
    async with run_bot(w.fake, w.bot()) as bot:
        clock = clocked(bot)
        await register(bot, w.guild_id, "Main", "css", w.source.address[1])
        await register(bot, w.guild_id, "DayZ", "dayz", w.battleye.address[1])
        await register(bot, w.guild_id, "DayZ 2", "dayz", down_port)
        embed = await ban_embed(
            await w.by_admin("ban add", {"player": f"STEAM_1:0:{28849983}", "reason": "Aimbot"})
        )
        assert embed["title"] == f"Banned {STEAM}"
        servers = fields(embed)["Servers"].split("\n")
        assert servers[0] == "✅ **DayZ**: banned"
        assert servers[1].startswith("⏳ **DayZ 2**: waiting for the server")
        assert servers[2] == "✅ **Main**: banned"
        assert "Aimbot" in embed["description"] and "permanent" in embed["description"]
        assert "banid 0 STEAM_0:0:28849983" in w.source.received
        assert w.source.received[-1] == "writeid"
        assert f"addBan {GUID} 0 Aimbot" in w.battleye.received_commands
        assert w.battleye.bans == [(GUID, 0, "Aimbot")]

        await bot.services.bans.wait_idle()  # the attempt on the server that is down
        # The second DayZ server comes up: the next round after the pause gives it the ban.
        async with FakeBattlEyeServer(PASSWORD, port=down_port) as late:
            clock.now += RETRY_FIRST + 1
            await bot.services.bans.run_round()
            assert late.bans == [(GUID, 0, "Aimbot")]
        info = await answered(await w.by_admin("ban info", {"ban": STEAM}))
        (shown,) = info.embeds
        assert "✅ **DayZ 2**: banned" in fields(shown)["Servers"]
        assert (
            f"SteamID: [{STEAM}](https://steamcommunity.com/profiles/{STEAM})"
            in (fields(shown)["Identifiers"])
        )
        entries = await bot.services.store.audit.search(AuditFilter(w.guild_id), limit=20)
        applied = sorted((e.server_name, e.outcome) for e in entries if e.action == "ban apply")
        assert ("DayZ", "ok") in applied and ("Main", "ok") in applied
        # DayZ 2: the attempt while it was down, then the one that reached it.
        assert [o for n, o in applied if n == "DayZ 2"][-1] == "ok"
        assert len([n for n, _ in applied if n == "DayZ 2"]) == 2
        # Nothing the bot sent holds the RCON password.
        assert PASSWORD not in repr([w.fake.view(m) for m in w.fake.messages.messages.values()])


async def test_a_timed_ban_is_lifted_at_expiry_and_a_removed_one_everywhere(
    world: RconWorld,
) -> None:
    w = world
    console = MinecraftConsole()
    async with FakeRCONServer(password=PASSWORD, handler=console) as mc:
        async with run_bot(w.fake, w.bot()) as bot:
            clock = clocked(bot)
            await register(bot, w.guild_id, "Craft", "minecraft", mc.address[1])
            await register(bot, w.guild_id, "DayZ", "dayz", w.battleye.address[1])
            embed = await ban_embed(
                await w.by_admin(
                    "ban add", {"player": "Notch", "reason": "Griefing", "duration": "2h"}
                )
            )
            assert "2h, ends <t:" in embed["description"]
            assert mc.received[-1] == "ban Notch Griefing"
            assert console.banned == {"notch"}
            # A name is no identity on BattlEye: enforced there by kicking on join.
            assert "👢 **DayZ**: kicked when they join" in fields(embed)["Servers"]
            clock.now += 2 * 3600 + 1
            await bot.services.bans.run_round()
            assert mc.received[-1] == "pardon Notch" and console.banned == set()
            history = await answered(await w.by_admin("ban list", {"show": "history"}))
            assert "expired" in history.embeds[0]["description"]

            # A permanent ban on DayZ, lifted with /ban remove: by its number in "bans".
            await ban_embed(await w.by_admin("ban add", {"player": STEAM, "reason": "Aimbot"}))
            assert w.battleye.bans == [(GUID, 0, "Aimbot")]
            (ban,) = await bot.services.store.bans.listed(w.guild_id, clock.now)
            lifted = await ban_embed(await w.by_admin("ban remove", {"ban": str(ban.id)}))
            assert lifted["title"] == f"Ban lifted: {STEAM}"
            assert w.battleye.received_commands[-2:] == ["bans", "removeBan 0"]
            assert w.battleye.bans == []


async def test_a_banned_player_who_joins_is_kicked(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        clocked(bot)
        main = await register(bot, w.guild_id, "Main", "css", w.source.address[1])
        dayz = await register(bot, w.guild_id, "DayZ", "dayz", w.battleye.address[1])
        await w.by_admin("feed set", {"server": "DayZ", "channel": w.channel_id})
        await bot.services.feed.reload()
        await ban_embed(await w.by_admin("ban add", {"player": STEAM, "reason": "Aimbot"}))
        await ban_embed(await w.by_admin("ban add", {"player": ANN_STEAM, "reason": "Toxic"}))
        # The feed's console link is up once the pooled client logged in.
        for _ in range(100):
            if bot.services.rcon_pool.state(dayz.id).name == "CONNECTED":
                break
            await asyncio.sleep(0.05)
        cheater = Player(4, "Cheater", "5.6.7.8", 2304, 30, GUID, True)
        await w.battleye.push_messages(w.battleye.player_joins(cheater))
        async with asyncio.timeout(10):
            await w.battleye.wait_acked()
        await settle(bot)
        for _ in range(100):  # the kick runs beside the feed (bounded wait)
            if "kick 4 Banned: Aimbot" in w.battleye.received_commands:
                break
            await asyncio.sleep(0.05)
        assert "kick 4 Banned: Aimbot" in w.battleye.received_commands
        # Source has no join lines here: the sweep of the live list finds Ann (STEAM_1:0:11).
        kicked = await bot.services.ban_enforcer.sweep()
        assert kicked >= 1
        assert 'kickid 2 "Banned: Toxic"' in w.source.received
        entries = await bot.services.store.audit.search(AuditFilter(w.guild_id), limit=30)
        kicks = {(e.server_name, e.outcome) for e in entries if e.action == "ban kick"}
        assert kicks == {("DayZ", "ok"), ("Main", "ok")}
        assert main.id != dayz.id
        # The cheater's record (from the join line) shows the ban.
        record = await answered(await w.by_admin("player info", {"player": GUID}))
        listed = fields(record.embeds[0])["Ban list"]
        assert "**" + STEAM + "** · Aimbot · permanent" in listed


async def test_import_bans_txt_export_and_guild_isolation(world: RconWorld) -> None:
    w = world
    other = w.fake.add_guild("Other")
    boss = other.add_member("eve", roles=[other.add_role("Boss", permissions=8)])
    bans_txt = "\n".join(
        [
            f"{GUID} -1 Cheating",
            f"{'c' * 32} {int(T0) + 86400} Toxic",
            "9.9.9.9 -1 VPN",
            "nonsense",
        ]
    ).encode()
    async with run_bot(w.fake, w.bot()) as bot:
        clock = clocked(bot)
        await register(bot, w.guild_id, "DayZ", "dayz", w.battleye.address[1])
        handle = await w.by_admin("ban import", {"file": Upload("bans.txt", bans_txt)})
        embed = await ban_embed(handle)
        assert embed["title"] == "Imported bans.txt"
        assert embed["description"].split("\n") == [
            "**2** bans added; the servers get them over the next minutes.",
            "1 IP ban left out (addresses change hands)",
            "1 line not understood",
        ]
        await bot.services.bans.run_round()
        assert sorted(w.battleye.bans) == sorted([(GUID, 0, "Cheating"), ("c" * 32, 1440, "Toxic")])
        listed = await answered(await w.by_admin("ban list"))
        assert listed.embeds[0]["title"] == "Ban list · 2 active"
        exported = await w.by_admin("ban export", {"format": "csv"})
        await exported.wait_response()
        message = await exported.wait_followup()
        data = message["attachments"][0]["data"]
        rows = list(csv.DictReader(io.StringIO(data.decode())))
        assert {r["identifiers"].split(";")[0] for r in rows} == {
            f"guid:{GUID}",
            f"guid:{'c' * 32}",
        }
        clock.now += 1

        # Another guild sees none of it and cannot reach it by number.
        theirs = await answered(await w.fake.slash(other.id, boss, "ban list", {}))
        assert theirs.embeds[0]["description"] == "No bans here."
        number = rows[0]["id"]
        refused = await answered(await w.fake.slash(other.id, boss, "ban info", {"ban": number}))
        assert f"No ban #{number} here." in (refused.content or "")
        # A member without the ban grant is refused and nothing is sent.
        before = list(w.battleye.received_commands)
        denied = await w.by_member("ban add", {"player": STEAM, "reason": "x"})
        await denied.wait_response()
        text = (await denied.wait_followup())["content"]
        assert "not permitted" in text
        assert w.battleye.received_commands == before


async def test_rust_gets_banid_and_the_unban_at_expiry(world: RconWorld) -> None:
    w = world
    banid = f'banid {STEAM} "" "Toxic"'
    answers = {banid: f"Banned User: {STEAM}", f"unban {STEAM}": f"Unbanned User: {STEAM}"}
    async with FakeWebRconServer(PASSWORD, responses=answers) as rust:
        async with run_bot(w.fake, w.bot()) as bot:
            clock = clocked(bot)
            await register(bot, w.guild_id, "Rusty", "rust", rust.address[1])
            embed = await ban_embed(
                await w.by_admin("ban add", {"player": STEAM, "reason": "Toxic", "duration": "1d"})
            )
            assert fields(embed)["Servers"] == "✅ **Rusty**: banned"
            assert banid in rust.received
            clock.now += 86400 - 60
            await bot.services.bans.run_round()
            assert f"unban {STEAM}" not in rust.received
            clock.now += 61
            await bot.services.bans.run_round()
            assert f"unban {STEAM}" in rust.received
