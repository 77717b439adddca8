"""The live player list of a server for ``/rcon`` (ids for commands, names for autocomplete).

BattlEye: the pooled client's ``players`` (kept current by join/leave events). Source: parsed
``status``. Autocomplete answers from the cache within Discord's deadline and refreshes a stale
cache in the background; with nothing cached yet, A2S names from the poller are the fallback.

:meth:`LivePlayers.expect_departure` confirms a kick or ban from the server: BattlEye's kick
line for that player, or (Source) the player missing from the next ``status``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.adapters.admin import PlayerLister
from bot.crypto import DecryptionError
from bot.games import Game, RconKind, get_game
from bot.protocols.battleye import Player as BattlEyePlayer
from bot.protocols.battleye import RCONError as BattlEyeError
from bot.services.rcon.actions import PlayerRef
from bot.services.rcon.console_players import TEXT_PARSERS, from_console
from bot.services.rcon.errors import RconError, RconNotConfigured
from bot.services.rcon.pool import RconPool
from bot.services.rcon.source_players import parse_status
from bot.snapshots import MAX_LISTED_PLAYERS, MAX_PLAYER_NAME, clip_text
from bot.storage import Server

log = logging.getLogger(__name__)

A2SNames = Callable[[Server], list[str]]
# How long a kick or ban reply waits for the server to confirm it.
CONFIRM_SECONDS = 4.0
_SOURCE_RECHECK = 0.5  # between two Source ``status`` reads while waiting
# Bounded ASCII digits: \d takes any script's digits, which a console would not read back.
_LISTID_ENTRY = re.compile(r"STEAM_[0-5]:[01]:[0-9]{1,10}|\[U:1:[0-9]{1,10}\]")


def rcon_kind(server: Server) -> RconKind:
    game = get_game(server.game)
    return game.rcon if game is not None else RconKind.NONE


def _unban_id(server: Server) -> str:
    game = get_game(server.game)
    console = game.console if game is not None else None
    return console.unban_id if console is not None else "steamid"


def _player_list(server: Server) -> tuple[str, str] | None:
    """How the server's console lists players: the catalogue's format and command."""
    game = get_game(server.game)
    console = game.console if game is not None else None
    if console is None or not console.player_list or "players" not in console.actions:
        return None
    return console.player_list, console.actions["players"][0]


# Squad's ListPlayers line (SquadJS' format): the ids come before the name, so a name cannot
# forge them; the name runs to the last "| Team ID:".
_SQUAD_LINE = re.compile(
    r"ID: (?P<id>\d{1,9}) \| (?:Online IDs:(?P<ids>[^|]*)|SteamID: (?P<sid>\d{17})) \| "
    r"Name: (?P<name>.*) \| Team ID: .*"
)
# Only plain ids go into commands: a server cannot smuggle quotes or separators through them.
_SQUAD_ID = re.compile(r"(?P<platform>[A-Za-z]+):\s*(?P<id>[0-9A-Za-z]{1,64})(?=\s|$)")


def parse_squad_players(text: str) -> list[PlayerRef]:
    """Connected players from Squad's ListPlayers; uid is the SteamID (else the EOS id)."""
    players: list[PlayerRef] = []
    for line in text.splitlines():
        if "Recently Disconnected" in line:
            break  # the rest are players who left
        m = _SQUAD_LINE.fullmatch(line.strip())
        if m is None:
            continue
        ids = {p["platform"].casefold(): p["id"] for p in _SQUAD_ID.finditer(m["ids"] or "")}
        uid = m["sid"] or ids.get("steam") or ids.get("eos", "")
        # A hostile server chooses the name's length and the number of lines: both bounded.
        players.append(PlayerRef(int(m["id"]), clip_text(m["name"], MAX_PLAYER_NAME), uid))
        if len(players) >= MAX_LISTED_PLAYERS:
            break
    return players


def rcon_game(server: Server) -> Game | RconKind:
    """What typed actions are planned for: the server's catalogue game (its console's
    commands), or RconKind.NONE for a game the catalogue does not know."""
    return get_game(server.game) or RconKind.NONE


class LivePlayers:
    def __init__(
        self,
        pool: RconPool,
        a2s_names: A2SNames | None = None,
        *,
        ttl: float = 20.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pool = pool
        self.a2s_names = a2s_names
        self.ttl = ttl
        self.clock = clock
        self.confirm_seconds = CONFIRM_SECONDS
        self._cache: dict[int, tuple[float, list[PlayerRef]]] = {}
        self._refreshing: dict[int, asyncio.Task[None]] = {}

    async def fetch(self, server: Server) -> list[PlayerRef]:
        """The list now, from the server (raises RconError)."""
        kind = rcon_kind(server)
        if kind is RconKind.BATTLEYE:
            client = await self.pool.battleye(server)
            try:
                found = await client.fetch_players()
            except BattlEyeError as exc:  # no answer, not logged in; anything else is a bug
                raise RconError(key="rcon.no_player_list", server=repr(server.name)) from exc
            players = [PlayerRef(p.id, p.name, p.guid) for p in found]
        elif (listing := _player_list(server)) is not None and listing[0] == "adapter":
            session = await self.pool.session(server)
            if not isinstance(session, PlayerLister):
                raise RconNotConfigured(key="rcon.cannot_read_players", server=repr(server.name))
            players = from_console(await session.players(timeout=self.pool.command_timeout))
        elif listing is not None and listing[0] in TEXT_PARSERS:
            players = TEXT_PARSERS[listing[0]](await self.pool.execute(server, listing[1]))
        elif kind is RconKind.SOURCE:
            listing = _player_list(server)
            if listing is None:
                # A console whose list Outpost cannot read is not sent srcds' status at all.
                raise RconNotConfigured(key="rcon.cannot_read_players", server=repr(server.name))
            fmt, command = listing
            text = await self.pool.execute(server, command)
            players = (
                parse_squad_players(text)
                if fmt == "squad"
                else [
                    PlayerRef(
                        p.userid,
                        p.name,
                        p.uniqueid if p.uniqueid.startswith(("STEAM_", "[U:")) else "",
                    )
                    for p in parse_status(text)
                    if not p.is_bot
                ]
            )
        else:
            raise RconNotConfigured(key="rcon.not_configured", server=repr(server.name))
        self._cache[server.id] = (self.clock(), players)
        return players

    def suggestions(self, server: Server, text: str, limit: int = 25) -> list[PlayerRef]:
        """From memory only. Entries with id -1 are A2S names (no id known yet)."""
        cached = self._cache.get(server.id)
        if cached is None or self.clock() - cached[0] > self.ttl:
            self._refresh_soon(server)
        if cached is not None:
            players = cached[1]
        elif self.a2s_names is not None:
            players = [PlayerRef(-1, name) for name in self.a2s_names(server) if name.strip()]
        else:
            players = []
        needle = text.strip().casefold().removeprefix("#")
        hits = [p for p in players if needle in p.name.casefold() or needle == str(p.id)]
        hits.sort(key=lambda p: (not p.name.casefold().startswith(needle), p.name.casefold()))
        return hits[:limit]

    async def expect_departure(self, server: Server, player: PlayerRef) -> Departure:
        """Start watching for ``player`` to leave; call before sending the kick or ban, so a
        kick line that comes before the command's answer is not missed."""
        if rcon_kind(server) is RconKind.BATTLEYE:
            client = await self.pool.battleye(server)

            def is_them(gone: BattlEyePlayer, _reason: str) -> bool:
                return gone.id == player.id and (
                    gone.name == player.name or bool(player.guid and gone.guid == player.guid)
                )

            waiter = asyncio.ensure_future(client.wait_for("player_kick", check=is_them))
            return Departure(self.confirm_seconds, waiter=waiter)
        return Departure(self.confirm_seconds, recheck=lambda: self._still_there(server, player))

    async def _still_there(self, server: Server, player: PlayerRef) -> bool:
        return any(player.same_player(p) for p in await self.fetch(server))

    async def bans(self, server: Server) -> dict[str, str]:
        """The server's bans now: BattlEye ban number -> GUID or IP; Source SteamID -> itself."""
        if rcon_kind(server) is RconKind.BATTLEYE:
            client = await self.pool.battleye(server)
            try:
                found = await client.fetch_bans()
            except BattlEyeError as exc:  # no answer, not logged in; anything else is a bug
                raise RconError(key="rcon.no_ban_list", server=repr(server.name)) from exc
            return {str(b.index): b.id for b in found}
        if _unban_id(server) == "player":
            # Bans named by player (Minecraft, 7DTD, ARK…): nothing to look up before.
            return {}
        text = await self.pool.execute(server, "listid")
        return {sid: sid for sid in _LISTID_ENTRY.findall(text)}

    def expect_unban(self, server: Server, banned: str) -> Departure:
        """Confirms once ``banned`` (a GUID, IP, SteamID or player) is off the ban list."""
        if _unban_id(server) == "player":
            return self._expect_unban_by_player(server, banned)

        async def still_banned() -> bool:
            return banned in (await self.bans(server)).values()

        return Departure(self.confirm_seconds, recheck=still_banned)

    def _expect_unban_by_player(self, server: Server, banned: str) -> Departure:
        game = get_game(server.game)
        console = game.console if game is not None else None
        if console is None or "bans" not in console.actions:
            return Departure.unconfirmable()
        command = console.actions["bans"][0]
        word = re.compile(rf"(?<![\w.:-]){re.escape(banned)}(?![\w.:-])", re.IGNORECASE)

        async def still_banned() -> bool:
            return word.search(await self.pool.execute(server, command)) is not None

        return Departure(self.confirm_seconds, recheck=still_banned)

    def forget(self, server_id: int) -> None:
        self._cache.pop(server_id, None)

    def _refresh_soon(self, server: Server) -> None:
        task = self._refreshing.get(server.id)
        if task is not None and not task.done():
            return

        async def refresh() -> None:
            try:
                await self.fetch(server)
            except (RconError, DecryptionError) as exc:
                # Nobody awaits this task: what it raises is handled here or never seen.
                log.debug("player list of server %s not refreshed: %s", server.id, exc)
            except Exception:
                log.exception("player list of server %s: refresh failed", server.id)

        self._refreshing[server.id] = asyncio.get_running_loop().create_task(refresh())

    async def close(self) -> None:
        tasks = [t for t in self._refreshing.values() if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._refreshing.clear()


class Departure:
    """A pending confirmation that a player left: :meth:`confirmed` waits at most ``timeout``."""

    def __init__(
        self,
        timeout: float,
        *,
        waiter: asyncio.Future[tuple[Any, ...]] | None = None,
        recheck: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        self.timeout = timeout
        self._waiter = waiter
        self._recheck = recheck

    @classmethod
    def unconfirmable(cls) -> Departure:
        """The console cannot show it (no ban list): never confirmed, at once."""
        return cls(0.0)

    async def confirmed(self) -> bool:
        if self._waiter is None and self._recheck is None:
            return False
        try:
            async with asyncio.timeout(self.timeout):
                if self._waiter is not None:
                    await self._waiter
                    return True
                assert self._recheck is not None
                # A fresh list each round (no event to wait on): bounded by the timeout.
                while await self._recheck():  # noqa: ASYNC110
                    await asyncio.sleep(_SOURCE_RECHECK)
                return True
        except TimeoutError:
            return False
        except (RconError, DecryptionError) as exc:
            log.debug("departure not confirmed: %s", exc)
            return False
        finally:
            self.cancel()

    def cancel(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.cancel()
