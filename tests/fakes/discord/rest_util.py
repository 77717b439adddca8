"""Small helpers shared by the REST handlers."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import MISSING_ACCESS, UNKNOWN_CHANNEL, ApiError, api_error
from .permissions import VIEW_CHANNEL

if TYPE_CHECKING:
    from .fake import FakeDiscord
    from .state import FakeGuild

API_PREFIX = "/api/v10"
# run_patched appends "<mark><tag>" to the User-Agent of a tagged child process.
CLIENT_AGENT_MARK = "fake-client/"
FAKE_KEY: web.AppKey[FakeDiscord] = web.AppKey("fake_discord")


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    # discord.py parses JSON only for exactly "application/json" (no charset parameter).
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=json.dumps(data).encode(), status=status, headers=all_headers)


def no_content() -> web.Response:
    return web.Response(status=204)


def snowflake(request: web.Request, key: str) -> int:
    try:
        return int(request.match_info[key])
    except ValueError:
        raise ApiError(404, 0, "404: Not Found") from None


def fake_of(request: web.Request) -> FakeDiscord:
    return request.app[FAKE_KEY]


def visible_channel(request: web.Request) -> tuple[FakeGuild, int, int]:
    """The route's channel: its guild, its id and the bot's permissions there. 404 10003 for
    a channel that does not exist, 403 50001 for one the bot cannot see (no View Channel)."""
    fake = fake_of(request)
    channel_id = snowflake(request, "channel_id")
    found = fake.find_channel(channel_id)
    if found is None:
        raise api_error(UNKNOWN_CHANNEL)
    guild, _ = found
    perms = guild.bot_permissions(channel_id)
    if not perms & VIEW_CHANNEL:
        raise api_error(MISSING_ACCESS)
    return guild, channel_id, perms
