"""Typed ``whisper``, ``save``, ``shutdown`` and ``whitelist`` plans: each console's own lines
from the catalogue, the permission each needs, and the text they refuse (pure functions)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.catalogue import ACTION_FIELDS, CatalogueError, RconKind, parse
from bot.games import GAMES
from bot.services.rcon.actions import (
    MAX_SHUTDOWN_SECONDS,
    SHUTDOWN_MESSAGE,
    PlayerRef,
    RconUnsupported,
    plan_save,
    plan_shutdown,
    plan_whisper,
    plan_whitelist,
)
from bot.services.rcon.errors import RconInvalidInput
from bot.services.rcon.permissions import Action
from bot.services.rcon.replies import whisper_reply

GUID = "a" * 32
STEAM = "76561198000000001"


@pytest.mark.parametrize(
    ("game", "player", "expected"),
    [
        ("dayz", PlayerRef(3, "Ann", GUID), "say 3 hi there"),
        ("squad", PlayerRef(0, "Ann", STEAM), f'AdminWarn "{STEAM}" hi there'),
        ("ark", PlayerRef(0, "Ann", STEAM), f'ServerChatTo "{STEAM}" hi there'),
        ("minecraft", PlayerRef(0, "Alex", handle="Alex"), "tell Alex hi there"),
    ],
)
def test_whisper_per_console(game: str, player: PlayerRef, expected: str) -> None:
    plan = plan_whisper(GAMES[game], player, " hi there ")
    assert plan.commands == (expected,)
    assert plan.action is Action.SAY and plan.target == player
    assert plan.arguments.startswith("whisper player=")


def test_whisper_refuses_what_could_chain_a_command() -> None:
    squad, mc = GAMES["squad"], GAMES["minecraft"]
    ann = PlayerRef(0, "Ann", STEAM)
    for bad in ('x" quit', "a;b"):  # Source RCON: quotes and ; end the argument
        with pytest.raises(RconInvalidInput, match="cannot contain"):
            plan_whisper(squad, ann, bad)
    for bad in ("hi\nstop", "hi\rstop", "a\x00", "a\u2028b"):
        with pytest.raises(RconInvalidInput, match="line breaks"):
            plan_whisper(mc, PlayerRef(0, "Alex", handle="Alex"), bad)
    with pytest.raises(RconInvalidInput, match="empty"):
        plan_whisper(mc, PlayerRef(0, "Alex", handle="Alex"), "  ")


def test_whisper_needs_the_id_its_template_uses() -> None:
    # Squad whispers by SteamID; a player the list showed without one is not guessed.
    with pytest.raises(RconInvalidInput, match="did not show the id"):
        plan_whisper(GAMES["squad"], PlayerRef(0, "Ann"), "hi")
    # A Minecraft handle that is no safe word never reaches the console.
    with pytest.raises(RconInvalidInput, match="did not show the id"):
        plan_whisper(GAMES["minecraft"], PlayerRef(0, "x; stop", handle="x; stop"), "hi")


@pytest.mark.parametrize(
    ("game", "save", "shutdown"),
    [
        ("minecraft", ("save-all",), ("stop",)),
        ("7dtd", ("saveworld",), ("shutdown",)),
        ("ark", ("SaveWorld",), ("SaveWorld", "DoExit")),
        ("project_zomboid", ("save",), ("quit",)),
        ("rust", ("server.save",), (f'restart 0 "{SHUTDOWN_MESSAGE}"',)),
        ("palworld_rest", ("save",), (f"shutdown 0 {SHUTDOWN_MESSAGE}",)),
    ],
)
def test_save_and_shutdown_per_console(
    game: str, save: tuple[str, ...], shutdown: tuple[str, ...]
) -> None:
    saved, stopped = plan_save(GAMES[game]), plan_shutdown(GAMES[game])
    assert (saved.commands, stopped.commands) == (save, shutdown)
    # Both are the administrators' business: the exec grant.
    assert saved.action is Action.EXEC and stopped.action is Action.EXEC
    assert (saved.arguments, stopped.arguments) == ("save", "shutdown now")


def test_shutdown_countdown_and_message_where_the_console_has_them() -> None:
    rust = plan_shutdown(GAMES["rust"], 30, "wipe")
    assert rust.commands == ('restart 30 "wipe"',)
    assert rust.arguments == "shutdown in 30 s message='wipe'"
    pal = plan_shutdown(GAMES["palworld_rest"], MAX_SHUTDOWN_SECONDS, "see you")
    assert pal.commands == (f"shutdown {MAX_SHUTDOWN_SECONDS} see you",)


@pytest.mark.parametrize("game", ["minecraft", "7dtd", "ark", "project_zomboid"])
def test_shutdown_refuses_a_countdown_or_message_it_cannot_honour(game: str) -> None:
    # Stopping at once what was asked to stop in ten minutes would be worse than refusing.
    with pytest.raises(RconInvalidInput, match="no countdown"):
        plan_shutdown(GAMES[game], 600)
    with pytest.raises(RconInvalidInput, match="no shutdown message"):
        plan_shutdown(GAMES[game], None, "back soon")
    assert plan_shutdown(GAMES[game], 0).arguments == "shutdown now"


def test_shutdown_bounds_and_text() -> None:
    rust = GAMES["rust"]
    for seconds in (-1, MAX_SHUTDOWN_SECONDS + 1, True):
        with pytest.raises(RconInvalidInput, match="countdown must be"):
            plan_shutdown(rust, seconds)
    for bad in ('bye"; quit', "a;b", "a\nquit"):
        with pytest.raises(RconInvalidInput, match="cannot contain"):
            plan_shutdown(rust, 10, bad)


@pytest.mark.parametrize(
    ("dialect", "action"),
    [
        (GAMES["cs2"], plan_save),
        (GAMES["cs2"], plan_shutdown),
        (GAMES["squad"], plan_save),
        (GAMES["dayz"], plan_shutdown),
        (RconKind.SOURCE, plan_save),
        (RconKind.BATTLEYE, plan_shutdown),
    ],
)
def test_consoles_without_lifecycle_commands_get_the_exec_hint(
    dialect: object, action: object
) -> None:
    with pytest.raises(RconUnsupported, match="use `/rcon exec`"):
        action(dialect)  # type: ignore[operator]


def test_whisper_on_consoles_without_one() -> None:
    for dialect in (GAMES["cs2"], GAMES["rust"], GAMES["7dtd"], RconKind.SOURCE):
        with pytest.raises(RconUnsupported, match="no `whisper` command"):
            plan_whisper(dialect, PlayerRef(1, "Ann", STEAM, "Ann"), "hi")


def test_whitelist_minecraft() -> None:
    mc = GAMES["minecraft"]
    added = plan_whitelist(mc, "add", " Steve_01 ")
    assert added.commands == ("whitelist add Steve_01",)
    assert added.action is Action.BAN and added.arguments == "whitelist add name='Steve_01'"
    assert plan_whitelist(mc, "remove", "Alex").commands == ("whitelist remove Alex",)
    with pytest.raises(RconUnsupported, match="no `whitelist add` command"):
        plan_whitelist(GAMES["rust"], "add", "Steve")
    with pytest.raises(RconInvalidInput, match="add or remove"):
        plan_whitelist(mc, "list", "Steve")


@pytest.mark.parametrize(
    "name", ["ab", "a" * 17, "Steve; stop", "Ste ve", "Stéve", "x\nstop", "", "Steve\u200b"]
)
def test_whitelist_refuses_names_outside_minecrafts_rule(name: str) -> None:
    with pytest.raises(RconInvalidInput, match="3 to 16"):
        plan_whitelist(GAMES["minecraft"], "add", name)


@given(st.text(max_size=40))
def test_whitelist_sends_only_one_safe_word(name: str) -> None:
    try:
        plan = plan_whitelist(GAMES["minecraft"], "add", name)
    except RconInvalidInput:
        return
    (command,) = plan.commands
    word = command.removeprefix("whitelist add ")
    assert 3 <= len(word) <= 16 and word.isascii() and (word.replace("_", "").isalnum())


@given(st.text(max_size=60))
def test_whisper_text_never_splits_a_command(message: str) -> None:
    try:
        plan = plan_whisper(GAMES["squad"], PlayerRef(0, "Ann", STEAM), message)
    except RconInvalidInput:
        return
    (command,) = plan.commands
    assert command.count('"') == 2 and ";" not in command
    assert not any(ord(ch) < 0x20 for ch in command)


def test_whisper_reply_names_the_player() -> None:
    plan = plan_whisper(GAMES["minecraft"], PlayerRef(0, "Al*ex", handle="Alex"), "hi")
    quiet = whisper_reply(plan, "Craft", answer="")
    assert quiet.text == r"Whispered to **Al\*ex** (#0) on **Craft**"
    assert (quiet.title, quiet.answer, quiet.confirmed) == ("Done on Craft", "", True)
    assert whisper_reply(plan, "Craft", answer=" You whisper\n").answer == "You whisper"


def test_catalogue_checks_the_new_actions_placeholders() -> None:
    assert ACTION_FIELDS["save"] == frozenset()
    assert ACTION_FIELDS["shutdown"] == {"seconds", "message"}
    base = '[consoles.c]\nprotocol = "source_rcon"\n[consoles.c.actions]\n'
    game = '\n[games.g]\nname = "G"\ngame_port = 1\nsource = "t"\n'
    with pytest.raises(CatalogueError, match="unknown placeholder 'reason'"):
        parse(base + 'shutdown = ["quit {reason}"]' + game)
    with pytest.raises(CatalogueError, match="unknown placeholder 'seconds'"):
        parse(base + 'save = ["save {seconds}"]' + game)
