"""How the UDP query packages' errors read as query failures (Bedrock, Quake 3, Satisfactory).

Each package raises its own hierarchy of the same shape (timeout, refused, resolve,
unreachable, malformed); :class:`UdpErrors` names one package's classes and maps them.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.adapters.query import QueryError, QueryFailure


@dataclass(frozen=True, slots=True)
class UdpErrors:
    protocol: str
    # What a malformed answer is not, in "not a Bedrock pong (…)".
    answer: str
    # The package's base error: what a query catches and maps.
    error: type[Exception]
    timeout: type[Exception]
    refused: type[Exception]
    resolve: type[Exception]
    unreachable: type[Exception]
    malformed: type[Exception]

    def failure(self, exc: Exception, timeout: float) -> QueryError:
        if isinstance(exc, self.timeout):
            # Silence includes a server's rate limit dropping us: "no answer", not "down".
            failure, detail = QueryFailure.NO_ANSWER, f"no answer within {timeout:g} s"
        elif isinstance(exc, self.refused):
            failure, detail = QueryFailure.UNREACHABLE, "nothing listens on that UDP port"
        elif isinstance(exc, self.resolve):
            failure, detail = QueryFailure.DNS, "the host name does not resolve"
        elif isinstance(exc, self.unreachable):
            failure, detail = QueryFailure.NETWORK, str(exc)
        elif isinstance(exc, self.malformed):
            reason = getattr(exc, "reason", type(exc).__name__)
            failure, detail = QueryFailure.NOT_THIS_PROTOCOL, f"not a {self.answer} ({reason})"
        else:
            failure, detail = QueryFailure.NOT_THIS_PROTOCOL, type(exc).__name__
        return QueryError(failure, detail, protocol=self.protocol)
