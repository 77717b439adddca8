"""Application commands: bulk overwrite (what ``tree.sync`` does) and fetch."""

from __future__ import annotations

import copy
from typing import Any

from aiohttp import web

from .errors import MISSING_ACCESS, api_error, invalid_form_body
from .multipart import read_json_list
from .rest_util import API_PREFIX, fake_of, json_response, snowflake
from .rules import check_commands


def _check_app(request: web.Request) -> None:
    if snowflake(request, "app_id") != fake_of(request).app_id:
        raise api_error(MISSING_ACCESS)


def _guild_id(request: web.Request) -> int | None:
    if "guild_id" not in request.match_info:
        return None
    guild_id = snowflake(request, "guild_id")
    if guild_id not in fake_of(request).guilds:
        raise api_error(MISSING_ACCESS)
    return guild_id


async def get_commands(request: web.Request) -> web.StreamResponse:
    _check_app(request)
    return json_response(fake_of(request).commands(_guild_id(request)))


async def put_commands(request: web.Request) -> web.StreamResponse:
    fake = fake_of(request)
    _check_app(request)
    guild_id = _guild_id(request)
    body = await read_json_list(request)
    problems = check_commands(body)
    if problems:
        scope = "global" if guild_id is None else f"guild {guild_id}"
        fake.violations.extend(f"command sync ({scope}): {p}" for p in problems)
        raise invalid_form_body(problems)
    fake.sync_requests += 1
    previous = fake.commands(guild_id)
    # Discord keeps a command's id when an overwrite keeps its name and type.
    old_ids = {(c.get("type", 1), c["name"]): c["id"] for c in previous}
    stored: list[dict[str, Any]] = []
    for command in body:
        entry = copy.deepcopy(command)
        entry.setdefault("type", 1)
        entry.setdefault("description", "")
        entry.setdefault("default_member_permissions", None)
        entry.setdefault("nsfw", False)
        entry["id"] = old_ids.get((entry["type"], entry["name"])) or str(fake.ids.next())
        entry["application_id"] = str(fake.app_id)
        entry["version"] = str(fake.ids.next())
        if guild_id is not None:
            entry["guild_id"] = str(guild_id)
        stored.append(entry)
    if guild_id is None:
        fake.global_commands = stored
    else:
        fake.guild_commands[guild_id] = stored
    return json_response(copy.deepcopy(stored))


def add_routes(router: web.UrlDispatcher) -> None:
    base = f"{API_PREFIX}/applications/{{app_id}}"
    router.add_get(f"{base}/commands", get_commands)
    router.add_put(f"{base}/commands", put_commands)
    router.add_get(f"{base}/guilds/{{guild_id}}/commands", get_commands)
    router.add_put(f"{base}/guilds/{{guild_id}}/commands", put_commands)
