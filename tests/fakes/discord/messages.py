"""Messages the fake holds: channel posts, interaction responses and follow-ups.

A ``StoredMessage`` keeps the attachments' bytes so tests can read what the bot uploaded, and
the raw ``allowed_mentions`` plus the resolved pings so tests can assert nobody was pinged.
"""

from __future__ import annotations

import copy
import datetime
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import UNKNOWN_MESSAGE, api_error
from .mentions import Pings, resolve_pings

EPHEMERAL = 1 << 6
LOADING = 1 << 7
_KEEP_FLAGS = EPHEMERAL  # Flags an edit cannot change.


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One ``files[n]`` part of a multipart request."""

    index: int
    filename: str
    data: bytes = field(repr=False)
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class Upload:
    """A file a member attaches to a slash command's attachment option."""

    filename: str
    data: bytes = field(repr=False)
    content_type: str = "application/octet-stream"


@dataclass(slots=True)
class StoredAttachment:
    id: int
    filename: str
    data: bytes = field(repr=False)
    description: str | None = None
    content_type: str | None = None


@dataclass(slots=True)
class StoredMessage:
    id: int
    channel_id: int
    guild_id: int | None
    author: dict[str, Any]
    type: int = 0
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    tts: bool = False
    attachments: list[StoredAttachment] = field(default_factory=list)
    allowed_mentions: dict[str, Any] | None = None
    pings: Pings = field(default_factory=lambda: resolve_pings("", {}))
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    created_at: float = field(default_factory=time.time)
    edited_at: str | None = None
    edits: int = 0
    deleted: bool = False

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    def to_json(self, attachment_url: Callable[[int, int, str], str]) -> dict[str, Any]:
        stamp = datetime.datetime.fromtimestamp(self.created_at, datetime.UTC).isoformat()
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "type": self.type,
            "content": self.content,
            "author": copy.deepcopy(self.author),
            "embeds": copy.deepcopy(self.embeds),
            "components": copy.deepcopy(self.components),
            "attachments": [
                {
                    "id": str(a.id),
                    "filename": a.filename,
                    "size": len(a.data),
                    "url": attachment_url(self.channel_id, a.id, a.filename),
                    "proxy_url": attachment_url(self.channel_id, a.id, a.filename),
                    **({"description": a.description} if a.description else {}),
                    **({"content_type": a.content_type} if a.content_type else {}),
                }
                for a in self.attachments
            ],
            "mention_everyone": self.pings.everyone,
            "mentions": [],
            "mention_roles": [str(r) for r in self.pings.roles],
            "pinned": False,
            "tts": self.tts,
            "flags": self.flags,
            "timestamp": stamp,
            "edited_timestamp": self.edited_at,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
        if self.application_id is not None:
            data["application_id"] = str(self.application_id)
        if self.interaction_metadata is not None:
            data["interaction_metadata"] = copy.deepcopy(self.interaction_metadata)
        return data

    def view(self, attachment_url: Callable[[int, int, str], str]) -> dict[str, Any]:
        """What tests get: the message JSON plus ``attachments[i]["data"]`` (bytes),
        ``allowed_mentions`` (as sent), ``pings`` (a ``Pings``), ``mentions`` (ids of the
        pinged users), ``edits`` and ``deleted``."""
        data = self.to_json(attachment_url)
        for entry, stored in zip(data["attachments"], self.attachments, strict=True):
            entry["data"] = stored.data
        data["allowed_mentions"] = copy.deepcopy(self.allowed_mentions)
        data["pings"] = self.pings
        data["mentions"] = [str(u) for u in self.pings.users]
        data["edits"] = self.edits
        data["deleted"] = self.deleted
        return data


def _attachments_from(
    payload: Mapping[str, Any],
    files: Sequence[UploadedFile],
    existing: Sequence[StoredAttachment],
    new_id: Callable[[], int],
) -> list[StoredAttachment]:
    by_index = {f.index: f for f in files}
    kept = {a.id: a for a in existing}
    result: list[StoredAttachment] = []
    used: set[int] = set()
    listed = payload.get("attachments")
    for meta in listed or []:
        ident = int(meta["id"])
        if ident in by_index and ident not in used:
            upload = by_index[ident]
            used.add(ident)
            result.append(
                StoredAttachment(
                    new_id(),
                    meta.get("filename") or upload.filename,
                    upload.data,
                    meta.get("description"),
                    upload.content_type,
                )
            )
        elif ident in kept:
            result.append(kept[ident])
    if listed is None:
        # Without an "attachments" array an edit keeps what was there.
        result.extend(existing)
    for upload in files:
        if upload.index not in used:
            result.append(
                StoredAttachment(new_id(), upload.filename, upload.data, None, upload.content_type)
            )
    return result


class MessageStore:
    """All messages by id, with injectable errors per message."""

    def __init__(self, new_id: Callable[[], int]) -> None:
        self._new_id = new_id
        self.messages: dict[int, StoredMessage] = {}
        self._failures: dict[int, list[tuple[int, frozenset[str]]]] = {}

    def create(
        self,
        *,
        channel_id: int,
        guild_id: int | None,
        author: dict[str, Any],
        payload: Mapping[str, Any],
        files: Sequence[UploadedFile] = (),
        message_id: int | None = None,
        message_type: int = 0,
        extra_flags: int = 0,
    ) -> StoredMessage:
        message = StoredMessage(
            id=message_id if message_id is not None else self._new_id(),
            channel_id=channel_id,
            guild_id=guild_id,
            author=author,
            type=message_type,
            content=str(payload.get("content") or ""),
            embeds=copy.deepcopy(list(payload.get("embeds") or [])),
            components=copy.deepcopy(list(payload.get("components") or [])),
            flags=int(payload.get("flags") or 0) | extra_flags,
            tts=bool(payload.get("tts", False)),
            allowed_mentions=copy.deepcopy(payload.get("allowed_mentions")),
        )
        message.attachments = _attachments_from(payload, files, [], self._new_id)
        message.pings = resolve_pings(message.content, message.allowed_mentions)
        self.messages[message.id] = message
        return message

    def edit(
        self,
        message: StoredMessage,
        payload: Mapping[str, Any],
        files: Sequence[UploadedFile],
        *,
        count_edit: bool = True,
    ) -> StoredMessage:
        if "content" in payload:
            message.content = str(payload["content"] or "")
        if "embeds" in payload:
            message.embeds = copy.deepcopy(list(payload["embeds"] or []))
        if "components" in payload:
            message.components = copy.deepcopy(list(payload["components"] or []))
        if "flags" in payload and payload["flags"] is not None:
            message.flags = (int(payload["flags"]) & ~_KEEP_FLAGS) | (message.flags & _KEEP_FLAGS)
        if "allowed_mentions" in payload:
            message.allowed_mentions = copy.deepcopy(payload["allowed_mentions"])
        if "attachments" in payload or files:
            message.attachments = _attachments_from(
                payload, files, message.attachments, self._new_id
            )
        # Editing the deferred "thinking" message turns it into the real answer.
        message.flags &= ~LOADING
        message.pings = resolve_pings(message.content, message.allowed_mentions)
        if count_edit:
            message.edits += 1
            message.edited_at = datetime.datetime.now(datetime.UTC).isoformat()
        return message

    def get(self, message_id: int, *, channel_id: int | None = None) -> StoredMessage:
        message = self.messages.get(message_id)
        if message is None or message.deleted:
            raise api_error(UNKNOWN_MESSAGE)
        if channel_id is not None and message.channel_id != channel_id:
            raise api_error(UNKNOWN_MESSAGE)
        return message

    def in_channel(self, channel_id: int) -> list[StoredMessage]:
        return [
            m
            for m in self.messages.values()
            if m.channel_id == channel_id and not m.deleted and not m.ephemeral
        ]

    def fail(self, message_id: int, code: int, *, count: int, methods: frozenset[str]) -> None:
        self._failures.setdefault(message_id, []).extend([(code, methods)] * count)

    def check_failure(self, message_id: int, method: str) -> None:
        """Raise the next error injected for this message and method, if any."""
        queue = self._failures.get(message_id)
        if not queue:
            return
        for i, (code, methods) in enumerate(queue):
            if method in methods:
                del queue[i]
                raise api_error(code)
