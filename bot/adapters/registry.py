"""Which adapter speaks which protocol: the one place that lists them.

The catalogue names a game's query protocol (``a2s``, ``minecraft``…) and admin protocol
(``source_rcon``, ``battleye``…); the services look the adapter up here by that name. Adding a
protocol is: its package in ``bot/protocols``, its adapter module here, one line in
:func:`default_query_adapters` or :func:`default_admin_adapters`, its catalogue rows and tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.adapters.a2s import A2SAdapter
from bot.adapters.admin import NO_FEED, AdminAdapter, ConsoleFeed, LoginHints
from bot.adapters.admin_errors import RconNotConfigured
from bot.adapters.battleye import BattlEyeAdapter
from bot.adapters.bedrock import BedrockAdapter
from bot.adapters.described import Described
from bot.adapters.fivem import FiveMAdapter
from bot.adapters.minecraft import MinecraftAdapter
from bot.adapters.palworld import PalworldAdapter
from bot.adapters.palworld_admin import PalworldAdminAdapter
from bot.adapters.quake3 import Quake3Adapter
from bot.adapters.query import Closable, QueryAdapter, QueryError, QueryFailure
from bot.adapters.satisfactory import SatisfactoryAdapter
from bot.adapters.sdtd import SdtdAdapter
from bot.adapters.source_rcon import SourceRconAdapter
from bot.adapters.webrcon import WebRconAdapter
from bot.protocols.a2s import A2SEngine
from bot.protocols.battleye import ClientConfig

A = TypeVar("A", bound=Described)


class _Adapters(Mapping[str, A], Generic[A]):
    """Adapters by protocol name (read-only once built)."""

    kind = "query"

    def __init__(self, adapters: Iterable[A]) -> None:
        self._by_name: dict[str, A] = {}
        for adapter in adapters:
            if adapter.protocol in self._by_name:
                raise ValueError(f"two {self.kind} adapters for {adapter.protocol!r}")
            self._by_name[adapter.protocol] = adapter

    def __getitem__(self, protocol: str) -> A:
        return self._by_name[protocol]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)


class UnknownProtocol(QueryError):
    """A protocol name no adapter speaks (a catalogue row ahead of its adapter)."""

    def __init__(self, protocol: str) -> None:
        super().__init__(
            QueryFailure.NOT_THIS_PROTOCOL,
            f"Outpost has no adapter for the {protocol!r} query protocol",
            protocol=protocol,
        )


class QueryAdapters(_Adapters[QueryAdapter]):
    async def close(self) -> None:
        """Close what the adapters keep open between queries (FiveM's and Palworld's HTTP
        sessions); they open it again on the next query."""
        for adapter in self._by_name.values():
            if isinstance(adapter, Closable):
                await adapter.close()

    def adapter(self, protocol: str) -> QueryAdapter:
        """The adapter for ``protocol``; :class:`UnknownProtocol` when there is none."""
        try:
            return self._by_name[protocol]
        except KeyError:
            raise UnknownProtocol(protocol) from None


class AdminAdapters(_Adapters[AdminAdapter]):
    kind = "admin"

    def adapter(self, protocol: str) -> AdminAdapter:
        """The adapter for ``protocol``; :class:`RconNotConfigured` when there is none."""
        try:
            return self._by_name[protocol]
        except KeyError:
            raise RconNotConfigured(key="consoles.no_adapter", protocol=repr(protocol)) from None


def default_query_adapters(engine: A2SEngine | None = None) -> QueryAdapters:
    """Every query protocol Outpost speaks; ``engine``: the bot's shared A2S engine."""
    return QueryAdapters(
        [
            A2SAdapter(engine),
            MinecraftAdapter(),
            BedrockAdapter(),
            FiveMAdapter(),
            Quake3Adapter(),
            SatisfactoryAdapter(),
            PalworldAdapter(),
        ]
    )


def default_admin_adapters(battleye: ClientConfig | None = None) -> AdminAdapters:
    """Every console protocol Outpost speaks; ``battleye``: a client configuration for every
    BattlEye session (None: derived from the pool's timeouts)."""
    return AdminAdapters(
        [
            SourceRconAdapter(),
            BattlEyeAdapter(battleye),
            WebRconAdapter(),
            SdtdAdapter(),
            PalworldAdminAdapter(),
        ]
    )


@dataclass(frozen=True, slots=True)
class ProtocolWords:
    """How messages name a protocol and its transport."""

    label: str
    transport: str


_QUERY = default_query_adapters()
_ADMIN = default_admin_adapters()


def words_for(protocol: str) -> ProtocolWords:
    """How messages name a query or admin protocol."""
    adapter: Described | None = _QUERY.get(protocol) or _ADMIN.get(protocol)
    if adapter is None:
        return ProtocolWords(protocol, "UDP")
    return ProtocolWords(adapter.label, adapter.transport)


def admin_hints(protocol: str) -> LoginHints | None:
    """What ``/server test`` says of each failed login in this console protocol."""
    adapter = _ADMIN.get(protocol)
    return adapter.hints if adapter is not None else None


def console_feed(protocol: str, profile: str | None) -> ConsoleFeed:
    """What a console of this admin protocol (and quirks profile) gives the live feed."""
    adapter = _ADMIN.get(protocol)
    return adapter.feed(profile) if adapter is not None else NO_FEED


# The names the catalogue may use (and "none": no query / no console). Built from the adapters
# themselves (constructing one opens nothing), so the two cannot drift.
QUERY_PROTOCOL_NAMES = frozenset(_QUERY)
QUERY_NEEDS_PASSWORD = frozenset(name for name, a in _QUERY.items() if a.needs_password)
