"""python-a2s compatible functions: ``info/players/rules`` (sync) and ``ainfo/aplayers/arules``.

``timeout`` parameters mirror python-a2s. The async functions
share one default engine per event loop; the sync ones run a private stdlib loop per call
(see ``run``) and must not be called from a running loop.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar, overload

from bot.protocols.a2s.engine import A2SEngine
from bot.protocols.a2s.models import GoldSrcInfo, Player, PlayerList, RulesDict, SourceInfo

DEFAULT_TIMEOUT = 3.0
DEFAULT_ENCODING = "utf-8"

T = TypeVar("T")
Address = tuple[str, int]

_engines: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, A2SEngine] = (
    weakref.WeakKeyDictionary()
)


def default_engine() -> A2SEngine:
    """The engine of the running loop used by ``ainfo/aplayers/arules``."""
    loop = asyncio.get_running_loop()
    engine = _engines.get(loop)
    if engine is None:
        # Nobody owns this engine, so it closes its sockets whenever it is idle.
        engine = _engines[loop] = A2SEngine(close_when_idle=True)
    return engine


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's loop when installed (faster callbacks), asyncio's otherwise."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


def run(coro_fn: Callable[[], Coroutine[Any, Any, T]], *, fast: bool = False) -> T:
    """Run a coroutine on a fresh loop.

    The stdlib loop by default: only there can the engine report closed ports as
    ConnectionRefusedError, like python-a2s. ``fast=True`` takes uvloop when installed, for
    long runs of many queries.
    """
    factory = new_event_loop if fast else asyncio.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coro_fn())


def _sync(method: str, address: Address, timeout: float, encoding: str | None) -> Any:
    async def main() -> Any:
        async with A2SEngine() as engine:
            return await getattr(engine, method)(address, timeout, encoding)

    return run(main)


@overload
async def ainfo(
    address: Address,
    timeout: float = ...,
    encoding: str = ...,
) -> SourceInfo[str] | GoldSrcInfo[str]: ...
@overload
async def ainfo(
    address: Address,
    timeout: float,
    encoding: None,
) -> SourceInfo[bytes] | GoldSrcInfo[bytes]: ...
async def ainfo(
    address: Address,
    timeout: float = DEFAULT_TIMEOUT,
    encoding: str | None = DEFAULT_ENCODING,
) -> Any:
    return await default_engine().info(address, timeout, encoding)


@overload
async def aplayers(
    address: Address,
    timeout: float = ...,
    encoding: str = ...,
) -> PlayerList[Player[str]]: ...
@overload
async def aplayers(
    address: Address,
    timeout: float,
    encoding: None,
) -> PlayerList[Player[bytes]]: ...
async def aplayers(
    address: Address,
    timeout: float = DEFAULT_TIMEOUT,
    encoding: str | None = DEFAULT_ENCODING,
) -> Any:
    return await default_engine().players(address, timeout, encoding)


@overload
async def arules(
    address: Address,
    timeout: float = ...,
    encoding: str = ...,
) -> RulesDict[str, str]: ...
@overload
async def arules(address: Address, timeout: float, encoding: None) -> RulesDict[bytes, bytes]: ...
async def arules(
    address: Address,
    timeout: float = DEFAULT_TIMEOUT,
    encoding: str | None = DEFAULT_ENCODING,
) -> Any:
    return await default_engine().rules(address, timeout, encoding)


@overload
def info(
    address: Address, timeout: float = ..., encoding: str = ...
) -> SourceInfo[str] | GoldSrcInfo[str]: ...
@overload
def info(
    address: Address, timeout: float, encoding: None
) -> SourceInfo[bytes] | GoldSrcInfo[bytes]: ...
def info(
    address: Address, timeout: float = DEFAULT_TIMEOUT, encoding: str | None = DEFAULT_ENCODING
) -> Any:
    return _sync("info", address, timeout, encoding)


@overload
def players(
    address: Address, timeout: float = ..., encoding: str = ...
) -> PlayerList[Player[str]]: ...
@overload
def players(address: Address, timeout: float, encoding: None) -> PlayerList[Player[bytes]]: ...
def players(
    address: Address, timeout: float = DEFAULT_TIMEOUT, encoding: str | None = DEFAULT_ENCODING
) -> Any:
    return _sync("players", address, timeout, encoding)


@overload
def rules(address: Address, timeout: float = ..., encoding: str = ...) -> RulesDict[str, str]: ...
@overload
def rules(address: Address, timeout: float, encoding: None) -> RulesDict[bytes, bytes]: ...
def rules(
    address: Address, timeout: float = DEFAULT_TIMEOUT, encoding: str | None = DEFAULT_ENCODING
) -> Any:
    return _sync("rules", address, timeout, encoding)
