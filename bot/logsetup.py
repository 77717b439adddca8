"""One logging configuration for Outpost and discord.py, with secrets redacted.

The redaction filter sits on the handler, so it sees every record that reaches the output,
whichever logger emitted it (discord.py logs request bodies at DEBUG). It rewrites the message,
the formatted traceback and the stack text. Secrets are registered at run time: the token at
start, each RCON password when it is entered or decrypted.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from collections.abc import Iterable
from typing import TextIO

REDACTED = "[redacted]"
# Shorter secrets are redacted only as a whole token (not inside a longer word), so a password
# "ab" does not blank every "about" in the log, yet never appears on its own.
MIN_SECRET_LENGTH = 4
FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


class SecretRegistry:
    """The set of strings that must never reach a log line. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()
        self._known: frozenset[str] = frozenset()
        # The short ones (1-3 characters), matched as whole tokens only.
        self._short: re.Pattern[str] | None = None

    def add(self, *secrets: str | None) -> None:
        fresh = {s for s in secrets if s}
        # Known already is the common case (the poller decrypts passwords every round): no
        # lock, no sort.
        if fresh <= self._known:
            return
        with self._lock:
            current = self._known | fresh
            # Longest first, so a secret containing another is replaced whole.
            self._secrets = tuple(
                sorted((s for s in current if len(s) >= MIN_SECRET_LENGTH), key=len, reverse=True)
            )
            short = sorted(
                (s for s in current if len(s) < MIN_SECRET_LENGTH), key=len, reverse=True
            )
            self._short = (
                re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, short)) + r")(?!\w)")
                if short
                else None
            )
            self._known = current

    def clear(self) -> None:
        with self._lock:
            self._secrets = ()
            self._short = None
            self._known = frozenset()

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        short = self._short
        if short is not None:
            text = short.sub(REDACTED, text)
        return text

    def __contains__(self, value: object) -> bool:
        return value in self._known

    def __repr__(self) -> str:
        return f"SecretRegistry(<{len(self._secrets)} secrets>)"


secrets = SecretRegistry()


class RedactingFilter(logging.Filter):
    """Replaces every registered secret in a record by ``[redacted]``."""

    def __init__(self, registry: SecretRegistry | None = None) -> None:
        super().__init__()
        self.registry = registry if registry is not None else secrets

    def filter(self, record: logging.LogRecord) -> bool:
        redact = self.registry.redact
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = f"{record.msg!s} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            # Format now, so the secret cannot come back through the formatter's traceback.
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = redact(text)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_HANDLER_NAME = "outpost"


def setup_logging(
    level: int | str = logging.INFO,
    *,
    stream: TextIO | None = None,
    extra_secrets: Iterable[str] = (),
) -> logging.Handler:
    """Configure the root logger once: one-line records, secrets redacted.

    Calling it again replaces Outpost's handler rather than adding a second one.
    """
    secrets.add(*extra_secrets)
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == _HANDLER_NAME:
            root.removeHandler(existing)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter(FORMAT, DATE_FORMAT))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(level)
    # discord.http logs every request body at DEBUG and the gateway is chatty at INFO.
    numeric = level if isinstance(level, int) else logging.getLevelNamesMapping()[level]
    logging.getLogger("discord.http").setLevel(max(numeric, logging.INFO))
    logging.getLogger("discord.gateway").setLevel(max(numeric, logging.INFO))
    return handler
