"""How the admin adapters test a login (``/server test``): one attempt, its failures read from a
table.

An adapter's :meth:`ConsoleAdapter.login_once` makes the attempt and returns its result (OK, or
a failure it can tell before sending anything); whatever the protocol raises meanwhile is read
through the adapter's :attr:`~ConsoleAdapter.login_failures`, first match first, like except
clauses: the order matters where error classes nest (a protocol's timeout is often also its
base error, and TimeoutError is an OSError).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from bot.adapters.admin import LoginHints, LoginResult, LoginStatus

# A failure's detail, made from the error and the attempt's timeout.
Detail = Callable[[Exception, float], str]


def no_answer(exc: Exception, timeout: float) -> str:
    """Silence, the same words for every protocol."""
    return f"no answer within {timeout:g} s"


def error_name(exc: Exception, timeout: float) -> str:
    """The error's class only: an OS error's text may hold the address."""
    return type(exc).__name__


def error_text(exc: Exception, timeout: float) -> str:
    """The error's own text, for packages whose messages are safe to show."""
    return str(exc)


@dataclass(frozen=True, slots=True)
class LoginFailure:
    """A login attempt that raised one of ``errors`` ends as ``status``; ``detail`` says more."""

    errors: type[Exception] | tuple[type[Exception], ...]
    status: LoginStatus
    detail: str | Detail

    def result(self, exc: Exception, timeout: float) -> LoginResult:
        detail = self.detail if isinstance(self.detail, str) else self.detail(exc, timeout)
        return LoginResult(self.status, detail)


class ConsoleAdapter(ABC):
    """The base of the admin adapters: their description and :meth:`test_login`."""

    protocol: ClassVar[str]
    label: ClassVar[str]
    transport: ClassVar[str]
    hints: ClassVar[LoginHints]
    # How a failed attempt reads, first match first; an error no row matches is a bug (raised).
    login_failures: ClassVar[tuple[LoginFailure, ...]]

    async def test_login(
        self,
        host: str,
        port: int,
        password: str,
        *,
        timeout: float,  # the whole attempt
    ) -> LoginResult:
        """Log in once and disconnect. Never retried: srcds bans IPs after failed logins."""
        try:
            return await self.login_once(host, port, password, timeout)
        except Exception as exc:
            for failure in self.login_failures:
                if isinstance(exc, failure.errors):
                    return failure.result(exc, timeout)
            raise

    @abstractmethod
    async def login_once(self, host: str, port: int, password: str, timeout: float) -> LoginResult:
        """One login within ``timeout``, disconnected before returning; raises what
        :attr:`login_failures` reads."""
