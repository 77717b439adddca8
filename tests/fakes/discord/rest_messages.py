"""Channel messages: create (JSON or multipart), fetch, history, edit, delete.

Permission failures answer like Discord (403 with 50001/50013) without being violations: they
are situations the bot must handle. Breaking a documented limit is a violation and a 400.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import payloads
from .errors import (
    CANNOT_EDIT_OTHERS_MESSAGE,
    EMPTY_MESSAGE,
    MISSING_ACCESS,
    MISSING_PERMISSIONS,
    OLD_MESSAGE_EDIT_LIMIT,
    THREAD_ARCHIVED,
    UNKNOWN_MESSAGE,
    api_error,
    invalid_form_body,
)
from .messages import StoredMessage, UploadedFile
from .multipart import read_body
from .permissions import (
    ATTACH_FILES,
    EMBED_LINKS,
    MANAGE_MESSAGES,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
)
from .rest_util import (
    API_PREFIX,
    fake_of,
    json_response,
    no_content,
    snowflake,
    visible_channel,
)
from .rules import EMPTY_MESSAGE_PROBLEM, check_message
from .state import INTENT_GUILD_MESSAGES

if TYPE_CHECKING:
    from .fake import FakeDiscord

ONE_HOUR = 3600.0


def _channel_message(fake: FakeDiscord, message_id: int, channel_id: int) -> StoredMessage:
    """A message reachable through the channel routes (ephemeral ones are not)."""
    message = fake.messages.get(message_id, channel_id=channel_id)
    if message.ephemeral:
        raise api_error(UNKNOWN_MESSAGE)
    return message


def check_payload(
    fake: FakeDiscord,
    where: str,
    payload: Mapping[str, Any],
    files: Sequence[UploadedFile],
    *,
    creating: bool,
) -> None:
    """Record limit violations and answer 400 / 50035 like Discord."""
    problems = check_message(payload, has_files=bool(files), creating=creating)
    if problems:
        fake.violations.extend(f"{where}: {p}" for p in problems)
        if problems == [EMPTY_MESSAGE_PROBLEM]:
            raise api_error(EMPTY_MESSAGE)
        raise invalid_form_body(problems)


def check_edit_allowed(fake: FakeDiscord, message: StoredMessage) -> None:
    """Discord's unpublished cap on edits of messages older than one hour (30046)."""
    limit = fake.old_message_edit_limit
    if limit is None or time.time() - message.created_at < ONE_HOUR:
        return
    if message.edits >= limit:
        raise api_error(OLD_MESSAGE_EDIT_LIMIT)


def dispatch_update(fake: FakeDiscord, message: StoredMessage) -> None:
    if not message.ephemeral:
        fake.dispatch("MESSAGE_UPDATE", fake.message_json(message), intent=INTENT_GUILD_MESSAGES)


async def create_message(request: web.Request) -> web.StreamResponse:
    fake = fake_of(request)
    guild, channel_id, perms = visible_channel(request)
    payload, files = await read_body(request)
    channel = guild.channel(channel_id)
    if not perms & (SEND_MESSAGES_IN_THREADS if channel.is_thread else SEND_MESSAGES):
        raise api_error(MISSING_PERMISSIONS)
    if channel.archived:
        # Strict: the bot must reopen the thread itself (PATCH archived=false) first.
        raise api_error(THREAD_ARCHIVED)
    if (payload.get("embeds") and not perms & EMBED_LINKS) or (files and not perms & ATTACH_FILES):
        raise api_error(MISSING_PERMISSIONS)
    check_payload(fake, f"POST /channels/{channel_id}/messages", payload, files, creating=True)
    existing = _nonce_match(fake, channel_id, payload)
    if existing is not None:
        # Discord answers a repeated enforced nonce with the first message, creating nothing.
        return json_response(fake.message_json(existing))
    message = fake.messages.create(
        channel_id=channel_id,
        guild_id=guild.id,
        author=payloads.user(fake.user(fake.bot_user_id)),
        payload=payload,
        files=files,
    )
    _remember_nonce(fake, channel_id, payload, message)
    data = fake.message_json(message)
    fake.dispatch("MESSAGE_CREATE", data, intent=INTENT_GUILD_MESSAGES)
    stall = fake.stalled_posts.get(channel_id)
    if stall is not None:
        seconds, count = stall
        if count <= 1:
            del fake.stalled_posts[channel_id]
        else:
            fake.stalled_posts[channel_id] = (seconds, count - 1)
        await asyncio.sleep(seconds)
    return json_response(data)


def _nonce_key(
    fake: FakeDiscord, channel_id: int, payload: Mapping[str, Any]
) -> tuple[int, int, str] | None:
    nonce = payload.get("nonce")
    if nonce is None or not payload.get("enforce_nonce"):
        return None
    text = str(nonce)
    if len(text) > 25:
        fake.violations.append(f"POST /channels/{channel_id}/messages: nonce over 25 characters")
        raise invalid_form_body(["nonce: must be 25 or fewer in length"])
    return (channel_id, fake.bot_user_id, text)


def _nonce_match(
    fake: FakeDiscord, channel_id: int, payload: Mapping[str, Any]
) -> StoredMessage | None:
    key = _nonce_key(fake, channel_id, payload)
    if key is None or key not in fake.nonces:
        return None
    message_id, at = fake.nonces[key]
    message = fake.messages.messages.get(message_id)
    if time.time() - at > fake.nonce_window or message is None or message.deleted:
        del fake.nonces[key]
        return None
    return message


def _remember_nonce(
    fake: FakeDiscord, channel_id: int, payload: Mapping[str, Any], message: StoredMessage
) -> None:
    key = _nonce_key(fake, channel_id, payload)
    if key is not None:
        fake.nonces[key] = (message.id, time.time())


async def get_message(request: web.Request) -> web.StreamResponse:
    fake = fake_of(request)
    _, channel_id, perms = visible_channel(request)
    message_id = snowflake(request, "message_id")
    fake.messages.check_failure(message_id, "GET")
    if not perms & READ_MESSAGE_HISTORY:
        raise api_error(MISSING_ACCESS)
    message = _channel_message(fake, message_id, channel_id)
    return json_response(fake.message_json(message))


async def get_history(request: web.Request) -> web.StreamResponse:
    fake = fake_of(request)
    _, channel_id, perms = visible_channel(request)
    if not perms & READ_MESSAGE_HISTORY:
        return json_response([])
    limit = min(int(request.query.get("limit", "50")), 100)
    messages = sorted(fake.messages.in_channel(channel_id), key=lambda m: m.id, reverse=True)
    if "before" in request.query:
        messages = [m for m in messages if m.id < int(request.query["before"])]
    if "after" in request.query:
        after = int(request.query["after"])
        messages = sorted((m for m in messages if m.id > after), key=lambda m: m.id)
    return json_response([fake.message_json(m) for m in messages[:limit]])


async def edit_message(request: web.Request) -> web.StreamResponse:
    fake = fake_of(request)
    _, channel_id, perms = visible_channel(request)
    message_id = snowflake(request, "message_id")
    payload, files = await read_body(request)
    fake.messages.check_failure(message_id, "PATCH")
    message = _channel_message(fake, message_id, channel_id)
    if int(message.author["id"]) != fake.bot_user_id:
        raise api_error(CANNOT_EDIT_OTHERS_MESSAGE)
    if files and not perms & ATTACH_FILES:
        raise api_error(MISSING_PERMISSIONS)
    check_edit_allowed(fake, message)
    where = f"PATCH /channels/{channel_id}/messages/{message_id}"
    check_payload(fake, where, payload, files, creating=False)
    fake.messages.edit(message, payload, files)
    dispatch_update(fake, message)
    return json_response(fake.message_json(message))


async def delete_message(request: web.Request) -> web.StreamResponse:
    fake = fake_of(request)
    _, channel_id, perms = visible_channel(request)
    message_id = snowflake(request, "message_id")
    fake.messages.check_failure(message_id, "DELETE")
    message = _channel_message(fake, message_id, channel_id)
    if int(message.author["id"]) != fake.bot_user_id and not perms & MANAGE_MESSAGES:
        raise api_error(MISSING_PERMISSIONS)
    fake.delete_message(message_id)
    return no_content()


def add_routes(router: web.UrlDispatcher) -> None:
    base = f"{API_PREFIX}/channels/{{channel_id}}/messages"
    router.add_post(base, create_message)
    router.add_get(base, get_history)
    router.add_get(f"{base}/{{message_id}}", get_message)
    router.add_patch(f"{base}/{{message_id}}", edit_message)
    router.add_delete(f"{base}/{{message_id}}", delete_message)
