"""Discord presentation for the servers cog: the password modal, the confirm view, embeds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import ui

from bot.errors import ReportingModal
from bot.games import get_game
from bot.rendering.text import clip, escape, sanitize
from bot.services.servers.changes import MAX_PASSWORD_LENGTH, PendingAdd, SaveOutcome
from bot.services.servers.diagnostics import Report
from bot.storage import Server
from cogs._common import InvokerOnlyView
from cogs._results import COLOUR_FAIL, COLOUR_OK, COLOUR_WARN

# Discord limits (embed fields, field value length).
MAX_FIELDS = 25
MAX_FIELD_VALUE = 1024
MAX_DESCRIPTION = 4096

ALREADY_ANSWERED = "This was already answered: it runs only once."
# Seconds a confirmation waits; well inside the 15 min an interaction token lives.
CONFIRM_TIMEOUT = 120.0

PasswordHandler = Callable[[discord.Interaction[Any], str], Awaitable[None]]


class PasswordModal(ReportingModal):
    """Asks for the RCON password: a modal, never a slash option (options are visible)."""

    password: ui.TextInput[PasswordModal] = ui.TextInput(
        label="RCON password",
        custom_id="password",
        style=discord.TextStyle.short,
        min_length=1,
        max_length=MAX_PASSWORD_LENGTH,
        placeholder="Stored encrypted; only used to log in to your server",
    )

    def __init__(self, server_name: str, on_password: PasswordHandler) -> None:
        super().__init__(title=clip(f"RCON password for {server_name}", 45), timeout=600)
        self._on_password = on_password

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        await self._on_password(interaction, self.password.value)


class ConfirmView(InvokerOnlyView):
    """Confirm/Cancel for one user; ``result`` is True, False or None (timed out).
    ``label`` names the confirm button, ``subject`` what does not happen otherwise."""

    def __init__(
        self,
        origin: discord.Interaction[Any],
        on_confirm: Callable[[discord.Interaction[Any]], Awaitable[None]],
        timeout: float | None = None,
        *,
        label: str = "Remove",
        subject: str = "removed",
    ) -> None:
        super().__init__(
            origin.user.id, timeout=timeout if timeout is not None else CONFIRM_TIMEOUT
        )
        self.origin = origin
        self._on_confirm = on_confirm
        self.result: bool | None = None
        self.subject = subject
        self.confirm.label = label

    async def on_timeout(self) -> None:
        if self.result is not None:
            return  # answered; the view only stayed to answer late presses
        # Take the buttons away: a click after this would find no listener and fail.
        try:
            await self.origin.edit_original_response(
                content=f"No answer: nothing was {self.subject}.", embed=None, view=None
            )
        except discord.HTTPException:
            pass  # the message is gone or the token expired; nothing left to clean up

    async def _second_press(self, interaction: discord.Interaction[Any]) -> bool:
        """Answer a press after the first one (set before any await: two presses at once
        still act once). The view is not stopped on the first press, so this listener stays."""
        if self.result is None:
            return False
        await interaction.response.send_message(ALREADY_ANSWERED, ephemeral=True)
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
            content=f"Cancelled: nothing was {self.subject}.", embed=None, view=None
        )


def _rcon_line(server: Server) -> str:
    game = get_game(server.game)
    if game is None or not game.has_rcon or server.rcon_port is None:
        return "RCON: none"
    password = "password set" if server.has_rcon_password else "no password"
    return f"{game.rcon.label} on {server.rcon_port} ({password})"


def server_summary(server: Server) -> str:
    game = get_game(server.game)
    return clip(
        f"{game.name if game else server.game}\n"
        f"`{server.address}` · query {server.query_port}\n{_rcon_line(server)}",
        MAX_FIELD_VALUE,
    )


def list_embed(servers: list[Server]) -> discord.Embed:
    embed = discord.Embed(title="Game servers", colour=COLOUR_OK)
    if not servers:
        embed.description = "No servers yet. Add one with `/server add`."
        return embed
    shown = servers[:MAX_FIELDS]
    for server in shown:
        embed.add_field(
            name=clip(escape(server.name), 256), value=server_summary(server), inline=False
        )
    if len(servers) > len(shown):
        embed.description = f"Showing {len(shown)} of {len(servers)} servers."
    embed.set_footer(text=f"{len(servers)} server(s)")
    return embed


def probed_embed(pending: PendingAdd) -> discord.Embed:
    """The server that answered on a probed port, for the member to confirm it is theirs."""
    answer = pending.query.answer
    prepared = pending.prepared
    embed = discord.Embed(
        title=clip(f"Is this {escape(prepared.name)}?", 256),
        description=(
            f"Nothing answered on {prepared.game.name}'s usual query port, but port "
            f"{pending.query.port} does. If the host runs several servers, this may be another "
            "one. Save only if it is yours."
        ),
        colour=COLOUR_WARN,
    )
    if answer is not None:
        embed.add_field(name="Name", value=clip(escape(answer.server_name) or "?", 256))
        embed.add_field(name="Map", value=clip(escape(answer.map_name) or "?", 256))
        embed.add_field(name="Players", value=f"{answer.players}/{answer.max_players}")
    return embed


def _saved_title(outcome: SaveOutcome, verb: str) -> tuple[str, str | None]:
    """The title and, when something is amiss, the line that says what to do about it."""
    name = escape(outcome.server.name)
    done = "Saved" if verb == "added" else verb.capitalize()
    if not outcome.answered:
        return (
            f"{done}, but not answering",
            f"**{name}** is saved but did not answer: it may be offline, or its query port "
            f"is closed or firewalled. Run `/server test` on it to see which check fails.",
        )
    if outcome.login is not None and not outcome.login.ok:
        return (
            f"{done}, but RCON not verified",
            f"**{name}** is saved, but its RCON login could not be checked. Run `/server test` "
            "on it once the server is up.",
        )
    return f"Server {name} {verb}", None


def saved_embed(outcome: SaveOutcome, verb: str) -> discord.Embed:
    """Green when saved and answering; amber (still saved) when the query did not answer or the
    RCON login could not be verified, with the diagnostics to run."""
    title, hint = _saved_title(outcome, verb)
    # Notes quote the A2S server name: no controls or bidi overrides from it.
    lines = [f"• {sanitize(n)}" for n in outcome.notes]
    if hint:
        lines.insert(0, hint)
    text = "\n".join(lines)
    embed = discord.Embed(
        title=clip(title, 256),
        description=clip(text, MAX_DESCRIPTION) if text else None,
        colour=COLOUR_OK if hint is None else COLOUR_WARN,
    )
    embed.add_field(name="Server", value=server_summary(outcome.server), inline=False)
    return embed


def removed_embed(name: str) -> discord.Embed:
    shown = escape(name)
    return discord.Embed(
        title=clip(f"Removed {shown}", 256),
        description=f"**{shown}** is no longer watched; its settings and stored password are "
        "deleted.",
        colour=COLOUR_OK,
    )


def report_embed(report: Report) -> discord.Embed:
    colour = COLOUR_OK if report.ok else COLOUR_FAIL
    embed = discord.Embed(title=clip(f"Test of {escape(report.server.name)}", 256), colour=colour)
    for check in report.checks:
        embed.add_field(
            name=f"{check.status.symbol} {check.name}",
            value=clip(sanitize(check.detail) or check.status.value, MAX_FIELD_VALUE),
            inline=False,
        )
    embed.set_footer(text=clip(f"{report.server.address} · query {report.server.query_port}", 2048))
    return embed
