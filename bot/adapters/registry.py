"""Which adapter speaks which protocol: the one place that lists them.

The catalogue names a game's query protocol (``a2s``, ``minecraft``…); the services look the
adapter up here by that name. Adding a protocol is: its package in ``bot/protocols``, its
adapter module here, one line in :func:`default_query_adapters`, its catalogue rows and tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from bot.adapters.a2s import A2SAdapter
from bot.adapters.query import QueryAdapter, QueryError, QueryFailure
from bot.protocols.a2s import A2SEngine


class UnknownProtocol(QueryError):
    """A protocol name no adapter speaks (a catalogue row ahead of its adapter)."""

    def __init__(self, protocol: str) -> None:
        super().__init__(
            QueryFailure.NOT_THIS_PROTOCOL,
            f"Outpost has no adapter for the {protocol!r} query protocol",
            protocol=protocol,
        )


class QueryAdapters(Mapping[str, QueryAdapter]):
    """Adapters by protocol name (read-only once built)."""

    def __init__(self, adapters: Iterable[QueryAdapter]) -> None:
        self._by_name: dict[str, QueryAdapter] = {}
        for adapter in adapters:
            if adapter.protocol in self._by_name:
                raise ValueError(f"two query adapters for {adapter.protocol!r}")
            self._by_name[adapter.protocol] = adapter

    def __getitem__(self, protocol: str) -> QueryAdapter:
        return self._by_name[protocol]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def adapter(self, protocol: str) -> QueryAdapter:
        """The adapter for ``protocol``; :class:`UnknownProtocol` when there is none."""
        try:
            return self._by_name[protocol]
        except KeyError:
            raise UnknownProtocol(protocol) from None


def default_query_adapters(engine: A2SEngine | None = None) -> QueryAdapters:
    """Every query protocol Outpost speaks; ``engine``: the bot's shared A2S engine."""
    return QueryAdapters([A2SAdapter(engine)])


@dataclass(frozen=True, slots=True)
class ProtocolWords:
    """How messages name a query protocol and its transport."""

    label: str
    transport: str


def words_for(protocol: str) -> ProtocolWords:
    adapter = _DESCRIBED.get(protocol)
    if adapter is None:
        return ProtocolWords(f"{protocol} query", "UDP")
    return ProtocolWords(adapter.label, adapter.transport)


_DESCRIBED = default_query_adapters()

# The names the catalogue may use for a query protocol (and "none": the game has no query).
# Built from the adapters themselves (constructing one opens nothing), so the two cannot drift.
QUERY_PROTOCOL_NAMES = frozenset(_DESCRIBED)
