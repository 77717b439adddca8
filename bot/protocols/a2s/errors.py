"""Exceptions raised by the A2S client; python-a2s's names, under one base class.

A query that gets no answer raises the builtin ``TimeoutError``, as python-a2s does.
"""

from __future__ import annotations


class A2SError(Exception):
    """Base class of every A2S error (timeouts are the builtin ``TimeoutError``)."""


class BrokenMessageError(A2SError):
    """A response could not be decoded (malformed, unexpected or inconsistent)."""


class BufferExhaustedError(BrokenMessageError):
    """A response ended before a required field."""


class EngineClosedError(A2SError):
    """The :class:`~bot.protocols.a2s.engine.A2SEngine` was closed; it takes no more queries."""


class EngineLoopError(A2SError):
    """An engine's sockets belong to one event loop; another loop used it."""
