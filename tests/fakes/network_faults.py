"""Network failures a test can stage on loopback without a real network: a UDP port nobody
listens on (the kernel answers ICMP port unreachable) and a resolver that fails or hangs
(no real DNS in tests: the running loop's ``getaddrinfo`` is replaced)."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest


def closed_udp_port() -> int:
    """A loopback UDP port that was free a moment ago and is closed now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def names_do_not_resolve(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every lookup on the running loop fails the way an unknown name does."""

    async def fail(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", fail)


def names_never_resolve(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every lookup on the running loop hangs (a resolver that never answers)."""

    async def hang(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(10)

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", hang)
