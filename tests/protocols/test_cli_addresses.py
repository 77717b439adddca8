"""The address argument of ``python -m bot query``, ``rcon`` and ``bercon`` (bot/cli/_addresses.py):
``host``, ``host:port``, ``[v6]:port`` or a bare IPv6 address, with the Source port 27015 by
default (``bercon``: the port is required), the rest refused as argparse type errors (each CLI's
own behaviour is tested in a2s/test_cli.py, rcon/test_cli.py and battleye/test_cli.py)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import pytest

from bot.cli._addresses import required_port_address, source_address

ADDRESSES = [
    ("example.org", ("example.org", 27015)),
    ("10.0.0.1:27016", ("10.0.0.1", 27016)),
    ("[::1]:27017", ("::1", 27017)),
    ("[::1]:25575", ("::1", 25575)),
    ("[::1]", ("::1", 27015)),
    ("::1", ("::1", 27015)),
]
# Ports out of range or not numbers, no host, an unclosed or trailing bracket.
NOT_ADDRESSES = [
    "host:0",
    "host:99999",
    "host:70000",
    "host:abc",
    "host:x",
    ":27015",
    "[::1",
    "[::1]x",
    "host:²",  # a digit to str.isdigit(), not to int()
    "host:٢٣٠٥",  # other scripts' digits are not a port
    "host:" + "9" * 5000,
    "host: 1",
]


@pytest.mark.parametrize(("text", "expected"), ADDRESSES)
def test_an_address_is_read(text: str, expected: tuple[str, int]) -> None:
    assert source_address(text) == expected


@pytest.mark.parametrize("parse", [source_address, required_port_address])
@pytest.mark.parametrize("text", NOT_ADDRESSES)
def test_a_bad_address_is_refused(parse: Callable[[str], tuple[str, int]], text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse(text)


def test_bercon_needs_the_port() -> None:
    assert required_port_address("127.0.0.1:2305") == ("127.0.0.1", 2305)
    assert required_port_address("[::1]:2305") == ("::1", 2305)
    for bare in ("example.org", "[::1]", "::1"):
        with pytest.raises(argparse.ArgumentTypeError, match="no port"):
            required_port_address(bare)
