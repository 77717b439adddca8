"""Reassembly of multi-part command answers.

Parts may arrive in any order and more than once (a re-sent command can make the server answer
again). The parts collected so far survive a re-send, so a part lost once is filled in by the next
answer instead of starting over.
"""

from __future__ import annotations

from enum import Enum


class PartResult(Enum):
    INCOMPLETE = "incomplete"
    COMPLETE = "complete"
    DUPLICATE = "duplicate"
    INCONSISTENT = "inconsistent"


class MultipartAssembler:
    """Collects the parts of one answer (one sequence number)."""

    __slots__ = ("_parts", "_total")

    def __init__(self) -> None:
        self._total: int | None = None
        self._parts: dict[int, bytes] = {}

    @property
    def missing(self) -> int:
        return 0 if self._total is None else self._total - len(self._parts)

    def add(self, total: int, index: int, payload: bytes) -> PartResult:
        if self._total is None:
            self._total = total
        elif total != self._total:
            # A part claiming another total belongs to no answer we can trust: drop it.
            return PartResult.INCONSISTENT
        if index >= total:
            return PartResult.INCONSISTENT
        if index in self._parts:
            return PartResult.DUPLICATE
        self._parts[index] = payload
        return PartResult.COMPLETE if len(self._parts) == total else PartResult.INCOMPLETE

    def assemble(self) -> bytes:
        """Joined bytes of a complete answer (decoded only once whole: UTF-8 may span parts)."""
        if self._total is None or len(self._parts) != self._total:
            raise ValueError("answer is incomplete")
        return b"".join(self._parts[i] for i in range(self._total))
