"""The aiohttp application: request log, auth, injected 429s, error bodies, and the routes.

Every request is logged in ``fake.requests`` as ``(method, path)`` with the path relative to
``/api/v10`` (the gateway is logged as ``("WS", "/gateway")``). A route the fake does not know is
a violation, so a bot calling something unsupported fails loudly instead of silently.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from . import rest_commands, rest_interactions, rest_messages, rest_misc
from .errors import ApiError
from .rest_util import API_PREFIX, CLIENT_AGENT_MARK, FAKE_KEY, json_response

if TYPE_CHECKING:
    from .fake import FakeDiscord

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Routes whose auth is the token in the URL (interaction callbacks, application webhooks).
_NO_AUTH_PREFIXES = ("/interactions/", "/webhooks/")


@web.middleware
async def _middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    fake = request.app[FAKE_KEY]
    path = request.path
    if path == "/gateway":
        fake.requests.append(("WS", path))
        return await handler(request)
    if not path.startswith(API_PREFIX):
        return await handler(request)  # attachments (the CDN part of the fake)
    api_path = path[len(API_PREFIX) :]
    method = request.method
    fake.requests.append((method, api_path))
    fake.client_requests.append((client_tag(request), method, api_path))
    early = fake.ratelimits.early_retry(method, api_path)
    if early is not None:
        fake.violation(early)
    limited = fake.ratelimits.limit(method, api_path)
    bucket_headers: dict[str, str] = {}
    if limited is None:
        limited, bucket_headers = fake.ratelimits.bucket(method, api_path)
    if limited is not None:
        # discord.py retries a 429 only with a Via header and a JSON retry_after.
        return json_response(
            {
                "message": "You are being rate limited.",
                "retry_after": limited.retry_after,
                "global": limited.is_global,
            },
            status=429,
            headers={
                **bucket_headers,
                "Via": "1.1 google",
                "Retry-After": str(math.ceil(limited.retry_after)),
                "X-RateLimit-Scope": "global" if limited.is_global else "user",
            },
        )
    if not api_path.startswith(_NO_AUTH_PREFIXES):
        if request.headers.get("Authorization") != f"Bot {fake.token}":
            return json_response({"message": "401: Unauthorized", "code": 0}, status=401)
    try:
        response = await handler(request)
    except ApiError as error:
        response = json_response(error.body(), status=error.status)
    finally:
        await fake.notify_changed()
    response.headers.update(bucket_headers)
    return response


async def _unknown_route(request: web.Request) -> web.StreamResponse:
    fake = request.app[FAKE_KEY]
    fake.violation(f"the fake does not implement {request.method} {request.path}")
    return json_response({"message": "404: Not Found", "code": 0}, status=404)


def client_tag(request: web.Request) -> str | None:
    """The process tag run_patched adds to discord.py's User-Agent (None: untagged)."""
    agent = request.headers.get("User-Agent", "")
    _, found, tag = agent.partition(f" {CLIENT_AGENT_MARK}")
    return tag.split()[0] if found and tag else None


def build_app(fake: FakeDiscord) -> web.Application:
    app = web.Application(middlewares=[_middleware], client_max_size=64 * 1024 * 1024)
    app[FAKE_KEY] = fake
    app.router.add_get("/gateway", fake.gateway.handle)
    rest_misc.add_routes(app.router)
    rest_commands.add_routes(app.router)
    rest_messages.add_routes(app.router)
    rest_interactions.add_routes(app.router)
    app.router.add_route("*", "/{tail:.*}", _unknown_route)
    return app
