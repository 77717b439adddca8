"""How ``/rcon`` runs a plan: at once, behind the confirm button, or on a player picked from a
fresh list (a mixin of the Rcon cog, so cogs/rcon.py holds only the commands)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.app import OutpostBot
from bot.errors import user_language
from bot.i18n import t
from bot.rendering.text import escape
from bot.services.errors import UserError
from bot.services.rcon.actions import (
    MAX_REASON,
    Dialect,
    Plan,
    PlayerRef,
    check_text,
    console_for,
    resolve_player,
)
from bot.services.rcon.commands import Outcome
from bot.services.rcon.live_players import Departure, rcon_game
from bot.services.rcon.permissions import Action
from bot.services.rcon.replies import player_action_reply
from bot.storage import Server
from bot.wiring import Services
from cogs._common import guild_id_of
from cogs._rcon_ui import ConfirmAction, caller_of
from cogs._results import failures_shown, reply_embed, send_output

Interaction = discord.Interaction[OutpostBot]
MakePlan = Callable[[Server], Awaitable[Plan]]
Build = Callable[[], Awaitable[Plan]]
# A plan from the server's console dialect alone (no player lookup).
Planner = Callable[[Dialect], Plan]


def by_dialect(planner: Planner) -> MakePlan:
    """``planner`` as a MakePlan, for the confirm flow."""

    async def make(server: Server) -> Plan:
        return planner(rcon_game(server))

    return make


class RconFlows:
    """Plain class first in the cog's MRO; ``services`` is the cog's (cogs._base)."""

    services: Services

    async def _server(self, interaction: Interaction, name: str) -> Server:
        return await self.services.registry.get(guild_id_of(interaction), name)

    async def _deferred(self, interaction: Interaction, name: str) -> Server:
        """The named server, the answer deferred (what follows may take a while)."""
        server = await self._server(interaction, name)
        await interaction.response.defer(ephemeral=True, thinking=True)
        return server

    async def _run(
        self,
        interaction: discord.Interaction[Any],
        server: Server,
        action: Action,
        arguments: str,
        build: Build,
    ) -> Outcome:
        """``rcon.run`` as the interaction's user: permission, audit, then ``build`` and send."""
        return await self.services.rcon.run(
            caller_of(interaction), interaction.user.name, action, server, arguments, build
        )

    async def _run_confirmed(
        self, interaction: discord.Interaction[Any], server: Server, plan: Plan
    ) -> None:
        """The confirm button: ``rcon.run`` checks the presser's permission again, and the
        server must still be the one asked about (not edited or removed since)."""

        async def build() -> Plan:
            await self.services.registry.unchanged(server)
            return plan

        async with failures_shown(interaction, server.name):
            outcome = await self._run(interaction, server, plan.action, plan.arguments, build)
            title = t(
                user_language(interaction), "rcon.reply.done_title", server=escape(server.name)
            )
            await send_output(interaction, title, outcome.output)

    async def _simple(
        self,
        interaction: Interaction,
        server_name: str,
        action: Action,
        arguments: str,
        planner: Planner,
        title: str,
    ) -> None:
        """Permission, audit and validation happen inside ``rcon.run``; nothing is sent to the
        server before ``planner`` (the validation) returned a plan. ``title`` is a catalogue key
        with a ``{server}`` placeholder."""
        server = await self._deferred(interaction, server_name)

        async def build() -> Plan:
            return planner(rcon_game(server))

        async with failures_shown(interaction, server.name):
            outcome = await self._run(interaction, server, action, arguments, build)
            shown = t(user_language(interaction), title, server=escape(server.name))
            await send_output(interaction, shown, outcome.output)

    async def _confirm(
        self,
        interaction: Interaction,
        server: Server,
        action: Action,
        arguments: str,
        prepare: MakePlan,
        question: str | Callable[[Plan], str],
        label: str,
        run: Callable[[discord.Interaction[Any], Plan], Awaitable[None]] | None = None,
    ) -> None:
        """Check, validate and build now; send only when the invoker presses the button."""
        async with failures_shown(interaction, server.name):
            caller = caller_of(interaction)
            user_name = interaction.user.name
            decision = await self.services.rcon.authorize(
                caller, user_name, action, server, arguments
            )
            await interaction.response.defer(ephemeral=True, thinking=True)
            try:
                plan = await prepare(server)
            except UserError as exc:
                await self.services.rcon.refuse(
                    caller, user_name, action, server, arguments, str(exc), decision
                )
                raise

            async def confirmed(inter: discord.Interaction[Any]) -> None:
                if run is not None:
                    await run(inter, plan)
                else:
                    await self._run_confirmed(inter, server, plan)

            async def abandoned(why: str) -> None:
                await self.services.rcon.refuse(
                    caller, user_name, action, server, plan.arguments, why
                )

            view = ConfirmAction(interaction, label, confirmed, abandoned)
            view.message = await interaction.followup.send(
                question if isinstance(question, str) else question(plan),
                view=view,
                ephemeral=True,
                wait=True,
            )

    async def _player_plan(self, server: Server, player: str) -> PlayerRef:
        players = await self.services.live_players.fetch(server)
        return resolve_player(players, player)

    async def _reasoned_player(
        self, server: Server, command: str, player: str, why: str
    ) -> tuple[Dialect, PlayerRef]:
        """A kick's or ban's console and player: input is validated before the player lookup,
        so refused input sends nothing at all."""
        kind = rcon_game(server)
        console_for(kind, command)
        check_text(kind, why, what="reason", limit=MAX_REASON, allow_empty=True)
        return kind, await self._player_plan(server, player)

    async def _on_player(
        self,
        interaction: discord.Interaction[Any],
        server: Server,
        action: Action,
        arguments: str,
        make: MakePlan,
        *,
        reason: str,
        minutes: int | None = None,
    ) -> None:
        """A kick or ban: the plan is made from a fresh player list right before sending, the
        departure is watched from before the command, and the reply says what happened."""
        watching: list[Departure] = []

        async def build() -> Plan:
            plan = await make(server)
            assert plan.target is not None
            watching.append(await self.services.live_players.expect_departure(server, plan.target))
            return plan

        async with failures_shown(interaction, server.name):
            try:
                outcome = await self._run(interaction, server, action, arguments, build)
            except BaseException:
                for departure in watching:
                    departure.cancel()
                raise
            confirmed = await watching[0].confirmed()
            language = user_language(interaction)
            reply = player_action_reply(
                outcome.plan,
                server.name,
                reason=reason,
                minutes=minutes,
                answer=outcome.output,
                confirmed=confirmed,
                language=language,
            )
            await interaction.followup.send(embed=reply_embed(reply, language), ephemeral=True)
