"""The pieces the protocol packages share: UDP exchange and query, HTTP errors, JSON, text.

End to end (fake servers, junk floods, ICMP, DNS) they are tested through the packages that
use them: tests/protocols/{bedrock,quake3,satisfactory,fivem,palworld}.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from bot.protocols.bedrock import PingQuery
from bot.protocols.http_body import client_error
from bot.protocols.json_body import json_float, json_int, load_json, player_objects
from bot.protocols.quake3 import InfoQuery, StatusQuery
from bot.protocols.satisfactory import PollQuery
from bot.protocols.text_checks import first_control
from bot.protocols.udp_exchange import UDPErrors, exchange, network_error
from bot.protocols.udp_query import MAX_ATTEMPTS, TokenQuery


class ToyError(Exception):
    pass


class ToyTimeout(ToyError, TimeoutError):
    pass


class ToyUnreachable(ToyError):
    def __init__(self, message: str, *, reason: str = "network") -> None:
        super().__init__(message)
        self.reason = reason


class ToyResolve(ToyUnreachable):
    pass


class ToyRefused(ToyUnreachable):
    pass


class ToyMalformed(ToyError):
    pass


ERRORS = UDPErrors(
    malformed=ToyMalformed,
    timeout=ToyTimeout,
    unreachable=ToyUnreachable,
    resolve=ToyResolve,
    refused=ToyRefused,
    reply="echo",
)


class ToyQuery(TokenQuery[int]):
    """Requests are the token's digits; a reply must repeat one we sent."""

    def __init__(self, tokens: Iterator[int]) -> None:
        super().__init__(lambda: next(tokens))

    def _request(self, token: int) -> bytes:
        if token < 0:
            raise ValueError("negative token")
        return str(token).encode()

    def receive(self, datagram: bytes, now: float) -> float:
        sent_at = self._sent.get(int(datagram)) if datagram.isdigit() else None
        if sent_at is None:
            raise ToyMalformed("not ours")
        return now - sent_at


def test_tokens_are_fresh_and_attempts_are_capped() -> None:
    query = ToyQuery(iter([1, 1, 2, *range(3, 20)]))
    assert query.next_request(0.0) == b"1"
    assert query.next_request(0.5) == b"2"  # the repeated 1 is drawn again
    assert query.attempts == 2
    while query.attempts < MAX_ATTEMPTS:
        query.next_request(1.0)
    with pytest.raises(ValueError, match="at most"):
        query.next_request(2.0)
    assert query.receive(b"2", 0.75) == 0.25


@pytest.mark.parametrize(
    "query_class",
    [PingQuery, PollQuery, StatusQuery, InfoQuery],
    ids=["bedrock", "satisfactory", "quake3-getstatus", "quake3-getinfo"],
)
def test_every_udp_package_query_stops_at_eight_attempts(
    query_class: type[TokenQuery[Any]],
) -> None:
    query = query_class()
    for _ in range(8):  # the bound, stated here rather than read from MAX_ATTEMPTS
        query.next_request(0.0)
    with pytest.raises(ValueError):
        query.next_request(0.0)


def test_a_request_that_cannot_be_encoded_is_not_counted() -> None:
    query = ToyQuery(iter([-1, 4]))
    with pytest.raises(ValueError):
        query.next_request(0.0)
    assert query.attempts == 0
    assert query.next_request(0.0) == b"4"


def test_network_errors_become_the_package_classes() -> None:
    refused = network_error(ConnectionRefusedError(errno.ECONNREFUSED, "refused"), ERRORS)
    assert type(refused) is ToyRefused and "ICMP port unreachable" in str(refused)
    resolve = network_error(socket.gaierror(socket.EAI_NONAME, "Name unknown"), ERRORS)
    assert type(resolve) is ToyResolve and "Name unknown" in str(resolve)
    other = network_error(OSError(errno.ENETUNREACH, "Network is unreachable"), ERRORS)
    assert type(other) is ToyUnreachable and "Network is unreachable" in str(other)


@pytest.mark.parametrize(
    ("port", "seconds", "attempts"), [(0, 1.0, 1), (70000, 1.0, 1), (1, 0.0, 1), (1, 1.0, 9)]
)
async def test_bad_arguments_are_value_errors(port: int, seconds: float, attempts: int) -> None:
    with pytest.raises(ValueError):
        await exchange(
            lambda: ToyQuery(iter(range(9))),
            "127.0.0.1",
            port,
            timeout=seconds,
            attempts=attempts,
            errors=ERRORS,
        )


async def test_silence_is_the_package_timeout_and_every_attempt_is_sent() -> None:
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    silent.setblocking(False)
    try:
        with pytest.raises(ToyTimeout, match=r"no echo from 127\.0\.0\.1:\d+ within 0\.2 s"):
            await exchange(
                lambda: ToyQuery(iter(range(9))),
                *silent.getsockname(),
                timeout=0.2,
                attempts=3,
                errors=ERRORS,
            )
        received = []
        while True:
            try:
                received.append(silent.recv(64))
            except BlockingIOError:
                break
        assert received == [b"0", b"1", b"2"]
    finally:
        silent.close()


def test_aiohttp_errors_become_the_package_classes() -> None:
    def mapped(exc: aiohttp.ClientError) -> ToyError:
        return client_error("/info", exc, unreachable=ToyUnreachable, malformed=ToyMalformed)

    key: Any = None  # only the message would use it
    dns = mapped(aiohttp.ClientConnectorDNSError(key, OSError(-2, "Name unknown")))
    assert isinstance(dns, ToyUnreachable) and dns.reason == "dns"
    refused = mapped(aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "Refused")))
    assert isinstance(refused, ToyUnreachable) and refused.reason == "refused"
    assert str(refused) == "/info: Refused"
    gone = mapped(aiohttp.ServerDisconnectedError())
    assert isinstance(gone, ToyUnreachable) and gone.reason == "network"
    assert str(gone) == "/info: server closed the connection"
    broken = mapped(aiohttp.ClientPayloadError("broken chunking"))
    assert type(broken) is ToyMalformed and str(broken) == "/info: malformed HTTP answer"


@pytest.mark.parametrize("body", [b"NaN", b"[Infinity]", b"[" * 100_000, b"{", b""])
def test_not_json_is_the_package_error(body: bytes) -> None:
    with pytest.raises(ToyMalformed, match=r"^x\.json: not JSON$"):
        load_json(body, "x.json", ToyMalformed)


def test_json_tolerates_a_bom_and_bad_utf8() -> None:
    assert load_json(b'\xef\xbb\xbf{"name": "a\xffb"}', "x.json", ToyMalformed) == {
        "name": "a\ufffdb"
    }


@pytest.mark.parametrize(
    ("value", "as_int", "as_float"),
    [
        (3, 3, 3.0),
        (1.0, 1, 1.0),
        (-2.7, -2, -2.7),
        (True, None, None),
        ("3", None, None),
        (None, None, None),
        (2**63, None, float(2**63)),
        (10**400, None, None),  # JSON allows it; float() of it overflows
        (float("nan"), None, None),
    ],
)
def test_json_numbers(value: object, as_int: int | None, as_float: float | None) -> None:
    assert json_int(value) == as_int
    assert json_float(value) == as_float


def test_player_objects_keep_the_first_ones_and_refuse_non_objects() -> None:
    assert player_objects([{"a": 1}, {"b": 2}, "ignored past the limit"], 2, "p", ToyMalformed) == [
        {"a": 1},
        {"b": 2},
    ]
    with pytest.raises(ToyMalformed, match=r"^p: a player is not a JSON object$"):
        player_objects([{}, 3], 5, "p", ToyMalformed)
    with pytest.raises(ToyMalformed, match=r"^p: expected a JSON array of players$"):
        player_objects({"players": []}, 5, "p", ToyMalformed)


@pytest.mark.parametrize(
    ("text", "position"),
    [("say hi", None), ("a\nb", 1), ("\x00", 0), ("ok\x7f", 2), ("x\x85", 1), ("ab\u2028", 2)],
)
def test_first_control(text: str, position: int | None) -> None:
    assert first_control(text) == position
