"""Blocking client with python-valve's API: ``RCON`` and the one-shot ``execute``.

Same sans-IO core as the asyncio client, driven by a plain socket. Not thread-safe: one thread
per ``RCON`` object.
"""

from __future__ import annotations

import socket
import time
from collections import deque
from collections.abc import Iterator
from types import TracebackType

from bot.protocols.rcon.connection import (
    DEFAULT_MAX_RESPONSE_BYTES,
    AuthResult,
    BudgetExceeded,
    ClientConnection,
    Response,
    State,
)
from bot.protocols.rcon.convars import ConVar, parse_cvarlist
from bot.protocols.rcon.errors import (
    RCONAuthDroppedError,
    RCONAuthenticationError,
    RCONBudgetExceededError,
    RCONCommunicationError,
    RCONError,
    RCONMessageError,
    RCONTimeoutError,
)
from bot.protocols.rcon.packets import PacketType, RCONMessage
from bot.protocols.rcon.profiles import ServerProfile

Address = tuple[str, int]
DEFAULT_TIMEOUT = 10.0
_RECV_SIZE = 65536


class RCON:
    """A blocking RCON connection: ``with RCON(address, password) as r: r("status")``.

    ``timeout=None`` means the default of 10 s: an RCON call never blocks forever.
    Without ``profile`` a server that zeroes every id is recognised at login;
    ``max_response_bytes`` caps one answer, as in the asyncio client.
    """

    def __init__(
        self,
        address: Address,
        password: str,
        timeout: float | None = None,
        *,
        profile: str | ServerProfile | None = None,
        encoding: str = "utf-8",
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._address = address
        self._password = password
        self._timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        self._encoding = encoding
        self._socket: socket.socket | None = None
        self._closed = False
        self._sm = ClientConnection.for_profile(profile, max_response_bytes)
        self._done: dict[int, bytes] = {}
        # Packets that answer nothing (Squad chat), newest last; bounded for long sessions.
        self.unsolicited: deque[RCONMessage] = deque(maxlen=1000)

    def __repr__(self) -> str:
        return f"<RCON {self._address[0]}:{self._address[1]} {self._sm.state.value}>"

    def __enter__(self) -> RCON:
        self.connect()
        self.authenticate()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __call__(self, command: str) -> str:
        """Run ``command`` and return the answer text."""
        response = self.execute(command)
        assert response is not None
        return response.text

    # -- state --

    @property
    def connected(self) -> bool:
        return self._socket is not None

    @property
    def authenticated(self) -> bool:
        return self.connected and self._sm.state is State.AUTHENTICATED

    @property
    def closed(self) -> bool:
        return self._closed

    # -- lifecycle --

    def connect(self) -> None:
        """Open the TCP connection."""
        if self._closed:
            raise RCONError("connection closed")
        if self._socket is not None:
            raise RCONError("already connected")
        try:
            self._socket = socket.create_connection(self._address[:2], timeout=self._timeout)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise RCONCommunicationError(f"cannot connect to {self._address[0]}: {reason}") from exc
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def authenticate(self, timeout: float | None = None) -> None:
        """Send the password once; a refusal or a timeout closes the connection."""
        if self._closed:
            raise RCONError("connection closed")
        if self._socket is None:
            raise RCONError("not connected")
        self._sm.start_auth(self._password)
        deadline = time.monotonic() + (self._timeout if timeout is None else timeout)
        try:
            self._flush()
            while self._sm.state is State.AUTHENTICATING:
                self._pump(deadline, auth=True)
        except RCONCommunicationError:
            # Dropped before the AUTH packet was answered: not a refusal (see the error).
            self.close()
            raise RCONAuthDroppedError() from None
        except RCONError:
            self.close()
            raise
        if self._sm.state is not State.AUTHENTICATED:
            self.close()
            raise RCONAuthenticationError()

    def close(self) -> None:
        """Close the connection; safe to call repeatedly."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self._closed = True

    # -- commands --

    def execute(
        self, command: str, block: bool = True, timeout: float | None = None
    ) -> RCONMessage | None:
        """Run ``command``; returns the joined answer as an ``RCONMessage`` (``None`` if not
        ``block``). ``RCONTimeoutError`` leaves the connection usable."""
        if self._closed or self._socket is None:
            raise RCONError("not connected")
        if self._sm.state is not State.AUTHENTICATED:
            raise RCONError("not authenticated")
        request_id = self._sm.send_command(command, discard=not block)
        self._flush()
        if not block:
            return None
        deadline = time.monotonic() + (self._timeout if timeout is None else timeout)
        try:
            while request_id not in self._done:
                self._pump(deadline)
        except BaseException:
            # Timed out or interrupted (Ctrl-C in the shell): the late answer must be dropped.
            if self._socket is not None and self._sm.state is State.AUTHENTICATED:
                self._sm.abandon(request_id)
                self._flush()
            raise
        return RCONMessage(request_id, PacketType.RESPONSE_VALUE, self._done.pop(request_id))

    def cvarlist(self) -> Iterator[ConVar]:
        """Yield every ConVar listed by ``cvarlist``."""
        return parse_cvarlist(self("cvarlist"))

    # -- I/O --

    def _flush(self) -> None:
        data = self._sm.data_to_send()
        if data:
            assert self._socket is not None
            try:
                self._socket.sendall(data)
            except OSError as exc:
                self.close()
                raise RCONCommunicationError("connection lost while sending") from exc

    def _pump(self, deadline: float, *, auth: bool = False) -> None:
        sock = self._socket
        if sock is None:
            raise RCONCommunicationError("connection closed")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RCONTimeoutError("no complete answer in time")
        sock.settimeout(remaining)
        try:
            data = sock.recv(_RECV_SIZE)
        except TimeoutError:
            raise RCONTimeoutError("no complete answer in time") from None
        except OSError as exc:
            self.close()
            raise RCONCommunicationError("connection lost") from exc
        if not data:
            self.close()
            raise RCONCommunicationError("connection closed by the server")
        try:
            events = self._sm.receive_data(data)
        except RCONMessageError as exc:
            self.close()
            raise RCONCommunicationError("stream desynchronised") from exc
        for event in events:
            if isinstance(event, Response):
                self._done[event.request_id] = event.body
            elif isinstance(event, BudgetExceeded):
                self.close()
                raise RCONBudgetExceededError(event.budget, event.request_id)
            elif not isinstance(event, AuthResult):
                self.unsolicited.append(event.message)
        self._flush()


def execute(
    address: Address,
    password: str,
    command: str,
    *,
    timeout: float | None = None,
    profile: str | ServerProfile | None = None,
) -> str:
    """One-shot: connect, authenticate, run ``command``, close; returns the answer text."""
    with RCON(address, password, timeout, profile=profile) as rcon:
        return rcon(command)
