from __future__ import annotations

from typing import Any

import discord
import pytest
from discord import app_commands

from bot.crypto import DecryptionError
from bot.errors import describe_error, new_error_id
from bot.services.errors import ServerNotFoundError, UserError
from bot.storage import DuplicateServerError


def _command() -> app_commands.Command[Any, ..., Any]:
    async def callback(interaction: discord.Interaction) -> None:
        return None

    return app_commands.Command(name="x", description="x", callback=callback)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (UserError("Bad input."), "Bad input."),
        (ServerNotFoundError("Main"), "No such server here."),
        (DuplicateServerError("Main"), "a server with that name already exists"),
        (DecryptionError("key differs"), "key differs"),
        (app_commands.NoPrivateMessage(), "only works inside a Discord server"),
        (app_commands.MissingPermissions(["manage_guild"]), "**Manage Server** permission"),
        (app_commands.BotMissingPermissions(["embed_links"]), "I am missing the **Embed Links**"),
        (app_commands.MissingAnyRole([1]), "do not have a role"),
        (app_commands.CheckFailure(), "not allowed"),
        (app_commands.CommandOnCooldown(app_commands.Cooldown(1, 60), 12.4), "again in 12 s"),
    ],
)
def test_expected_errors(error: Exception, expected: str) -> None:
    message = describe_error(error)
    assert message is not None and expected in message
    assert len(message) < 200 and "\n" not in message


def test_invoke_error_is_unwrapped() -> None:
    wrapped = app_commands.CommandInvokeError(_command(), UserError("Nope."))
    assert describe_error(wrapped) == "Nope."
    boom = app_commands.CommandInvokeError(_command(), ZeroDivisionError())
    assert describe_error(boom) is None


def test_transformer_error_does_not_echo_the_value() -> None:
    error = app_commands.TransformerError(
        "secret-ish text", discord.AppCommandOptionType.integer, app_commands.Transformer()
    )
    message = describe_error(error)
    assert message == "That value is not a valid whole number for this option."
    assert "secret-ish" not in message


def test_unexpected_and_ids() -> None:
    assert describe_error(RuntimeError("x")) is None
    ids = {new_error_id() for _ in range(50)}
    assert len(ids) == 50 and all(len(i) == 8 for i in ids)


def test_expected_error_text_shown_in_discord_is_redacted() -> None:
    from bot.logsetup import REDACTED, secrets
    from bot.storage import StorageError

    secrets.add("pg-secret-42")
    try:
        message = describe_error(StorageError("connection to u:pg-secret-42@db refused"))
    finally:
        secrets.clear()
    assert message == f"connection to u:{REDACTED}@db refused"
