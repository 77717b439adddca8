"""The ``HOST[:PORT]`` argument of the CLIs (``query``, ``rcon``, ``bercon``): one syntax, one
parser, refusals as argparse type errors (argparse prints them with the usage line)."""

from __future__ import annotations

import argparse

from bot.protocols.text_checks import ascii_int

SOURCE_PORT = 27015  # A2S and Source RCON


def host_port(text: str, default_port: int | None) -> tuple[str, int]:
    """``host``, ``host:port``, ``[v6]:port``, ``[v6]`` or a bare IPv6 address; without a port,
    ``default_port`` (None: the port is required)."""
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise argparse.ArgumentTypeError(f"bad address: {text!r}")
        port_text = rest[1:]
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        host, port_text = text, ""
    if not host:
        raise argparse.ArgumentTypeError(f"bad address: {text!r}")
    if not port_text:
        if default_port is None:
            raise argparse.ArgumentTypeError(f"no port in {text!r} (HOST:PORT)")
        return host, default_port
    port = ascii_int(port_text, 5)
    if port is None or not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"bad port in {text!r} (1-65535)")
    return host, port


def source_address(text: str) -> tuple[str, int]:
    """``host_port`` with Source's port 27015 by default (``query`` and ``rcon``)."""
    return host_port(text, SOURCE_PORT)


def required_port_address(text: str) -> tuple[str, int]:
    """``host_port`` with the port required (BattlEye has no single default port)."""
    return host_port(text, None)
