"""``InteractionHandle``: one interaction the fake sent, and everything the bot answered.

The fake fills a handle as the bot's REST calls arrive; tests await ``wait_response()`` /
``wait_followup()`` and read ``content``, ``embeds``, ``components``, ``files`` (of the
original response as it is *now*, after edits), ``modal``, ``choices`` and ``followups``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from .messages import EPHEMERAL, StoredMessage

CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
MODAL = 9


class InteractionHandle:
    """An interaction and its answers. Created by ``FakeDiscord.slash/click/submit_modal``."""

    def __init__(
        self,
        *,
        interaction_id: int,
        token: str,
        interaction_type: int,
        guild_id: int,
        channel_id: int,
        user_id: int,
        payload: dict[str, Any],
        message_view: Callable[[StoredMessage], dict[str, Any]],
        source_message: StoredMessage | None = None,
    ) -> None:
        self.id = interaction_id
        self.token = token
        self.type = interaction_type
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.user_id = user_id
        self.payload = payload
        self.created = time.monotonic()
        self.response: dict[str, Any] | None = None
        self.responded_at: float | None = None
        self.expired = False
        self.original_message: StoredMessage | None = None
        # The message a component/modal interaction came from (what UPDATE_MESSAGE edits).
        self.source_message = source_message
        self.followup_messages: list[StoredMessage] = []
        # Initial responses Discord refused (rule breaches, too late): "code: message".
        self.rejections: list[str] = []
        self._view = message_view
        self._responded = asyncio.Event()
        self._attempted = asyncio.Event()
        self._followup_added = asyncio.Event()

    def __repr__(self) -> str:
        return (
            f"<InteractionHandle id={self.id} type={self.type} response_type={self.response_type}>"
        )

    # ------------------------------------------------------------------ fed by the server

    def _record_response(self, body: dict[str, Any]) -> None:
        self.response = body
        self.responded_at = time.monotonic()
        self._responded.set()
        self._attempted.set()

    def _record_rejection(self, reason: str) -> None:
        self.rejections.append(reason)
        self._attempted.set()

    def _record_followup(self, message: StoredMessage) -> None:
        self.followup_messages.append(message)
        self._followup_added.set()

    # ------------------------------------------------------------------ for tests

    @property
    def responded(self) -> bool:
        return self.response is not None

    async def wait_response(self, timeout: float = 5) -> dict[str, Any]:
        """The initial callback body (``{"type": ..., "data": ...}``) once the bot sent it."""
        try:
            await asyncio.wait_for(self._responded.wait(), timeout)
        except TimeoutError:
            refused = f" (Discord refused: {self.rejections})" if self.rejections else ""
            raise TimeoutError(
                f"the bot did not answer interaction {self.id} within {timeout} s{refused}"
            ) from None
        assert self.response is not None
        return self.response

    async def wait_attempt(self, timeout: float = 5) -> None:
        """Until the bot sent an initial response, accepted or refused."""
        try:
            await asyncio.wait_for(self._attempted.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(
                f"the bot did not try to answer interaction {self.id} within {timeout} s"
            ) from None

    async def wait_followup(
        self,
        n: int = 1,
        timeout: float = 5,  # documented API
    ) -> dict[str, Any]:
        """The ``n``-th follow-up (1-based) as it is now, once the bot sent it."""
        deadline = time.monotonic() + timeout
        while len(self.followup_messages) < n:
            self._followup_added.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"interaction {self.id} got {len(self.followup_messages)} follow-up(s), "
                    f"expected {n} within {timeout} s"
                )
            try:
                await asyncio.wait_for(self._followup_added.wait(), remaining)
            except TimeoutError:
                continue
        return self._view(self.followup_messages[n - 1])

    @property
    def response_type(self) -> int | None:
        return None if self.response is None else int(self.response["type"])

    @property
    def data(self) -> dict[str, Any]:
        """``data`` of the initial callback ({} when it had none)."""
        if self.response is None:
            return {}
        return dict(self.response.get("data") or {})

    @property
    def ephemeral(self) -> bool:
        message = self._message()
        if message is not None:
            return message.ephemeral
        return bool(int(self.data.get("flags") or 0) & EPHEMERAL)

    @property
    def original(self) -> dict[str, Any] | None:
        """The original response message (or the updated component message), as it is now."""
        message = self._message()
        return None if message is None else self._view(message)

    @property
    def content(self) -> str | None:
        original = self.original
        return None if original is None else str(original["content"])

    @property
    def embeds(self) -> list[dict[str, Any]]:
        original = self.original
        return [] if original is None else list(original["embeds"])

    @property
    def components(self) -> list[dict[str, Any]]:
        original = self.original
        return [] if original is None else list(original["components"])

    @property
    def files(self) -> dict[str, bytes]:
        original = self.original
        if original is None:
            return {}
        return {a["filename"]: a["data"] for a in original["attachments"]}

    @property
    def modal(self) -> dict[str, Any] | None:
        """The modal the bot opened (callback type 9), else None."""
        return self.data if self.response_type == MODAL else None

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        """Autocomplete choices (callback type 8), else None."""
        if self.response_type != AUTOCOMPLETE_RESULT:
            return None
        return list(self.data.get("choices") or [])

    @property
    def followups(self) -> list[dict[str, Any]]:
        return [self._view(m) for m in self.followup_messages]

    def _message(self) -> StoredMessage | None:
        if self.original_message is not None:
            return self.original_message
        if self.response_type in (UPDATE_MESSAGE, DEFERRED_UPDATE_MESSAGE):
            return self.source_message
        return None
