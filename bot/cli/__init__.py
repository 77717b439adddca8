"""`python -m bot …`: one sub-command per module in this package.

Each module defines ``register(subparsers)``, which adds its parser and sets ``handler`` (a
callable taking the parsed namespace and returning the exit code). Modules are discovered, so a
feature adds its command without touching this file.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from collections.abc import Callable, Sequence
from typing import Protocol, cast

Handler = Callable[[argparse.Namespace], int]

# Without a sub-command, `python -m bot` starts the bot when that command exists.
DEFAULT_COMMAND = "run"


class _CommandModule(Protocol):
    def register(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None: ...


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Outpost: game-server status, RCON and live feeds for Discord.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = cast(_CommandModule, importlib.import_module(f"{__name__}.{info.name}"))
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args_list = list(argv) if argv is not None else None
    args = parser.parse_args(args_list)
    if args.command is None:
        choices = parser._subparsers._group_actions[0].choices if parser._subparsers else {}
        if isinstance(choices, dict) and DEFAULT_COMMAND in choices:
            args = parser.parse_args([DEFAULT_COMMAND, *(args_list or [])])
        else:
            parser.print_help()
            return 0
    handler = cast(Handler, args.handler)
    return handler(args)
