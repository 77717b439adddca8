"""Query (GameSpy4): request bytes, the wiki's and mcstatus's answers, the exchange."""

from __future__ import annotations

import pytest

from bot.protocols.minecraft.errors import InvalidStateError, MinecraftEncodeError, NotMinecraft
from bot.protocols.minecraft.gs4 import (
    QueryExchange,
    QueryState,
    decode_full_stat,
    decode_handshake,
    encode_basic_stat,
    encode_full_stat,
    encode_handshake,
)
from bot.protocols.minecraft.models import QueryStat
from tests.fakes.minecraft_query_server import DEFAULT_KV, full_stat_body

# py-mine/mcstatus tests/protocol/test_query_client.py (session id 0 in these captures).
MCSTATUS_FULL_STAT = bytes.fromhex(
    "00000000000000000000000000000000686f73746e616d650041204d696e6563726166742053657276657200676"
    "16d657479706500534d500067616d655f6964004d494e4543524146540076657273696f6e00312e3800706c7567"
    "696e7300006d617000776f726c64006e756d706c61796572730033006d6178706c617965727300323000686f73"
    "74706f727400323535363500686f7374697000313932"
    "2e3136382e35362e31000001706c617965725f000044696e6e6572626f6e6500446a696e6e69626f6e6500537465"
    "76650000"
)
MCSTATUS_NUL_MOTD = bytes.fromhex(
    "00000000000000000000000000000000686f73746e616d6500006f746865720067616d657479706500534d500067"
    "616d655f6964004d494e4543524146540076657273696f6e00312e31382e3100706c7567696e7300006d617000"
    "776f726c64006e756d706c61796572730030006d6178706c617965727300323000686f7374706f72740032353536"
    "3500686f73746970003137322e31372e302e32000001706c617965725f000000"
)
GEYSER = (
    b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00GeyserMC\x00\x80\x00hostname\x00Geyser\x00hostip\x00"
    b"1.1.1.1\x00plugins\x00\x00numplayers\x001\x00gametype\x00SMP\x00maxplayers\x00100\x00hostport"
    b"\x0019132\x00version\x00Geyser (git-master-0fd903e) 1.18.10\x00map\x00Geyser\x00game_id\x00"
    b"MINECRAFT\x00\x00\x01player_\x00\x00\x00"
)


def test_handshake_vectors_from_the_wiki() -> None:
    # wiki.vg Query: FE FD 09 00 00 00 01 → 09 00 00 00 01 "9513307\0"; token as i32 BE.
    assert encode_handshake(1) == bytes.fromhex("FEFD0900000001")
    assert decode_handshake(b"\x09\x00\x00\x00\x019513307\x00", 1) == 9513307
    assert encode_basic_stat(1, 9513307) == bytes.fromhex(
        "FEFD000000000100 91295B".replace(" ", "")
    )
    assert encode_full_stat(1, 9513307) == bytes.fromhex("FEFD00000000010091295B00000000")


def test_handshake_vector_from_mcstatus() -> None:
    assert decode_handshake(bytes.fromhex("090000000035373033353037373800"), 0) == 570350778


def test_session_ids_are_masked_to_the_low_nibbles() -> None:
    assert encode_handshake(0xFFFFFFFF)[3:] == bytes.fromhex("0F0F0F0F")
    assert decode_handshake(b"\x09\x0f\x0f\x0f\x0f1\x00", 0xFFFFFFFF) == 1


def test_tokens_beyond_the_signed_range_are_sent_as_their_32_bits() -> None:
    assert encode_basic_stat(0, 4294967295)[7:] == b"\xff\xff\xff\xff"
    assert encode_basic_stat(0, -1)[7:] == b"\xff\xff\xff\xff"
    with pytest.raises(MinecraftEncodeError):
        encode_basic_stat(0, 1 << 32)


def test_datagrams_for_another_session_or_type_are_not_ours() -> None:
    assert decode_handshake(b"\x09\x00\x00\x00\x02123\x00", 1) is None
    assert decode_handshake(b"\x00\x00\x00\x00\x01123\x00", 1) is None
    assert decode_handshake(b"\x09", 1) is None
    assert decode_full_stat(b"\x09\x00\x00\x00\x00", 0) is None


@pytest.mark.parametrize("body", [b"", b"abc\x00", b"99999999999\x00", b"12 3\x00"])
def test_bad_tokens(body: bytes) -> None:
    with pytest.raises(NotMinecraft):
        decode_handshake(b"\x09\x00\x00\x00\x00" + body, 0)


def test_the_mcstatus_full_stat() -> None:
    stat = decode_full_stat(b"\x00\x00\x00\x00\x00" + MCSTATUS_FULL_STAT[5:], 0)
    assert stat == QueryStat(
        motd="A Minecraft Server",
        game_type="SMP",
        game_id="MINECRAFT",
        version="1.8",
        software="",
        plugins=(),
        map_name="world",
        online=3,
        max_players=20,
        host_ip="192.168.56.1",
        host_port=25565,
        players=("Dinnerbone", "Djinnibone", "Steve"),
        raw={
            "hostname": "A Minecraft Server",
            "gametype": "SMP",
            "game_id": "MINECRAFT",
            "version": "1.8",
            "plugins": "",
            "map": "world",
            "numplayers": "3",
            "maxplayers": "20",
            "hostport": "25565",
            "hostip": "192.168.56.1",
        },
    )


def test_a_motd_with_nul_bytes_keeps_the_other_keys() -> None:
    # "⨀other" arrives as "\x00other": vanilla writes one byte per character.
    stat = decode_full_stat(MCSTATUS_NUL_MOTD, 0)
    assert stat is not None
    assert stat.motd == "\x00other"
    assert (stat.game_id, stat.version, stat.online, stat.players) == ("MINECRAFT", "1.18.1", 0, ())


def test_a_nul_motd_as_the_last_key() -> None:
    body = full_stat_body(
        [("numplayers", "0"), ("maxplayers", "5"), ("hostname", b"a\x00b")], ["x"], b"\x00" * 11
    )
    stat = decode_full_stat(b"\x00\x00\x00\x00\x00" + body, 0)
    assert stat is not None and stat.motd == "a\x00b" and stat.players == ("x",)


def test_geyser_padding_and_unordered_keys() -> None:
    stat = decode_full_stat(b"\x00\x00\x00\x00\x00" + GEYSER[5:], 0)
    assert stat is not None
    assert (stat.motd, stat.version, stat.online, stat.max_players, stat.host_port) == (
        "Geyser",
        "Geyser (git-master-0fd903e) 1.18.10",
        1,
        100,
        19132,
    )


def test_plugins_latin1_and_codes() -> None:
    kv = [*DEFAULT_KV[1:], ("hostname", "§aCafé ⨀")]
    stat = decode_full_stat(
        b"\x00\x00\x00\x00\x00" + full_stat_body(kv, ["Ünïcode"], b"\x00" * 11), 0
    )
    assert stat is not None
    assert stat.motd == "Café \x00"  # the §a code stripped; ⨀ truncated to NUL by "vanilla"
    assert stat.software == "Paper on 1.21.4-R0.1"
    assert stat.plugins == ("WorldEdit 7.3.9", "LuckPerms 5.4.1")
    assert stat.players == ("Ünïcode",)


@pytest.mark.parametrize(
    "body",
    [
        b"short",
        b"\x00" * 11 + b"hostname",
        b"\x00" * 11 + b"numplayers\x00x\x00maxplayers\x001\x00\x00",
        b"\x00" * 11 + b"numplayers\x001\x00\x00",
        b"\x00" * 11 + b"numplayers\x001\x00maxplayers\x002\x00",
        b"\x00" * 11 + b"numplayers\x001\x00maxplayers",
    ],
)
def test_malformed_full_stats(body: bytes) -> None:
    with pytest.raises(NotMinecraft):
        decode_full_stat(b"\x00\x00\x00\x00\x00" + body, 0)


def test_the_exchange() -> None:
    exchange = QueryExchange(0x01020304)
    assert exchange.request() == encode_handshake(0x01020304)
    assert exchange.receive_datagram(b"\x09\x00\x00\x00\x09" + b"1\x00") is None  # stray
    follow_up = exchange.receive_datagram(b"\x09\x01\x02\x03\x04" + b"77\x00")
    assert follow_up == encode_full_stat(0x01020304, 77) == exchange.request()
    assert exchange.state is QueryState.STAT
    answer = b"\x00\x01\x02\x03\x04" + full_stat_body(DEFAULT_KV, ["a"], b"\x00" * 11)
    assert exchange.receive_datagram(b"\x09\x01\x02\x03\x04" + b"88\x00") is None
    stat = exchange.receive_datagram(answer)
    assert isinstance(stat, QueryStat) and stat.players == ("a",)
    with pytest.raises(InvalidStateError):
        exchange.request()
    with pytest.raises(InvalidStateError):
        exchange.receive_datagram(answer)
