"""The A2S response fixtures in tests/fixtures by what they answer, named once for the
decoding tests (test_fixtures.py) and the differential tests against python-a2s
(test_differential.py)."""

from __future__ import annotations

SOURCE_INFO = [
    "a2s_wiki_info_css",
    "a2s_wiki_info_the_ship",
    "a2s_wiki_info_sin1",
    "a2s_wiki_info_ragdollkungfu_servertype0",
    "a2s_info_project_zomboid",
    "a2s_info_arma3",
    "a2s_info_csgo_gamedig58",
    "a2s_info_tf2_sqc20",
    "a2s_info_ark_pya2s16",
]
PLAYERS = [
    "a2s_wiki_player_css",
    "a2s_wiki_player_the_ship",
    "a2s_player_empty",
    "a2s_player_icarus_empty_name_opengsq44",
]
CHALLENGES = [
    "a2s_wiki_info_s2c_challenge",
    "a2s_wiki_player_s2c_challenge",
    "a2s_player_s2c_challenge_csgo_gamedig58",
    "a2s_info_s2c_challenge_tf2_sqc20",
    "a2s_player_s2c_challenge_ark_pya2s16",
]
RULES = ["a2s_rules_project_zomboid", "a2s_rules_arma3_binary"]
