"""The real network side of the services, on Outpost's own protocol packages."""

from __future__ import annotations

import asyncio
import logging
import socket

from bot.games import RconKind, get_game
from bot.protocols import a2s, battleye, rcon
from bot.services.probes import LoginResult, LoginStatus, QueryAnswer, QueryError, QueryFailure
from bot.snapshots import MAX_MAP, MAX_SERVER_NAME, clip_text

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 1.0


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class A2SQueryClient:
    """A2S through the shared default engine (one UDP socket for every query)."""

    def __init__(self, probe_timeout: float = PROBE_TIMEOUT) -> None:
        self.probe_timeout = probe_timeout

    async def info(self, host: str, port: int, *, time_limit: float) -> QueryAnswer:
        try:
            answer = await a2s.ainfo((host, port), time_limit)
        except socket.gaierror as exc:
            raise QueryError(QueryFailure.DNS, f"{host} does not resolve") from exc
        except TimeoutError as exc:
            raise QueryError(QueryFailure.NO_ANSWER, f"no answer within {time_limit:g} s") from exc
        except a2s.BrokenMessageError as exc:
            raise QueryError(QueryFailure.NOT_A2S, "the answer is not valid A2S") from exc
        except OSError as exc:
            raise QueryError(QueryFailure.UNREACHABLE, exc.strerror or type(exc).__name__) from exc
        return QueryAnswer(
            port=port,
            # Shown in /server add and /server test replies: bounded like polled answers.
            server_name=clip_text(_text(answer.server_name), MAX_SERVER_NAME),
            map_name=clip_text(_text(answer.map_name), MAX_MAP),
            players=answer.player_count,
            max_players=answer.max_players,
            ping_ms=answer.ping * 1000.0,
        )

    async def find_query_port(self, host: str, game_port: int, game: str) -> int | None:
        # The game's query ports from the catalogue first; the protocol package knows no games.
        entry = get_game(game)
        known = entry.probe_ports_for(game_port) if entry is not None else ()
        try:
            return await a2s.afind_query_port(
                host, game_port, known=known, timeout=self.probe_timeout
            )
        except OSError:
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
