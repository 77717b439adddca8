"""The bounded queue of one channel and the batches (one message each) taken from it.

Pure: no I/O, no clock. When the queue is full the oldest line is dropped; the count (and the
cursors of the dropped events, so a restart does not replay them) rides on the next batch.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass, field

from bot.i18n import ENGLISH
from bot.services.feed.render import dropped_line

# A subscription: ("feed", id) or ("watch", id); its cursor moves when its lines are delivered.
SubKey = tuple[str, int]

# Discord allows 4096 characters in an embed description; some room is kept for safety.
MAX_BATCH_CHARS = 4000
# Discord's message nonce is at most 25 characters.
NONCE_PREFIX = "of"
NONCE_HEX = 22


@dataclass(frozen=True, slots=True)
class Item:
    sub: SubKey
    event_id: int
    line: str
    role_id: int | None = None  # watch lines mention this role
    approximate: bool = False
    queued_at: float = 0.0  # monotonic; the oldest line of a batch opens its window
    language: str = ENGLISH  # the guild's, the line is in: the batch's own line follows it


@dataclass(frozen=True, slots=True)
class Batch:
    items: tuple[Item, ...]
    dropped: int = 0
    cursors: dict[SubKey, int] = field(default_factory=dict)
    # Set when the batch resumes a send recorded before a restart (its nonce is reused).
    nonce: str | None = None

    @property
    def language(self) -> str:
        return self.items[0].language if self.items else ENGLISH

    @property
    def lines(self) -> list[str]:
        head = [dropped_line(self.dropped, self.language)] if self.dropped else []
        return head + [i.line for i in self.items]

    @property
    def roles(self) -> list[int]:
        return list(dict.fromkeys(i.role_id for i in self.items if i.role_id is not None))

    @property
    def approximate(self) -> bool:
        return any(i.approximate for i in self.items)


def nonce_of(channel_id: int, batch: Batch) -> str:
    """The message nonce of a batch: derived from the channel and the cursors it moves, so the
    same batch sent again (a retry, a resend after a restart) carries the same nonce and
    Discord (``enforce_nonce``) answers with the message it already created."""
    if batch.nonce is not None:
        return batch.nonce
    key = ";".join(f"{kind}{sub}:{event}" for (kind, sub), event in sorted(batch.cursors.items()))
    digest = hashlib.blake2b(f"{channel_id}|{key}".encode(), digest_size=16).hexdigest()
    return NONCE_PREFIX + digest[:NONCE_HEX]


def _merge(cursors: dict[SubKey, int], sub: SubKey, event_id: int) -> None:
    if event_id > cursors.get(sub, 0):
        cursors[sub] = event_id


class ChannelQueue:
    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("the queue limit must be at least 1")
        self.limit = limit
        self._items: deque[Item] = deque()
        self._dropped = 0
        self._dropped_cursors: dict[SubKey, int] = {}
        self.total_dropped = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def pending(self) -> bool:
        """Something to send: lines, or a drop count not reported yet."""
        return bool(self._items) or self._dropped > 0

    @property
    def oldest_queued_at(self) -> float | None:
        return self._items[0].queued_at if self._items else None

    def push(self, item: Item) -> None:
        self._items.append(item)
        while len(self._items) > self.limit:
            self._drop(self._items.popleft())

    def _drop(self, item: Item) -> None:
        self._dropped += 1
        self.total_dropped += 1
        _merge(self._dropped_cursors, item.sub, item.event_id)

    def take(self, max_chars: int = MAX_BATCH_CHARS) -> Batch | None:
        """The oldest lines that fit in one message (at least one), with the drop count."""
        if not self.pending:
            return None
        language = self._items[0].language if self._items else ENGLISH
        used = len(dropped_line(self._dropped, language)) + 1 if self._dropped else 0
        items: list[Item] = []
        while self._items:
            size = len(self._items[0].line) + 1
            if items and used + size > max_chars:
                break
            items.append(self._items.popleft())
            used += size
        cursors = dict(self._dropped_cursors)
        for item in items:
            _merge(cursors, item.sub, item.event_id)
        batch = Batch(tuple(items), self._dropped, cursors)
        self._dropped = 0
        self._dropped_cursors = {}
        return batch

    def discard(self, subs: Collection[SubKey]) -> int:
        """Forget the lines of removed subscriptions; returns how many."""
        kept = [i for i in self._items if i.sub not in subs]
        removed = len(self._items) - len(kept)
        self._items = deque(kept)
        for sub in subs:
            self._dropped_cursors.pop(sub, None)
        return removed
