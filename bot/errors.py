"""The single error path for app commands, buttons and modals.

Every failure becomes a short ephemeral message. Expected ones (checks, cooldowns, bad input)
say what to do; an unexpected exception gets a short error id that is logged with its traceback,
so a user can quote it to the operator. Whatever happens, the interaction gets an answer.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import discord
from discord import app_commands, ui

from bot.crypto import DecryptionError
from bot.i18n import resolve, t
from bot.logsetup import secrets as known_secrets
from bot.services.errors import UserError
from bot.storage.errors import QuotaExceededError, StorageError

log = logging.getLogger(__name__)


def new_error_id() -> str:
    """Eight hex characters: short enough to quote, unique enough to grep for."""
    return secrets.token_hex(4)


def user_language(interaction: discord.Interaction[Any]) -> str:
    """The language of an ephemeral answer: the member's own Discord language."""
    return resolve(interaction.locale.value)


def permission_name(language: str, name: str) -> str:
    """Discord's name of a permission flag (``manage_guild``: "Manage Server") in ``language``."""
    key = f"permissions.{name}"
    text = t(language, key)
    # A permission the catalogue does not name yet: Discord's name, from the flag's.
    return text if text != key else name.replace("_", " ").replace("guild", "server").title()


def _permission_names(names: list[str], language: str) -> str:
    return ", ".join(f"**{permission_name(language, n)}**" for n in names)


def describe_error(error: BaseException, language: str = "en") -> str | None:
    """The user-facing text for an expected error in ``language``, or None for an unexpected
    one."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, QuotaExceededError):
        # The kind of row ("servers", "status boards"…) named in the reader's language too.
        kind = t(language, "quota." + error.what.replace(" ", "_"))
        return t(language, "quota.exceeded", count=error.limit, what=kind)
    if isinstance(error, UserError) and error.key is not None:
        return t(language, error.key, **error.values)
    if isinstance(error, UserError | DecryptionError):
        # Our own texts, which never hold secrets nor repeat what was typed. Not passed through
        # the redaction filter: a member could read "[redacted]" back and so test guesses of
        # any guild's RCON password.
        return str(error)
    if isinstance(error, StorageError):
        # A storage error may quote its driver (a database URL): redacted as the logs are.
        return known_secrets.redact(str(error))
    if isinstance(error, app_commands.CommandOnCooldown):
        return t(language, "errors.cooldown", count=round(max(error.retry_after, 1)))
    if isinstance(error, app_commands.NoPrivateMessage):
        return t(language, "errors.no_private_message")
    if isinstance(error, app_commands.MissingPermissions):
        names = _permission_names(error.missing_permissions, language)
        return t(language, "errors.missing_permissions", permissions=names)
    if isinstance(error, app_commands.BotMissingPermissions):
        names = _permission_names(error.missing_permissions, language)
        return t(language, "errors.bot_missing_permissions", permissions=names)
    if isinstance(error, app_commands.MissingRole | app_commands.MissingAnyRole):
        return t(language, "errors.missing_role")
    if isinstance(error, app_commands.CheckFailure):
        return t(language, "errors.check_failure")
    if isinstance(error, app_commands.TransformerError):
        # The raw value is not echoed: it could be anything the user pasted.
        kind = t(language, f"types.{error.type.name.lower()}")
        return t(language, "errors.bad_value", type=kind)
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return t(language, "errors.out_of_date")
    return None


async def send_ephemeral(interaction: discord.Interaction[Any], content: str) -> None:
    """Answer with ``content``, whether or not the interaction was already responded to."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True)
        else:
            await interaction.response.send_message(content, ephemeral=True)
    except discord.HTTPException as exc:
        # Expired token or Discord outage: nothing more can reach this user.
        log.warning(
            "could not deliver an error message for interaction %s: %s", interaction.id, exc
        )


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> str | None:
    """Tell the user what went wrong; return the error id for an unexpected error."""
    language = user_language(interaction)
    message = describe_error(error, language)
    error_id: str | None = None
    if message is None:
        error_id = new_error_id()
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        command = interaction.command.qualified_name if interaction.command else None
        log.error(
            "error id %s: unexpected %s in %s (guild %s, user %s)",
            error_id,
            type(original).__name__,
            f"/{command}" if command else f"interaction type {interaction.type.name}",
            interaction.guild_id,
            interaction.user.id,
            exc_info=(type(original), original, original.__traceback__),
        )
        message = t(language, "errors.unexpected", error_id=error_id)
    else:
        log.info("interaction %s refused: %s", interaction.id, type(error).__name__)
    await send_ephemeral(interaction, message)
    return error_id


class OutpostTree(app_commands.CommandTree[Any]):
    """Command tree whose ``on_error`` is the one error path for every app command."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        # Outside ALLOWED_GUILD_IDS (and in DMs when it is set) the bot answers nothing,
        # commands and autocomplete alike, until it has left the guild.
        allowed = getattr(interaction.client, "guild_allowed", None)
        return allowed is None or bool(allowed(interaction.guild_id))

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError, /
    ) -> None:
        await report_error(interaction, error)


class ReportingView(ui.View):
    """A view whose callback errors take the same path as command errors."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error)


class ReportingModal(ui.Modal):
    """A modal whose submit errors take the same path as command errors."""

    # discord.py's Modal.on_error drops the ``item`` argument of BaseView.on_error.
    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        await report_error(interaction, error)
