"""opengsq (``Satisfactory``) against our fake Satisfactory server
(``tests/fakes/satisfactory_server.py``), our own ``satisfactory.poll_state`` on the same fake:
both must read the same Lightweight Query response. Differences are checked against
protocol-notes-2.md §5.

For a Playing server opengsq also asks the HTTPS API for the player counts (notes §5.2); a stub
of ``QueryServerState`` on the same TCP port number, with a self-signed certificate made here,
answers it. Ours reads only the UDP reply.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from opengsq.protocols import Satisfactory

from bot.protocols import satisfactory
from bot.protocols.satisfactory import SatisfactoryCookieMismatchError, ServerState
from tests.fakes.satisfactory_server import FakeSatisfactoryServer, Mode

pytestmark = pytest.mark.timeout(10)

TIMEOUT = 2.0
TOKEN = "ewoJInBsIjogIkFQSVRva2VuIgp9.ABCDEF"  # {"pl": "APIToken"}.fingerprint (notes §5.2)
NAME = "Fabrică ☃ Outpost"  # UTF-8, which one DJWoodZ probe gets wrong (notes §5.1)


def self_signed(directory: Path) -> ssl.SSLContext:
    """A TLS context with a fresh self-signed certificate, as a stock server uses."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


@asynccontextmanager
async def https_api(
    port: int, context: ssl.SSLContext, game_state: dict[str, Any], calls: list[Any]
) -> AsyncIterator[None]:
    """``POST /api/v1`` answering QueryServerState in the camelCase shape of notes §5.2."""

    async def handle(request: web.Request) -> web.Response:
        body = await request.json()
        calls.append((request.headers.get("Authorization"), body))
        if body.get("function") != "QueryServerState":
            return web.json_response({"errorCode": "unknown_function"}, status=404)
        return web.json_response({"data": {"serverGameState": game_state}})

    app = web.Application()
    app.router.add_post("/api/v1/", handle)
    app.router.add_post("/api/v1", handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", port))  # the UDP fake's port number: one port for both APIs
    try:
        await web.SockSite(runner, sock, ssl_context=context).start()
        yield
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("state", [ServerState.IDLE, ServerState.LOADING])
async def test_not_playing_both_read_the_udp_reply(state: ServerState) -> None:
    async with FakeSatisfactoryServer(state=int(state), name=NAME, net_cl=367101) as server:
        host, port = server.address
        theirs = await Satisfactory(host, port, TOKEN, TIMEOUT).get_status()
        ours = await satisfactory.poll_state(host, port, timeout=TIMEOUT)
    # Not Playing: opengsq asks no HTTPS and reports 0/0 (Loading: "HTTPS API unavailable").
    assert theirs is not None
    assert (theirs.state, theirs.name) == (int(ours.state), ours.name) == (int(state), NAME)
    assert (theirs.num_players, theirs.max_players) == (0, 0)
    assert ours.net_cl == 367101
    assert [(s.id, s.version) for s in ours.sub_states] == [(0, 17), (1, 1), (3, 5), (2, 1)]
    assert ours.latency > 0
    # opengsq's poll is the 13-byte message of the notes, like ours.
    assert all(len(poll) == 13 and poll[:4] == b"\xd5\xf6\x00\x01" for poll in server.received)


async def test_playing_opengsq_adds_the_https_counts(tmp_path: Path) -> None:
    game_state = {
        "activeSessionName": "Fabrica",
        "numConnectedPlayers": 2,
        "playerLimit": 4,
        "techTier": 6,
        "isGameRunning": True,
        "isGamePaused": False,
        "averageTickRate": 29.9,
    }
    calls: list[Any] = []
    context = self_signed(tmp_path)
    async with FakeSatisfactoryServer(state=3, name=NAME) as server:
        host, port = server.address
        async with https_api(port, context, game_state, calls):
            async with asyncio.timeout(TIMEOUT * 2):  # opengsq gives aiohttp no timeout
                theirs = await Satisfactory(host, port, TOKEN, TIMEOUT).get_status()
            ours = await satisfactory.poll_state(host, port, timeout=TIMEOUT)
    assert theirs is not None
    assert (theirs.state, theirs.name) == (int(ours.state), ours.name) == (3, NAME)
    assert (theirs.num_players, theirs.max_players) == (2, 4)
    # Bearer application token, function + data body (notes §5.2).
    assert len(calls) == 1
    authorization, body = calls[0]
    assert authorization == f"Bearer {TOKEN}"
    assert body["function"] == "QueryServerState" and isinstance(body["data"], dict)


async def test_cookie_mismatch_opengsq_returns_none() -> None:
    # Notes §5.1 "What clients get wrong": opengsq silently returns None on a cookie mismatch;
    # ours says the reply was for another poll.
    async with FakeSatisfactoryServer(mode=Mode.WRONG_TOKEN) as server:
        host, port = server.address
        theirs = await Satisfactory(host, port, TOKEN, TIMEOUT).get_status()
        # Ours keeps listening for the right cookie until its deadline, then says why.
        with pytest.raises(SatisfactoryCookieMismatchError):
            await satisfactory.poll_state(host, port, timeout=0.5)
    assert theirs is None
