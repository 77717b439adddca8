"""``/permissions grant|revoke|list``: which roles may run which ``/rcon`` action, on one server
or on all of them. Manage Server, checked at run time; every change is audited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import OutpostBot
from bot.errors import user_language
from bot.i18n import t
from bot.rendering.text import escape
from bot.services.errors import UserError
from bot.services.rcon.permissions import Action, parse_action
from bot.storage import Server
from bot.storage.permissions import Grant
from cogs._base import ManagedGroupCog
from cogs._common import guild_id_of, managed_server_choices

Interaction = discord.Interaction[OutpostBot]
ACTION_CHOICES = [
    app_commands.Choice(name="players (list players)", value="players"),
    app_commands.Choice(name="say (message everyone)", value="say"),
    app_commands.Choice(name="kick", value="kick"),
    app_commands.Choice(name="ban (/rcon ban, unban, bans; /ban add)", value="ban"),
    app_commands.Choice(name="unban (lift a /ban list ban)", value="unban"),
    app_commands.Choice(name="exec (raw console)", value="exec"),
]


# Rights that reach the console or remove players for good: only an Administrator hands them out.
ADMIN_ONLY_GRANTS = frozenset({Action.EXEC, Action.BAN, Action.UNBAN})


def check_grant(interaction: discord.Interaction[Any], role: discord.Role, action: Action) -> None:
    """Refuse a grant that would let a Manage-Server member raise their own (or a higher
    role's) rights: Manage Server is not meant to be a path to the console."""
    if role.is_default() and action is Action.EXEC:
        raise UserError(key="grants.everyone_exec")
    if interaction.permissions.administrator:
        return
    if action in ADMIN_ONLY_GRANTS:
        raise UserError(key="grants.admin_only", action=action.value)
    member = interaction.user
    if not isinstance(member, discord.Member):
        raise UserError(key="grants.admin_only_here")
    # @everyone counts as a role the member has: granting to it grants to themselves.
    if role.is_default() or role in member.roles:
        raise UserError(key="grants.own_role")
    if role >= member.top_role:
        raise UserError(key="grants.below")


class Permissions(
    ManagedGroupCog,
    group_name="permissions",
    group_description="Grant roles the right to use /rcon actions",
):
    async def _scope(self, interaction: Interaction, server: str | None) -> Server | None:
        if server is None:
            return None
        return await self.services.registry.get(guild_id_of(interaction), server)

    async def _change(
        self,
        interaction: Interaction,
        verb: str,
        role: discord.Role,
        action: Action,
        server: str | None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        scope = await self._scope(interaction, server)
        reader = user_language(interaction)
        where = (
            t(reader, "grants.on_server", server=escape(scope.name))
            if scope
            else t(reader, "grants.on_every")
        )
        said = {"role": role.mention, "action": action.value, "where": where}
        args = f"role={role.id} action={action.value}"
        if scope is not None:
            args += f" server={scope.name!r}"
        async with self.audited(interaction, f"permissions {verb}", args, scope):
            if verb == "grant":
                check_grant(interaction, role, action)
                changed = await self.services.permissions.grant(
                    guild_id, role.id, action, scope.id if scope else None, interaction.user.id
                )
                text = t(reader, "grants.granted" if changed else "grants.had", **said)
            else:
                changed = await self.services.permissions.revoke(
                    guild_id, role.id, action, scope.id if scope else None
                )
                text = t(reader, "grants.revoked" if changed else "grants.had_none", **said)
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="grant", description="Let a role use an /rcon action")
    @app_commands.describe(
        role="The role", action="The action", server="Only this server (default: all)"
    )
    @app_commands.choices(action=ACTION_CHOICES)
    @app_commands.autocomplete(server=managed_server_choices)
    async def grant(
        self,
        interaction: Interaction,
        role: discord.Role,
        action: app_commands.Choice[str],
        server: str | None = None,
    ) -> None:
        await self._change(interaction, "grant", role, parse_action(action.value), server)

    @app_commands.command(name="revoke", description="Take an /rcon action away from a role")
    @app_commands.describe(
        role="The role", action="The action", server="The server the grant was for (if any)"
    )
    @app_commands.choices(action=ACTION_CHOICES)
    @app_commands.autocomplete(server=managed_server_choices)
    async def revoke(
        self,
        interaction: Interaction,
        role: discord.Role,
        action: app_commands.Choice[str],
        server: str | None = None,
    ) -> None:
        await self._change(interaction, "revoke", role, parse_action(action.value), server)

    @app_commands.command(name="list", description="Show the /rcon grants of this server")
    async def list_grants(self, interaction: Interaction) -> None:
        grants = self.services.permissions.grants_of
        await self.send_list(
            interaction,
            grants,
            _line,
            "grants.list_title",
            "grants.list_empty",
            footer="grants.list_footer",
        )


def _line(grant: Grant, names: Mapping[int, str], reader: str) -> str:
    where = (
        escape(names.get(grant.server_id, f"#{grant.server_id}"))
        if grant.server_id
        else t(reader, "grants.every_server")
    )
    return f"<@&{grant.role_id}> · **{grant.action}** · {where}"


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Permissions(bot))
