"""Discord presentation for the servers cog: the password modal, the confirm view, embeds.

All ephemeral: in the language of the member who ran the command."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import ui

from bot.errors import ReportingModal, user_language
from bot.games import get_game
from bot.i18n import ENGLISH, t
from bot.rendering.text import clip, escape, sanitize
from bot.services.servers.changes import (
    MAX_PASSWORD_LENGTH,
    PendingAdd,
    SaveOutcome,
    note_text,
)
from bot.services.servers.diagnostics import Report
from bot.storage import Server
from cogs._common import InvokerOnlyView
from cogs._results import COLOUR_FAIL, COLOUR_OK, COLOUR_WARN

# Discord limits (embed fields, field value length).
MAX_FIELDS = 25
MAX_FIELD_VALUE = 1024
MAX_DESCRIPTION = 4096

# Seconds a confirmation waits; well inside the 15 min an interaction token lives.
CONFIRM_TIMEOUT = 120.0

PasswordHandler = Callable[[discord.Interaction[Any], str], Awaitable[None]]


def _t(language: str, key: str, /, **values: str | int | float) -> str:
    return t(language, f"serverui.{key}", **values)


class PasswordModal(ReportingModal):
    """Asks for the RCON password: a modal, never a slash option (options are visible).
    Labelled in the language of the member it is shown to."""

    def __init__(
        self, server_name: str, on_password: PasswordHandler, language: str = ENGLISH
    ) -> None:
        # Discord: a modal title has at most 45 characters, a label 45, a placeholder 100.
        title = clip(_t(language, "modal.title", name=server_name), 45)
        super().__init__(title=title, timeout=600)
        self.password: ui.TextInput[PasswordModal] = ui.TextInput(
            label=clip(_t(language, "modal.label"), 45),
            custom_id="password",
            style=discord.TextStyle.short,
            min_length=1,
            max_length=MAX_PASSWORD_LENGTH,
            placeholder=clip(_t(language, "modal.placeholder"), 100),
        )
        self.add_item(self.password)
        self._on_password = on_password

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        await self._on_password(interaction, self.password.value)


class ConfirmView(InvokerOnlyView):
    """Confirm/Cancel for one user; ``result`` is True, False or None (timed out).
    ``action`` (``remove`` or ``save``) names the confirm button and what does not happen
    otherwise, in the invoker's ``language``."""

    def __init__(
        self,
        origin: discord.Interaction[Any],
        on_confirm: Callable[[discord.Interaction[Any]], Awaitable[None]],
        timeout: float | None = None,
        *,
        action: str = "remove",
        language: str = ENGLISH,
    ) -> None:
        super().__init__(
            origin.user.id, timeout=timeout if timeout is not None else CONFIRM_TIMEOUT
        )
        self.origin = origin
        self._on_confirm = on_confirm
        self.result: bool | None = None
        self.action = action
        self.language = language
        self.confirm.label = _t(language, f"confirm.{action}.button")
        self.cancel.label = _t(language, "confirm.cancel")

    async def on_timeout(self) -> None:
        if self.result is not None:
            return  # answered; the view only stayed to answer late presses
        # Take the buttons away: a click after this would find no listener and fail.
        try:
            await self.origin.edit_original_response(
                content=_t(self.language, f"confirm.{self.action}.timeout"), embed=None, view=None
            )
        except discord.HTTPException:
            pass  # the message is gone or the token expired; nothing left to clean up

    async def _second_press(self, interaction: discord.Interaction[Any]) -> bool:
        """Answer a press after the first one (set before any await: two presses at once
        still act once). The view is not stopped on the first press, so this listener stays."""
        if self.result is None:
            return False
        text = _t(user_language(interaction), "confirm.already")
        await interaction.response.send_message(text, ephemeral=True)
        return True

    @ui.button(label="Remove", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction[Any], _: ui.Button[Any]) -> None:
        if await self._second_press(interaction):
            return
        self.result = True
        await self._on_confirm(interaction)

    @ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction[Any], _: ui.Button[Any]) -> None:
        if await self._second_press(interaction):
            return
        self.result = False
        await interaction.response.edit_message(
            content=_t(self.language, f"confirm.{self.action}.cancelled"), embed=None, view=None
        )


def _rcon_line(server: Server, language: str) -> str:
    game = get_game(server.game)
    if game is None or not game.has_rcon or server.rcon_port is None:
        return _t(language, "rcon_none")
    password = _t(language, "password_set" if server.has_rcon_password else "no_password")
    # The protocol's name ("Source RCON") as it is; the port as digits.
    return _t(
        language,
        "rcon_line",
        protocol=game.rcon.label,
        port=str(server.rcon_port),
        password=password,
    )


def server_summary(server: Server, language: str = ENGLISH) -> str:
    game = get_game(server.game)
    where = _t(language, "where", address=server.address, port=str(server.query_port))
    return clip(
        f"{game.name if game else server.game}\n{where}\n{_rcon_line(server, language)}",
        MAX_FIELD_VALUE,
    )


def list_embed(servers: list[Server], language: str = ENGLISH) -> discord.Embed:
    embed = discord.Embed(title=_t(language, "list_title"), colour=COLOUR_OK)
    if not servers:
        embed.description = _t(language, "list_empty")
        return embed
    shown = servers[:MAX_FIELDS]
    for server in shown:
        embed.add_field(
            name=clip(escape(server.name), 256),
            value=server_summary(server, language),
            inline=False,
        )
    if len(servers) > len(shown):
        embed.description = _t(language, "list_showing", shown=len(shown), count=len(servers))
    embed.set_footer(text=_t(language, "list_footer", count=len(servers)))
    return embed


def probed_embed(pending: PendingAdd, language: str = ENGLISH) -> discord.Embed:
    """The server that answered on a probed port, for the member to confirm it is theirs."""
    answer = pending.query.answer
    prepared = pending.prepared
    embed = discord.Embed(
        title=clip(_t(language, "probed_title", name=escape(prepared.name)), 256),
        description=_t(language, "probed", game=prepared.game.name, port=str(pending.query.port)),
        colour=COLOUR_WARN,
    )
    if answer is not None:
        name = clip(escape(answer.name) or "?", 256)
        embed.add_field(name=_t(language, "field_name"), value=name)
        embed.add_field(name=_t(language, "field_map"), value=clip(escape(answer.map) or "?", 256))
        embed.add_field(
            name=_t(language, "field_players"), value=f"{answer.players}/{answer.max_players}"
        )
    return embed


def _saved_title(outcome: SaveOutcome, verb: str, language: str) -> tuple[str, str | None]:
    """The title and, when something is amiss, the line that says what to do about it.
    ``verb``: ``added`` or ``updated``."""
    name = escape(outcome.server.name)
    if not outcome.answered:
        return _t(language, f"saved.{verb}_silent"), _t(language, "saved.silent", name=name)
    if outcome.login is not None and not outcome.login.ok:
        return (
            _t(language, f"saved.{verb}_unverified"),
            _t(language, "saved.unverified", name=name),
        )
    return _t(language, f"saved.{verb}", name=name), None


def saved_embed(outcome: SaveOutcome, verb: str, language: str = ENGLISH) -> discord.Embed:
    """Green when saved and answering; amber (still saved) when the query did not answer or the
    RCON login could not be verified, with the diagnostics to run."""
    title, hint = _saved_title(outcome, verb, language)
    # Notes quote the A2S server name: no controls or bidi overrides from it.
    lines = [f"• {sanitize(note_text(n, language))}" for n in outcome.notes]
    if hint:
        lines.insert(0, hint)
    text = "\n".join(lines)
    embed = discord.Embed(
        title=clip(title, 256),
        description=clip(text, MAX_DESCRIPTION) if text else None,
        colour=COLOUR_OK if hint is None else COLOUR_WARN,
    )
    embed.add_field(
        name=_t(language, "field_server"),
        value=server_summary(outcome.server, language),
        inline=False,
    )
    return embed


def removed_embed(name: str, language: str = ENGLISH) -> discord.Embed:
    shown = escape(name)
    return discord.Embed(
        title=clip(_t(language, "removed_title", name=shown), 256),
        description=_t(language, "removed", name=shown),
        colour=COLOUR_OK,
    )


def report_embed(report: Report, language: str = ENGLISH) -> discord.Embed:
    colour = COLOUR_OK if report.ok else COLOUR_FAIL
    title = clip(_t(language, "test_title", name=escape(report.server.name)), 256)
    embed = discord.Embed(title=title, colour=colour)
    for check in report.checks:
        status = _t(language, f"status.{check.status.value}")
        embed.add_field(
            name=clip(f"{check.status.symbol} {check.name}", 256),
            value=clip(sanitize(check.detail) or status, MAX_FIELD_VALUE),
            inline=False,
        )
    where = _t(
        language, "where_plain", address=report.server.address, port=str(report.server.query_port)
    )
    embed.set_footer(text=clip(where, 2048))
    return embed
