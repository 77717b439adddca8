"""``make screenshots``: what members see, from the real bot through the project's fake Discord.

Starts the fake Discord, fake game servers and the real bot on loopback (as the end-to-end tests
do), runs the commands a community admin runs, records the messages Discord would show, and
renders each scene with :mod:`tools.discord_preview` (headless Chromium) into
``docs/screenshots/NAME.png``. Not part of ``make test``: it needs ``chromium`` (on Debian:
``apt-get install chromium fonts-noto-color-emoji fonts-noto-cjk``).

    python -m tools.screenshots [OUT_DIR]
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import cogs._rcon_ui
from bot.app import OutpostBot
from bot.protocols.battleye.models import Player
from bot.services.feed import model as m
from bot.storage import NewServer
from bot.storage.audit import AuditFilter
from bot.storage.events import Event, PlayerIds
from bot.storage.history import Sample
from tests.cogs.conftest import make_settings
from tests.cogs.rcon_world import ADMINISTRATOR, PASSWORD, SourceConsole
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec, PlayerSpec
from tests.fakes.battleye_server import FakeBattlEyeServer
from tests.fakes.discord import FakeDiscord, InteractionHandle, run_bot
from tests.fakes.rcon_server import FakeRCONServer
from tools import discord_preview

BACKGROUND = (0x31, 0x33, 0x38)  # the preview page's colour: cropped off below the content
PLAYERS = [
    ("Kestrel", 31, 7420.0),
    ("ダイキ", 12, 5100.0),
    ("N0va_", 27, 4030.0),
    ("Мирослав", 8, 3660.0),
    ("tinybard", 19, 2890.0),
    ("Ghost of Zed", 4, 2400.0),
    ("Ana🌻", 22, 1900.0),
    ("Prof. Oak", 3, 1210.0),
    ("lurker", 0, 920.0),
    ("RangerDan", 15, 610.0),
    ("quietstorm", 9, 300.0),
    ("Jojo", 1, 45.0),
]


class Recorder:
    """Scenes as ``tools.discord_preview`` reads them, with their files saved beside."""

    def __init__(self, fake: FakeDiscord, names: dict[int, str]) -> None:
        self.fake = fake
        self.names = {str(k): v for k, v in names.items()}
        self.scenes: dict[str, dict[str, Any]] = {}

    def add(self, key: str, title: str, messages: list[dict[str, Any]], who: str | None) -> None:
        scene: dict[str, Any] = {"kind": "interaction" if who else "channel", "title": title}
        if who:
            scene["who"] = who
        scene["messages"] = messages
        self.scenes[key] = scene

    @staticmethod
    def message(data: dict[str, Any], ephemeral: bool = False) -> dict[str, Any]:
        files = {a["filename"]: a["data"] for a in data.get("attachments", [])}
        clean = {k: v for k, v in data.items() if k != "attachments"}
        return {
            "data": clean,
            "files": files,
            "ephemeral": ephemeral,
            "edits": data.get("edits", 0),
        }

    def render(self, out: Path) -> list[Path]:
        written = []
        for key, scene in self.scenes.items():
            with tempfile.TemporaryDirectory() as tmp:
                work = Path(tmp)
                for i, message in enumerate(scene["messages"]):
                    saved = {}
                    for j, (name, data) in enumerate(message["files"].items()):
                        path = f"m{i}-{j}-{name}"
                        (work / path).write_bytes(data)
                        saved[name] = path
                    message["files"] = saved
                (work / "scenes.json").write_text(
                    json.dumps({"names": self.names, "scenes": [scene]}, default=str)
                )
                discord_preview.main(str(work), 1)
                target = out / f"{key}.png"
                crop(work / "page-0.png", target)
                written.append(target)
        return written


def crop(source: Path, target: Path) -> None:
    """The page without the empty background below and right of its content."""
    from PIL import Image  # matplotlib's dependency: there whenever the bot is installed

    with Image.open(source) as image:
        rgb = image.convert("RGB")
        width, height = rgb.size
        pixels = rgb.load()
        assert pixels is not None
        bottom = right = 0
        for y in range(height):
            for x in range(0, width, 2):
                if pixels[x, y] != BACKGROUND:
                    bottom = max(bottom, y)
                    right = max(right, x)
        rgb.crop((0, 0, min(width, right + 24), min(height, bottom + 16))).save(target)


def boards(fake: FakeDiscord, channel: int) -> list[dict[str, Any]]:
    """The channel's board messages (a /status answer may share the channel)."""
    return [
        msg
        for msg in fake.channel_messages(channel)
        if msg["embeds"]
        and str((msg["embeds"][-1].get("footer") or {}).get("text", "")).startswith("Status board")
    ]


def samples(key: str, now: float, hours: int) -> list[Sample]:
    """A day's rhythm: quiet mornings, a busy evening, one restart that took ten minutes."""
    out = []
    step = 300.0
    for i in range(int(hours * 3600 / step)):
        at = now - hours * 3600 + i * step
        hour = time.gmtime(at).tm_hour + time.gmtime(at).tm_min / 60
        away = min(abs(hour - 20), 24 - abs(hour - 20))  # hours from the 20:00 peak
        busy = max(0.0, 1 - away / 9)
        players = int(4 + 26 * busy + (i * 7919 % 5))
        online = i % 288 not in (150, 151)
        out.append(Sample(key, at, online, players if online else 0, 32, 0, "de_inferno", 30.0))
    return out


async def ask(handle: InteractionHandle) -> InteractionHandle:
    await handle.wait_response(timeout=15)
    return handle


async def scenes(out: Path) -> list[Path]:
    async with FakeDiscord() as fake:
        with fake.patched(), tempfile.TemporaryDirectory() as tmp:
            guild = fake.add_guild("Frontier Gaming")
            admins = guild.add_role("Admins", permissions=ADMINISTRATOR)
            admin = guild.add_member("alice", roles=[admins])
            member = guild.add_member("bob")
            status_channel = guild.add_channel("server-status")
            feed_channel = guild.add_channel("server-feed")
            audit_channel = guild.add_channel("admin-log")
            detailed_channel = guild.add_channel("live-servers")
            names = {
                admin: "alice",
                member: "bob",
                admins: "Admins",
                status_channel: "server-status",
                feed_channel: "server-feed",
                audit_channel: "admin-log",
                detailed_channel: "live-servers",
            }
            recorder = Recorder(fake, names)
            players = [PlayerSpec(n, s, d) for n, s, d in PLAYERS]
            be_players = [
                Player(0, "Survivor", "10.0.0.1", 2304, 31, "9f1c" + "0" * 24 + "a1b2", True),
                Player(1, "Bambi", "10.0.0.2", 2304, 44, "77aa" + "1" * 24 + "c3d4", True),
            ]
            main_info = InfoSpec(
                server_name="Frontier | Competitive 128-tick",
                map_name="de_inferno",
                player_count=len(players),
                max_players=32,
                bot_count=1,
                version="1.40.2.7",
            )
            async with (
                FakeA2SServer(info=main_info, players=players) as main_query,
                FakeA2SServer(
                    info=InfoSpec(
                        server_name="Frontier | Retakes",
                        map_name="de_mirage",
                        player_count=10,
                        max_players=10,
                    )
                ) as retakes,
                FakeA2SServer(
                    info=InfoSpec(
                        server_name="Scrims",
                        password_protected=True,
                        map_name="de_nuke",
                        player_count=4,
                        max_players=12,
                    )
                ) as scrims,
                FakeA2SServer(
                    info=InfoSpec(
                        server_name="Chernarus | 1PP | Vanilla",
                        map_name="chernarusplus",
                        player_count=2,
                        max_players=60,
                        version="1.26.159",
                    )
                ) as dayz_query,
                FakeA2SServer() as old,
                FakeRCONServer(password=PASSWORD, handler=SourceConsole()) as rcon,
                FakeBattlEyeServer(PASSWORD, players=be_players) as battleye,
            ):
                settings = make_settings(fake, Path(tmp))
                bot = OutpostBot(settings, guild_ready_timeout=0.05, autopoll=False)
                async with run_bot(fake, bot):
                    store = bot.services.store

                    async def add(
                        name: str, game: str, query: FakeA2SServer, admin_port: int | None = None
                    ) -> int:
                        host, port = query.address
                        secret = bot.secret_box.encrypt(PASSWORD) if admin_port else None
                        server = await store.servers.add(
                            NewServer(
                                guild.id, name, game, host, port, port, admin_port, secret, admin
                            )
                        )
                        return server.id

                    main_id = await add("Main", "cs2", main_query, rcon.address[1])
                    await add("Retakes", "cs2", retakes)
                    await add("Scrims", "cs2", scrims)
                    dayz_id = await add("DayZ Chernarus", "dayz", dayz_query, battleye.address[1])
                    await add("Surf (old box)", "cs2", old)
                    now = time.time()
                    host, port = main_query.address
                    await store.history.add_many(samples(f"{host}:{port}", now, 24 * 7))
                    poller = bot.services.poller
                    old.silent = True
                    for _ in range(3):  # the old box is down after the second failure
                        await poller.run_round()
                    bot.services.boards.pacer.gap = 0.0

                    async def slash(
                        command: str, options: dict[str, Any], user: int = admin
                    ) -> InteractionHandle:
                        return await ask(await fake.slash(guild.id, user, command, options))

                    await slash(
                        "status-link",
                        {"server": "Main", "url": "https://frontier.example/join/main"},
                    )
                    shown = await slash("status", {"server": "Main"}, member)
                    for _ in range(100):  # the chart may come by an edit
                        if len(shown.files) >= 1:
                            break
                        await asyncio.sleep(0.05)
                    recorder.add(
                        "status",
                        "/status server:Main",
                        [recorder.message(shown.original or {})],
                        "bob",
                    )

                    board = await slash("board set", {"channel": status_channel})
                    await board.wait_followup(timeout=15)
                    recorder.add(
                        "board",
                        "#server-status: a compact board",
                        [recorder.message(msg) for msg in boards(fake, status_channel)],
                        None,
                    )
                    detailed = await slash(
                        "board set",
                        {
                            "channel": detailed_channel,
                            "servers": "Main, DayZ Chernarus",
                            "style": "detailed",
                        },
                    )
                    await detailed.wait_followup(timeout=15)
                    recorder.add(
                        "board-detailed",
                        "#live-servers: a detailed board",
                        [recorder.message(m) for m in boards(fake, detailed_channel)],
                        None,
                    )

                    history = await slash("history", {"server": "Main", "period": "7d"}, member)
                    # Deferred (the chart renders in a thread): the answer is the follow-up,
                    # or the deferred message edited.
                    if history.response_type == 5:
                        await history.wait_followup(timeout=15)
                    message = history.followups[-1] if history.followups else history.original
                    recorder.add(
                        "history",
                        "/history server:Main period:7d",
                        [recorder.message(message)],
                        "bob",
                    )

                    for server in ("Main", "DayZ Chernarus"):
                        await slash("feed set", {"server": server, "channel": feed_channel})
                    feed = bot.services.feed
                    steam = PlayerIds(steam_id="76561198012345678")
                    at = time.time() - 60
                    for event in [
                        Event(main_id, at, m.JOIN, "Kestrel", ids=steam, source="rcon"),
                        Event(dayz_id, at + 3, m.JOIN, "Survivor", guid=be_players[0].guid),
                        Event(
                            dayz_id,
                            at + 9,
                            m.CHAT,
                            "Survivor",
                            text="(Global) anyone near Elektro?",
                        ),
                        Event(
                            main_id, at + 12, m.CHAT, "Kestrel", text="gg, rematch?", source="rcon"
                        ),
                        Event(dayz_id, at + 20, m.ADMIN_LOGIN, "admin #0"),
                        Event(
                            dayz_id,
                            at + 25,
                            m.KICK,
                            "Bambi",
                            guid=be_players[1].guid,
                            text="Client not responding",
                        ),
                        Event(main_id, at + 31, m.LEAVE, "Kestrel", ids=steam, source="rcon"),
                        Event(dayz_id, at + 40, m.RESTART, text="Restart in 5 minutes"),
                    ]:
                        feed.submit(event)
                    for _ in range(200):  # bounded: the feed batches for a second or two
                        lines = sum(
                            str(e.get("description", "")).count("\n") + 1
                            for msg in fake.channel_messages(feed_channel)
                            for e in msg["embeds"]
                        )
                        if lines >= 8:
                            break
                        await asyncio.sleep(0.05)
                    posted = [msg for msg in fake.channel_messages(feed_channel) if msg["embeds"]]
                    recorder.add(
                        "feed",
                        "#server-feed: two servers in one channel",
                        [recorder.message(msg) for msg in posted],
                        None,
                    )

                    await slash(
                        "player note",
                        {"player": "Kestrel", "text": "Asked to stop spawn-peeking; was polite."},
                    )
                    info = await slash("player info", {"player": "76561198012345678"})
                    recorder.add(
                        "player",
                        "/player info player:76561198012345678",
                        [recorder.message(info.original or {}, ephemeral=True)],
                        "alice",
                    )

                    community = guild.add_channel("looking-for-game")
                    names[community] = "looking-for-game"
                    recorder.names[str(community)] = "looking-for-game"
                    pingers = guild.add_role("Players")
                    recorder.names[str(pingers)] = "Players"
                    guild.roles[guild.bot_role_id].position = 100
                    await slash(
                        "notify population",
                        {"server": "Main", "role": pingers, "above": 14, "channel": community},
                    )
                    await slash("notify panel", {"channel": community, "role": pingers})
                    await poller.run_round()  # the ping's first sight: 12 players, armed
                    main_query.info.player_count = 15
                    await poller.run_round()
                    await bot.services.population.wait_idle()
                    recorder.add(
                        "notify",
                        "#looking-for-game: the role panel, then a population ping",
                        [recorder.message(m) for m in fake.channel_messages(community)],
                        None,
                    )

                    listed = await fake.slash(
                        guild.id,
                        admin,
                        "ban add",
                        {"player": "76561198012345678", "reason": "Aimbot", "duration": "7d"},
                    )
                    await listed.wait_response(timeout=15)
                    banned = await listed.wait_followup(timeout=15)
                    await bot.services.bans.wait_idle()
                    ban_list = await slash("ban list", {})
                    recorder.add(
                        "ban",
                        "/ban add player:76561198012345678 reason:Aimbot duration:7d, /ban list",
                        [
                            recorder.message(banned, ephemeral=True),
                            recorder.message(ban_list.original or {}, ephemeral=True),
                        ],
                        "alice",
                    )

                    await bot.services.live_players.fetch(
                        await bot.services.registry.get(guild.id, "Main")
                    )
                    ban = await fake.slash(
                        guild.id,
                        admin,
                        "rcon ban",
                        {"server": "Main", "player": "Ann", "duration": 60, "reason": "wallhack"},
                    )
                    await ban.wait_response(timeout=15)
                    question = await ban.wait_followup(timeout=15)
                    asked = recorder.message(dict(question), ephemeral=True)
                    click = await fake.click(question, "rcon:confirm", admin)
                    await click.wait_response(timeout=15)
                    done = await click.wait_followup(timeout=15)
                    recorder.add(
                        "rcon",
                        "/rcon ban server:Main player:Ann duration:60",
                        [asked, recorder.message(done, ephemeral=True)],
                        "alice",
                    )
                    await slash("rcon kick", {"server": "Main", "player": "Nobody"}, member)

                    for _ in range(100):  # bounded: the last commands finish their audit rows
                        rows = await store.audit.search(AuditFilter(guild.id), limit=20)
                        if all(r.outcome != "pending" for r in rows):
                            break
                        await asyncio.sleep(0.05)
                    audit = await slash("audit view", {})
                    recorder.add(
                        "audit",
                        "/audit view",
                        [recorder.message(audit.original or {}, ephemeral=True)],
                        "alice",
                    )
                    # Languages: the guild reads German; bob's own Discord is in French.
                    await slash("settings language", {"language": "de"})
                    fake.user_locales[member] = "fr"
                    public = await slash("status", {"server": "Main"}, member)
                    for _ in range(100):  # the chart may come by an edit
                        if len(public.files) >= 1:
                            break
                        await asyncio.sleep(0.05)
                    # The refusal, not the cooldown of bob's earlier /rcon kick (3 s a user).
                    await asyncio.sleep(cogs._rcon_ui.COOLDOWN_SECONDS + 0.1)
                    refused = await fake.slash(
                        guild.id, member, "rcon kick", {"server": "Main", "player": "Kestrel"}
                    )
                    await refused.wait_response(timeout=15)
                    answer = (
                        await refused.wait_followup(timeout=15)
                        if refused.response_type == 5
                        else refused.original or {}
                    )
                    recorder.add(
                        "languages",
                        "/settings language:de, then bob (Discord in French): /status, /rcon kick",
                        [
                            recorder.message(public.original or {}),
                            recorder.message(dict(answer), ephemeral=True),
                        ],
                        "bob",
                    )
                    if fake.violations:
                        raise SystemExit(
                            "the bot broke Discord rules: " + "; ".join(fake.violations)
                        )
                    return recorder.render(out)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    if shutil.which("chromium") is None:
        raise SystemExit("make screenshots needs chromium: apt-get install chromium")
    out.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(scenes(out)):
        print(path)


if __name__ == "__main__":
    main()
