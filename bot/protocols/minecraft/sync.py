"""Blocking wrappers for scripts and the shell: each call runs a private event loop.

Not for use inside a running loop (asyncio refuses to nest loops); async code awaits
:func:`~bot.protocols.minecraft.client.status` and :func:`~bot.protocols.minecraft.client.query`.
"""

from __future__ import annotations

import asyncio

from bot.protocols.minecraft.client import DEFAULT_TIMEOUT, query, status
from bot.protocols.minecraft.models import JavaStatus, QueryStat
from bot.protocols.minecraft.srv import DEFAULT_PORT, SrvResolver


def status_sync(
    host: str,
    port: int | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    legacy_fallback: bool = True,
    resolver: SrvResolver | None = None,
) -> JavaStatus:
    """:func:`~bot.protocols.minecraft.client.status`, blocking."""
    return asyncio.run(
        status(host, port, timeout=timeout, legacy_fallback=legacy_fallback, resolver=resolver)
    )


def query_sync(
    host: str, port: int = DEFAULT_PORT, *, timeout: float = DEFAULT_TIMEOUT
) -> QueryStat:
    """:func:`~bot.protocols.minecraft.client.query`, blocking."""
    return asyncio.run(query(host, port, timeout=timeout))
