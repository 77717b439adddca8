"""`python -m bot rcon`: the shell (through a stdin pipe and in-process) and --execute."""

from __future__ import annotations

import asyncio
import io
import os
import pty
import sys

import pytest

from bot.cli import main
from bot.cli.rcon import PASSWORD_WARNING, RCONShell
from tests.fakes.rcon_server import FakeRCONServer

CVARLIST = (
    "cvar list\n--------------\n"
    'sv_cheats                                : 0        : , "sv", "nf", "rep" : Allow cheats\n'
    'sv_gravity                               : 800      : , "sv", "nf", "rep" : Gravity\n'
    "status                                   : cmd      :                  : Show status\n"
    "--------------\n  3 total convars/concommands\n"
)
ANSWERS = {"cvarlist": CVARLIST, "status": "hostname: Outpost\nmap: de_dust2\n"}


def typed(server: FakeRCONServer) -> str:
    """The fake's address as a user types it: ``host:port``."""
    return f"{server.address[0]}:{server.address[1]}"


def run_cli(*argv: str) -> int:
    return main(["rcon", *argv])


async def rcon_process(
    address: str, *args: str, stdin: bytes | None = None
) -> tuple[int | None, bytes, bytes]:
    """``python -m bot rcon ADDRESS`` as a real process, the password ("secret") in the
    environment, ``stdin`` piped in when given: its exit code, stdout and stderr."""
    env = dict(os.environ, OUTPOST_RCON_PW="secret", PYTHONPATH=os.getcwd())
    proc = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "rcon", address, "--password-env", "OUTPOST_RCON_PW"),
        *args,
        stdin=None if stdin is None else asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    async with asyncio.timeout(30):
        out, err = await proc.communicate(stdin)
    return proc.returncode, out, err


async def test_shell_session_through_a_stdin_pipe() -> None:
    async with FakeRCONServer(responses=ANSWERS) as server:
        address = typed(server)
        script = "\n".join(
            [
                "status",
                "help",
                "",  # an empty line must not repeat the last command
                "!disconnect",
                "status",
                f"!connect {address} secret",
                "echo again",
                "!bogus",
                "!shutdown",
                "!exit",
            ]
        )
        code, out, err = await rcon_process(address, stdin=script.encode() + b"\n")
    text = out.decode()
    assert code == 0, err.decode()
    assert f"connected to {address}" in text
    assert "hostname: Outpost" in text
    assert "!connect HOST[:PORT] [PASSWORD]" in text  # the help text
    assert "not connected; use !connect" in text
    assert "again" in text
    assert "unknown shell command !bogus" in text
    assert server.received == ["cvarlist", "status", "cvarlist", "echo again", "exit"]


async def test_execute_subprocess_prints_the_answer() -> None:
    async with FakeRCONServer(responses=ANSWERS) as server:
        address = typed(server)
        result = await rcon_process(address, "--execute", "status")
    assert result == (0, b"hostname: Outpost\nmap: de_dust2\n", b"")


async def test_execute_failure_is_one_line_and_nonzero(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with FakeRCONServer() as server:
        address = typed(server)
        code = await asyncio.to_thread(run_cli, address, "--password", "nope", "-e", "status")
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    assert captured.err.splitlines() == [PASSWORD_WARNING, "error: wrong RCON password"]
    assert "nope" not in captured.err


@pytest.mark.parametrize(
    ("profile", "options", "word"),
    [
        ("minecraft", ("--profile", "minecraft"), "hi"),
        # A server that answers with id 0 (Palworld) works without naming its profile.
        ("palworld", ("--timeout", "2"), "pal"),
    ],
    ids=["minecraft-profile", "zero-id-server-needs-no-profile"],
)
async def test_execute_with_password_env_in_process(
    profile: str,
    options: tuple[str, ...],
    word: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RCON_TEST_PW", "secret")
    async with FakeRCONServer(profile=profile) as server:
        argv = [typed(server), "--password-env", "RCON_TEST_PW", *options, "-e", f"echo {word}"]
        code = await asyncio.to_thread(run_cli, *argv)
    assert code == 0 and capsys.readouterr() == (f"{word}\n", "")


def test_execute_needs_an_address(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("--password-env", "X", "-e", "status") == 2
    assert "needs HOST" in capsys.readouterr().err


def test_missing_password_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RCON_ABSENT_PW", raising=False)
    with pytest.raises(SystemExit, match="RCON_ABSENT_PW is not set"):
        run_cli("127.0.0.1:1", "--password-env", "RCON_ABSENT_PW", "-e", "status")


def make_shell(lines: list[str]) -> tuple[RCONShell, io.StringIO]:
    out = io.StringIO()
    shell = RCONShell(lambda: "secret", stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out)
    return shell, out


async def test_shell_completion_and_server_help() -> None:
    answers = {**ANSWERS, "help sv_cheats": '"sv_cheats" = "0" - Allow cheats'}
    async with FakeRCONServer(responses=answers) as server:
        shell, out = make_shell(["help sv_cheats", "!exit"])
        assert await asyncio.to_thread(shell.connect, server.address)
        assert shell.completenames("sv_") == ["sv_cheats", "sv_gravity"]
        assert shell.completedefault("sv_g") == ["sv_gravity"]
        assert shell.prompt == f"{typed(server)}> "
        await asyncio.to_thread(shell.cmdloop)
    assert '"sv_cheats" = "0"' in out.getvalue()
    assert shell.rcon is None and shell.completenames("sv_") == []  # forgotten on disconnect


async def test_shell_survives_timeouts_and_reports_lost_connections() -> None:
    async with FakeRCONServer(command_delays={"slow": 0.5}) as server:
        shell, out = make_shell([])
        shell._timeout = 0.1
        assert await asyncio.to_thread(shell.connect, server.address)
        await asyncio.to_thread(shell.onecmd, "slow")
        assert "error: no complete answer" in out.getvalue()
        assert shell.rcon is not None  # a timeout keeps the connection
        await server.restart()
        await asyncio.to_thread(shell.onecmd, "status")
    assert "disconnected" in out.getvalue()
    assert shell.rcon is None and shell.prompt == "rcon> "


async def test_shell_connect_errors() -> None:
    async with FakeRCONServer() as server:
        shell, out = make_shell([])
        address = typed(server)
        await asyncio.to_thread(shell.onecmd, f"!connect {address} hunter2")
        await asyncio.to_thread(shell.onecmd, "!connect")
        await asyncio.to_thread(shell.onecmd, "!connect host:notaport")
        await asyncio.to_thread(shell.onecmd, "!shutdown")
    text = out.getvalue()
    assert "error: wrong RCON password" in text and "hunter2" not in text
    assert "usage: !connect" in text and "bad port" in text and "not connected" in text
    assert server.received == []


async def test_tab_completion_and_history_through_a_pty() -> None:
    answers = {**ANSWERS, "sv_cheats": '"sv_cheats" = "0"'}
    async with FakeRCONServer(responses=answers) as server:
        address = typed(server)
        master, slave = pty.openpty()
        env = dict(os.environ, PW="secret", PYTHONPATH=os.getcwd(), TERM="dumb")
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "rcon",
            address,
            "--password-env",
            "PW",
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
        )
        os.close(slave)
        loop = asyncio.get_running_loop()
        output = bytearray()
        arrived = asyncio.Event()

        def on_readable() -> None:
            try:
                output.extend(os.read(master, 4096))
            except OSError:  # the child closed the terminal
                loop.remove_reader(master)
            arrived.set()

        async def wait_for(text: bytes, count: int = 1) -> None:
            while output.count(text) < count:
                arrived.clear()
                await arrived.wait()

        loop.add_reader(master, on_readable)
        try:
            async with asyncio.timeout(20):
                await wait_for(b"> ")
                os.write(master, b"sv_ch\t\n")  # Tab completes the ConVar name
                await wait_for(b'"sv_cheats" = "0"')
                os.write(master, b"\x10\n")  # Ctrl-P: previous line from the history
                await wait_for(b'"sv_cheats" = "0"', 2)
                os.write(master, b"!exit\n")
                await proc.wait()
        finally:
            loop.remove_reader(master)
            os.close(master)
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    assert proc.returncode == 0
    assert server.received == ["cvarlist", "sv_cheats", "sv_cheats"]
