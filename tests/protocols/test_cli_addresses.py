"""The address argument of ``python -m bot query`` and ``python -m bot rcon``: both CLIs take
``host``, ``host:port``, ``[v6]:port`` or a bare IPv6 address, with the Source port 27015 by
default, and refuse the rest as argparse type errors. One statement of the syntax, held against
both parsers (each CLI's own behaviour is tested in a2s/test_cli.py and rcon/test_cli.py)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import pytest

from bot.cli.query import parse_target
from bot.cli.rcon import parse_address

PARSERS = [pytest.param(parse_target, id="query"), pytest.param(parse_address, id="rcon")]
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
]


@pytest.mark.parametrize("parse", PARSERS)
@pytest.mark.parametrize(("text", "expected"), ADDRESSES)
def test_an_address_is_read(
    parse: Callable[[str], tuple[str, int]], text: str, expected: tuple[str, int]
) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize("parse", PARSERS)
@pytest.mark.parametrize("text", NOT_ADDRESSES)
def test_a_bad_address_is_refused(parse: Callable[[str], tuple[str, int]], text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse(text)
