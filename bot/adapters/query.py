"""The query adapter interface: one address in, one protocol-neutral status out.

Every query protocol Outpost speaks (A2S, Minecraft, Bedrock, FiveM, Quake 3, Satisfactory,
Palworld…) is an adapter with this shape; the poller, ``/server add``, ``/server test`` and the
``query`` CLI use only this interface, and pick the adapter by the catalogue's ``query``
protocol name (:mod:`bot.adapters.registry`).

An adapter:
- returns a :class:`QueryResult`: the neutral :class:`~bot.snapshots.ServerInfo` (name, map,
  players, max, bots, password, version, player list, ping) and the protocol's own decoded
  answer (``raw``), which :meth:`QueryAdapter.raw_fields` turns into JSON-ready fields;
- raises only :class:`QueryError`, whose :class:`QueryFailure` says what went wrong in terms a
  person can act on (no answer, refused, not this protocol, a password needed…). Any other
  exception from an adapter is a bug.
- bounds everything: ``timeout`` covers the whole call (name resolution, connect, every round
  trip), answers are size-limited by the protocol package and strings are clipped by
  :func:`~bot.snapshots.bounded` on their way into a snapshot.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from bot.adapters.described import Described
from bot.snapshots import ServerInfo

JsonValue = Any  # what json.dumps accepts; the CLI prints raw_fields() as is


class QueryFailure(enum.Enum):
    """Why a query gave no status, in the words ``/server test`` turns into advice."""

    NO_ANSWER = "no_answer"  # silence: wrong port, query disabled, firewall or offline
    UNREACHABLE = "unreachable"  # the port is closed: connection refused, ICMP port unreachable
    NETWORK = "network"  # another network error (no route, reset)
    DNS = "dns"  # the host name does not resolve
    # Something answered, but not in this protocol (probably another port of the server).
    NOT_THIS_PROTOCOL = "not_this_protocol"
    AUTH_REQUIRED = "auth_required"  # the protocol needs a password and none is stored
    AUTH_REFUSED = "auth_refused"  # the stored password was refused
    SERVER_ERROR = "server_error"  # the server answered with an error (HTTP 5xx…)


# Short, secret-free words for each failure: the poller stores them as the down reason.
FAILURE_WORDS = {
    QueryFailure.NO_ANSWER: "no answer",
    QueryFailure.UNREACHABLE: "port closed",
    QueryFailure.NETWORK: "network error",
    QueryFailure.DNS: "name does not resolve",
    QueryFailure.NOT_THIS_PROTOCOL: "bad answer",
    QueryFailure.AUTH_REQUIRED: "password needed",
    QueryFailure.AUTH_REFUSED: "password refused",
    QueryFailure.SERVER_ERROR: "server error",
}


def os_failure(exc: OSError) -> QueryFailure:
    """The failure an OS error from a socket means (callers handle gaierror as DNS first)."""
    if isinstance(exc, ConnectionRefusedError):
        return QueryFailure.UNREACHABLE
    return QueryFailure.NETWORK


class QueryError(Exception):
    """A query that gave no status. ``detail`` is safe to show (no secrets, clipped)."""

    def __init__(self, failure: QueryFailure, detail: str, *, protocol: str = "") -> None:
        super().__init__(detail)
        self.failure = failure
        self.detail = detail
        self.protocol = protocol


@dataclass(frozen=True, slots=True)
class QueryResult:
    """One answer: the neutral status and what the protocol itself said."""

    status: ServerInfo
    # The protocol's own decoded values (dataclasses of its package); see raw_fields().
    raw: object = field(default=None, repr=False)
    # A PNG the server offers as its picture (Minecraft favicon, FiveM icon), bounded.
    icon: bytes | None = field(default=None, repr=False)
    # Advice that is not a failure ("query is disabled: set enable-query=true for names").
    notes: tuple[str, ...] = ()


class QueryAdapter(Described, Protocol):
    """One query protocol. Implementations keep no per-server state beyond caches."""

    @property
    def needs_password(self) -> bool:
        """True when :meth:`query` needs the server's stored admin password."""
        ...

    async def query(
        self,
        host: str,
        port: int,
        *,
        timeout: float,  # covers the whole call, by contract
        players: bool = True,
        password: str | None = None,
    ) -> QueryResult:
        """The server's status; ``players=False`` may skip the player list round trip.
        ``password``: for protocols that need one (Palworld's REST API). Raises QueryError."""
        ...

    def raw_fields(self, raw: object) -> Mapping[str, JsonValue]:
        """``QueryResult.raw`` as JSON-ready fields, for ``python -m bot query --json``."""
        ...


@runtime_checkable
class PortFinder(Protocol):
    """An adapter that can search the ports near a game port itself (A2S: one datagram per
    port, all at once), instead of the caller trying the catalogue's ports one by one."""

    async def find_port(
        self,
        host: str,
        game_port: int,
        *,
        known: Sequence[int] = (),
        timeout: float,  # per probe round
    ) -> int | None: ...


@runtime_checkable
class AddressLocator(Protocol):
    """An adapter whose protocol publishes a server's real address in DNS (Minecraft's
    ``_minecraft._tcp`` SRV record): ``/server add`` stores where it points."""

    async def locate(
        self,
        host: str,
        *,
        timeout: float,  # the whole lookup
    ) -> tuple[str, int] | None:
        """The published ``(host, port)`` for ``host``, or None when it publishes none."""
        ...


@runtime_checkable
class Closable(Protocol):
    """An adapter that keeps something open between queries (an HTTP session)."""

    async def close(self) -> None: ...
