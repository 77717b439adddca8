"""``/rcon players|kick|ban|unban|bans|say|whisper|whitelist|save|shutdown|exec``: RCON from
Discord, on every console the catalogue knows.

Every call is checked at run time against the grants (``/permissions``), Administrator may do
everything, and ``ban``/``shutdown``/``exec`` are re-checked when the confirm button is pressed.
``whisper`` needs the ``say`` grant, ``whitelist`` the ``ban`` grant, ``save`` and ``shutdown``
the ``exec`` grant (they stop or stall the server: administrators' business). There is no
``default_permissions`` on the group: granted roles must see it, and the run-time check is the
gate. Input is validated before anything reaches the server (``bot.services.rcon.actions``);
every attempt lands in the audit log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import OutpostBot
from bot.errors import user_language
from bot.i18n import t
from bot.rendering.text import escape, sanitize
from bot.services.audit import mask_secret_settings
from bot.services.rcon.actions import (
    MAX_BAN_MINUTES,
    MAX_EXEC,
    MAX_MESSAGE,
    MAX_REASON,
    MAX_SHUTDOWN_SECONDS,
    Plan,
    check_text,
    console_for,
    plan_ban,
    plan_ban_ip,
    plan_bans,
    plan_exec,
    plan_kick,
    plan_players,
    plan_save,
    plan_say,
    plan_shutdown,
    plan_unban,
    plan_whisper,
    plan_whitelist,
    player_token,
    recheck_player,
)
from bot.services.rcon.live_players import rcon_game, rcon_kind
from bot.services.rcon.permissions import Action
from bot.services.rcon.replies import (
    ban_length,
    find_ban,
    player_label,
    unban_reply,
    whisper_reply,
)
from bot.storage import Server
from cogs._base import OutpostGroupCog
from cogs._common import guild_id_of
from cogs._rcon_flows import RconFlows, by_dialect
from cogs._rcon_ui import (
    caller_of,
    user_cooldown,
    user_key,
)
from cogs._results import failures_shown, reply_embed

log = logging.getLogger(__name__)

Interaction = discord.Interaction[OutpostBot]
Minutes = app_commands.Range[int, 0, MAX_BAN_MINUTES]
Seconds = app_commands.Range[int, 0, MAX_SHUTDOWN_SECONDS]
# The permission each player-picking command needs, so autocomplete shows the list only to
# members who may use it.
_PLAYER_ACTIONS = {"ban": Action.BAN, "whisper": Action.SAY}
Callback = Callable[..., Coroutine[Any, Any, None]]
Autocomplete = Callable[..., Coroutine[Any, Any, list[app_commands.Choice[str]]]]
cooldown = app_commands.checks.dynamic_cooldown(user_cooldown, key=user_key)


def _command(
    name: str,
    description: str,
    servers: Autocomplete,
    players: Autocomplete | None = None,
    /,
    **describe: str,
) -> Callable[[Callback], app_commands.Command[Any, ..., None]]:
    """One ``/rcon`` subcommand: ``server`` (and, given ``players``, ``player``) described and
    autocompleted, and the per-user cooldown."""
    complete = {"server": servers} | ({"player": players} if players else {})
    if players:
        describe = {"player": "Pick from the live list"} | describe

    def wrap(callback: Callback) -> app_commands.Command[Any, ..., None]:
        callback = app_commands.autocomplete(**complete)(cooldown(callback))
        callback = app_commands.describe(server="The game server", **describe)(callback)
        return app_commands.command(name=name, description=description)(callback)

    return wrap


@app_commands.guild_only()
class Rcon(
    RconFlows,
    OutpostGroupCog,
    group_name="rcon",
    group_description="Run RCON commands on a game server (permissions: /permissions)",
):
    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        guild_id_of(interaction)
        return True

    # -- autocomplete --------------------------------------------------------------------------

    async def _servers(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        needle = current.strip().casefold()
        hits = [
            s.name
            for s in self.services.poller.servers_of(interaction.guild_id)
            if rcon_kind(s).value != "none" and needle in s.name.casefold()
        ]
        return [app_commands.Choice(name=n, value=n) for n in sorted(hits)[:25]]

    async def _players(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        # From memory only (Discord's 3 s deadline); a stale list refreshes in the background.
        if interaction.guild_id is None:
            return []
        name = getattr(interaction.namespace, "server", None)
        servers = self.services.poller.servers_of(interaction.guild_id)
        server = next((s for s in servers if s.name == name), None)
        if server is None:
            return []
        # Autocomplete skips checks; only someone who may act on players sees (and refreshes)
        # the list, so a member cannot make the bot poll RCON by typing.
        command = interaction.command.name if interaction.command else ""
        action = _PLAYER_ACTIONS.get(command, Action.KICK)
        decision = await self.services.permissions.decide(caller_of(interaction), action, server.id)
        if not decision.allowed:
            return []
        choices = []
        for p in self.services.live_players.suggestions(server, current):
            shown = sanitize(p.name)  # from the game server: no controls or bidi overrides
            label = shown if p.id < 0 else f"#{p.id} {shown}"
            # The slot and who holds it: the command acts on this player, not on the slot.
            value = p.name if p.id < 0 else player_token(p)
            choices.append(app_commands.Choice(name=label[:100] or "?", value=value[:100] or "?"))
        return choices

    # -- commands ------------------------------------------------------------------------------

    @_command("players", "List the players on a server", _servers)
    async def players(self, interaction: Interaction, server: str) -> None:
        await self._simple(
            interaction, server, Action.PLAYERS, "", plan_players, "rcon.title.players"
        )

    @_command("kick", "Kick a player", _servers, _players, reason="Shown to the player")
    async def kick(
        self,
        interaction: Interaction,
        server: str,
        player: app_commands.Range[str, 1, 100],
        reason: app_commands.Range[str, 1, MAX_REASON] | None = None,
    ) -> None:
        why = reason or ""
        target = await self._deferred(interaction, server)

        async def make(s: Server) -> Plan:
            return plan_kick(*await self._reasoned_player(s, "kick", player, why), why)

        args = _with_reason(f"player={player!r}", why)
        await self._on_player(interaction, target, Action.KICK, args, make, reason=why.strip())

    @_command(
        "ban",
        "Ban a player (asks for confirmation)",
        _servers,
        _players,
        duration="Minutes; leave empty (or 0) for permanent",
        reason="Shown to the player",
    )
    async def ban(
        self,
        interaction: Interaction,
        server: str,
        player: app_commands.Range[str, 1, 100],
        duration: Minutes | None = None,
        reason: app_commands.Range[str, 1, MAX_REASON] | None = None,
    ) -> None:
        target = await self._server(interaction, server)
        why = reason or ""

        async def prepare(s: Server) -> Plan:
            return plan_ban(*await self._reasoned_player(s, "ban", player, why), duration, why)

        args = _with_reason(f"player={player!r} minutes={duration or 'permanent'}", why)
        language = user_language(interaction)

        async def run(inter: discord.Interaction[Any], chosen: Plan) -> None:
            async def again(s: Server) -> Plan:
                # Pressed maybe a minute later: the slot may hold someone else by now.
                assert chosen.target is not None
                fresh = recheck_player(await self.services.live_players.fetch(s), chosen.target)
                return plan_ban(rcon_game(s), fresh, duration, why)

            await self._on_player(
                inter, target, Action.BAN, args, again, reason=why.strip(), minutes=duration
            )

        def question(plan: Plan) -> str:
            assert plan.target is not None
            return t(
                language,
                "rcon.ask.ban",
                who=player_label(plan.target),
                server=escape(target.name),
                length=ban_length(language, duration),
            )

        label = t(language, "rcon.ask.ban_button")
        await self._confirm(
            interaction, target, Action.BAN, args, prepare, question, label, run=run
        )

    @_command(
        "unban",
        "Lift a ban",
        _servers,
        ban="BattlEye: the number from /rcon bans; Source: the SteamID; others: the name or id",
    )
    async def unban(
        self, interaction: Interaction, server: str, ban: app_commands.Range[str, 1, 40]
    ) -> None:
        target = await self._deferred(interaction, server)
        banned: list[str] = []

        async def make() -> Plan:
            plan = plan_unban(rcon_game(target), ban)
            # What the number (BattlEye) or SteamID (Source) holds now, to confirm it after.
            bans = await self.services.live_players.bans(target)
            if rcon_kind(target).value == "battleye":
                banned.append(find_ban(bans, ban, target.name))
            else:
                banned.append(ban.strip())
            return plan

        async with failures_shown(interaction, target.name):
            outcome = await self._run(interaction, target, Action.BAN, f"ban={ban!r}", make)
            unbanned = self.services.live_players.expect_unban(target, banned[0])
            language = user_language(interaction)
            reply = unban_reply(
                ban.strip(),
                banned[0],
                target.name,
                answer=outcome.output,
                confirmed=await unbanned.confirmed(),
                language=language,
            )
            await interaction.followup.send(embed=reply_embed(reply, language), ephemeral=True)

    @_command("bans", "List the bans", _servers)
    async def bans(self, interaction: Interaction, server: str) -> None:
        await self._simple(interaction, server, Action.BAN, "list", plan_bans, "rcon.title.bans")

    @_command("say", "Send a message to everyone on the server", _servers, message="The message")
    async def say(
        self,
        interaction: Interaction,
        server: str,
        message: app_commands.Range[str, 1, MAX_MESSAGE],
    ) -> None:
        await self._simple(
            interaction,
            server,
            Action.SAY,
            f"message={message!r}",
            lambda kind: plan_say(kind, message),
            "rcon.title.said",
        )

    @_command(
        "whisper",
        "Send a private message to one player",
        _servers,
        _players,
        message="The message",
    )
    async def whisper(
        self,
        interaction: Interaction,
        server: str,
        player: app_commands.Range[str, 1, 100],
        message: app_commands.Range[str, 1, MAX_MESSAGE],
    ) -> None:
        target = await self._deferred(interaction, server)

        async def make() -> Plan:
            kind = rcon_game(target)
            # Validate before the player lookup: refused input sends nothing at all.
            console_for(kind, "whisper")
            check_text(kind, message, what="message", limit=MAX_MESSAGE, allow_empty=False)
            # A fresh list: the autocomplete's slot may hold someone else by now.
            return plan_whisper(kind, await self._player_plan(target, player), message)

        async with failures_shown(interaction, target.name):
            args = f"whisper player={player!r} message={message!r}"
            outcome = await self._run(interaction, target, Action.SAY, args, make)
            language = user_language(interaction)
            reply = whisper_reply(
                outcome.plan, target.name, answer=outcome.output, language=language
            )
            await interaction.followup.send(embed=reply_embed(reply, language), ephemeral=True)

    @_command(
        "whitelist",
        "Add a player to the whitelist, or remove",
        _servers,
        action="add or remove",
        name="The player's name (3-16 of A-Z 0-9 _)",
    )
    async def whitelist(
        self,
        interaction: Interaction,
        server: str,
        action: Literal["add", "remove"],
        name: app_commands.Range[str, 1, 40],
    ) -> None:
        await self._simple(
            interaction,
            server,
            Action.BAN,
            f"whitelist {action} name={name!r}",
            lambda kind: plan_whitelist(kind, action, name),
            f"rcon.title.whitelist_{action}",
        )

    @_command(
        "ban-ip",
        "Ban an IP address (Minecraft; asks first)",
        _servers,
        target="A connected player's name (their address is banned) or an IP address",
        reason="Shown to the player",
    )
    async def ban_ip(
        self,
        interaction: Interaction,
        server: str,
        target: app_commands.Range[str, 1, 45],
        reason: app_commands.Range[str, 1, MAX_REASON] | None = None,
    ) -> None:
        found = await self._server(interaction, server)
        why = reason or ""
        prepare = by_dialect(lambda kind: plan_ban_ip(kind, target, why))
        args = _with_reason(f"ban-ip target={target!r}", why)
        language = user_language(interaction)
        question = t(language, "rcon.ask.ban_ip", target=escape(target), server=escape(found.name))
        label = t(language, "rcon.ask.ban_button")
        await self._confirm(interaction, found, Action.BAN, args, prepare, question, label)

    @_command("save", "Save the world now", _servers)
    async def save(self, interaction: Interaction, server: str) -> None:
        await self._simple(interaction, server, Action.EXEC, "save", plan_save, "rcon.title.saved")

    @_command(
        "shutdown",
        "Stop the server (asks first)",
        _servers,
        in_seconds="Countdown where the console has one (Palworld, Rust); empty: now",
        message="Told to the players where the console can (Palworld, Rust)",
    )
    async def shutdown(
        self,
        interaction: Interaction,
        server: str,
        in_seconds: Seconds | None = None,
        message: app_commands.Range[str, 1, MAX_MESSAGE] | None = None,
    ) -> None:
        target = await self._server(interaction, server)
        text = message or ""
        prepare = by_dialect(lambda kind: plan_shutdown(kind, in_seconds, text))
        when = f" in {in_seconds} s" if in_seconds else " now"
        args = f"shutdown{when}" + (f" message={text!r}" if text else "")
        language = user_language(interaction)

        def question(plan: Plan) -> str:
            # The exact console lines: which game stops how is not obvious.
            lines = _command_block("\n".join(plan.commands))
            name = escape(target.name)
            if in_seconds:
                return t(
                    language,
                    "rcon.ask.shutdown_in",
                    server=name,
                    seconds=str(in_seconds),
                    commands=lines,
                )
            return t(language, "rcon.ask.shutdown_now", server=name, commands=lines)

        label = t(language, "rcon.ask.shutdown_button")
        await self._confirm(interaction, target, Action.EXEC, args, prepare, question, label)

    @_command("exec", "Run a raw console command (asks first)", _servers, command="Sent as typed")
    async def exec_(
        self,
        interaction: Interaction,
        server: str,
        command: app_commands.Range[str, 1, MAX_EXEC],
    ) -> None:
        target = await self._server(interaction, server)
        prepare = by_dialect(lambda kind: plan_exec(kind, command))
        # The whole command as it is sent (plan_exec refused what a code block cannot show),
        # only the value of a password-like setting hidden, as in the audit log.
        shown = mask_secret_settings(command.strip())
        language = user_language(interaction)
        key = "rcon.ask.exec_masked" if shown != command.strip() else "rcon.ask.exec"
        question = t(language, key, server=escape(target.name), command=_command_block(shown))
        label = t(language, "rcon.ask.exec_button")
        await self._confirm(interaction, target, Action.EXEC, command, prepare, question, label)


def _with_reason(arguments: str, why: str) -> str:
    """The audited arguments, with the reason when one was given."""
    return arguments + (f" reason={why!r}" if why else "")


def _command_block(command: str) -> str:
    # A code block shows the text as is (no markdown); a zero-width space keeps ``` inside the
    # command from closing it. At most MAX_EXEC characters: well inside one message.
    return "```\n" + command.replace("```", "`\u200b``") + "\n```"


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Rcon(bot))
