"""Exceptions no caller expected (bugs), logged once per kind with their traceback.

For failures that every server of every round may hit: logging each would flood the log,
passing them silently would hide the bug behind an expected message ("bad answer", "name does
not resolve"). The first of each exception type is logged; the rest are not.
"""

from __future__ import annotations

import logging


class UnexpectedErrors:
    """``message`` is a %-format with one ``%s``: the exception's type name."""

    def __init__(self, logger: logging.Logger, message: str) -> None:
        self._log = logger
        self._message = message
        self._logged: set[type[BaseException]] = set()

    def report(self, exc: BaseException) -> None:
        kind = type(exc)
        if kind in self._logged:
            return
        self._logged.add(kind)
        self._log.error(self._message, kind.__name__, exc_info=exc)
