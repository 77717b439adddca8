"""UDP getinfo: the datagrams of notes 3.2, then the transport against the fake server."""

from __future__ import annotations

import asyncio

import pytest

from bot.protocols.fivem import FiveMTimeout, FiveMUnreachable, NotFiveM, fetch_getinfo
from bot.protocols.fivem.oob import decode_getinfo, encode_getinfo, parse_infostring
from tests.fakes.fivem_server import FakeFiveMServer

# The answer of notes 3.2 with its placeholders filled in.
NOTES_ANSWER = (
    b"\xff\xff\xff\xffinfoResponse\n\\sv_maxclients\\48\\clients\\3\\challenge\\xyz"
    b"\\gamename\\CitizenFX\\protocol\\4\\hostname\\^1My ^7Server\\gametype\\Freeroam"
    b"\\mapname\\fivem-map-skater\\iv\\-1234"
)


def test_request_datagram() -> None:
    assert encode_getinfo("xyz") == b"\xff\xff\xff\xffgetinfo xyz"


@pytest.mark.parametrize("bad", ["", "a b", "x\n", "é", "a" * 33])
def test_challenge_that_fxserver_would_cut_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        encode_getinfo(bad)


def test_answer_from_the_notes() -> None:
    info = decode_getinfo(NOTES_ANSWER, "xyz")
    assert (info.hostname, info.raw_hostname) == ("My Server", "^1My ^7Server")
    assert (info.clients, info.max_clients, info.info_version) == (3, 48, -1234)
    assert (info.gametype, info.mapname) == ("Freeroam", "fivem-map-skater")


def test_answer_to_another_challenge_is_refused() -> None:
    with pytest.raises(NotFiveM, match="challenge"):
        decode_getinfo(NOTES_ANSWER, "abc")


@pytest.mark.parametrize(
    "datagram",
    [b"", b"\xff\xff\xff\xffprint hi", b"\xff\xff\xff\xffinfoResponseX\n\\a\\b", b"infoResponse\n"],
)
def test_other_datagrams_are_not_fivem(datagram: bytes) -> None:
    with pytest.raises(NotFiveM):
        decode_getinfo(datagram, "xyz")


def test_infostring_keys_lower_cased_first_kept_bounded() -> None:
    assert parse_infostring("\\sv_maxclients\\24\\sv_maxClients\\48\\odd") == {
        "sv_maxclients": "24"
    }
    many = "".join(f"\\k{i}\\v" for i in range(1000))
    assert len(parse_infostring(many)) == 64


async def test_getinfo_against_the_fake() -> None:
    async with FakeFiveMServer(udp=True) as server:
        info = await fetch_getinfo(*server.address, timeout=2)
    assert info.hostname == "Outpost RP | discord.gg/outpost"
    assert (info.clients, info.max_clients, info.info_version) == (2, 48, 1234567890)
    assert len(server.datagrams) == 1  # sent once: FXServer drops over-limit requests


async def test_getinfo_skips_junk_before_the_answer() -> None:
    async with FakeFiveMServer(udp=True) as server:
        server.udp_junk = True
        info = await fetch_getinfo(*server.address, timeout=2)
    assert info.clients == 2


async def test_silent_drop_is_a_timeout() -> None:
    async with FakeFiveMServer(udp=True) as server:
        server.udp_silent = True
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(FiveMTimeout):
            await fetch_getinfo(*server.address, timeout=0.2)
        assert loop.time() - started < 1


async def test_only_wrong_answers_is_not_fivem() -> None:
    async with FakeFiveMServer(udp=True) as server:
        server.udp_challenge = "someoneelse"
        with pytest.raises(NotFiveM):
            await fetch_getinfo(*server.address, timeout=0.2)


async def test_closed_port_is_unreachable_or_a_timeout() -> None:
    async with FakeFiveMServer() as server:  # no UDP socket on that port
        address = server.address
    # Linux reports the ICMP port-unreachable; elsewhere it may just time out.
    with pytest.raises((FiveMUnreachable, FiveMTimeout)):
        await fetch_getinfo(*address, timeout=0.5)
