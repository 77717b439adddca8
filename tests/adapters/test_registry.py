"""The adapter registry: every catalogue protocol has an adapter; lookups are typed."""

from __future__ import annotations

import pytest

from bot.adapters.a2s import A2SAdapter
from bot.adapters.admin import FULL_FEED, NO_FEED, ConsoleFeed
from bot.adapters.query import QueryError, QueryFailure
from bot.adapters.registry import (
    QUERY_PROTOCOL_NAMES,
    QueryAdapters,
    UnknownProtocol,
    console_feed,
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


def test_each_admin_adapter_says_what_its_console_gives_the_feed() -> None:
    # Consoles that push every join and leave (or poll their own player list).
    for protocol in ("battleye", "sdtd_telnet", "webrcon", "palworld_rest"):
        assert console_feed(protocol, None) == FULL_FEED, protocol
    # Source RCON pushes only with Squad's profile, and never every join and leave.
    assert console_feed("source_rcon", "squad") == ConsoleFeed(pushes=True, joins=False)
    assert console_feed("source_rcon", None) == NO_FEED
    assert console_feed("source_rcon", "ark") == NO_FEED
    assert console_feed("gopher", None) == NO_FEED


def test_unknown_protocol_is_a_query_error() -> None:
    with pytest.raises(QueryError) as caught:
        default_query_adapters().adapter("gopher")
    assert isinstance(caught.value, UnknownProtocol)
    assert caught.value.failure is QueryFailure.NOT_THIS_PROTOCOL


def test_two_adapters_for_one_protocol_are_refused() -> None:
    with pytest.raises(ValueError, match="two query adapters"):
        QueryAdapters([A2SAdapter(), A2SAdapter()])


async def test_close_closes_the_adapters_that_keep_a_session() -> None:
    closed: list[str] = []

    class Keeps(A2SAdapter):
        protocol = "keeps"

        async def close(self) -> None:
            closed.append(self.protocol)

    await QueryAdapters([A2SAdapter(), Keeps()]).close()
    assert closed == ["keeps"]
