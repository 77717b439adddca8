"""Run a module in a child process with discord.py pointed at a ``FakeDiscord``.

For end-to-end tests of the real entry point (``python -m bot``), signals included::

    env = {**os.environ, **fake.subprocess_env()}
    proc = await start_patched("bot", "run", env=env)  # python -m tests.fakes.discord.run_patched

The URLs come from ``FAKE_DISCORD_API`` and ``FAKE_DISCORD_GATEWAY``; everything after the
module name is passed on as its ``sys.argv[1:]``. With ``FAKE_DISCORD_CLIENT`` set (the
``client`` argument of ``subprocess_env``), discord.py's User-Agent carries that tag, so the
fake attributes each REST request to its process (``fake.requests_of(tag)``).
"""

from __future__ import annotations

import asyncio
import os
import runpy
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import discord.gateway
import discord.http
import yarl

from .rest_util import CLIENT_AGENT_MARK

API_ENV = "FAKE_DISCORD_API"
GATEWAY_ENV = "FAKE_DISCORD_GATEWAY"
CLIENT_ENV = "FAKE_DISCORD_CLIENT"


async def start_patched(
    module: str, *args: str, env: Mapping[str, str], cwd: Path | str | None = None
) -> asyncio.subprocess.Process:
    """A child ``python -m tests.fakes.discord.run_patched MODULE ARGS...`` (``env`` should
    hold ``FakeDiscord.subprocess_env()``), its stdout and stderr together on one pipe."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.discord.run_patched",
        module,
        *args,
        cwd=cwd,
        env=dict(env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


def tag_user_agent(tag: str) -> None:
    """Every ``HTTPClient`` created from now on sends ``<its agent> fake-client/<tag>``."""
    original = discord.http.HTTPClient.__init__

    def init(self: discord.http.HTTPClient, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.user_agent = f"{self.user_agent} {CLIENT_AGENT_MARK}{tag}"

    discord.http.HTTPClient.__init__ = init  # type: ignore[method-assign]


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
    tag = os.environ.get(CLIENT_ENV)
    if tag:
        tag_user_agent(tag)
    module, *args = argv
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
