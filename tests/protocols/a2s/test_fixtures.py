"""Every response fixture in tests/fixtures decodes to the values in expected.json."""

from __future__ import annotations

from typing import Any

import pytest

from bot.protocols.a2s import games, packets
from bot.protocols.a2s.models import GoldSrcInfo, SourceInfo
from tests.conftest import load_expected, load_hex
from tests.protocols.a2s.fixture_names import CHALLENGES, PLAYERS, RULES, SOURCE_INFO


def _message(name: str) -> bytes:
    return packets.unwrap_simple(load_hex(name))


def test_every_response_fixture_is_covered() -> None:
    expected = load_expected()
    requests = {k for k, v in expected.items() if v["kind"] == "client request"}
    covered = (
        set(SOURCE_INFO)
        | set(PLAYERS)
        | set(CHALLENGES)
        | set(RULES)
        | requests
        | {"a2s_wiki_info_goldsrc_obsolete_m"}
    )
    assert covered == set(expected)


@pytest.mark.parametrize("name", SOURCE_INFO)
def test_source_info(name: str) -> None:
    exp = load_expected()[name]["decoded"]
    info = packets.decode_info(_message(name))
    assert isinstance(info, SourceInfo)
    assert info.protocol == exp["protocol"]
    assert info.server_name == exp["name"]
    assert info.map_name == exp["map"]
    assert info.folder == exp["folder"]
    assert info.game == exp["game"]
    assert info.app_id == exp["id"]
    assert info.player_count == exp["players"]
    assert info.max_players == exp["max_players"]
    assert info.bot_count == exp["bots"]
    if isinstance(exp["type"], int):
        assert ord(info.server_type) == exp["type"]  # Rag Doll Kung Fu sends 0x00
    else:
        assert info.server_type == exp["type"]
    assert info.platform == exp["env"]
    assert info.password_protected == bool(exp["vis"])
    assert info.vac_enabled == bool(exp["vac"])
    assert info.version == exp["version"]
    assert info.edf == exp.get("edf", 0)
    assert info.port == exp.get("port")
    assert info.steam_id == exp.get("steamid")
    assert info.stv_port == exp.get("stv_port")
    assert info.stv_name == exp.get("stv_name")
    assert info.keywords == exp.get("keywords")
    assert info.game_id == exp.get("gameid")
    ship = (info.ship_mode, info.ship_witnesses, info.ship_duration)
    assert ship == (tuple(exp["ship"]) if "ship" in exp else (None, None, None))
    assert not info.truncated


def test_goldsrc_obsolete_info() -> None:
    exp = load_expected()["a2s_wiki_info_goldsrc_obsolete_m"]["decoded"]
    info = packets.decode_info(_message("a2s_wiki_info_goldsrc_obsolete_m"))
    assert isinstance(info, GoldSrcInfo)
    assert info.address == exp["address"]
    assert (info.server_name, info.map_name, info.folder, info.game) == (
        exp["name"],
        exp["map"],
        exp["folder"],
        exp["game"],
    )
    assert (info.player_count, info.max_players, info.protocol) == (
        exp["players"],
        exp["max_players"],
        exp["protocol"],
    )
    assert (info.server_type, info.platform) == (exp["type"], exp["env"])
    assert info.password_protected == bool(exp["vis"])
    assert info.is_mod == bool(exp["mod"])
    assert info.mod_website == exp["mod_link"]
    assert info.mod_download == exp["mod_download"]
    assert info.mod_version == exp["mod_version"]
    assert info.mod_size == exp["mod_size"]
    assert info.multiplayer_only == bool(exp["mod_type"])
    assert info.uses_custom_dll == bool(exp["mod_dll"])
    assert info.vac_enabled == bool(exp["vac"])
    assert info.bot_count == exp["bots"]


@pytest.mark.parametrize("name", PLAYERS)
def test_players(name: str) -> None:
    exp = load_expected()[name]["decoded"]
    players = packets.decode_players(_message(name))
    assert not players.truncated
    assert len(players) == exp["count"]
    for got, want in zip(players, exp["players"], strict=True):
        assert got.index == want["index"]
        assert got.name == want["name"]
        assert got.score == want["score"]
        assert got.duration == want["duration"]
        assert got.deaths == want.get("deaths")
        assert got.money == want.get("money")
    raw = packets.decode_players(_message(name), encoding=None)
    assert [p.name.hex() for p in raw] == [p["name_hex"] for p in exp["players"]]


@pytest.mark.parametrize("name", RULES)
def test_rules_bytes(name: str) -> None:
    exp = load_expected()[name]["decoded"]
    rules = packets.decode_rules(_message(name), encoding=None)
    assert not rules.truncated
    assert len(rules) == exp["count"]
    assert {k.hex(): v.hex() for k, v in rules.items()} == exp["rules_hex"]


def test_rules_text_project_zomboid() -> None:
    rules = packets.decode_rules(_message("a2s_rules_project_zomboid"))
    assert rules["description"] == ""
    assert rules["modCount"] == "304"
    assert rules["version"] == "41.78.16"


def test_arma3_binary_rules_blob() -> None:
    exp: dict[str, Any] = load_expected()["a2s_rules_arma3_binary"]["decoded_arma3_blob"]
    rules = packets.decode_rules(_message("a2s_rules_arma3_binary"), encoding=None)
    blob = games.decode_arma3_rules(rules)
    assert blob.version == exp["version"]
    assert blob.overflow == exp["overflow"]
    assert blob.dlc_flags == exp["dlc_flags"]
    assert blob.difficulty_raw == exp["difficulty_u16"]
    assert list(blob.dlc_hashes) == exp["dlc_hashes"]
    assert [{"dlc": m.dlc, "steam_id": m.steam_id, "name": m.name} for m in blob.mods] == exp[
        "mods"
    ]
    assert list(blob.signatures) == exp["signatures"]
    assert blob.bytes_consumed == exp["bytes_consumed"] == exp["blob_len"]


@pytest.mark.parametrize("name", CHALLENGES)
def test_challenges(name: str) -> None:
    exp = load_expected()[name]["decoded"]
    challenge = packets.decode_challenge(_message(name))
    assert challenge.hex() == exp["challenge_bytes_hex"]
    assert int.from_bytes(challenge, "little", signed=True) == exp["challenge_int32_le"]


def test_request_encodings_are_byte_exact() -> None:
    assert packets.encode_info_request() == load_hex("a2s_wiki_info_request")
    wiki_challenge = packets.decode_challenge(_message("a2s_wiki_info_s2c_challenge"))
    assert packets.encode_info_request(wiki_challenge) == load_hex(
        "a2s_wiki_info_request_with_challenge"
    )
    tf2_challenge = packets.decode_challenge(_message("a2s_info_s2c_challenge_tf2_sqc20"))
    assert packets.encode_info_request(tf2_challenge) == load_hex(
        "a2s_info_request_with_challenge_tf2_sqc20"
    )
    assert packets.encode_players_request() == load_hex("a2s_wiki_player_request_get_challenge")


def test_game_knowledge_on_fixtures() -> None:
    for name, app in [
        ("a2s_info_ark_pya2s16", 346110),
        ("a2s_info_arma3", games.APP_ARMA3),
        ("a2s_info_project_zomboid", 108600),
        ("a2s_info_csgo_gamedig58", 730),
        ("a2s_wiki_info_css", 240),
    ]:
        info = packets.decode_info(_message(name))
        assert isinstance(info, SourceInfo)
        assert info.resolved_app_id == app, name
