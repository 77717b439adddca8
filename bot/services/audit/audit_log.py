"""The audit service: every RCON attempt and every settings change, written before it runs and
completed after, then offered to listeners (the mirror channel).

``begin(...)`` returns a ticket; ``complete(ticket, outcome, excerpt)`` records the outcome and
the latency. ``record(...)`` does both for a change that has already been made.

Arguments are stored as typed: the rows are read by the guild's own admins, and passing them
through the global secret registry would show "[redacted]" for another guild's password, an
oracle. Only the value of a password-like setting in a raw console command is masked, and an
excerpt (the server's answer) has that server's own password masked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TypedDict, Unpack

from bot.metrics import NO_METRICS, Metrics
from bot.services.audit.export import EXPORT_LIMIT, entries_csv
from bot.services.audit.masking import (
    EXEC_ACTION,
    MAX_ARGUMENTS,
    clean_excerpt,
    clip,
    mask_secret_settings,
)
from bot.services.errors import UserError
from bot.storage import Server, Store
from bot.storage.audit import AuditEntry, AuditFilter, NewAuditEntry

log = logging.getLogger(__name__)

AuditListener = Callable[[AuditEntry], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, in which guild (no discord types: the feed and the CLI use this too)."""

    guild_id: int
    user_id: int
    user_name: str


class About(TypedDict):
    """The server an entry is about (see :func:`about`)."""

    server_id: int
    server_name: str


class Where(TypedDict, total=False):
    """What an entry is about, the same keywords for begin, record and track; all optional."""

    server_id: int | None  # default None: a guild-wide change
    server_name: str
    allowed_by: str  # the rule that let the user act


def about(server: Server) -> About:
    """The entry is about ``server``."""
    return {"server_id": server.id, "server_name": server.name}


@dataclass(frozen=True, slots=True)
class AuditTicket:
    entry_id: int
    started: float  # monotonic seconds


class AuditLog:
    def __init__(
        self,
        store: Store,
        clock: Callable[[], float] = time.monotonic,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self.store = store
        self.clock = clock
        self.metrics = metrics
        self._listeners: list[AuditListener] = []

    def add_listener(self, listener: AuditListener) -> None:
        """Called with each completed entry (mirroring to a channel)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: AuditListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def begin(
        self, actor: Actor, action: str, arguments: str = "", **where: Unpack[Where]
    ) -> AuditTicket:
        entry = await self.store.audit.begin(
            NewAuditEntry(
                guild_id=actor.guild_id,
                user_id=actor.user_id,
                user_name=clip(actor.user_name, 100),
                action=action,
                arguments=clip(
                    mask_secret_settings(arguments) if action == EXEC_ACTION else arguments,
                    MAX_ARGUMENTS,
                ),
                server_id=where.get("server_id"),
                server_name=where.get("server_name", ""),
                allowed_by=where.get("allowed_by", ""),
            )
        )
        self.metrics.audit_row()
        return AuditTicket(entry.id, self.clock())

    async def complete(
        self,
        ticket: AuditTicket,
        outcome: str,
        excerpt: str = "",
        *,
        allowed_by: str | None = None,
        secret: str | None = None,
    ) -> AuditEntry | None:
        """``secret``: the password of the server that answered, masked in the excerpt."""
        latency_ms = (self.clock() - ticket.started) * 1000.0
        entry = await self.store.audit.complete(
            ticket.entry_id, outcome, clean_excerpt(excerpt, secret), latency_ms, allowed_by
        )
        if entry is not None:
            await self._notify(entry)
        return entry

    async def record(
        self,
        actor: Actor,
        action: str,
        arguments: str = "",
        *,
        outcome: str = "ok",
        excerpt: str = "",
        **where: Unpack[Where],
    ) -> AuditEntry | None:
        ticket = await self.begin(actor, action, arguments, **where)
        return await self.complete(ticket, outcome, excerpt)

    @contextlib.asynccontextmanager
    async def track(
        self, actor: Actor, action: str, arguments: str = "", **where: Unpack[Where]
    ) -> AsyncIterator[AuditTicket]:
        """Audit a change around the block: ``ok`` when it ends normally, ``denied`` for a
        refused input (UserError), ``error`` otherwise; the exception propagates."""
        ticket = await self.begin(actor, action, arguments, **where)
        try:
            yield ticket
        except UserError as exc:
            await self.complete(ticket, "denied", str(exc))
            raise
        except BaseException as exc:
            await asyncio.shield(self.complete(ticket, "error", type(exc).__name__))
            raise
        await self.complete(ticket, "ok")

    async def _notify(self, entry: AuditEntry) -> None:
        for listener in self._listeners:
            try:
                await listener(entry)
            except Exception:
                # The row is stored; a mirror failing must not fail the command.
                log.exception("audit listener %r failed", listener)

    # -- reading -------------------------------------------------------------------------------

    async def page(self, f: AuditFilter, page: int, per_page: int) -> tuple[list[AuditEntry], int]:
        """Entries of page ``page`` (0-based, newest first) and the total count."""
        total = await self.store.audit.count(f)
        entries = await self.store.audit.search(f, limit=per_page, offset=page * per_page)
        return entries, total

    async def export_csv(self, f: AuditFilter, limit: int = EXPORT_LIMIT) -> bytes:
        return entries_csv(await self.store.audit.search(f, limit=limit))
