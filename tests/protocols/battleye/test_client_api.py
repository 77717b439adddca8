"""The public client surface: events, player cache, helpers, validation, addressing, secrets."""

from __future__ import annotations

import asyncio
import logging
import random
import socket
from dataclasses import replace
from typing import Any

import pytest

from bot.protocols.backoff import Backoff
from bot.protocols.battleye import (
    BattlEyeClient,
    ClientConfig,
    ClientRunning,
    CommandValidationError,
    NotConnected,
    Player,
    RCONCommandError,
    packets,
)
from tests.fakes.battleye_server import FakeBattlEyeServer

from .helpers import FAST, eventually

G1 = "394e2c09af98b00fd4094f86c7921622"
G2 = "d93ed2257011b47e67fa53e824b60ca5"
SPAM = Player(0, "Spam", "1.2.3.4", 2304, 47, G1, True, False)


async def _settle(server: FakeBattlEyeServer) -> None:
    async with asyncio.timeout(5):
        await server.wait_acked()
    await asyncio.sleep(0.02)


async def test_events_and_player_cache() -> None:
    async with FakeBattlEyeServer(players=[SPAM]) as server:
        client = BattlEyeClient(replace(FAST, fetch_players_on_login=True))
        seen: list[tuple[str, Any]] = []

        @client.listen()
        async def on_player_connect(player: Player) -> None:
            seen.append(("connect", player))

        @client.listen("player_message")
        def chat(player: Player, channel: str, text: str) -> None:
            seen.append(("chat", (player.id, channel, text)))

        for name in (
            "player_guid",
            "player_verify_guid",
            "player_disconnect",
            "player_kick",
            "admin_login",
            "admin_message",
            "admin_announcement",
            "admin_whisper",
            "battleye_notice",
        ):
            client.add_listener(name, lambda *a, _n=name: seen.append((_n, a)))

        async with client.connect(*server.address, "secret"):
            await eventually(lambda: client.get_player(0) is not None)  # fetched on login
            assert client.client_id == 0
            assert client.players == [SPAM]
            joiner = Player(3, "[TAG] Jürgen: x", "5.6.7.8", 2316, guid=G2, guid_verified=True)
            await server.push_messages(server.player_joins(joiner))
            await server.push_messages(
                [
                    "(Side) [TAG] Jürgen: x: hello: there",
                    "(Global) Unknown Guy: hi",
                    "Connected to BE Master",
                ]
            )
            await _settle(server)
            assert client.get_player(3) == replace(joiner, ping=None)
            assert await client.send("Restart soon") == ""
            assert await client.whisper(0, "psst") == ""
            assert await client.kick(3, "AFK") == ""
            await _settle(server)
            assert client.get_player(3) is None
            expected = ["say -1 Restart soon", "say 0 psst", "kick 3 AFK"]
            assert server.received_commands[-3:] == expected

        names = [name for name, _ in seen]
        order = [names.index(n) for n in ("connect", "player_guid", "player_verify_guid")]
        assert order == sorted(order)
        assert ("chat", (3, "Side", "hello: there")) in seen
        assert ("chat", (-1, "Global", "hi")) in seen  # unknown author still delivered
        assert ("battleye_notice", ("Connected to BE Master",)) in seen
        assert ("admin_announcement", (0, "Restart soon")) in seen
        whisper = next(args for name, args in seen if name == "admin_whisper")
        assert whisper[0] == SPAM and whisper[1:] == (0, "psst")
        kick = next(args for name, args in seen if name == "player_kick")
        assert kick[0].id == 3 and kick[1] == "Admin Kick (AFK)"
        admin_login = next(args for name, args in seen if name == "admin_login")
        assert admin_login[0] == 0


async def test_wait_for_with_sync_and_async_checks_and_remove_listener() -> None:
    async with FakeBattlEyeServer() as server:
        client = BattlEyeClient(FAST)
        raw: list[str] = []
        client.add_listener("on_raw_event", raw.append)
        async with client.connect(*server.address, "secret"):

            async def is_two(text: str) -> bool:
                return text == "two"

            waiter = asyncio.ensure_future(client.wait_for("raw_event", check=is_two, timeout=5))
            sync_waiter = asyncio.ensure_future(
                client.wait_for("on_raw_event", check=lambda t: t == "one", timeout=5)
            )
            await asyncio.sleep(0)
            await server.push_messages(["one", "two"])
            assert await waiter == ("two",)
            assert await sync_waiter == ("one",)
            client.remove_listener("raw_event", raw.append)
            client.remove_listener("raw_event", raw.append)  # a no-op the second time
            await server.push_message("three")
            await _settle(server)
            assert "three" not in raw and "two" in raw
            with pytest.raises(TimeoutError):
                await client.wait_for("player_connect", timeout=0.05)


async def test_fetch_helpers_and_disallowed() -> None:
    responses = {
        "bans": f"GUID Bans:\n[#] [GUID] [Minutes left] [Reason]\n----\n0  {G1} perm Cheat",
        "missions": "Missions on server:\nMP_Bootcamp_01.Altis",
        "#shutdown": "Disallowed command",
    }
    async with FakeBattlEyeServer(players=[SPAM], responses=responses) as server:
        client = BattlEyeClient(FAST)
        async with client.connect(*server.address, "secret"):
            assert [b.id for b in await client.fetch_bans()] == [G1]
            assert await client.fetch_missions() == ["MP_Bootcamp_01.Altis"]
            admins = await client.fetch_admins()
            assert [a.id for a in admins] == [0] and admins[0].ip == "127.0.0.1"
            assert await client.fetch_players() == [SPAM]
            with pytest.raises(RCONCommandError, match="Disallowed"):
                await client.send_command("#shutdown")
            await client.ban(G1, 60, "cheating")
            await client.ban(0)
            await client.unban(4)
            expected = [f"addBan {G1} 60 cheating", "ban 0 0", "removeBan 4"]
            assert server.received_commands[-3:] == expected


async def test_validation_rejects_before_sending() -> None:
    async with FakeBattlEyeServer() as server:
        client = BattlEyeClient(replace(FAST, max_command_bytes=64))
        async with client.connect(*server.address, "secret"):
            before = list(server.received_commands)
            with pytest.raises(CommandValidationError, match="line break"):
                await client.send_command("players\n#shutdown")
            with pytest.raises(CommandValidationError, match="control character"):
                await client.send("hi\x00there")
            with pytest.raises(CommandValidationError, match="limit is 64"):
                await client.send("é" * 40)
            with pytest.raises(CommandValidationError):
                await client.kick(1, "bad\rreason")
            with pytest.raises(ValueError):
                await client.kick(-1)
            with pytest.raises(ValueError):
                await client.ban("two words")
            assert server.received_commands == before


async def test_second_connect_on_a_running_client_is_refused() -> None:
    async with FakeBattlEyeServer() as server:
        client = BattlEyeClient(FAST)
        async with client.connect(*server.address, "secret"):
            with pytest.raises(ClientRunning):
                async with client.connect(*server.address, "secret"):
                    pass
            assert client.is_connected()


async def test_not_connected_is_a_command_error_of_its_own() -> None:
    client = BattlEyeClient(FAST)
    with pytest.raises(NotConnected) as raised:
        await client.send_command("players")
    assert isinstance(raised.value, RCONCommandError) and not isinstance(raised.value, RuntimeError)
    assert not client.is_running() and not client.is_connected()
    assert client.is_logged_in() is None
    client.close()
    client.close()  # idempotent


async def test_badly_encoded_message_is_acked_and_delivered() -> None:
    async with FakeBattlEyeServer() as server:
        client = BattlEyeClient(FAST)
        async with client.connect(*server.address, "secret"):
            waiter = asyncio.ensure_future(client.wait_for("raw_event", timeout=5))
            await asyncio.sleep(0)
            for c in server._clients.values():  # bytes no text API would produce
                c.queue.append(b"(Global) Jos\xe9: ol\xe1")
                server._drained.clear()
                server._pump(c)
            assert await waiter == ("(Global) Jos\ufffd: ol\ufffd",)
            await _settle(server)


async def test_hostname_and_ipv6_addresses() -> None:
    async with FakeBattlEyeServer() as server:
        client = BattlEyeClient(FAST)
        async with client.connect("localhost", server.address[1], "secret"):
            assert await client.send_command("") == ""
    async with FakeBattlEyeServer(host="::1") as server6:
        client6 = BattlEyeClient(FAST)
        async with client6.connect("::1", server6.address[1], "secret"):
            await server6.push_message("over v6")
            assert await client6.wait_for("raw_event", timeout=5) == ("over v6",)


async def test_packets_from_another_address_are_ignored() -> None:
    async with FakeBattlEyeServer() as server:
        client = BattlEyeClient(FAST)
        got: list[str] = []
        client.add_listener("raw_event", got.append)
        async with client.connect(*server.address, "secret"):
            assert client._transport is not None
            local = client._transport.get_extra_info("sockname")
            intruder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                for seq in range(5):
                    intruder.sendto(packets.encode_server_message(seq, b"spoofed"), local)
            finally:
                intruder.close()
            await server.push_message("real")
            await _settle(server)
            assert "spoofed" not in got and "real" in got


async def test_initial_and_reconnect_delays() -> None:
    async with FakeBattlEyeServer() as server:
        config = replace(FAST, connect_delay=0.3, reconnect_delay=0.4)
        client = BattlEyeClient(config)
        loop = asyncio.get_running_loop()
        start = loop.time()
        async with client.connect(*server.address, "secret"):
            assert loop.time() - start >= 0.3
            lost = asyncio.ensure_future(client.wait_for("disconnect", timeout=5))
            server.silent = True
            await lost
            server.silent = False
            logins_before, lost_at = server.logins, loop.time()
            await client.wait_for("login", timeout=5)
            assert loop.time() - lost_at >= 0.4 and server.logins == logins_before + 1


def test_backoff_grows_caps_and_jitters() -> None:
    cfg = ClientConfig(backoff_initial=1.0, backoff_max=8.0, jitter=0.25)
    # The client's reconnect loop: Backoff over the config's policy, one step per failure.
    backoff = Backoff(cfg.backoff_policy(), rng=random.Random(1))
    delays = [backoff.failed() for _ in range(7)]
    bounds = [min(8.0, 2.0 ** (n - 1)) for n in range(1, 8)]
    assert all(0.75 * b <= d <= 1.25 * b for d, b in zip(delays, bounds, strict=True))
    assert max(delays) <= 10.0
    policy = cfg.backoff_policy()
    assert policy.delay(3, random.Random(1)) != policy.delay(3, random.Random(2))
    with pytest.raises(ValueError):
        ClientConfig(jitter=1.5)


async def test_password_never_logged_or_shown(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "s3cr3t-Pa55"
    async with FakeBattlEyeServer(secret) as server:
        client = BattlEyeClient(FAST)
        async with client.connect(*server.address, secret):
            await client.send_command("players")
            text = repr(client.config) + repr(client.__dict__) + caplog.text
    assert secret not in text


def test_endpoint_drops_datagrams_from_other_addresses() -> None:
    from bot.protocols.battleye.client import _Endpoint

    client = BattlEyeClient(FAST)
    endpoint = _Endpoint(client, ("::1", 2305, 0, 0))
    delivered: list[bytes] = []
    client._on_datagram = lambda data, ep: delivered.append(data)  # type: ignore[method-assign]
    endpoint.datagram_received(b"x", ("::1", 9999, 0, 0))
    endpoint.datagram_received(b"y", ("127.0.0.1", 2305))
    endpoint.datagram_received(b"z", ("::1", 2305, 0, 0))  # IPv6 4-tuple of the server
    assert delivered == [b"z"] and client.foreign_datagrams == 2


def test_password_wrapper_hides_its_value() -> None:
    from bot.protocols.battleye.client import _Secret

    assert "hunter2" not in repr(_Secret(b"hunter2"))
