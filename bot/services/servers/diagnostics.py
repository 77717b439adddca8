"""``/server test`` and ``python -m bot check``: a checklist per server.

DNS, query answer (in the game's protocol) and port, ping, RCON login; each failure says what
usually causes it, from the problems users of game-server bots report most (wrong query port,
query disabled, firewall, wrong password, a login the server closes (Squad's wrong password,
srcds IP ban), BattlEye RestrictRCon).
"""

from __future__ import annotations

import asyncio
import enum
import ipaddress
import socket
from dataclasses import dataclass, replace

from bot.adapters.registry import admin_hints, words_for
from bot.crypto import DecryptionError
from bot.games import Game, get_game
from bot.rendering.text import clip, escape
from bot.services.servers.addresses import INTERNAL_REFUSED
from bot.services.servers.probes import (
    LoginStatus,
    QueryAnswer,
    QueryClient,
    QueryError,
    QueryFailure,
    RconLoginTester,
)
from bot.services.servers.registry import ServerRegistry
from bot.storage import Server

DNS_TIMEOUT = 5.0
MAX_SHOWN_NAME = 100
HIGH_PING_MS = 250.0


class CheckStatus(enum.Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIPPED = "skipped"

    @property
    def symbol(self) -> str:
        return {"ok": "✅", "warn": "⚠️", "fail": "❌", "skipped": "➖"}[self.value]


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    status: CheckStatus
    detail: str


@dataclass(frozen=True, slots=True)
class Report:
    server: Server
    checks: tuple[CheckResult, ...]

    @property
    def ok(self) -> bool:
        return all(c.status in (CheckStatus.OK, CheckStatus.SKIPPED) for c in self.checks)

    def check(self, name: str) -> CheckResult:
        return next(c for c in self.checks if c.name == name)


async def check_dns(host: str, time_limit: float = DNS_TIMEOUT) -> CheckResult:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return CheckResult("DNS", CheckStatus.SKIPPED, f"{host} is an IP address")
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, None, type=socket.SOCK_DGRAM), time_limit
        )
    except (OSError, TimeoutError) as exc:
        return CheckResult(
            "DNS",
            CheckStatus.FAIL,
            f"{host} does not resolve ({exc.__class__.__name__}): check the spelling and that "
            "its DNS record exists.",
        )
    addresses = sorted({str(info[4][0]) for info in infos})
    return CheckResult("DNS", CheckStatus.OK, f"{host} → {', '.join(addresses[:3])}")


def _no_answer_hint(game: Game, port: int) -> str:
    # How this game enables its query, from the catalogue.
    words = words_for(game.query_protocol)
    extra = f" {game.name}: {game.query_hint}" if game.query_hint else ""
    return (
        f"No {_protocol_name(words.label)} answer on {words.transport} {port}. Usual causes: "
        "wrong query port (it often differs from the game port), query disabled in the server "
        f"config, a firewall blocking {words.transport} {port}, or the server is offline.{extra}"
    )


def _protocol_name(label: str) -> str:
    # "A2S query" -> "A2S": the hint says "No A2S answer".
    return label.removesuffix(" query")


# What an internal target's failures all say: refused, silent and not-A2S are not told apart,
# and no other port is probed, so /server test cannot map the bot's own network.
INTERNAL_FAILURE = (
    "not reachable or not a game server (details are not shown for private, loopback, "
    "link-local and multicast addresses)"
)

# What a failure other than silence says, per failure (the port is added in front).
_FAILURE_HINTS = {
    QueryFailure.UNREACHABLE: "the port is closed (nothing listens, or a firewall rejects it)",
    QueryFailure.NETWORK: "a network error; the server may be unreachable from the bot",
    QueryFailure.AUTH_REQUIRED: "the query needs the admin password: store it with /server edit",
    QueryFailure.AUTH_REFUSED: "the stored admin password was refused: fix it with /server edit",
    QueryFailure.SERVER_ERROR: "the server answered with an error",
}


async def check_query(
    server: Server, game: Game, query: QueryClient, time_limit: float, internal: bool = False
) -> tuple[CheckResult, QueryAnswer | None]:
    words = words_for(game.query_protocol)
    name, shown = words.label, _protocol_name(words.label)
    where = f"{words.transport} {server.query_port}"
    try:
        answer = await query.info(
            server.host, server.query_port, time_limit=time_limit, protocol=game.query_protocol
        )
    except QueryError as exc:
        if exc.failure is QueryFailure.DNS:
            return CheckResult(name, CheckStatus.SKIPPED, "the host does not resolve"), None
        if internal:
            return CheckResult(name, CheckStatus.FAIL, f"{where}: {INTERNAL_FAILURE}."), None
        if exc.failure is QueryFailure.NOT_THIS_PROTOCOL:
            return CheckResult(
                name,
                CheckStatus.FAIL,
                f"{where} answered, but not with {shown}: that is probably the game "
                "or RCON port, not the query port.",
            ), None
        hint = _FAILURE_HINTS.get(exc.failure)
        if hint is not None and exc.failure is not QueryFailure.UNREACHABLE:
            return CheckResult(name, CheckStatus.FAIL, f"{where}: {hint}."), None
        found = await query.find_query_port(server.host, server.game_port, game.key)
        if found is not None and found != server.query_port:
            return CheckResult(
                name,
                CheckStatus.FAIL,
                f"No {shown} answer on {where}, but port {found} answers: the query "
                f"port is {found} (fix it with /server edit query_port:{found}).",
            ), None
        return CheckResult(name, CheckStatus.FAIL, _no_answer_hint(game, server.query_port)), None
    detail = (
        f"answered on {words.transport} {answer.port}: {_shown(answer.server_name)} — "
        f"{_shown(answer.map_name)}, {answer.players}/{answer.max_players} players"
    )
    if answer.notes:
        # Answered, but something is off that the admin can fix (Minecraft's query off…).
        notes = " ".join(escape(n) for n in answer.notes)
        return CheckResult(name, CheckStatus.WARN, f"{detail}. {notes}"), answer
    return CheckResult(name, CheckStatus.OK, detail), answer


def _shown(text: str) -> str:
    # Server-provided: clipped, and never rendered as markdown (no masked links).
    return clip(escape(text), MAX_SHOWN_NAME)


def check_ping(answer: QueryAnswer | None) -> CheckResult:
    if answer is None:
        return CheckResult("Ping", CheckStatus.SKIPPED, "no query answer to time")
    ms = answer.ping_ms
    if ms > HIGH_PING_MS:
        return CheckResult(
            "Ping", CheckStatus.WARN, f"{ms:.0f} ms from the bot (high: status may time out)"
        )
    return CheckResult("Ping", CheckStatus.OK, f"{ms:.0f} ms from the bot")


async def check_rcon(
    server: Server,
    game: Game,
    registry: ServerRegistry,
    login: RconLoginTester,
    time_limit: float,
    internal: bool = False,
) -> CheckResult:
    name = "RCON login"
    if not game.has_rcon or server.rcon_port is None:
        why = f" ({game.admin_hint})" if game.admin_hint and not game.has_rcon else ""
        return CheckResult(name, CheckStatus.SKIPPED, f"{game.name}: no RCON configured{why}")
    try:
        password = registry.password_of(server)
    except DecryptionError as exc:
        return CheckResult(name, CheckStatus.FAIL, str(exc))
    if password is None:
        return CheckResult(
            name, CheckStatus.SKIPPED, "no password stored (set one with /server edit)"
        )
    result = await login(game.rcon, server.host, server.rcon_port, password, time_limit=time_limit)
    words = words_for(game.admin_protocol or "")
    hints = admin_hints(game.admin_protocol or "")
    port = f"{words.transport} {server.rcon_port}"
    if result.status is LoginStatus.OK:
        detail = f"{words.label} login OK on {port}"
        if hints is not None and hints.after_ok:
            detail += f". {hints.after_ok}"
        return CheckResult(name, CheckStatus.OK, detail)
    if internal and result.status is not LoginStatus.REFUSED:
        return CheckResult(name, CheckStatus.FAIL, f"{port}: {INTERNAL_FAILURE}.")
    hint = hints.for_status(result.status) if hints is not None else result.detail
    # How this game enables its console (the config line), from the catalogue.
    setup = f" {game.name}: {game.admin_hint}" if game.admin_hint else ""
    return CheckResult(name, CheckStatus.FAIL, f"{port}: {hint}{setup}")


async def diagnose(server: Server, registry: ServerRegistry, *, operator: bool = False) -> Report:
    """Run the whole checklist for one server; never raises for network problems.

    ``operator``: for the bot's operator (``python -m bot check``), who sees the detailed
    failure of internal targets too; a guild member (``/server test``) does not."""
    game = get_game(server.game)
    if game is None:
        return Report(
            server,
            (CheckResult("Game", CheckStatus.FAIL, f"unknown game {server.game!r}"),),
        )
    dns = await check_dns(server.host)
    if dns.status is CheckStatus.FAIL:
        skipped = "the host does not resolve"
        return Report(
            server,
            (
                dns,
                CheckResult(words_for(game.query_protocol).label, CheckStatus.SKIPPED, skipped),
                CheckResult("Ping", CheckStatus.SKIPPED, skipped),
                CheckResult("RCON login", CheckStatus.SKIPPED, skipped),
            ),
        )
    internal, via = False, server.host
    if not operator:
        internal, via = await registry.checked_target(server.host, refuse=False)
    if internal and not registry.allow_private:
        refused = CheckResult("Address", CheckStatus.FAIL, INTERNAL_REFUSED)
        return Report(server, (dns, refused))
    # Probed and logged into at the address that was checked (see checked_target).
    traffic = replace(server, host=via)
    query_result, answer = await check_query(
        traffic, game, registry.query, registry.query_timeout, internal
    )
    rcon = await check_rcon(
        traffic, game, registry, registry.rcon_login, registry.login_timeout, internal
    )
    return Report(server, (dns, query_result, check_ping(answer), rcon))
