"""``/server add|list|edit|remove|test``: the per-guild registry of game servers.

Manage Server is the default permission (a hint Discord admins can override) and is checked again
at run time. Every lookup is scoped by the interaction's guild id, so one guild never sees or
touches another's servers, in commands, autocomplete or errors.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import OutpostBot
from bot.errors import user_language
from bot.games import search_games
from bot.i18n import t
from bot.rendering.text import escape
from bot.services.errors import UserError
from bot.services.servers.changes import PendingAdd, PreparedServer
from bot.services.servers.diagnostics import diagnose
from bot.services.servers.names import MAX_NAME_LENGTH
from cogs._base import ManagedGroupCog
from cogs._common import guild_id_of, managed_server_choices, require_manage
from cogs._rcon_ui import actor_of
from cogs._server_ui import (
    ConfirmView,
    PasswordModal,
    list_embed,
    probed_embed,
    removed_embed,
    report_embed,
    saved_embed,
)

log = logging.getLogger(__name__)

Interaction = discord.Interaction[OutpostBot]
Port = app_commands.Range[int, 1, 65535]


class Servers(
    ManagedGroupCog,
    group_name="server",
    group_description="Register the game servers Outpost watches",
):
    # -- autocomplete --------------------------------------------------------------------------

    async def _games(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=g.name, value=g.key) for g in search_games(current)]

    # -- commands ------------------------------------------------------------------------------

    @app_commands.command(name="add", description="Register a game server")
    @app_commands.describe(
        name="A short name, unique in this Discord server",
        address="host or host:port (IPv6 in brackets: [2001:db8::1]:27015)",
        game="The game it runs",
        query_port="A2S query port, if not the game's usual one",
        rcon_port="RCON port, if not the game's usual one",
    )
    @app_commands.autocomplete(game=_games)
    async def add(
        self,
        interaction: Interaction,
        name: app_commands.Range[str, 1, MAX_NAME_LENGTH],
        address: app_commands.Range[str, 1, 300],
        game: str,
        query_port: Port | None = None,
        rcon_port: Port | None = None,
    ) -> None:
        prepared = await self.services.registry.prepare_add(
            guild_id_of(interaction), name, address, game, query_port, rcon_port
        )
        user_id = interaction.user.id

        async def finish(inter: discord.Interaction[Any], password: str | None) -> None:
            # A modal can be submitted minutes later: the permission is checked again.
            require_manage(inter)
            await inter.response.defer(ephemeral=True, thinking=True)
            try:
                pending = await self.services.registry.check_add(prepared, password)
            except UserError as exc:
                # Refused before anything was saved (wrong password, address policy): audited.
                await self.services.audit.record(
                    actor_of(inter),
                    "server add",
                    _add_summary(prepared),
                    outcome="denied",
                    excerpt=str(exc),
                    server_name=prepared.name,
                )
                raise
            if pending.needs_confirmation:
                # The port was found by probing: on a host running several servers it may be a
                # neighbour's. The member sees who answered and confirms before anything is saved.
                await self._confirm_probed(inter, pending, user_id)
                return
            await self._save_add(inter, pending, user_id)

        if prepared.needs_password:
            modal = PasswordModal(prepared.name, finish, user_language(interaction))
            await interaction.response.send_modal(modal)
        else:
            await finish(interaction, None)

    async def _save_add(
        self, inter: discord.Interaction[Any], pending: PendingAdd, user_id: int
    ) -> None:
        prepared = pending.prepared
        # Audited before and after; the password is never part of the arguments.
        async with self.services.audit.track(
            actor_of(inter),
            "server add",
            _add_summary(prepared),
            server_name=prepared.name,
        ):
            outcome = await self.services.registry.save_add(pending, user_id)
        embed = saved_embed(outcome, "added", user_language(inter))
        await inter.followup.send(embed=embed, ephemeral=True)

    async def _confirm_probed(
        self, inter: discord.Interaction[Any], pending: PendingAdd, user_id: int
    ) -> None:
        async def confirmed(click: discord.Interaction[Any]) -> None:
            require_manage(click)
            await click.response.edit_message(view=None)
            await self._save_add(click, pending, user_id)

        language = user_language(inter)
        view = ConfirmView(inter, confirmed, action="save", language=language)
        embed = probed_embed(pending, language)
        await inter.followup.send(embed=embed, view=view, ephemeral=True)

    @app_commands.command(name="list", description="List this Discord server's game servers")
    async def list_servers(self, interaction: Interaction) -> None:
        servers = await self.services.registry.servers_of(guild_id_of(interaction))
        embed = list_embed(servers, user_language(interaction))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="edit", description="Change a registered game server")
    @app_commands.describe(
        name="The server to change",
        new_name="A new name",
        address="New host or host:port",
        game="The game it runs",
        query_port="New A2S query port",
        rcon_port="New RCON port",
        new_password="Ask for a new RCON password",
    )
    @app_commands.autocomplete(name=managed_server_choices, game=_games)
    async def edit(
        self,
        interaction: Interaction,
        name: str,
        new_name: app_commands.Range[str, 1, MAX_NAME_LENGTH] | None = None,
        address: app_commands.Range[str, 1, 300] | None = None,
        game: str | None = None,
        query_port: Port | None = None,
        rcon_port: Port | None = None,
        new_password: bool = False,
    ) -> None:
        prepared: PreparedServer = await self.services.registry.prepare_edit(
            guild_id_of(interaction),
            name,
            new_name=new_name,
            address=address,
            game_key=game,
            query_port=query_port,
            rcon_port=rcon_port,
        )
        if new_password and not prepared.game.has_rcon:
            raise UserError(key="servers.no_password_to_set", game=prepared.game.name)

        async def finish(inter: discord.Interaction[Any], password: str | None) -> None:
            require_manage(inter)
            await inter.response.defer(ephemeral=True, thinking=True)
            current = prepared.current
            async with self.services.audit.track(
                actor_of(inter),
                "server edit",
                _edit_summary(prepared, password is not None),
                server_id=current.id if current else None,
                server_name=prepared.name,
            ):
                outcome = await self.services.registry.edit(prepared, password)
            embed = saved_embed(outcome, "updated", user_language(inter))
            await inter.followup.send(embed=embed, ephemeral=True)

        if new_password or prepared.needs_password:
            modal = PasswordModal(prepared.name, finish, user_language(interaction))
            await interaction.response.send_modal(modal)
        else:
            await finish(interaction, None)

    @app_commands.command(name="remove", description="Remove a registered game server")
    @app_commands.describe(name="The server to remove")
    @app_commands.autocomplete(name=managed_server_choices)
    async def remove(self, interaction: Interaction, name: str) -> None:
        guild_id = guild_id_of(interaction)
        server = await self.services.registry.get(guild_id, name)
        language = user_language(interaction)
        shown = escape(server.name)

        async def confirmed(inter: discord.Interaction[Any]) -> None:
            require_manage(inter)  # may have been taken away since the command
            async with self.audited(inter, "server remove", f"address={server.address}", server):
                # Edited or removed meanwhile (or its name now another server's): refuse.
                await self.services.registry.unchanged(server)
                # Answer before the slow part: the cascade and the change listeners (roster,
                # feed, RCON pool) may take longer than Discord's 3 s.
                removing = t(language, "serverui.removing", name=shown)
                await inter.response.edit_message(content=removing, embed=None, view=None)
                await self.services.registry.remove(guild_id, server.name)
            embed = removed_embed(server.name, language)
            await inter.edit_original_response(content=None, embed=embed)

        view = ConfirmView(interaction, confirmed, language=language)
        question = t(language, "serverui.remove_question", name=shown, address=server.address)
        await interaction.response.send_message(question, view=view, ephemeral=True)

    @app_commands.command(name="test", description="Check DNS, A2S query, ping and RCON login")
    @app_commands.describe(name="The server to test")
    @app_commands.autocomplete(name=managed_server_choices)
    @app_commands.checks.cooldown(2, 30.0, key=lambda i: (i.guild_id, i.user.id))
    async def test(self, interaction: Interaction, name: str) -> None:
        server = await self.services.registry.get(guild_id_of(interaction), name)
        await interaction.response.defer(ephemeral=True, thinking=True)
        language = user_language(interaction)
        report = await diagnose(server, self.services.registry, language=language)
        await interaction.followup.send(embed=report_embed(report, language), ephemeral=True)


def _add_summary(prepared: PreparedServer) -> str:
    return f"game={prepared.game.key} address={prepared.host}:{prepared.game_port}"


def _edit_summary(prepared: PreparedServer, new_password: bool) -> str:
    """What an edit sets, for the audit log (the password only as "changed")."""
    parts = [
        f"game={prepared.game.key}",
        f"address={prepared.host}:{prepared.game_port}",
        f"query_port={prepared.query_port}",
        f"rcon_port={prepared.rcon_port}",
    ]
    if new_password:
        parts.append("password=changed")
    return " ".join(parts)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Servers(bot))
