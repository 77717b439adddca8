"""Discord glue shared by ``/rcon``, ``/permissions`` and ``/audit``: who is calling (as the
permission check, the audit log and a schedule's run see them), the cooldown, and the
invoker-only confirm button."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands, ui

from bot.errors import user_language
from bot.i18n import t
from bot.services.audit import Actor
from bot.services.rcon.permissions import Caller, role_ids
from bot.services.schedules.console import Owner
from cogs._common import InvokerOnlyView, guild_id_of

CONFIRM_SECONDS = 60.0
COOLDOWN_SECONDS = 3.0  # one /rcon command per 3 s per user and guild


def caller_of(interaction: discord.Interaction[Any]) -> Caller:
    """The member as the permission check sees them *now* (roles from this interaction)."""
    user = interaction.user
    roles = role_ids(r.id for r in user.roles) if isinstance(user, discord.Member) else ()
    return Caller(
        guild_id=guild_id_of(interaction),
        user_id=user.id,
        is_admin=interaction.permissions.administrator,
        role_ids=roles,
    )


def actor_of(interaction: discord.Interaction[Any]) -> Actor:
    return Actor(guild_id_of(interaction), interaction.user.id, interaction.user.name)


def owner_of(interaction: discord.Interaction[Any]) -> Owner:
    """Whom a schedule or a restart countdown the member starts runs for."""
    return Owner(guild_id_of(interaction), interaction.user.id, interaction.user.name)


def user_cooldown(interaction: discord.Interaction[Any]) -> app_commands.Cooldown | None:
    # Reads the module constant at call time, so a test can switch the cooldown off.
    return app_commands.Cooldown(1, COOLDOWN_SECONDS) if COOLDOWN_SECONDS > 0 else None


def user_key(interaction: discord.Interaction[Any]) -> tuple[int | None, int]:
    return (interaction.guild_id, interaction.user.id)


ConfirmHandler = Callable[[discord.Interaction[Any]], Awaitable[None]]
ExpireHandler = Callable[[str], Awaitable[None]]


class ConfirmAction(InvokerOnlyView):
    """Confirm/Cancel that only the invoker can press, for 60 s. The handler re-checks the
    permission: a grant revoked meanwhile stops the action."""

    def __init__(
        self,
        origin: discord.Interaction[Any],
        label: str,
        on_confirm: ConfirmHandler,
        on_abandon: ExpireHandler,
        timeout: float | None = None,
    ) -> None:
        # Read at call time, not bound as a default, so tests can shorten the window.
        super().__init__(origin.user.id, timeout=CONFIRM_SECONDS if timeout is None else timeout)
        self.origin = origin
        self._on_confirm = on_confirm
        self._on_abandon = on_abandon
        # The invoker's language: only they can press, and every answer here is theirs.
        self.language = user_language(origin)
        self.confirm.label = label
        self.cancel.label = t(self.language, "rcon.confirm.cancel")
        # The follow-up carrying the buttons (set by the caller once sent).
        self.message: discord.WebhookMessage | None = None
        self.answered = False

    def _answer_once(self) -> bool:
        """True for the first press of Confirm or Cancel, False for any later one. Set before
        the first await, so two presses arriving together still run the action once."""
        if self.answered:
            return False
        self.answered = True
        return True

    async def _already_answered(self, interaction: discord.Interaction[Any]) -> None:
        text = t(self.language, "rcon.confirm.already_answered")
        await interaction.response.send_message(text, ephemeral=True)

    async def on_timeout(self) -> None:
        if self.answered:
            return  # confirmed or cancelled; the view only stayed to answer late presses
        self.answered = True
        window = f"{self.timeout:g} s" if self.timeout is not None else "time"
        await self._on_abandon(f"not confirmed within {window}")  # the audit row: English
        if self.message is None:
            return
        seconds = f"{self.timeout:g}" if self.timeout is not None else "?"
        try:
            await self.message.edit(
                content=t(self.language, "rcon.confirm.expired", seconds=seconds), view=None
            )
        except discord.HTTPException:
            pass  # message gone or token expired: nothing left to clean up

    # The view is not stopped on the first press: it stays registered until its timeout so a
    # second press (a double click, or Cancel after Confirm) is answered instead of failing.
    @ui.button(label="Confirm", style=discord.ButtonStyle.danger, custom_id="rcon:confirm")
    async def confirm(self, interaction: discord.Interaction[Any], _: ui.Button[Any]) -> None:
        if not self._answer_once():
            await self._already_answered(interaction)
            return
        sending = t(self.language, "rcon.confirm.sending")
        await interaction.response.edit_message(content=sending, view=None)
        await self._on_confirm(interaction)

    @ui.button(label="Cancel", style=discord.ButtonStyle.secondary, custom_id="rcon:cancel")
    async def cancel(self, interaction: discord.Interaction[Any], _: ui.Button[Any]) -> None:
        if not self._answer_once():
            await self._already_answered(interaction)
            return
        await self._on_abandon("cancelled by the user")
        cancelled = t(self.language, "rcon.confirm.cancelled")
        await interaction.response.edit_message(content=cancelled, view=None)
