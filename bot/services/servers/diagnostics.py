"""``/server test`` and ``python -m bot check``: a checklist per server.

DNS, query answer (in the game's protocol) and port, ping, RCON login; each failure says what
usually causes it, from the problems users of game-server bots report most (wrong query port,
query disabled, firewall, wrong password, a login the server closes (Squad's wrong password,
srcds IP ban), BattlEye RestrictRCon).

Said in ``language`` (``/server test``: the member's; the operator's CLI: English). The
catalogue's per-game config lines (``query_hint``/``admin_hint``), the protocols' own login
hints and errors, and what servers answer stay as they are.
"""

from __future__ import annotations

import asyncio
import enum
import socket
from dataclasses import dataclass, replace

from bot.adapters.registry import admin_hints, words_for
from bot.crypto import DecryptionError
from bot.games import Game, get_game
from bot.i18n import ENGLISH, t
from bot.i18n.catalogue import CATALOGUE
from bot.rendering.text import clip, escape
from bot.services.servers.addresses import literal_ip
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


@dataclass(frozen=True, slots=True)
class Probed:
    """What the network checks of one run talk to, and how they say it: the server at the
    address that was checked, its game, whether that address is internal (a guild member is
    told no more than that), and the reader's language."""

    server: Server
    game: Game
    internal: bool
    language: str


def _t(language: str, key: str, /, **values: str | int | float) -> str:
    return t(language, f"serverui.test.{key}", **values)


def login_hint(protocol: str, status: LoginStatus, english: str, language: str) -> str:
    """A console protocol's hint for a login outcome in ``language``
    (``serverui.login.<protocol>.<status>``); the adapter's own English where the catalogue
    has none (an adapter added since)."""
    key = f"serverui.login.{protocol}.{status.value}"
    return t(language, key) if key in CATALOGUE.languages[ENGLISH] else english


async def check_dns(
    host: str, timeout: float = DNS_TIMEOUT, language: str = ENGLISH
) -> CheckResult:
    if literal_ip(host) is not None:
        return CheckResult("DNS", CheckStatus.SKIPPED, _t(language, "dns_ip", host=host))
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, None, type=socket.SOCK_DGRAM), timeout
        )
    except (OSError, TimeoutError) as exc:
        error = exc.__class__.__name__
        return CheckResult(
            "DNS", CheckStatus.FAIL, _t(language, "dns_fail", host=host, error=error)
        )
    addresses = sorted({str(info[4][0]) for info in infos})
    return CheckResult("DNS", CheckStatus.OK, f"{host} → {', '.join(addresses[:3])}")


def _no_answer_hint(game: Game, port: int, language: str = ENGLISH) -> str:
    # How this game enables its query, from the catalogue (a config line: as written there).
    words = words_for(game.query_protocol)
    extra = f" {game.name}: {game.query_hint}" if game.query_hint else ""
    where = f"{words.transport} {port}"
    text = _t(language, "no_answer", protocol=_protocol_name(words.label), where=where)
    return text + extra


def _protocol_name(label: str) -> str:
    # "A2S query" -> "A2S": the hint says "No A2S answer".
    return label.removesuffix(" query")


# What an internal target's failures all say (serverui.test.internal): refused, silent and
# not-A2S are not told apart, and no other port is probed, so /server test cannot map the
# bot's own network.


def _internal(where: str, language: str) -> str:
    return _t(language, "internal", where=where)


# What a failure other than silence says, per failure (catalogue keys serverui.test.<name>).
_FAILURE_HINTS = {
    QueryFailure.UNREACHABLE: "closed",
    QueryFailure.NETWORK: "network",
    QueryFailure.AUTH_REQUIRED: "auth_required",
    QueryFailure.AUTH_REFUSED: "auth_refused",
    QueryFailure.SERVER_ERROR: "server_error",
}


async def check_query(
    probed: Probed, query: QueryClient, timeout: float
) -> tuple[CheckResult, QueryAnswer | None]:
    server, game, language = probed.server, probed.game, probed.language
    words = words_for(game.query_protocol)
    name, shown = words.label, _protocol_name(words.label)
    where = f"{words.transport} {server.query_port}"
    try:
        answer = await query.info(
            server.host, server.query_port, timeout=timeout, protocol=game.query_protocol
        )
    except QueryError as exc:
        if exc.failure is QueryFailure.DNS:
            return CheckResult(name, CheckStatus.SKIPPED, _t(language, "no_dns")), None
        if probed.internal:
            return CheckResult(name, CheckStatus.FAIL, _internal(where, language)), None
        if exc.failure is QueryFailure.NOT_THIS_PROTOCOL:
            text = _t(language, "other_protocol", where=where, protocol=shown)
            return CheckResult(name, CheckStatus.FAIL, text), None
        hint = _FAILURE_HINTS.get(exc.failure)
        if hint is not None and exc.failure is not QueryFailure.UNREACHABLE:
            text = f"{where}: {_t(language, hint)}"
            return CheckResult(name, CheckStatus.FAIL, text), None
        found = await query.find_query_port(server.host, server.game_port, game.key)
        if found is not None and found != server.query_port:
            # Ports as digits (a number would be written 27.015 in German).
            text = _t(language, "found_port", protocol=shown, where=where, port=str(found))
            return CheckResult(name, CheckStatus.FAIL, text), None
        hint_text = _no_answer_hint(game, server.query_port, language)
        return CheckResult(name, CheckStatus.FAIL, hint_text), None
    detail = _t(
        language,
        "answered",
        where=f"{words.transport} {answer.port}",
        name=_shown(answer.name),
        map=_shown(answer.map),
        players=f"{answer.players}/{answer.max_players}",
    )
    if answer.notes:
        # Answered, but something is off that the admin can fix (Minecraft's query off…).
        notes = " ".join(escape(n) for n in answer.notes)
        return CheckResult(name, CheckStatus.WARN, f"{detail}. {notes}"), answer
    return CheckResult(name, CheckStatus.OK, detail), answer


def _shown(text: str) -> str:
    # Server-provided: clipped, and never rendered as markdown (no masked links).
    return clip(escape(text), MAX_SHOWN_NAME)


def check_ping(answer: QueryAnswer | None, language: str = ENGLISH) -> CheckResult:
    if answer is None:
        return CheckResult("Ping", CheckStatus.SKIPPED, _t(language, "no_ping"))
    ms = f"{answer.ping_ms:.0f}"
    if answer.ping_ms > HIGH_PING_MS:
        return CheckResult("Ping", CheckStatus.WARN, _t(language, "ping_high", ms=ms))
    return CheckResult("Ping", CheckStatus.OK, _t(language, "ping", ms=ms))


async def check_rcon(
    probed: Probed, registry: ServerRegistry, login: RconLoginTester, timeout: float
) -> CheckResult:
    server, game, language = probed.server, probed.game, probed.language
    name = _t(language, "rcon")
    if not game.has_rcon or server.rcon_port is None:
        why = f" ({game.admin_hint})" if game.admin_hint and not game.has_rcon else ""
        text = _t(language, "no_rcon", game=game.name) + why
        return CheckResult(name, CheckStatus.SKIPPED, text)
    try:
        password = registry.password_of(server)
    except DecryptionError:
        return CheckResult(name, CheckStatus.FAIL, _t(language, "undecryptable"))
    if password is None:
        return CheckResult(name, CheckStatus.SKIPPED, _t(language, "no_password"))
    result = await login(game.rcon, server.host, server.rcon_port, password, timeout=timeout)
    words = words_for(game.admin_protocol or "")
    hints = admin_hints(game.admin_protocol or "")
    port = f"{words.transport} {server.rcon_port}"
    if result.status is LoginStatus.OK:
        detail = _t(language, "login_ok", protocol=words.label, where=port)
        if hints is not None and hints.after_ok:
            after = login_hint(game.admin_protocol or "", LoginStatus.OK, hints.after_ok, language)
            detail += f". {after}"
        return CheckResult(name, CheckStatus.OK, detail)
    if probed.internal and result.status is not LoginStatus.REFUSED:
        return CheckResult(name, CheckStatus.FAIL, _internal(port, language))
    hint = (
        login_hint(
            game.admin_protocol or "", result.status, hints.for_status(result.status), language
        )
        if hints is not None
        else result.detail
    )
    # How this game enables its console (the config line), from the catalogue.
    setup = f" {game.name}: {game.admin_hint}" if game.admin_hint else ""
    return CheckResult(name, CheckStatus.FAIL, f"{port}: {hint}{setup}")


async def diagnose(
    server: Server,
    registry: ServerRegistry,
    *,
    operator: bool = False,
    language: str = ENGLISH,
) -> Report:
    """Run the whole checklist for one server; never raises for network problems.

    ``operator``: for the bot's operator (``python -m bot check``), who sees the detailed
    failure of internal targets too; a guild member (``/server test``) does not. The check
    names and details are in ``language``."""
    game = get_game(server.game)
    if game is None:
        unknown = _t(language, "unknown_game", game=repr(server.game))
        return Report(server, (CheckResult(_t(language, "game"), CheckStatus.FAIL, unknown),))
    dns = await check_dns(server.host, language=language)
    if dns.status is CheckStatus.FAIL:
        skipped = _t(language, "no_dns")
        return Report(
            server,
            (
                dns,
                CheckResult(words_for(game.query_protocol).label, CheckStatus.SKIPPED, skipped),
                CheckResult("Ping", CheckStatus.SKIPPED, skipped),
                CheckResult(_t(language, "rcon"), CheckStatus.SKIPPED, skipped),
            ),
        )
    internal, via = False, server.host
    if not operator:
        internal, via = await registry.checked_target(server.host, refuse=False)
    if internal and not registry.allow_private:
        refused = CheckResult(
            _t(language, "address"), CheckStatus.FAIL, t(language, "servers.internal_refused")
        )
        return Report(server, (dns, refused))
    # Probed and logged into at the address that was checked (see checked_target).
    probed = Probed(replace(server, host=via), game, internal, language)
    query_result, answer = await check_query(probed, registry.query, registry.query_timeout)
    rcon = await check_rcon(probed, registry, registry.rcon_login, registry.login_timeout)
    return Report(server, (dns, query_result, check_ping(answer, language), rcon))
