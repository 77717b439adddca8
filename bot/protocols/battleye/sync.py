"""Blocking facade over :class:`BattlEyeClient` for scripts without an event loop.

The async client runs on a private event loop in a daemon thread; every call is handed over with
``run_coroutine_threadsafe`` and waited for, so keep-alive and message acks keep running between
calls. Server events are not exposed here: use the async client for live feeds.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

from .client import BattlEyeClient, ClientConfig
from .models import Admin, Ban, Player

T = TypeVar("T")


class SyncBattlEyeClient:
    """``with SyncBattlEyeClient(host, port, password) as rcon: rcon.send_command("players")``."""

    def __init__(
        self,
        host: str,
        port: int,
        password: str,
        config: ClientConfig | None = None,
        *,
        call_timeout: float = 30.0,
    ) -> None:
        self._address = (host, port)
        self._password = password
        self._config = config or ClientConfig(fetch_players_on_login=False)
        self._call_timeout = call_timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._client: BattlEyeClient | None = None
        self._stop: asyncio.Event | None = None
        self._held: concurrent.futures.Future[None] | None = None

    def __repr__(self) -> str:
        return f"<SyncBattlEyeClient {self._address[0]}:{self._address[1]}>"

    def __enter__(self) -> SyncBattlEyeClient:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def open(self) -> None:
        """Connect and log in; raises what :meth:`BattlEyeClient.connect` raises."""
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="battleye-sync", daemon=True)
        self._thread.start()
        logged_in: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._held = asyncio.run_coroutine_threadsafe(self._hold(logged_in), loop)
        done, _ = concurrent.futures.wait(
            [logged_in, self._held], return_when=concurrent.futures.FIRST_COMPLETED
        )
        if self._held in done:
            error = self._held.exception()
            self._shutdown()
            if error is not None:
                raise error
            raise RuntimeError("connection closed during login")

    async def _hold(self, logged_in: concurrent.futures.Future[None]) -> None:
        self._client = BattlEyeClient(self._config)
        self._stop = asyncio.Event()
        async with self._client.connect(*self._address, self._password):
            logged_in.set_result(None)
            await self._stop.wait()

    def close(self) -> None:
        """Disconnect and stop the background loop; idempotent."""
        loop, held = self._loop, self._held
        if loop is None or held is None:
            return
        if self._stop is not None:
            loop.call_soon_threadsafe(self._stop.set)
        try:
            held.result(self._call_timeout)
        finally:
            self._shutdown()

    def _shutdown(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(self._call_timeout)
        if self._loop is not None and not self._loop.is_running():
            self._loop.close()
        self._loop = self._thread = self._held = None

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._loop is None or self._client is None:
            coro.close()
            raise RuntimeError("not connected: use 'with SyncBattlEyeClient(...)' or open()")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(self._call_timeout)

    def _require(self) -> BattlEyeClient:
        if self._client is None:
            raise RuntimeError("not connected")
        return self._client

    def send_command(self, command: str) -> str:
        return self._call(self._require().send_command(command))

    def fetch_players(self) -> list[Player]:
        return self._call(self._require().fetch_players())

    def fetch_bans(self) -> list[Ban]:
        return self._call(self._require().fetch_bans())

    def fetch_admins(self) -> list[Admin]:
        return self._call(self._require().fetch_admins())

    def fetch_missions(self) -> list[str]:
        return self._call(self._require().fetch_missions())

    def kick(self, player_id: int, reason: str = "") -> str:
        return self._call(self._require().kick(player_id, reason))

    def ban(
        self, id_guid_or_ip: int | str, duration_minutes: int | None = None, reason: str = ""
    ) -> str:
        return self._call(self._require().ban(id_guid_or_ip, duration_minutes, reason))

    def unban(self, ban_id: int) -> str:
        return self._call(self._require().unban(ban_id))

    def send(self, message: str) -> str:
        return self._call(self._require().send(message))

    def whisper(self, player_id: int, message: str) -> str:
        return self._call(self._require().whisper(player_id, message))
