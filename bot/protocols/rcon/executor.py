"""The typed ``execute`` shared by the asyncio connection and the supervisor.

Both take the same arguments and return the same types (text, bytes with ``raw=True``, nothing
with ``block=False``); the overloads are written once here and each class runs the command in
its own :meth:`Executor._execute`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Literal, overload


class Executor(ABC):
    @overload
    async def execute(
        self,
        command: str,
        *,
        block: Literal[True] = ...,
        raw: Literal[False] = ...,
        timeout: float | None = ...,
    ) -> str: ...

    @overload
    async def execute(
        self,
        command: str,
        *,
        block: Literal[True] = ...,
        raw: Literal[True],
        timeout: float | None = ...,
    ) -> bytes: ...

    @overload
    async def execute(
        self,
        command: str,
        *,
        block: Literal[False],
        raw: bool = ...,
        timeout: float | None = ...,
    ) -> None: ...

    async def execute(
        self,
        command: str,
        *,
        block: bool = True,
        raw: bool = False,
        timeout: float | None = None,  # each class says what it covers
    ) -> str | bytes | None:
        """Run ``command`` and return its whole answer (text, or bytes with ``raw=True``);
        ``block=False`` sends it and returns at once. See the class's ``_execute``."""
        return await self._execute(command, block=block, raw=raw, timeout=timeout)

    @abstractmethod
    async def _execute(
        self, command: str, *, block: bool, raw: bool, timeout: float | None
    ) -> str | bytes | None:
        """Run ``command``: the answer's bytes when ``raw``, else its text; None unless
        ``block``. ``timeout`` is ``execute``'s (None: the class's default)."""
