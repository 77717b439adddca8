"""Any bytes given to a decoder give a value or NotFiveM: never another exception or a hang."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.protocols.fivem.decode import decode_dynamic, decode_info, decode_players
from bot.protocols.fivem.errors import NotFiveM
from bot.protocols.fivem.models import FiveMDynamic, FiveMInfo
from bot.protocols.fivem.oob import decode_getinfo
from tests.fakes.fivem_server import sample_dynamic, sample_info, sample_players
from tests.protocols.fuzzing import json_values, mutated

JSON = json_values(max_leaves=30)
KEYS = [
    "hostname",
    "clients",
    "sv_maxclients",
    "iv",
    "gametype",
    "mapname",
    "vars",
    "resources",
    "icon",
    "server",
    "version",
    "name",
    "id",
    "ping",
    "identifiers",
]
VALID = [json.dumps(v).encode() for v in (sample_info(), sample_dynamic(), sample_players())]


def _decode_all(raw: bytes) -> None:
    for decoder in (decode_info, decode_dynamic, decode_players):
        try:
            value: Any = decoder(raw)
        except NotFiveM:
            continue
        if isinstance(value, FiveMInfo):
            assert all(isinstance(k, str) and isinstance(v, str) for k, v in value.vars.items())
        elif isinstance(value, FiveMDynamic):
            assert value.clients >= 0
        else:
            assert all(p.ping >= -1 for p in value)


@settings(max_examples=150)
@given(st.binary(max_size=512))
def test_arbitrary_bytes(raw: bytes) -> None:
    _decode_all(raw)
    try:
        decode_getinfo(b"\xff\xff\xff\xffinfoResponse\n" + raw, "abc")
    except NotFiveM:
        pass


@settings(max_examples=150)
@given(JSON)
def test_arbitrary_json_values(value: Any) -> None:
    _decode_all(json.dumps(value).encode())


@settings(max_examples=150)
@given(st.dictionaries(st.sampled_from(KEYS), JSON, max_size=8), st.booleans())
def test_objects_with_the_right_keys_and_any_values(fields: dict[str, Any], as_list: bool) -> None:
    _decode_all(json.dumps([fields] if as_list else fields).encode())


@settings(max_examples=100)
@given(st.sampled_from(VALID), st.data())
def test_mutated_valid_bodies(raw: bytes, data: st.DataObject) -> None:
    _decode_all(mutated(raw, data))
