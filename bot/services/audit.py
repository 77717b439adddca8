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
import csv
import datetime
import io
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from bot.metrics import NO_METRICS, Metrics
from bot.services.errors import UserError
from bot.storage import Store
from bot.storage.audit import AuditEntry, AuditFilter, NewAuditEntry

log = logging.getLogger(__name__)

MAX_EXCERPT = 300
MAX_ARGUMENTS = 500
EXPORT_LIMIT = 50_000
CSV_COLUMNS = (
    "id", "at", "guild_id", "user_id", "user_name", "allowed_by", "server_id", "server_name",
    "action", "arguments", "outcome", "excerpt", "latency_ms",
)

AuditListener = Callable[[AuditEntry], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, in which guild (no discord types: the feed and the CLI use this too)."""

    guild_id: int
    user_id: int
    user_name: str


@dataclass(frozen=True, slots=True)
class AuditTicket:
    entry_id: int
    started: float  # monotonic seconds


MASK = "[hidden]"
EXEC_ACTION = "rcon exec"
# A setting whose name holds password/token/secret, and its value: `rcon_password abc`,
# `sv_password "a b"`, `"rcon_password" = "abc"` (srcds echoing a cvar). The value stops at a
# quote, a space or `;`, so a second command after it stays visible.
_SECRET_SETTING = re.compile(
    r'(?P<name>[\w.#-]*(?:password|passwd|token|secret)[\w.-]*|sv_setsteamaccount|#login)'
    r'(?P<sep>"?(?:\s*=\s*|\s+))'
    r'(?P<value>"[^"]*"?|[^\s;"]+)',
    re.IGNORECASE,
)


def mask_secret_settings(text: str) -> str:
    """``text`` with the value of every password-like setting replaced by ``[hidden]``."""
    return _SECRET_SETTING.sub(lambda m: f"{m['name']}{m['sep']}{MASK}", text)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clean(text: str, limit: int) -> str:
    # Deliberately no redaction through the global secret registry (see the module doc).
    return _clip(text, limit)


# Characters kept past the excerpt's end for the settings scan, so a setting whose value the
# clip cuts is still recognised (and masked) rather than left half visible.
_SETTING_SPAN = 200


def _clean_excerpt(text: str, secret: str | None) -> str:
    """A server's answer: its own password and password-like settings masked, then clipped.

    Clipped before the scans (an answer can be megabytes), keeping room for one password and
    one setting more. A password cut in two by that first clip sits in the window's last
    ``len(secret)`` characters whatever the replacements before it did, so those go before
    the final clip."""
    margin = len(secret) if secret else 0
    span = MAX_EXCERPT + margin + _SETTING_SPAN
    clipped = len(text) > span
    window = text[:span] if clipped else text
    if secret:
        window = window.replace(secret, MASK)
    window = mask_secret_settings(window)
    if clipped:
        window = (window[: len(window) - margin] if margin else window) + "…"
    return _clip(window, MAX_EXCERPT)


class AuditLog:
    def __init__(
        self, store: Store, clock: Callable[[], float] = time.monotonic,
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
        self,
        actor: Actor,
        action: str,
        arguments: str = "",
        *,
        server_id: int | None = None,
        server_name: str = "",
        allowed_by: str = "",
    ) -> AuditTicket:
        entry = await self.store.audit.begin(
            NewAuditEntry(
                guild_id=actor.guild_id,
                user_id=actor.user_id,
                user_name=_clean(actor.user_name, 100),
                action=action,
                arguments=_clean(
                    mask_secret_settings(arguments) if action == EXEC_ACTION else arguments,
                    MAX_ARGUMENTS,
                ),
                server_id=server_id,
                server_name=server_name,
                allowed_by=allowed_by,
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
            ticket.entry_id, outcome, _clean_excerpt(excerpt, secret), latency_ms, allowed_by
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
        server_id: int | None = None,
        server_name: str = "",
        allowed_by: str = "",
    ) -> AuditEntry | None:
        ticket = await self.begin(
            actor, action, arguments,
            server_id=server_id, server_name=server_name, allowed_by=allowed_by,
        )
        return await self.complete(ticket, outcome, excerpt)

    @contextlib.asynccontextmanager
    async def track(
        self,
        actor: Actor,
        action: str,
        arguments: str = "",
        *,
        server_id: int | None = None,
        server_name: str = "",
    ) -> AsyncIterator[AuditTicket]:
        """Audit a change around the block: ``ok`` when it ends normally, ``denied`` for a
        refused input (UserError), ``error`` otherwise; the exception propagates."""
        ticket = await self.begin(
            actor, action, arguments, server_id=server_id, server_name=server_name
        )
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
        entries = await self.store.audit.search(f, limit=limit)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for e in entries:
            writer.writerow([_cell(getattr(e, column)) for column in CSV_COLUMNS])
        return out.getvalue().encode("utf-8")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells starting with these as formulas (CSV injection).
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_SINCE = re.compile(r"(\d{1,6})\s*([mhdw])")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text: str, now: datetime.datetime) -> str:
    """``30m``, ``24h``, ``7d``, ``2w`` back from ``now``, or a date ``YYYY-MM-DD`` (UTC); the
    ISO form the audit rows use."""
    value = text.strip().lower()
    m = _SINCE.fullmatch(value)
    if m is not None:
        start = now - datetime.timedelta(seconds=int(m[1]) * _UNITS[m[2]])
    else:
        try:
            start = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise UserError(
                "`since` takes a duration like 30m, 24h, 7d, 2w, or a date like 2026-11-01."
            ) from None
        if start.tzinfo is not None:
            start = start.astimezone(datetime.UTC).replace(tzinfo=None)
    return start.strftime("%Y-%m-%dT%H:%M:%S")
