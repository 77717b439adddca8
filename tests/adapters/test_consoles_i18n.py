"""The console adapters' refusals reach a member in their language; logs keep English."""

from __future__ import annotations

import pytest

from bot.adapters.admin import AdminTarget, SessionOptions
from bot.adapters.admin_errors import RconInvalidInput, RconNotConfigured
from bot.adapters.palworld_commands import parse_command
from bot.adapters.registry import default_admin_adapters
from bot.adapters.sdtd import SdtdAdapter
from bot.errors import describe_error


def test_a_palworld_exec_usage_refusal_is_german_for_a_german_reader() -> None:
    with pytest.raises(RconInvalidInput) as caught:
        parse_command("kick")
    assert str(caught.value) == "Usage: `kick <userId> [message]`."  # logs and audit
    assert describe_error(caught.value, "de") == "Aufruf: `kick <userId> [message]`."


def test_the_palworld_command_list_keeps_its_command_lines_in_every_language() -> None:
    with pytest.raises(RconInvalidInput) as caught:
        parse_command("teleport steam_1 0 0")
    german = describe_error(caught.value, "de")
    assert german is not None
    assert german.startswith("Die REST-API von Palworld kennt diese Befehle: `players`;")
    assert "`broadcast <message>`" in german
    assert "teleport" not in german


async def test_cannot_be_sent_is_german_around_the_protocol_detail() -> None:
    # A line break is refused before any connection is made: nothing listens on this port.
    session = SdtdAdapter().open(AdminTarget(1, "Main", "127.0.0.1", 9, "secret"), SessionOptions())
    try:
        with pytest.raises(RconInvalidInput) as caught:
            await session.execute("gettime\nshutdown", timeout=0.5)
    finally:
        await session.close()
    english = str(caught.value)
    assert english.startswith("This command cannot be sent: ")
    detail = english.removeprefix("This command cannot be sent: ").removesuffix(".")
    assert describe_error(caught.value, "de") == (
        f"Dieser Befehl kann nicht gesendet werden: {detail}."
    )


def test_an_unknown_console_protocol_is_said_in_the_readers_language() -> None:
    with pytest.raises(RconNotConfigured) as caught:
        default_admin_adapters().adapter("gopher")
    assert str(caught.value) == "Outpost has no console adapter for 'gopher'."
    assert describe_error(caught.value, "fr") == (
        "Outpost n'a aucun adaptateur de console pour 'gopher'."
    )
