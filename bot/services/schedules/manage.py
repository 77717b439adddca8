"""``/schedule add``: a request checked whole (timing, zone, steps, the text against the
server's console, the creator's permission) before anything is stored."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.errors import UserError
from bot.services.rcon.permissions import Caller
from bot.services.schedules.console import KIND_ACTIONS, MAX_PAYLOAD, Owner, check_payload
from bot.services.schedules.countdown import lead_seconds, parse_steps, steps_text
from bot.services.schedules.runner import ScheduleRunner, trigger
from bot.services.schedules.timing import Interval, check_zone, parse_when
from bot.storage import Server
from bot.storage.schedules import KINDS, MISSED_RULES, NewSchedule, Schedule


@dataclass(frozen=True, slots=True)
class ScheduleRequest:
    kind: str
    when: str
    zone: str = "UTC"
    payload: str = ""  # the message, the command, or the restart's text
    steps: str = "15,5,1"  # restart only
    channel_id: int | None = None
    missed: str = "skip"


async def add_schedule(
    runner: ScheduleRunner,
    caller: Caller,
    owner: Owner,
    server: Server,
    request: ScheduleRequest,
    *,
    limit: int | None,
) -> Schedule:
    if request.kind not in KINDS:
        raise UserError(key="schedules.pick_kind")
    if request.missed not in MISSED_RULES:
        raise UserError(key="schedules.missed_rule")
    timing = parse_when(request.when)
    zone = check_zone(request.zone)
    steps = parse_steps(request.steps) if request.kind == "restart" else ()
    if request.kind != "restart" and not request.payload.strip():
        what = "message" if request.kind == "message" else "command"
        raise UserError(key=f"schedules.give_{what}")
    if len(request.payload) > MAX_PAYLOAD:
        raise UserError(key="schedules.text_too_long", max=MAX_PAYLOAD)
    language = runner.language_of(owner.guild_id)
    payload = check_payload(server, request.kind, request.payload, steps, language)
    lead = lead_seconds(steps)
    if isinstance(timing, Interval) and lead >= timing.seconds:
        raise UserError(key="schedules.countdown_too_long")
    action = KIND_ACTIONS[request.kind]
    await runner.console.rcon.authorize(
        caller, owner.name, action, server, f"schedule add: {request.kind} {timing.text()}"
    )
    now = runner.clock.now()
    schedule = await runner.store.schedules.add(
        NewSchedule(
            guild_id=owner.guild_id,
            server_id=server.id,
            kind=request.kind,
            timing=timing.text(),
            zone=zone,
            anchor=now,
            payload=payload,
            steps=steps_text(steps),
            channel_id=request.channel_id,
            missed=request.missed,
            next_run=trigger(timing, zone, now, lead, now),
            created_by=owner.user_id,
            created_by_name=owner.name,
        ),
        limit=limit,
    )
    runner.wake()
    return schedule
