"""``/restart start|cancel``: a one-off restart with a countdown announced in game, and its
cancellation (announced too). Needs the exec permission (``/rcon shutdown``'s), checked when
the command runs and again at every step: a grant revoked meanwhile stops the countdown."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import user_language
from bot.i18n import t
from bot.rendering.text import clip, escape
from bot.services.errors import UserError
from bot.services.rcon.actions import MAX_MESSAGE
from bot.services.rcon.permissions import Action
from bot.services.schedules.console import check_payload
from bot.services.schedules.countdown import MAX_MINUTES, parse_steps
from bot.services.schedules.outcomes import OK, shown
from cogs._base import OutpostGroupCog
from cogs._common import answer, guild_id_of
from cogs._rcon_ui import caller_of, owner_of
from cogs._status_ui import Interaction, server_choices

NoteChannel = discord.TextChannel | discord.Thread


@app_commands.guild_only()
class Restart(OutpostGroupCog, group_name="restart", group_description="Restart with a countdown"):
    @app_commands.command(name="start", description="Restart a server after a countdown")
    @app_commands.describe(
        server="The server",
        in_minutes="Minutes until the shutdown",
        message="Told to the players with each step",
        steps="Minutes announced before it (default 15,5,1; none), besides the start",
        channel="Where to note the restart",
    )
    @app_commands.autocomplete(server=server_choices)
    async def start(
        self,
        interaction: Interaction,
        server: str,
        in_minutes: app_commands.Range[int, 1, MAX_MINUTES],
        message: app_commands.Range[str, 1, MAX_MESSAGE] | None = None,
        steps: app_commands.Range[str, 0, 60] = "15,5,1",
        channel: NoteChannel | None = None,
    ) -> None:
        found = await self.services.registry.get(guild_id_of(interaction), server)
        chosen = parse_steps(steps)
        language = self.services.languages.of(found.guild_id)  # what the players will read
        text = check_payload(found, "restart", message or "", (in_minutes,), language)
        await self.services.rcon.authorize(
            caller_of(interaction),
            interaction.user.name,
            Action.EXEC,
            found,
            f"restart in {in_minutes} min",
        )
        countdown = await self.services.schedules.start_restart(
            owner_of(interaction), found, in_minutes, text, chosen, channel.id if channel else None
        )
        await answer(
            interaction,
            "restarts.started",
            server=escape(found.name),
            when=f"<t:{int(countdown.shutdown_at)}:R>",
            steps=countdown.steps.replace(",", ", "),
        )

    @app_commands.command(name="cancel", description="Cancel a pending restart (said in game)")
    @app_commands.describe(server="The server")
    @app_commands.autocomplete(server=server_choices)
    async def cancel(self, interaction: Interaction, server: str) -> None:
        found = await self.services.registry.get(guild_id_of(interaction), server)
        await self.services.rcon.authorize(
            caller_of(interaction), interaction.user.name, Action.EXEC, found, "restart cancel"
        )
        if await self.services.store.countdowns.of_server(found.id) is None:
            raise UserError(key="restarts.none_pending", server=escape(found.name))
        await interaction.response.defer(ephemeral=True, thinking=True)
        _, outcome = await self.services.schedules.cancel_restart(owner_of(interaction), found)
        language, name = user_language(interaction), escape(found.name)
        if outcome == OK:
            text = t(language, "restarts.cancel_told", server=name)
        else:
            said = shown(outcome, language)
            text = t(language, "restarts.cancel_not_said", server=name, outcome=said)
        await interaction.followup.send(clip(text, 2000), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Restart(bot))
