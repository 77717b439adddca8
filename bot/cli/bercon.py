"""``python -m bot bercon HOST:PORT``: a BattlEye RCON shell that prints server messages live.

Typed lines are sent as commands and their answers printed; ``--execute CMD`` prints one answer
and exits. The password comes from ``--password-env NAME`` or a prompt, never from argv (argv is
visible to every user of the machine).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
import threading
from typing import TextIO

from bot.cli._addresses import required_port_address
from bot.protocols.battleye import (
    BattlEyeClient,
    ClientConfig,
    CommandValidationError,
    LoginRefused,
    LoginTimeout,
    RCONCommandError,
)

EXIT_WORDS = frozenset({"exit", "quit"})


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "bercon",
        help="BattlEye RCON shell (DayZ, Arma)",
        description="Interactive BattlEye RCON shell; server messages are printed as they arrive.",
    )
    parser.add_argument(
        "address",
        type=required_port_address,
        metavar="HOST:PORT",
        help="e.g. 127.0.0.1:2305 or [::1]:2305",
    )
    parser.add_argument("--execute", "-e", metavar="CMD", help="run one command, print, exit")
    parser.add_argument(
        "--password-env", metavar="NAME", help="read the RCON password from this variable"
    )
    parser.add_argument(
        "--login-timeout", type=float, default=3.0, help="seconds to wait for a login answer"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    host, port = args.address
    if args.password_env:
        password = os.environ.get(args.password_env)
        if not password:
            print(f"error: environment variable {args.password_env} is empty", file=sys.stderr)
            return 2
    else:
        password = getpass.getpass("RCON password: ")
    config = ClientConfig(
        login_timeout=args.login_timeout, reconnect_delay=5.0, fetch_players_on_login=False
    )
    return asyncio.run(shell(host, port, password, args.execute, config))


async def shell(
    host: str,
    port: int,
    password: str,
    execute: str | None,
    config: ClientConfig,
    out: TextIO = sys.stdout,
) -> int:
    client = BattlEyeClient(config)
    if execute is None:
        # Before connecting: our own "RCon admin #N ... logged in" arrives with the login.
        client.add_listener("raw_event", lambda text: print(text, file=out, flush=True))
        client.add_listener(
            "disconnect", lambda: print("-- connection lost, reconnecting", file=out, flush=True)
        )
    try:
        async with client.connect(host, port, password):
            if execute is not None:
                print(await client.send_command(execute), file=out, flush=True)
                return 0
            await _interact(client, out)
            return 0
    except LoginRefused:
        print("error: login refused (wrong password)", file=sys.stderr)
    except LoginTimeout:
        print(
            f"error: no answer from {host}:{port} (wrong RCON port, or BattlEye RCON disabled)",
            file=sys.stderr,
        )
    except (RCONCommandError, CommandValidationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    return 1


async def _interact(client: BattlEyeClient, out: TextIO) -> None:
    lines = _stdin_lines()
    while True:
        line = await lines.get()
        if line is None or line.strip().lower() in EXIT_WORDS:
            return
        command = line.rstrip("\r\n")
        if not command.strip():
            continue
        try:
            answer = await client.send_command(command)
            if answer:  # many commands (say, kick) answer with nothing
                print(answer, file=out, flush=True)
        except (RCONCommandError, CommandValidationError) as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)


def _stdin_lines() -> asyncio.Queue[str | None]:
    """Lines of stdin fed by a daemon thread, so a pending read never blocks exit."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def reader() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=reader, name="bercon-stdin", daemon=True).start()
    return queue
