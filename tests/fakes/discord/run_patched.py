"""Run a module in a child process with discord.py pointed at a ``FakeDiscord``.

For end-to-end tests of the real entry point (``python -m bot``), signals included::

    env = {**os.environ, **fake.subprocess_env()}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fakes.discord.run_patched", "bot", "run", env=env
    )

The URLs come from ``FAKE_DISCORD_API`` and ``FAKE_DISCORD_GATEWAY``; everything after the
module name is passed on as its ``sys.argv[1:]``.
"""

from __future__ import annotations

import os
import runpy
import sys

import discord.gateway
import discord.http
import yarl

API_ENV = "FAKE_DISCORD_API"
GATEWAY_ENV = "FAKE_DISCORD_GATEWAY"


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m tests.fakes.discord.run_patched MODULE [ARGS...]", file=sys.stderr)
        return 2
    try:
        api, gateway = os.environ[API_ENV], os.environ[GATEWAY_ENV]
    except KeyError as missing:
        print(f"{missing.args[0]} is not set (use FakeDiscord.subprocess_env())", file=sys.stderr)
        return 2
    discord.http.Route.BASE = api
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    module, *args = argv
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
