"""Where a password could leak, for the tests that prove it never does: every text an error
shows (its traceback, and the str, repr and arguments of it and of every cause and context
behind it) and every text the captured log shows."""

from __future__ import annotations

import logging
import traceback

import pytest


def every_text(error: BaseException) -> str:
    parts = ["".join(traceback.format_exception(error))]
    seen: BaseException | None = error
    while seen is not None:
        parts += [str(seen), repr(seen), repr(seen.args)]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


def logged_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The captured log as formatted, and each record's message with its raw arguments."""
    return [caplog.text, *(r.getMessage() + repr(r.args) for r in caplog.records)]


def record_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Each captured record's message, and the traceback it logged, if any."""
    formatter = logging.Formatter()
    texts: list[str] = []
    for record in caplog.records:
        texts.append(record.getMessage())
        if record.exc_info:
            texts.append(formatter.formatException(record.exc_info))
    return texts
