"""``python -m bot bercon``, run as a real process against the fake server."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.protocols.battleye import Player
from tests.fakes.battleye_server import FakeBattlEyeServer

ROOT = Path(__file__).resolve().parents[3]


async def _bercon(*args: str, password: str = "secret") -> asyncio.subprocess.Process:
    env = dict(os.environ, BE_TEST_PW=password, PYTHONPATH=str(ROOT))
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "bercon",
        *args,
        "--password-env",
        "BE_TEST_PW",
        "--login-timeout",
        "1",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )


async def test_a_bad_address_is_a_usage_error() -> None:
    proc = await _bercon("example.org:²")
    async with asyncio.timeout(30):
        _, err = await proc.communicate()
    assert proc.returncode == 2 and "bad port" in err.decode()


async def test_execute_prints_one_answer_and_exits() -> None:
    players = [Player(0, "Spam", "1.2.3.4", 2304, 47, "394e2c09af98b00fd4094f86c7921622", True)]
    async with FakeBattlEyeServer(players=players) as server:
        host, port = server.address
        proc = await _bercon(f"{host}:{port}", "--execute", "players")
        async with asyncio.timeout(30):
            out, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
        assert "Players on server:" in out.decode() and "Spam" in out.decode()
        assert server.received_commands == ["players"]


async def test_interactive_shell_prints_messages_as_they_arrive() -> None:
    async with FakeBattlEyeServer() as server:
        host, port = server.address
        proc = await _bercon(f"{host}:{port}")
        assert proc.stdin is not None and proc.stdout is not None
        async with asyncio.timeout(30):
            # The first line is our own admin login, printed as it arrives.
            assert "logged in" in (await proc.stdout.readline()).decode()
            await server.push_message("Player #1 Zoë (1.2.3.4:2304) connected")
            assert (await proc.stdout.readline()).decode().strip() == (
                "Player #1 Zoë (1.2.3.4:2304) connected"
            )
            proc.stdin.write(b"say -1 hello\n")
            await proc.stdin.drain()
            assert "(Global) hello" in (await proc.stdout.readline()).decode()
            proc.stdin.write(b"exit\n")
            await proc.stdin.drain()
            await proc.wait()
        assert proc.returncode == 0
        assert server.received_commands == ["say -1 hello"]


async def test_wrong_password_exits_with_an_error() -> None:
    async with FakeBattlEyeServer("right") as server:
        host, port = server.address
        proc = await _bercon(f"{host}:{port}", "-e", "players", password="nope")
        async with asyncio.timeout(30):
            _, err = await proc.communicate()
        assert proc.returncode == 1
        assert "login refused" in err.decode() and "nope" not in err.decode()
