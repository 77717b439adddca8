"""Kick and ban targets: the autocomplete value pins the player, not the slot (pure functions)."""

from __future__ import annotations

import pytest

from bot.games import RconKind
from bot.services.rcon.actions import (
    PlayerLeft,
    PlayerRef,
    plan_ban,
    player_token,
    recheck_player,
    resolve_player,
)

G, H = "c" * 32, "d" * 32
GUS = PlayerRef(3, "Griefer Gus", G)
IVY = PlayerRef(3, "Innocent Ivy", H)
NO_GUID = PlayerRef(5, "Lobby Larry")


def test_token_follows_the_player_not_the_slot() -> None:
    token = player_token(GUS)
    assert token == f"#3 g:{G} Griefer Gus"
    assert resolve_player([GUS], token) == GUS
    moved = PlayerRef(8, "Griefer Gus", G)  # rejoined into another slot: still him
    assert resolve_player([IVY, moved], token) == moved
    with pytest.raises(PlayerLeft, match=r"\*\*Griefer Gus\*\* left the server"):
        resolve_player([IVY], token)


def test_token_without_guid_needs_the_same_name_in_the_same_slot() -> None:
    token = player_token(NO_GUID)
    assert token == "#5 n:Lobby Larry"
    assert resolve_player([NO_GUID], token) == NO_GUID
    with pytest.raises(PlayerLeft):
        resolve_player([PlayerRef(5, "Someone Else")], token)
    long = PlayerRef(6, "L" * 300)
    assert len(player_token(long)) == 100
    assert resolve_player([long], player_token(long)) == long


def test_recheck_refuses_when_the_slot_changed_hands() -> None:
    assert recheck_player([GUS], GUS) == GUS
    with pytest.raises(PlayerLeft):
        recheck_player([IVY], GUS)
    with pytest.raises(PlayerLeft):
        recheck_player([PlayerRef(5, "Other")], NO_GUID)


def test_battleye_ban_by_guid_when_known_by_slot_otherwise() -> None:
    assert plan_ban(RconKind.BATTLEYE, GUS, 60, "cheat").commands == (
        f"addBan {G} 60 cheat",
        "kick 3 cheat",
    )
    assert plan_ban(RconKind.BATTLEYE, NO_GUID, None, "x").commands == ("ban 5 0 x",)
    # A Source SteamID is no BattlEye GUID.
    steam = PlayerRef(2, "Ann", "STEAM_1:0:11")
    assert plan_ban(RconKind.SOURCE, steam, 0).commands == ("banid 0 2 kick", "writeid")


def test_unconfirmed_reply_says_so_and_keeps_the_server_answer_apart() -> None:
    from bot.services.rcon.actions import plan_kick
    from bot.services.rcon.replies import player_action_reply

    plan = plan_kick(RconKind.BATTLEYE, GUS, "afk")
    reply = player_action_reply(
        plan,
        "br_avo",
        reason="afk",
        minutes=None,
        answer="Invalid\u202e player\nID `x`",
        confirmed=False,
    )
    assert reply.text.startswith("Kick of **Griefer Gus** (#3) sent to **br\\_avo**; the server")
    # The title names the server escaped; the answer is shown (sanitized) by the cog.
    assert reply.title == "Sent to br\\_avo, not confirmed yet" and not reply.confirmed
    assert reply.answer == "Invalid\u202e player\nID `x`" and "Invalid" not in reply.text
