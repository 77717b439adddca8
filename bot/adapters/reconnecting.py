"""The base of the admin sessions whose client logs in again by itself (BattlEye, 7 Days to Die).

Such a session holds one client at a time; its :class:`~bot.adapters.listeners.SessionRunner`
loop (the subclass's ``_run``) opens it, mirrors its logins and losses into the state and
drops it when it ends. What is left is the same for every such protocol and written here: the
state as the client's link shows it, starting the loop, the wait for a logged-in client that
commands begin with, and closing.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from typing import ClassVar, Generic, TypeVar

from bot.adapters.admin import AdminTarget, SessionOptions, SessionState
from bot.adapters.admin_errors import RconUnavailable
from bot.adapters.listeners import ListenedSession, SessionRunner

C = TypeVar("C")


class ReconnectingSession(ListenedSession, ABC, Generic[C]):
    """A session over one self-reconnecting client of type ``C``, kept open by its runner."""

    # The protocol as members read it when the loop failed ("BattlEye RCon").
    title: ClassVar[str]

    def __init__(
        self, target: AdminTarget, options: SessionOptions, label: str, *, task: str
    ) -> None:
        # ``label``: the protocol as log lines name it; ``task``: the loop's task name prefix.
        super().__init__(target, options, label)
        self.client: C | None = None
        self._runner = SessionRunner(f"{task}:{target.server_id}")

    @property
    def state(self) -> SessionState:
        return self._runner.reported(self.connected)

    @property
    def connected(self) -> bool:
        client = self.client
        return client is not None and self._linked(client)

    def start(self) -> None:
        self._runner.start(self._run)

    @abstractmethod
    async def _run(self) -> None:
        """The connection loop: sets ``client`` while it has one and reports the state."""

    @abstractmethod
    def _linked(self, client: C) -> bool:
        """Whether ``client`` is logged in right now (a loss shows before the loop sees it)."""

    @abstractmethod
    def _offline(self) -> RconUnavailable:
        """What a command says when no client logged in before its deadline."""

    @abstractmethod
    async def _close_client(self, client: C) -> None: ...

    async def ready(self, timeout: float) -> C:
        """The client, logged in, within ``timeout`` (admin_errors otherwise)."""
        self.start()
        # Never shorter than one connection attempt: a fresh session gets to log in first.
        deadline = asyncio.get_running_loop().time() + max(timeout, self.options.connect_timeout)
        client = await self._runner.ready(
            self._logged_in, deadline, name=self.target.name, label=self.title
        )
        if client is None:
            raise self._offline()
        return client

    def _logged_in(self) -> C | None:
        return self.client if self.state is SessionState.CONNECTED else None

    async def close(self) -> None:
        self._runner.stop.set()
        client = self.client
        if client is not None:
            await self._close_client(client)
        await self._runner.close()
        await self.listeners.close()
