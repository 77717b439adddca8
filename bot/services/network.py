"""The real network side of the services, on Outpost's own protocol packages."""

from __future__ import annotations

import asyncio
import logging

from bot.adapters.query import PortFinder, QueryError
from bot.adapters.registry import QueryAdapters
from bot.games import RconKind, get_game
from bot.protocols import battleye, rcon
from bot.services.probes import LoginResult, LoginStatus, QueryAnswer
from bot.snapshots import MAX_MAP, MAX_SERVER_NAME, clip_text

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 1.0


class AdapterQueryClient:
    """``/server add`` and ``/server test`` queries through the query adapters."""

    def __init__(self, adapters: QueryAdapters, probe_timeout: float = PROBE_TIMEOUT) -> None:
        self.adapters = adapters
        self.probe_timeout = probe_timeout

    async def info(
        self, host: str, port: int, *, time_limit: float, protocol: str = "a2s"
    ) -> QueryAnswer:
        result = await self.adapters.adapter(protocol).query(
            host, port, timeout=time_limit, players=False
        )
        status = result.status
        return QueryAnswer(
            port=port,
            # Shown in /server add and /server test replies: bounded like polled answers.
            server_name=clip_text(status.name, MAX_SERVER_NAME),
            map_name=clip_text(status.map, MAX_MAP),
            players=status.players,
            max_players=status.max_players,
            ping_ms=status.ping_ms,
        )

    async def find_query_port(self, host: str, game_port: int, game: str) -> int | None:
        # The game's query ports from the catalogue first; the protocol packages know no games.
        entry = get_game(game)
        protocol = entry.query_protocol if entry is not None else "a2s"
        known = entry.probe_ports_for(game_port) if entry is not None else [game_port]
        adapter = self.adapters.adapter(protocol)
        if isinstance(adapter, PortFinder):
            return await adapter.find_port(host, game_port, known=known, timeout=self.probe_timeout)
        for port in dict.fromkeys(known):
            try:
                await adapter.query(host, port, timeout=self.probe_timeout, players=False)
            except QueryError:
                continue
            return port
        return None


async def _source_login(host: str, port: int, password: str, time_limit: float) -> LoginResult:
    try:
        async with rcon.connect((host, port), password, timeout=time_limit):
            return LoginResult(LoginStatus.OK)
    except rcon.RCONAuthenticationError:
        return LoginResult(LoginStatus.REFUSED, "password refused")
    except rcon.RCONAuthDroppedError:
        # A restart looks the same as srcds dropping a banned IP (or Squad's answer to a wrong
        # password): not a refusal, but said as what it is.
        return LoginResult(LoginStatus.DROPPED, "connection closed during login")
    except (rcon.RCONTimeoutError, TimeoutError):
        return LoginResult(LoginStatus.NO_ANSWER, f"no answer within {time_limit:g} s")
    except (rcon.RCONCommunicationError, OSError) as exc:
        return LoginResult(LoginStatus.UNREACHABLE, type(exc).__name__)


async def _battleye_login(host: str, port: int, password: str, time_limit: float) -> LoginResult:
    # Two login datagrams within the limit (UDP can lose one); no player list fetch.
    config = battleye.ClientConfig(
        login_timeout=time_limit / 2, login_attempts=2, fetch_players_on_login=False
    )
    client = battleye.BattlEyeClient(config)
    try:
        # Safety net above the client's own login timeout.
        async with asyncio.timeout(time_limit + 1.0):
            async with client.connect(host, port, password):
                return LoginResult(LoginStatus.OK)
    except battleye.LoginRefused:
        return LoginResult(LoginStatus.REFUSED, "password refused")
    except battleye.CommandValidationError:
        return LoginResult(LoginStatus.REFUSED, "BattlEye does not accept this password")
    except (battleye.LoginTimeout, TimeoutError):
        return LoginResult(LoginStatus.NO_ANSWER, f"no answer within {time_limit:g} s")
    except OSError as exc:
        return LoginResult(LoginStatus.UNREACHABLE, type(exc).__name__)
    finally:
        client.close()


async def rcon_login_test(
    kind: RconKind, host: str, port: int, password: str, *, time_limit: float
) -> LoginResult:
    """One login attempt, then disconnect. Never retried (srcds bans after failures)."""
    if kind is RconKind.SOURCE:
        return await _source_login(host, port, password, time_limit)
    if kind is RconKind.BATTLEYE:
        return await _battleye_login(host, port, password, time_limit)
    raise ValueError(f"{kind.label} has no login to test")
