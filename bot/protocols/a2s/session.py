"""Sans-IO state machine of one query: request, challenge rounds, reassembly, decoding.

The transport calls ``request()`` to get the datagram to send (again on resend), ``sent(now)``
after sending, and ``receive(datagram, now)`` for each datagram from the server's address;
``receive`` returns a datagram to send at once (a challenged request) or None. The query is over
when ``done`` is set: ``result`` or ``error`` holds the outcome.
"""

from __future__ import annotations

import enum
from typing import Any

from bot.protocols.a2s import games, packets
from bot.protocols.a2s.errors import BrokenMessageError, BufferExhaustedError
from bot.protocols.a2s.fragments import DEFAULT_MAX_RESPONSE_BYTES, Reassembler, SplitLayout

DEFAULT_CHALLENGE_ROUNDS = 5
_SIMPLE = packets.HEADER_SIMPLE
_SPLIT = packets.HEADER_SPLIT


class Kind(enum.Enum):
    INFO = "info"
    PLAYERS = "players"
    RULES = "rules"


_INFO_TYPES = (packets.S2A_INFO, packets.S2A_INFO_GOLDSRC)
_PLAYER_TYPES = (packets.S2A_PLAYER,)
_RULES_TYPES = (packets.S2A_RULES,)


class QuerySession:
    __slots__ = (
        "_expected",
        "_layout",
        "_max_size",
        "_reassembler",
        "_request",
        "_sent_at",
        "app_id",
        "challenge",
        "done",
        "encoding",
        "error",
        "kind",
        "max_rounds",
        "ping",
        "result",
        "rounds",
    )

    def __init__(
        self,
        kind: Kind,
        *,
        encoding: str | None = "utf-8",
        challenge: bytes | None = None,
        layout: SplitLayout | None = None,
        app_id: int | None = None,
        max_rounds: int = DEFAULT_CHALLENGE_ROUNDS,
        max_size: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self.kind = kind
        self.encoding = encoding
        # A cached challenge (from an earlier query to the same server) saves a round trip.
        self.challenge = challenge
        self.app_id = app_id
        self.max_rounds = max_rounds
        self.rounds = 0
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.ping: float | None = None
        self._sent_at = 0.0
        # Identity tests, not a dict lookup: hashing an Enum member runs Python code.
        self._expected = (
            _INFO_TYPES
            if kind is Kind.INFO
            else _PLAYER_TYPES
            if kind is Kind.PLAYERS
            else _RULES_TYPES
        )
        self._layout = layout
        self._max_size = max_size
        # Created on the first split datagram: most answers are a single datagram.
        self._reassembler: Reassembler | None = None
        self._request = self._encode()

    def _encode(self) -> bytes:
        if self.kind is Kind.INFO:
            return packets.encode_info_request(self.challenge)
        ch = self.challenge if self.challenge is not None else packets.NO_CHALLENGE
        if self.kind is Kind.PLAYERS:
            return packets.encode_players_request(ch)
        return packets.encode_rules_request(ch)

    def request(self) -> bytes:
        return self._request

    def sent(self, now: float) -> None:
        if self.ping is None:
            self._sent_at = now

    def receive(self, datagram: bytes, now: float) -> bytes | None:
        if self.done:
            return None
        head = datagram[:4]
        if head == _SIMPLE:
            message = packets.unwrap_simple(datagram)
        elif head == _SPLIT:
            if self._reassembler is None:
                self._reassembler = Reassembler(self._layout, self._max_size)
            try:
                joined = self._reassembler.feed(datagram)
            except BrokenMessageError as exc:
                self._fail(exc)
                return None
            if joined is None:
                return None
            message = joined
        else:
            return None  # stray garbage (e.g. 64 zero bytes, python-a2s#61): keep waiting
        if not message:
            return None
        if self.ping is None:
            # Measured on the first answer, challenge or data, like python-a2s.
            self.ping = now - self._sent_at
        kind = message[0]
        if kind == packets.S2C_CHALLENGE:
            try:
                challenge = packets.decode_challenge(message)
            except BufferExhaustedError:
                return None  # short challenge (python-a2s#45): the resend recovers
            if challenge == self.challenge and self.rounds:
                # The same challenge again answers a duplicate or resent request of ours:
                # the request already carries it, so resending would only feed a loop.
                return None
            if self.rounds >= self.max_rounds:
                self._fail(BrokenMessageError("server keeps sending challenge responses"))
                return None
            self.rounds += 1
            self.challenge = challenge
            self._request = self._encode()
            return self._request
        if kind not in self._expected:
            return None  # an answer to another request type: not ours
        try:
            self.result = self._decode(message)
        except BrokenMessageError as exc:
            self._fail(exc)
            return None
        self.done = True
        return None

    def _decode(self, message: bytes) -> Any:
        if self.kind is Kind.INFO:
            return packets.decode_info(message, self.encoding, self.ping or 0.0)
        if self.kind is Kind.PLAYERS:
            players = packets.decode_players(message, self.encoding, self.app_id)
            kept = games.drop_csgo_fake_player(players, self.app_id)
            if len(kept) != len(players):
                players[:] = kept
            return players
        return packets.decode_rules(message, self.encoding)

    def _fail(self, exc: BaseException) -> None:
        self.error = exc
        self.done = True
