"""`python -m bot rcon HOST[:PORT]`: interactive Source RCON shell, or one command with --execute.

Shell commands start with ``!`` (``!connect``, ``!disconnect``, ``!shutdown``, ``!exit``); ``help``
shows them, ``help NAME`` asks the server. Anything else is sent to the server. ConVar names
complete with Tab once connected (from ``cvarlist``).
"""

from __future__ import annotations

import argparse
import cmd
import getpass
import os
import sys
from collections.abc import Callable
from typing import IO

from bot.cli._addresses import SOURCE_PORT, source_address
from bot.protocols.rcon import PROFILES, RCON, RCONError, RCONTimeoutError
from bot.protocols.rcon.errors import RCONCommunicationError

PASSWORD_WARNING = (
    "warning: a password given with --password is visible to other users (ps, shell history); "
    "prefer --password-env NAME or the prompt"
)
SHELL_HELP = """\
Commands are sent to the server; shell commands start with '!':
  !connect HOST[:PORT] [PASSWORD]  connect (asks for the password when not given)
  !disconnect                      close the connection
  !shutdown                        send 'exit' to the server (stops it)
  !exit                            leave this shell (the server keeps running)
  help [NAME]                      this text, or the server's help for NAME
Tab completes ConVar names once connected."""


class RCONShell(cmd.Cmd):
    """The interactive shell; uses the blocking client."""

    intro = "Outpost RCON shell. 'help' lists the shell commands, '!exit' leaves."

    def __init__(
        self,
        password_provider: Callable[[], str],
        *,
        profile: str | None = None,
        timeout: float = 10.0,
        stdin: IO[str] | None = None,
        stdout: IO[str] | None = None,
    ) -> None:
        super().__init__(stdin=stdin, stdout=stdout)
        if stdin is not None:
            self.use_rawinput = False
        self._password_provider = password_provider
        self._profile = profile
        self._timeout = timeout
        self.rcon: RCON | None = None
        self.address: tuple[str, int] | None = None
        self.convars: list[str] = []
        self._update_prompt()

    # -- output helpers --

    def _print(self, text: str) -> None:
        self.stdout.write(text if text.endswith("\n") else text + "\n")

    def _update_prompt(self) -> None:
        if self.rcon is not None and self.address is not None:
            self.prompt = f"{self.address[0]}:{self.address[1]}> "
        else:
            self.prompt = "rcon> "

    # -- connection --

    def connect(self, address: tuple[str, int], password: str | None = None) -> bool:
        """Connect and authenticate; prints the outcome. Returns whether it worked."""
        self.disconnect()
        secret = password if password is not None else self._password_provider()
        client = RCON(address, secret, self._timeout, profile=self._profile)
        try:
            client.connect()
            client.authenticate()
        except RCONError as exc:
            client.close()
            self._print(f"error: {exc}")
            return False
        self.rcon, self.address = client, address
        self._print(f"connected to {address[0]}:{address[1]}")
        self._load_convars()
        self._update_prompt()
        return True

    def _load_convars(self) -> None:
        assert self.rcon is not None
        try:
            self.convars = sorted({c.name for c in self.rcon.cvarlist()})
        except RCONTimeoutError:
            self.convars = []
        except RCONError as exc:
            self.convars = []
            self._lost(exc)

    def disconnect(self) -> None:
        if self.rcon is not None:
            self.rcon.close()
            self._print("disconnected")
        self.rcon, self.address, self.convars = None, None, []
        self._update_prompt()

    def _lost(self, exc: RCONError) -> None:
        self._print(f"error: {exc}")
        if isinstance(exc, RCONCommunicationError) or (self.rcon and self.rcon.closed):
            self.disconnect()

    def run_remote(self, command: str) -> None:
        if self.rcon is None:
            self._print("not connected; use !connect HOST[:PORT]")
            return
        try:
            self._print(self.rcon(command))
        except RCONError as exc:
            self._lost(exc)
        except KeyboardInterrupt:
            self._print("interrupted (the answer will be dropped)")

    # -- cmd.Cmd plumbing --

    def emptyline(self) -> bool:
        return False  # cmd.Cmd repeats the last command by default: never for RCON

    def onecmd(self, line: str) -> bool:
        line = line.strip()
        if not line:
            return False
        if line == "EOF":
            self._print("")
            return True
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        if word.startswith("!"):
            return self._shell_command(word[1:], rest)
        if word == "help":
            if rest and self.rcon is not None:
                self.run_remote(line)
            else:
                self._print(SHELL_HELP)
            return False
        self.run_remote(line)
        return False

    def _shell_command(self, name: str, rest: str) -> bool:
        if name == "exit":
            self.disconnect()
            return True
        if name == "disconnect":
            if self.rcon is None:
                self._print("not connected")
            self.disconnect()
        elif name == "shutdown":
            if self.rcon is None:
                self._print("not connected")
                return False
            try:
                self.rcon.execute("exit", block=False)
            except RCONError as exc:
                self._print(f"error: {exc}")
            self.disconnect()
        elif name == "connect":
            parts = rest.split()
            if not parts or len(parts) > 2:
                self._print("usage: !connect HOST[:PORT] [PASSWORD]")
                return False
            try:
                address = source_address(parts[0])
            except argparse.ArgumentTypeError as exc:
                self._print(f"error: {exc}")
                return False
            if len(parts) == 2 and self.use_rawinput:
                _forget_last_history_line()
            self.connect(address, parts[1] if len(parts) == 2 else None)
        else:
            self._print(f"unknown shell command !{name}; try help")
        return False

    def completenames(self, text: str, *ignored: object) -> list[str]:
        words = [*self.convars, "help"]
        return [w for w in words if w.startswith(text)]

    def completedefault(self, text: str, *ignored: object) -> list[str]:
        return [w for w in self.convars if w.startswith(text)]


def _forget_last_history_line() -> None:
    """A password typed after !connect must not stay in the readline history."""
    try:
        import readline
    except ImportError:
        return
    length = readline.get_current_history_length()
    if length:
        readline.remove_history_item(length - 1)


def _password_source(args: argparse.Namespace) -> Callable[[], str]:
    if args.password is not None:
        password: str = args.password
        return lambda: password
    if args.password_env:
        name: str = args.password_env

        def from_env() -> str:
            value = os.environ.get(name)
            if value is None:
                raise SystemExit(f"error: environment variable {name} is not set")
            return value

        return from_env
    return lambda: getpass.getpass("RCON password: ")


def run(args: argparse.Namespace) -> int:
    if args.password is not None:
        print(PASSWORD_WARNING, file=sys.stderr)
    password = _password_source(args)
    if args.execute is not None:
        if args.address is None:
            print("error: --execute needs HOST[:PORT]", file=sys.stderr)
            return 2
        try:
            with RCON(args.address, password(), args.timeout, profile=args.profile) as client:
                text = client(args.execute)
        except RCONError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
        return 0
    shell = RCONShell(password, profile=args.profile, timeout=args.timeout)
    if args.address is not None:
        shell.connect(args.address)
    while True:
        try:
            shell.cmdloop()
        except KeyboardInterrupt:
            shell.intro = ""
            print("^C (use !exit to leave)")
            continue
        break
    shell.disconnect()
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "rcon",
        help="Source RCON shell, or run one command",
        description="Interactive Source RCON shell (python-valve style), or one command with "
        "--execute. The password comes from a prompt or --password-env.",
    )
    parser.add_argument(
        "address",
        nargs="?",
        type=source_address,
        metavar="HOST[:PORT]",
        help=f"server to connect to (port {SOURCE_PORT} when omitted)",
    )
    parser.add_argument("-e", "--execute", metavar="CMD", help="run CMD, print the answer, exit")
    parser.add_argument(
        "--password-env", metavar="NAME", help="read the password from environment variable NAME"
    )
    parser.add_argument(
        "-p", "--password", help="the password (discouraged: visible in ps; a warning is printed)"
    )
    parser.add_argument(
        "--profile",
        default=None,
        choices=sorted(PROFILES),
        help="server behaviour: how the end of an answer is detected (default: srcds, "
        "with servers that zero every id, like Palworld, recognised at login)",
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds per command (default: 10)"
    )
    parser.set_defaults(handler=run)
