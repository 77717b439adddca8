"""Interaction callbacks and the application webhook (follow-ups, ``@original``).

Enforced like Discord: the initial response within the deadline (else 404 / 10062), exactly
one initial response (else 400 / 40060), response types valid for the interaction type,
follow-ups only after the initial response and within the token's 15 minutes.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import interactions as it
from . import payloads
from .errors import (
    ALREADY_ACKNOWLEDGED,
    INVALID_FORM_BODY,
    INVALID_WEBHOOK_TOKEN,
    UNKNOWN_INTERACTION,
    UNKNOWN_MESSAGE,
    UNKNOWN_WEBHOOK,
    ApiError,
    api_error,
    invalid_form_body,
)
from .interactions import InteractionHandle
from .messages import EPHEMERAL, LOADING, StoredMessage, UploadedFile
from .multipart import read_body
from .rest_messages import check_edit_allowed, check_payload, dispatch_update
from .rest_util import API_PREFIX, fake_of, json_response, no_content, snowflake
from .rules import check_autocomplete, check_message, check_modal
from .state import INTENT_GUILD_MESSAGES

if TYPE_CHECKING:
    from .fake import FakeDiscord

_ALLOWED: dict[int, frozenset[int]] = {
    payloads.INTERACTION_COMMAND: frozenset(
        {it.CHANNEL_MESSAGE, it.DEFERRED_CHANNEL_MESSAGE, it.MODAL}
    ),
    payloads.INTERACTION_COMPONENT: frozenset(
        {
            it.CHANNEL_MESSAGE,
            it.DEFERRED_CHANNEL_MESSAGE,
            it.DEFERRED_UPDATE_MESSAGE,
            it.UPDATE_MESSAGE,
            it.MODAL,
        }
    ),
    payloads.INTERACTION_AUTOCOMPLETE: frozenset({it.AUTOCOMPLETE_RESULT}),
    payloads.INTERACTION_MODAL_SUBMIT: frozenset(
        {
            it.CHANNEL_MESSAGE,
            it.DEFERRED_CHANNEL_MESSAGE,
            it.DEFERRED_UPDATE_MESSAGE,
            it.UPDATE_MESSAGE,
        }
    ),
}


def _reject(fake: FakeDiscord, where: str, problems: list[str]) -> None:
    if problems:
        fake.violations.extend(f"{where}: {p}" for p in problems)
        raise invalid_form_body(problems)


def _bot_author(fake: FakeDiscord) -> dict[str, Any]:
    return payloads.user(fake.user(fake.bot_user_id))


def _interaction_message(
    fake: FakeDiscord,
    handle: InteractionHandle,
    payload: dict[str, Any],
    files: Sequence[UploadedFile],
    *,
    extra_flags: int = 0,
    message_type: int = 20,
) -> StoredMessage:
    message = fake.messages.create(
        channel_id=handle.channel_id,
        guild_id=handle.guild_id,
        author=_bot_author(fake),
        payload=payload,
        files=files,
        message_type=message_type,
        extra_flags=extra_flags,
    )
    message.webhook_id = fake.app_id
    message.application_id = fake.app_id
    message.interaction_metadata = {
        "id": str(handle.id),
        "type": handle.type,
        "user": payloads.user(fake.user(handle.user_id)),
        "authorizing_integration_owners": {"0": str(handle.guild_id)},
    }
    if not message.ephemeral and not message.flags & LOADING:
        fake.dispatch("MESSAGE_CREATE", fake.message_json(message), intent=INTENT_GUILD_MESSAGES)
    return message


async def callback(request: web.Request) -> web.StreamResponse:
    fake = fake_of(request)
    interaction_id = snowflake(request, "interaction_id")
    handle = fake.interactions.get(interaction_id)
    if handle is None or handle.token != request.match_info["token"]:
        fake.violation(f"interaction {interaction_id} callback: unknown interaction or token")
        raise api_error(UNKNOWN_INTERACTION)
    try:
        return await _respond(request, fake, handle)
    except ApiError as error:
        if not handle.responded:
            handle._record_rejection(f"{error.code}: {error.message}")
        raise


async def _respond(
    request: web.Request, fake: FakeDiscord, handle: InteractionHandle
) -> web.StreamResponse:
    where = f"interaction {handle.id} callback"
    payload, files = await read_body(request)
    if handle.responded:
        fake.violation(f"{where}: second initial response (type {payload.get('type')})")
        raise api_error(ALREADY_ACKNOWLEDGED)
    age = time.monotonic() - handle.created
    if handle.expired or age > fake.interaction_deadline:
        if not handle.expired:
            fake.violation(
                f"{where}: answered after {age:.2f} s (deadline {fake.interaction_deadline} s)"
            )
        handle.expired = True
        raise api_error(UNKNOWN_INTERACTION)
    response_type = int(payload.get("type") or 0)
    if response_type not in _ALLOWED.get(handle.type, frozenset()):
        fake.violation(
            f"{where}: response type {response_type} is invalid for interaction type {handle.type}"
        )
        raise api_error(INVALID_FORM_BODY)
    data: dict[str, Any] = dict(payload.get("data") or {})
    if response_type in (it.UPDATE_MESSAGE, it.DEFERRED_UPDATE_MESSAGE) and (
        handle.source_message is None
    ):
        fake.violation(f"{where}: type {response_type} needs a message to update")
        raise api_error(INVALID_FORM_BODY)
    if response_type == it.CHANNEL_MESSAGE:
        _reject(fake, where, check_message(data, has_files=bool(files)))
    elif response_type == it.UPDATE_MESSAGE:
        _reject(fake, where, check_message(data, has_files=bool(files), creating=False))
    elif response_type == it.AUTOCOMPLETE_RESULT:
        _reject(fake, where, check_autocomplete(list(data.get("choices") or [])))
    elif response_type == it.MODAL:
        _reject(fake, where, check_modal(data))

    message: StoredMessage | None = None
    if response_type == it.CHANNEL_MESSAGE:
        message = _interaction_message(fake, handle, data, files)
        handle.original_message = message
    elif response_type == it.DEFERRED_CHANNEL_MESSAGE:
        flags = int(data.get("flags") or 0) & EPHEMERAL
        message = _interaction_message(fake, handle, {"flags": flags}, [], extra_flags=LOADING)
        handle.original_message = message
    elif response_type == it.UPDATE_MESSAGE:
        assert handle.source_message is not None
        message = fake.messages.edit(handle.source_message, data, files)
        dispatch_update(fake, message)
    handle._record_response(payload)

    body: dict[str, Any] = {
        "interaction": {
            "id": str(handle.id),
            "type": handle.type,
            "response_message_loading": response_type == it.DEFERRED_CHANNEL_MESSAGE,
            "response_message_ephemeral": bool(message is not None and message.ephemeral),
        }
    }
    if message is not None:
        body["interaction"]["response_message_id"] = str(message.id)
        body["resource"] = {"type": response_type, "message": fake.message_json(message)}
    elif response_type != it.DEFERRED_UPDATE_MESSAGE:
        body["resource"] = {"type": response_type}
    return json_response(body)


def _webhook_handle(request: web.Request) -> InteractionHandle:
    fake = fake_of(request)
    token = request.match_info["token"]
    if snowflake(request, "app_id") != fake.app_id:
        raise api_error(UNKNOWN_WEBHOOK)
    handle = fake.interactions_by_token.get(token)
    where = f"{request.method} webhook {request.match_info.get('message_id', '')}".rstrip()
    if handle is None:
        fake.violation(f"{where}: unknown interaction token")
        raise api_error(UNKNOWN_WEBHOOK)
    if time.monotonic() - handle.created > fake.followup_window:
        fake.violation(
            f"{where}: interaction {handle.id} token used after {fake.followup_window} s"
        )
        raise api_error(INVALID_WEBHOOK_TOKEN)
    if not handle.responded:
        fake.violation(f"{where}: interaction {handle.id} used before its initial response")
        raise api_error(UNKNOWN_WEBHOOK)
    return handle


def _target(fake: FakeDiscord, handle: InteractionHandle, raw_id: str) -> StoredMessage:
    if raw_id == "@original":
        message = handle._message()
        if message is None or message.deleted:
            raise api_error(UNKNOWN_MESSAGE)
        return message
    try:
        message_id = int(raw_id)
    except ValueError:
        raise api_error(UNKNOWN_MESSAGE) from None
    mine = [handle.original_message, handle.source_message, *handle.followup_messages]
    for candidate in mine:
        if candidate is not None and candidate.id == message_id and not candidate.deleted:
            return candidate
    raise api_error(UNKNOWN_MESSAGE)


async def execute_webhook(request: web.Request) -> web.StreamResponse:
    fake = fake_of(request)
    handle = _webhook_handle(request)
    payload, files = await read_body(request)
    check_payload(fake, f"follow-up of interaction {handle.id}", payload, files, creating=True)
    original = handle.original_message
    if (
        handle.response_type == it.DEFERRED_CHANNEL_MESSAGE
        and original is not None
        and original.flags & LOADING
        and not original.deleted
    ):
        # The first follow-up after a deferral replaces the "thinking..." message.
        message = fake.messages.edit(original, payload, files, count_edit=False)
        dispatch_update(fake, message)
    else:
        message = _interaction_message(fake, handle, payload, files, message_type=0)
    handle._record_followup(message)
    if request.query.get("wait", "").lower() in ("1", "true"):
        return json_response(fake.message_json(message))
    return no_content()


async def get_webhook_message(request: web.Request) -> web.StreamResponse:
    fake = fake_of(request)
    handle = _webhook_handle(request)
    message = _target(fake, handle, request.match_info["message_id"])
    fake.messages.check_failure(message.id, "GET")
    return json_response(fake.message_json(message))


async def edit_webhook_message(request: web.Request) -> web.StreamResponse:
    fake = fake_of(request)
    handle = _webhook_handle(request)
    message = _target(fake, handle, request.match_info["message_id"])
    payload, files = await read_body(request)
    fake.messages.check_failure(message.id, "PATCH")
    check_edit_allowed(fake, message)
    where = f"PATCH webhook message {request.match_info['message_id']} ({handle.id})"
    check_payload(fake, where, payload, files, creating=False)
    # Filling in a deferred "thinking" message is the answer, not an edit of one.
    fake.messages.edit(message, payload, files, count_edit=not message.flags & LOADING)
    dispatch_update(fake, message)
    return json_response(fake.message_json(message))


async def delete_webhook_message(request: web.Request) -> web.StreamResponse:
    fake = fake_of(request)
    handle = _webhook_handle(request)
    message = _target(fake, handle, request.match_info["message_id"])
    fake.messages.check_failure(message.id, "DELETE")
    fake.delete_message(message.id)
    return no_content()


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post(f"{API_PREFIX}/interactions/{{interaction_id}}/{{token}}/callback", callback)
    hook = f"{API_PREFIX}/webhooks/{{app_id}}/{{token}}"
    router.add_post(hook, execute_webhook)
    router.add_get(f"{hook}/messages/{{message_id}}", get_webhook_message)
    router.add_patch(f"{hook}/messages/{{message_id}}", edit_webhook_message)
    router.add_delete(f"{hook}/messages/{{message_id}}", delete_webhook_message)
