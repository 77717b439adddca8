"""The adapter registry: every catalogue protocol has an adapter; lookups are typed."""

from __future__ import annotations

import pytest

from bot.adapters.a2s import A2SAdapter
from bot.adapters.query import QueryError, QueryFailure
from bot.adapters.registry import (
    QUERY_PROTOCOL_NAMES,
    QueryAdapters,
    UnknownProtocol,
    default_query_adapters,
    words_for,
)
from bot.catalogue import GAMES


def test_every_catalogue_query_protocol_has_an_adapter() -> None:
    adapters = default_query_adapters()
    used = {g.query_protocol for g in GAMES.values()} - {"none"}
    assert used <= set(adapters), used - set(adapters)
    assert set(adapters) == QUERY_PROTOCOL_NAMES


def test_each_adapter_describes_itself() -> None:
    for name, adapter in default_query_adapters().items():
        assert adapter.protocol == name
        assert adapter.transport in {"UDP", "TCP"}
        assert adapter.label and words_for(name).label == adapter.label


def test_unknown_protocol_is_a_query_error() -> None:
    with pytest.raises(QueryError) as caught:
        default_query_adapters().adapter("gopher")
    assert isinstance(caught.value, UnknownProtocol)
    assert caught.value.failure is QueryFailure.NOT_THIS_PROTOCOL


def test_two_adapters_for_one_protocol_are_refused() -> None:
    with pytest.raises(ValueError, match="two query adapters"):
        QueryAdapters([A2SAdapter(), A2SAdapter()])


async def test_aclose_closes_the_adapters_that_keep_a_session() -> None:
    closed: list[str] = []

    class Keeps(A2SAdapter):
        protocol = "keeps"

        async def aclose(self) -> None:
            closed.append(self.protocol)

    await QueryAdapters([A2SAdapter(), Keeps()]).aclose()
    assert closed == ["keeps"]
