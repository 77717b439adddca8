"""One getstatus/getinfo query as a sans-IO state machine: requests out, datagrams in.

Each attempt sends its own random challenge (a :mod:`bot.protocols.udp_query` token); servers
echo it as the ``challenge`` info key, which tells which attempt an answer belongs to (latency
is measured from that send) and rejects stale or spoofed answers. Not every engine echoes it
(FiveM's getstatus, some CoD builds, engines that echo only challenges they issued), so by
default an answer without one is accepted and one with a challenge we never sent is refused;
``require_challenge=True`` also refuses answers without one. Latency of an unechoed answer is
measured from the first send.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from typing import Generic, TypeVar

from bot.protocols.quake3.errors import Q3ChallengeMismatchError
from bot.protocols.quake3.models import Q3Info, Q3Status
from bot.protocols.quake3.packets import (
    decode_info,
    decode_status,
    encode_getinfo,
    encode_getstatus,
)
from bot.protocols.udp_query import MAX_ATTEMPTS as MAX_ATTEMPTS
from bot.protocols.udp_query import TokenQuery

Answer = TypeVar("Answer", Q3Status, Q3Info)


def _random_challenge() -> str:
    return secrets.token_hex(6)


class Q3Query(TokenQuery[str], Generic[Answer]):
    """Shared by both queries: one challenge per attempt, matched on the way back."""

    _encode: Callable[[str], bytes]
    _decode: Callable[[bytes], Answer]

    def __init__(
        self, *, require_challenge: bool = False, token: Callable[[], str] | None = None
    ) -> None:
        super().__init__(token or _random_challenge)
        self.require_challenge = require_challenge

    def _request(self, token: str) -> bytes:
        return type(self)._encode(token)

    def receive(self, datagram: bytes, now: float) -> Answer:
        """The answer ``datagram`` carries, received at ``now``.

        Raises :class:`Q3MalformedError` for anything else, and its subclass
        :class:`Q3ChallengeMismatchError` for an answer to a request we did not send.
        """
        answer = type(self)._decode(datagram)
        if answer.challenge is None:
            if self.require_challenge:
                raise Q3ChallengeMismatchError("mismatch", "the answer echoes no challenge")
            sent_at = min(self._sent.values(), default=now)
        else:
            found = self._sent.get(answer.challenge)
            if found is None:
                raise Q3ChallengeMismatchError("mismatch", "the answer echoes another challenge")
            sent_at = found
        return dataclasses.replace(answer, latency=max(0.0, now - sent_at))


class StatusQuery(Q3Query[Q3Status]):
    """``getstatus``: server info and the player list."""

    _encode = staticmethod(encode_getstatus)
    _decode = staticmethod(decode_status)


class InfoQuery(Q3Query[Q3Info]):
    """``getinfo``: server info and counts, no player list."""

    _encode = staticmethod(encode_getinfo)
    _decode = staticmethod(decode_info)
