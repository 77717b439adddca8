"""The fake A2S server keeps out of other UDP sockets' probe windows (parallel test workers)."""

from __future__ import annotations

import socket

from tests.fakes.a2s_server import FakeA2SServer, _window_is_quiet


def test_a_bound_neighbour_makes_the_window_crowded() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
        other.bind(("127.0.0.1", 0))
        port = other.getsockname()[1]
        assert not _window_is_quiet("127.0.0.1", port + 5)
        assert not _window_is_quiet("127.0.0.1", port - 12)


async def test_the_server_takes_a_port_whose_window_is_quiet() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
        other.bind(("127.0.0.1", 0))
        async with FakeA2SServer() as server:
            # Quiet when it was taken; checking again now would race other test workers'
            # sockets (and the fake's own stray socket), which may open in the window since.
            assert abs(server.address[1] - other.getsockname()[1]) > 12
