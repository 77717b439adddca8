"""Layout of the messages that say what an action did: the /rcon result embeds (colour, title,
the code block only when the server said something, Discord's limits) and /server add's
saved embed (green, or amber "Saved, but not answering")."""

from __future__ import annotations

import discord

from bot.adapters.admin import LoginResult, LoginStatus
from bot.games import RconKind
from bot.rendering.embeds import embed_problems
from bot.services.rcon.actions import PlayerRef, plan_kick
from bot.services.rcon.errors import RconRefused, RconTimeout
from bot.services.rcon.replies import player_action_reply
from bot.services.servers.changes import SaveOutcome
from bot.storage import Server
from cogs._results import (
    ANSWER_FIELD,
    COLOUR_FAIL,
    COLOUR_OK,
    COLOUR_WARN,
    failure_embed,
    reply_embed,
    result_embed,
)
from cogs._server_ui import saved_embed

GUS = PlayerRef(3, "Gr_ief*er", "c" * 32)


def _kick(answer: str, confirmed: bool) -> discord.Embed:
    plan = plan_kick(RconKind.BATTLEYE, GUS, "afk")
    return reply_embed(
        player_action_reply(
            plan, "my_server", reason="afk", minutes=None, answer=answer, confirmed=confirmed
        )
    )


def test_colours_are_green_amber_red() -> None:
    assert COLOUR_OK == discord.Colour.green()
    assert COLOUR_WARN.value == 0xF0B232
    assert COLOUR_FAIL == discord.Colour.red()


def test_confirmed_kick_with_an_empty_answer_is_one_green_line() -> None:
    embed = _kick("", confirmed=True)
    assert embed.colour == COLOUR_OK
    # Names escaped in the title and the line: no markdown from a player or server name.
    assert embed.title == r"Done on my\_server"
    assert embed.description == r"Kicked **Gr\_ief\*er** (#3) from **my\_server**: afk"
    assert embed.fields == [] and "```" not in str(embed.description)
    assert embed_problems(embed) == []


def test_unconfirmed_kick_is_amber_and_the_answer_gets_its_block() -> None:
    embed = _kick("Invalid\u202e player\nID ```x", confirmed=False)
    assert embed.colour == COLOUR_WARN
    assert embed.title == r"Sent to my\_server, not confirmed yet"
    (field,) = embed.fields
    assert field.name == ANSWER_FIELD and field.value is not None
    # Sanitized (no bidi control), lines kept, fences inside the answer cannot close the block.
    assert field.value == "```\nInvalid player\nID `\u200b``x\n```"


def test_a_long_answer_is_clipped_to_the_field_limit() -> None:
    embed = result_embed("Done on x", "ok", "ok", answer="a" * 5000)
    (field,) = embed.fields
    assert field.value is not None and len(field.value) <= 1024
    assert field.value.startswith("```\n") and field.value.endswith("…\n```")
    assert embed_problems(embed) == []


def test_title_and_text_are_clipped_to_discord_limits() -> None:
    embed = result_embed("t" * 400, "d" * 5000, "fail")
    assert embed_problems(embed) == []
    assert embed.title is not None and embed.title.endswith("…")


def test_failures_are_red_a_timeout_amber() -> None:
    refused = failure_embed(RconRefused("nope"), "Ma*in")
    assert (refused.title, refused.description, refused.colour) == (
        r"Failed on Ma\*in",
        "nope",
        COLOUR_FAIL,
    )
    late = failure_embed(RconTimeout("no answer within 5 s"), "Main")
    assert late.title == "No answer in time from Main" and late.colour == COLOUR_WARN


def _server(name: str = "my_server") -> Server:
    return Server(1, 1, name, "cs2", "127.0.0.1", 27015, 27015, 27015, "token", 1, "", "")


def test_saved_and_answering_is_green() -> None:
    embed = saved_embed(SaveOutcome(_server(), ("A2S answers on port 27015 (x).",)), "added")
    assert embed.title == r"Server my\_server added" and embed.colour == COLOUR_OK
    assert embed.description == "• A2S answers on port 27015 (x)."
    assert [f.name for f in embed.fields] == ["Server"]


def test_saved_but_not_answering_is_amber_with_the_diagnostics_hint() -> None:
    note = "No A2S answer on port 27015 (timed out). Saved anyway: the server may be offline."
    embed = saved_embed(SaveOutcome(_server(), (note,), answered=False), "added")
    assert embed.title == "Saved, but not answering" and embed.colour == COLOUR_WARN
    hint, bullet = str(embed.description).split("\n")
    assert hint.startswith(r"**my\_server** is saved but did not answer")
    assert "`/server test`" in hint and bullet == f"• {note}"
    edited = saved_embed(SaveOutcome(_server(), (), answered=False), "updated")
    assert edited.title == "Updated, but not answering"
    assert embed_problems(embed) == [] and embed_problems(edited) == []


def test_saved_with_an_unverified_login_is_amber() -> None:
    login = LoginResult(LoginStatus.NO_ANSWER, "no answer")
    embed = saved_embed(SaveOutcome(_server(), (), login=login), "added")
    assert embed.title == "Saved, but RCON not verified" and embed.colour == COLOUR_WARN
    assert "`/server test`" in str(embed.description)


def test_partly_applied_is_amber() -> None:
    from bot.services.rcon.commands import PartlyDone

    embed = failure_embed(PartlyDone(1, 2, RconRefused("kick refused")), "Main")
    assert embed.title == "Partly done on Main" and embed.colour == COLOUR_WARN
    assert embed.description == "Only 1 of 2 commands ran before this failed: kick refused"
