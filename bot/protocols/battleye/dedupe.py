"""Exactly-once, in-order delivery of server messages over an 8-bit wrapping sequence.

The server re-sends each message until it is acknowledged, so copies are normal; a message can
also be lost once and arrive after later ones. :class:`MessageSequencer` acknowledges nothing
(the protocol acks every copy) and decides what to deliver:

* a copy of something delivered, or already waiting, is a duplicate;
* a message ahead of the next expected one waits until the gap is filled;
* a gap that stays open ``hold`` seconds (the server gave up on that message) is skipped so the
  feed keeps moving, and the skipped message, should it still come, is delivered late rather
  than lost.

Sequence numbers are compared by modular distance to the next expected one: up to ``WINDOW``
ahead is new, the rest is behind. A server with more than ``WINDOW`` unacknowledged messages in
flight would be ambiguous for any client, since one byte cannot tell the copies apart.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

SEQ_SPACE = 256
WINDOW = 128


@dataclass(frozen=True, slots=True)
class Delivery:
    sequence: int
    payload: bytes
    late: bool = False


@dataclass(slots=True)
class SequencerStats:
    duplicates: int = 0
    reordered: int = 0
    gaps_skipped: int = 0
    late: int = 0


class MessageSequencer:
    def __init__(self, *, hold: float = 10.5, first_sequence: int = 0) -> None:
        if hold < 0:
            raise ValueError("hold must not be negative")
        self.hold = hold
        self.stats = SequencerStats()
        self._expected = first_sequence % SEQ_SPACE
        self._pending: dict[int, tuple[bytes, float]] = {}
        self._recent: deque[int] = deque()
        self._recent_set: set[int] = set()
        self._skipped: set[int] = set()

    def reset(self, first_sequence: int = 0) -> None:
        """Forget everything: a new login starts a new sequence space."""
        self._expected = first_sequence % SEQ_SPACE
        self._pending.clear()
        self._recent.clear()
        self._recent_set.clear()
        self._skipped.clear()

    def receive(self, sequence: int, payload: bytes, now: float) -> list[Delivery]:
        seq = sequence % SEQ_SPACE
        distance = (seq - self._expected) % SEQ_SPACE
        if distance >= WINDOW:
            return self._receive_behind(seq, payload, now)
        if distance == 0 and not self._pending:
            # In order with nothing held back (almost always): deliver without the queue.
            self._remember(seq)
            self._expected = (seq + 1) % SEQ_SPACE
            return [Delivery(seq, payload)]
        if seq in self._pending:
            self.stats.duplicates += 1
            return []
        if distance > 0:
            self.stats.reordered += 1
        self._pending[seq] = (payload, now)
        return self._flush()

    def _receive_behind(self, seq: int, payload: bytes, now: float) -> list[Delivery]:
        if seq in self._recent_set:
            self.stats.duplicates += 1
            return []
        if seq in self._skipped:
            self._skipped.discard(seq)
            self._remember(seq)
            self.stats.late += 1
            return [Delivery(seq, payload, late=True)]
        # Neither delivered nor skipped: the server moved on past our window (e.g. it dropped
        # messages it could not get through). Release what waits, then restart from here.
        out = self._release_all()
        if (seq - self._expected) % SEQ_SPACE >= WINDOW:
            self._skip_to(seq)
        return out + self.receive(seq, payload, now)

    def next_deadline(self) -> float | None:
        """When :meth:`poll` would skip a gap, or ``None`` when nothing waits."""
        if not self._pending:
            return None
        return min(t for _, t in self._pending.values()) + self.hold

    def poll(self, now: float) -> list[Delivery]:
        """Skip gaps that have been open for ``hold`` seconds and deliver what follows them."""
        out: list[Delivery] = []
        while self._pending:
            oldest = min(t for _, t in self._pending.values())
            if now - oldest < self.hold:
                break
            nearest = min(self._pending, key=lambda s: (s - self._expected) % SEQ_SPACE)
            self._skip_to(nearest)
            out.extend(self._flush())
        return out

    def _release_all(self) -> list[Delivery]:
        out: list[Delivery] = []
        while self._pending:
            nearest = min(self._pending, key=lambda s: (s - self._expected) % SEQ_SPACE)
            self._skip_to(nearest)
            out.extend(self._flush())
        return out

    def _skip_to(self, seq: int) -> None:
        while self._expected != seq:
            self._skipped.add(self._expected)
            self._skipped.discard((self._expected + WINDOW) % SEQ_SPACE)
            self.stats.gaps_skipped += 1
            self._expected = (self._expected + 1) % SEQ_SPACE

    def _flush(self) -> list[Delivery]:
        out: list[Delivery] = []
        while self._expected in self._pending:
            payload, _ = self._pending.pop(self._expected)
            out.append(Delivery(self._expected, payload))
            self._remember(self._expected)
            self._expected = (self._expected + 1) % SEQ_SPACE
        return out

    def _remember(self, seq: int) -> None:
        # Remember the last WINDOW delivered numbers; older ones may be reused after the wrap.
        if seq in self._recent_set:
            self._recent.remove(seq)
        self._recent.append(seq)
        self._recent_set.add(seq)
        while len(self._recent) > WINDOW:
            self._recent_set.discard(self._recent.popleft())
        # A skipped number that is now ahead of the window can only be a new message later.
        self._skipped.discard((seq + WINDOW) % SEQ_SPACE)
