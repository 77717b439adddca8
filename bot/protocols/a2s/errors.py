"""Exceptions raised by the A2S client; names and hierarchy mirror python-a2s."""

from __future__ import annotations


class BrokenMessageError(Exception):
    """A response could not be decoded (malformed, unexpected or inconsistent)."""


class BufferExhaustedError(BrokenMessageError):
    """A response ended before a required field."""
