"""The UDP query clients (Bedrock's ``ping``, Quake 3's ``get_status`` and ``get_info``,
Satisfactory's ``poll_state``) described once: each call, its fake server, the error classes it
must raise and the fake's hostile modes with the error and reason each must end in.

Written out here, not read from the packages' own error tables, so that the tests check the
packages against an independent statement of what they promise. Used by
tests/protocols/test_udp_clients.py and tests/adapters/test_udp_query_adapters.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from bot.protocols import bedrock, quake3, satisfactory
from tests.fakes import bedrock_server, quake3_server, satisfactory_server
from tests.fakes.udp_fake import UdpFake


@dataclass(frozen=True)
class UdpClient:
    """One client call, its fake server and the error classes it must raise."""

    name: str
    call: Callable[..., Awaitable[object]]
    fake: Callable[..., UdpFake]
    silent: Any  # the fake's Mode.SILENT
    package_error: type[Exception]
    timeout: type[Exception]
    refused: type[Exception]
    resolve: type[Exception]
    unreachable: type[Exception]
    mismatch: type[Exception]
    malformed: type[Exception]
    junk: str  # the reason a datagram that is not this protocol's is malformed
    hostile: tuple[tuple[Any, type[Exception], str], ...]  # (fake mode, error, reason)


BEDROCK = UdpClient(
    name="bedrock",
    call=bedrock.ping,
    fake=bedrock_server.FakeBedrockServer,
    silent=bedrock_server.Mode.SILENT,
    package_error=bedrock.BedrockError,
    timeout=bedrock.BedrockTimeoutError,
    refused=bedrock.BedrockRefusedError,
    resolve=bedrock.BedrockResolveError,
    unreachable=bedrock.BedrockUnreachableError,
    mismatch=bedrock.BedrockMismatchError,
    malformed=bedrock.BedrockMalformedError,
    junk="not a pong",
    hostile=(
        (bedrock_server.Mode.GARBAGE, bedrock.BedrockMalformedError, "not a pong"),
        (bedrock_server.Mode.WRONG_TOKEN, bedrock.BedrockMismatchError, "mismatch"),
        (bedrock_server.Mode.OVERSIZED, bedrock.BedrockMalformedError, "oversized"),
        (bedrock_server.Mode.TRUNCATED, bedrock.BedrockMalformedError, "truncated"),
    ),
)
_Q3_HOSTILE = (
    (quake3_server.Mode.GARBAGE, quake3.Q3MalformedError, "not out-of-band"),
    (quake3_server.Mode.WRONG_TOKEN, quake3.Q3ChallengeMismatchError, "mismatch"),
    (quake3_server.Mode.OVERSIZED, quake3.Q3MalformedError, "oversized"),
    (quake3_server.Mode.PRINT, quake3.Q3MalformedError, "unexpected packet"),
)
QUAKE3_STATUS = UdpClient(
    name="quake3-getstatus",
    call=quake3.get_status,
    fake=quake3_server.FakeQuake3Server,
    silent=quake3_server.Mode.SILENT,
    package_error=quake3.Q3Error,
    timeout=quake3.Q3TimeoutError,
    refused=quake3.Q3RefusedError,
    resolve=quake3.Q3ResolveError,
    unreachable=quake3.Q3UnreachableError,
    mismatch=quake3.Q3ChallengeMismatchError,
    malformed=quake3.Q3MalformedError,
    junk="not out-of-band",
    hostile=_Q3_HOSTILE,
)
# getinfo is a second request on the same exchange: held to the same contract.
QUAKE3_INFO = replace(QUAKE3_STATUS, name="quake3-getinfo", call=quake3.get_info)
_SAT_MODE = satisfactory_server.Mode
SATISFACTORY = UdpClient(
    name="satisfactory",
    call=satisfactory.poll_state,
    fake=satisfactory_server.FakeSatisfactoryServer,
    silent=_SAT_MODE.SILENT,
    package_error=satisfactory.SatisfactoryError,
    timeout=satisfactory.SatisfactoryTimeoutError,
    refused=satisfactory.SatisfactoryRefusedError,
    resolve=satisfactory.SatisfactoryResolveError,
    unreachable=satisfactory.SatisfactoryUnreachableError,
    mismatch=satisfactory.SatisfactoryCookieMismatchError,
    malformed=satisfactory.SatisfactoryMalformedError,
    junk="not this protocol",
    hostile=(
        (_SAT_MODE.GARBAGE, satisfactory.SatisfactoryMalformedError, "not this protocol"),
        (_SAT_MODE.WRONG_TOKEN, satisfactory.SatisfactoryCookieMismatchError, "mismatch"),
        (_SAT_MODE.OVERSIZED, satisfactory.SatisfactoryMalformedError, "oversized"),
        (_SAT_MODE.TRUNCATED, satisfactory.SatisfactoryMalformedError, "truncated"),
        (_SAT_MODE.NO_TERMINATOR, satisfactory.SatisfactoryMalformedError, "no terminator"),
        (_SAT_MODE.WIDE_SUB_STATES, satisfactory.SatisfactoryMalformedError, "length mismatch"),
    ),
)
CLIENTS = [BEDROCK, QUAKE3_STATUS, QUAKE3_INFO, SATISFACTORY]
