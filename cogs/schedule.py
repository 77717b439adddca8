"""``/schedule add|list|remove|pause|resume|run-now``: announcements, restarts and console
commands at daily times (in a time zone) or at an interval, run as the admin who made them."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import user_language
from bot.i18n import ENGLISH, t
from bot.rendering.text import clip, escape
from bot.services.errors import UserError
from bot.services.schedules.console import MAX_PAYLOAD
from bot.services.schedules.manage import ScheduleRequest, add_schedule
from bot.services.schedules.outcomes import shown
from bot.services.schedules.runner import schedule_lead
from bot.services.schedules.timing import describe, parse_when, zone_choices
from bot.storage.schedules import Schedule
from cogs._base import ManagedGroupCog
from cogs._common import answer, guild_id_of, may_manage
from cogs._lists import list_embed
from cogs._rcon_ui import caller_of, owner_of
from cogs._status_ui import Interaction, server_choices

NoteChannel = discord.TextChannel | discord.Thread
Callback = Callable[..., Coroutine[Any, Any, None]]


async def timezone_choices(
    interaction: Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=z, value=z) for z in zone_choices(current)]


async def schedule_choices(
    interaction: Interaction, current: str
) -> list[app_commands.Choice[int]]:
    """The guild's schedules by number, with what they do (nothing without Manage Server)."""
    if not may_manage(interaction):
        return []
    guild_id = guild_id_of(interaction)
    services = interaction.client.services
    names = {s.id: s.name for s in await services.registry.servers_of(guild_id)}
    needle = current.strip().lstrip("#").casefold()
    paused = t(user_language(interaction), "schedules.paused_choice")
    choices = []
    for schedule in await services.store.schedules.for_guild(guild_id):
        label = clip(
            f"#{schedule.id} {names.get(schedule.server_id, '?')}: {schedule.kind} "
            f"{schedule.timing}" + (paused if schedule.paused else ""),
            100,
        )
        if needle in label.casefold():
            choices.append(app_commands.Choice(name=label, value=schedule.id))
    return choices[:25]


def _on_schedule(
    name: str, description: str
) -> Callable[[Callback], app_commands.Command[Any, ..., None]]:
    """A ``/schedule`` subcommand on one schedule, picked by its number."""

    def wrap(callback: Callback) -> app_commands.Command[Any, ..., None]:
        callback = app_commands.autocomplete(schedule=schedule_choices)(callback)
        callback = app_commands.describe(schedule="Its number from /schedule list")(callback)
        return app_commands.command(name=name, description=description)(callback)

    return wrap


def _what(schedule: Schedule, language: str) -> str:
    if schedule.kind == "restart":
        if schedule.steps:
            return t(language, "schedules.restart_steps", steps=schedule.steps)
        return t(language, "schedules.restart")
    # The kind (message, command) is the option's value as typed in /schedule add.
    payload = clip(schedule.payload, 60).replace("`", "ˋ")
    return f"{schedule.kind} `{payload}`"


def line(schedule: Schedule, server_name: str, language: str = ENGLISH) -> str:
    """One schedule as ``/schedule list`` shows it (the timing as typed, the last outcome as
    stored)."""
    when = describe(parse_when(schedule.timing), schedule.zone)
    at = int(schedule.next_run + schedule_lead(schedule))
    state = (
        t(language, "schedules.paused_mark")
        if schedule.paused
        else t(language, "schedules.next", when=f"<t:{at}:R>")
    )
    what = _what(schedule, language)
    text = f"`#{schedule.id}` **{escape(server_name)}** {what}, {when}: {state}"
    if schedule.last_outcome:
        last = f" <t:{int(schedule.last_run)}:R>" if schedule.last_run else ""
        word = t(language, "schedules.last")
        outcome = shown(schedule.last_outcome, language)
        text += f"\n  {word}{last}: {clip(outcome, 120)}"
    return text


class Schedules(
    ManagedGroupCog,
    group_name="schedule",
    group_description="Announcements, restarts and commands on a timetable",
):
    async def _schedule(self, interaction: Interaction, number: int) -> Schedule:
        found = await self.services.store.schedules.get(guild_id_of(interaction), number)
        if found is None:
            raise UserError(key="schedules.not_found")
        return found

    @app_commands.command(name="add", description="Run something on a server at set times")
    @app_commands.describe(
        server="The server",
        kind="message: say it in game; restart: countdown then shutdown; command: console",
        when="04:00 · 04:00,16:00 · mon,thu 04:00 · weekdays 06:30 · every 6h",
        timezone="Time zone of the times (default UTC)",
        text="The message, the console command, or the restart's reason",
        steps="Restart only: minutes announced before it (default 15,5,1; none: no countdown)",
        channel="Where to note restarts and failures",
        missed="A run missed while the bot was down: skip it (default) or run it late",
    )
    @app_commands.autocomplete(server=server_choices, timezone=timezone_choices)
    async def add(
        self,
        interaction: Interaction,
        server: str,
        kind: Literal["message", "restart", "command"],
        when: app_commands.Range[str, 1, 100],
        timezone: app_commands.Range[str, 1, 64] = "UTC",
        text: app_commands.Range[str, 1, MAX_PAYLOAD] | None = None,
        steps: app_commands.Range[str, 0, 60] = "15,5,1",
        channel: NoteChannel | None = None,
        missed: Literal["skip", "late"] = "skip",
    ) -> None:
        guild_id = guild_id_of(interaction)
        found = await self.services.registry.get(guild_id, server)
        request = ScheduleRequest(
            kind=kind,
            when=when,
            zone=timezone,
            payload=text or "",
            steps=steps,
            channel_id=channel.id if channel else None,
            missed=missed,
        )
        async with self.audited(
            interaction,
            "schedule add",
            f"{kind} {when} {timezone}" + (f" text={clip(text, 200)!r}" if text else ""),
            found,
        ):
            schedule = await add_schedule(
                self.services.schedules,
                caller_of(interaction),
                owner_of(interaction),
                found,
                request,
                limit=self.bot.settings.quotas.schedules,
            )
        language = user_language(interaction)
        await interaction.response.send_message(
            t(language, "schedules.added", line=line(schedule, found.name, language)),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @app_commands.command(name="list", description="This Discord server's schedules")
    async def list_schedules(self, interaction: Interaction) -> None:
        guild_id = guild_id_of(interaction)
        schedules = await self.services.store.schedules.for_guild(guild_id)
        names = await self.server_names(guild_id)
        language = user_language(interaction)
        lines = [line(s, names.get(s.server_id, "?"), language) for s in schedules]
        for countdown in await self.services.store.countdowns.for_guild(guild_id):
            name = escape(names.get(countdown.server_id, "?"))
            when = f"<t:{int(countdown.shutdown_at)}:R>"
            lines.append(t(language, "schedules.countdown_line", server=name, when=when))
        embed = list_embed(
            t(language, "schedules.title"), lines, t(language, "schedules.empty"), language
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @_on_schedule("remove", "Delete a schedule")
    async def remove(self, interaction: Interaction, schedule: app_commands.Range[int, 1]) -> None:
        guild_id = guild_id_of(interaction)
        language = user_language(interaction)
        hint = await self._running_hint(guild_id, schedule, language)  # before the row goes
        async with self.audited(interaction, "schedule remove", f"schedule={schedule}"):
            removed = await self.services.store.schedules.remove(guild_id, schedule)
        if not removed:
            raise UserError(key="schedules.not_found")
        await interaction.response.send_message(
            t(language, "schedules.removed", id=str(schedule)) + hint,
            ephemeral=True,
        )

    async def _running_hint(self, guild_id: int, number: int, language: str) -> str:
        """A restart countdown the schedule started goes on: say so, and how to stop it."""
        for countdown in await self.services.store.countdowns.for_guild(guild_id):
            if countdown.schedule_id == number:
                server = self.services.poller.server_by_id(countdown.server_id)
                name = escape(server.name) if server is not None else "?"
                when = f"<t:{int(countdown.shutdown_at)}:R>"
                return t(language, "schedules.running_hint", server=name, when=when)
        return ""

    @_on_schedule("pause", "Stop a schedule until resumed")
    async def pause(self, interaction: Interaction, schedule: app_commands.Range[int, 1]) -> None:
        found = await self._schedule(interaction, schedule)
        async with self.audited(interaction, "schedule pause", f"schedule={schedule}"):
            await self.services.store.schedules.set_paused(found.guild_id, found.id, True)
        language = user_language(interaction)
        hint = await self._running_hint(found.guild_id, found.id, language)
        await interaction.response.send_message(
            t(language, "schedules.paused", id=str(schedule)) + hint, ephemeral=True
        )

    @_on_schedule("resume", "Run a paused schedule again")
    async def resume(self, interaction: Interaction, schedule: app_commands.Range[int, 1]) -> None:
        found = await self._schedule(interaction, schedule)
        async with self.audited(interaction, "schedule resume", f"schedule={schedule}"):
            after = await self.services.schedules.resume(found.guild_id, found)
        at = int(after + schedule_lead(found))
        await answer(interaction, "schedules.resumed", id=str(schedule), when=f"<t:{at}:R>")

    @_on_schedule("run-now", "Run a schedule once now (as you)")
    async def run_now(self, interaction: Interaction, schedule: app_commands.Range[int, 1]) -> None:
        found = await self._schedule(interaction, schedule)
        await interaction.response.defer(ephemeral=True, thinking=True)
        runner = self.services.schedules
        now = runner.clock.now()
        outcome = await runner.execute(found, owner_of(interaction), now)
        await self.services.store.schedules.set_outcome(found.id, outcome, ran_at=now)
        language = user_language(interaction)
        said = clip(shown(outcome, language), 300)
        text = t(language, "schedules.ran", id=str(schedule), outcome=said)
        await interaction.followup.send(text, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Schedules(bot))
