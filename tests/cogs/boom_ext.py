"""A test-only extension whose commands fail in each way the error path knows."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import ReportingModal
from bot.services.errors import UserError


class BoomModal(ReportingModal, title="Boom"):
    text: discord.ui.TextInput[BoomModal] = discord.ui.TextInput(label="Text", custom_id="text")

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        raise RuntimeError("modal exploded")


class Boom(commands.GroupCog, group_name="boom", group_description="Failing commands"):
    @app_commands.command(name="unexpected", description="raise an unexpected error")
    async def unexpected(self, interaction: discord.Interaction) -> None:
        raise ZeroDivisionError("kaboom")

    @app_commands.command(name="late", description="fail after deferring")
    async def late(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        raise KeyError("after defer")

    @app_commands.command(name="invalid", description="a validation error")
    async def invalid(self, interaction: discord.Interaction) -> None:
        raise UserError("That name is taken.")

    @app_commands.command(name="check", description="a failing check")
    @app_commands.check(lambda interaction: False)
    async def check(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("unreachable")

    @app_commands.command(name="cooldown", description="once per minute")
    @app_commands.checks.cooldown(1, 60.0)
    async def cooldown(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("done", ephemeral=True)

    @app_commands.command(name="modal", description="a modal whose submit fails")
    async def modal(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(BoomModal())


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Boom())
