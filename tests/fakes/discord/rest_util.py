"""Small helpers shared by the REST handlers."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import ApiError

if TYPE_CHECKING:
    from .fake import FakeDiscord

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
