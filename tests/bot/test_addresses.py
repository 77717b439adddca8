from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.errors import UserError
from bot.services.servers.addresses import HostPort, parse_address
from bot.services.servers.names import validate_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("example.com", HostPort("example.com", None)),
        (" Play.Example.COM:2302 ", HostPort("play.example.com", 2302)),
        ("1.2.3.4:27015", HostPort("1.2.3.4", 27015)),
        ("1.2.3.4", HostPort("1.2.3.4", None)),
        ("[2001:db8::1]:27015", HostPort("2001:db8::1", 27015)),
        ("[2001:DB8:0::1]", HostPort("2001:db8::1", None)),
        ("2001:db8::1", HostPort("2001:db8::1", None)),
        ("localhost:1", HostPort("localhost", 1)),
        ("my_server.lan:65535", HostPort("my_server.lan", 65535)),
    ],
)
def test_valid(text: str, expected: HostPort) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        ":27015",
        "host:",
        "host:0",
        "host:65536",
        "host:abc",
        "host:-1",
        "[2001:db8::1",
        "[2001:db8::1]x",
        "[nope]:1",
        "2001:db8::1:27015x",
        "-bad.com",
        "bad-.com",
        "a..b",
        "300.1.1.1",
        "1.2.3",
        "host name",
        "ho$t",
        "a" * 64 + ".com",
    ],
)
def test_invalid(text: str) -> None:
    with pytest.raises(UserError):
        parse_address(text)


def test_display() -> None:
    assert HostPort("2001:db8::1", None).display(27015) == "[2001:db8::1]:27015"
    assert HostPort("h", None).display() == "h"


@given(st.text(max_size=80))
def test_never_another_exception(text: str) -> None:
    try:
        result = parse_address(text)
    except UserError:
        return
    assert result.port is None or 1 <= result.port <= 65535


@pytest.mark.parametrize(
    ("name", "ok"),
    [("Main EU #1", "Main EU #1"), ("  a   b ", "a b"), ("a\nb", "a b"), ("x" * 32, "x" * 32)],
)
def test_names_ok(name: str, ok: str) -> None:
    assert validate_name(name) == ok


@pytest.mark.parametrize("name", ["", "  ", "x" * 33, "<@123>", "@everyone", "`x`"])
def test_names_refused(name: str) -> None:
    with pytest.raises(UserError):
        validate_name(name)
