"""The server registry: validate, probe, test the RCON login, encrypt, store.

Two steps per change so a cog can answer Discord within its 3 s window: ``prepare_*`` checks the
input without touching the network (fast, before a modal is shown), then ``add``/``edit`` does the
slow part (query-port probe, RCON login) after the interaction was deferred.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.adapters.registry import words_for
from bot.crypto import DecryptionError, SecretBox
from bot.games import Game, get_game
from bot.logsetup import secrets
from bot.rendering.text import clip, escape
from bot.services.errors import ServerNotFoundError, UserError
from bot.services.servers.addresses import (
    Resolver,
    is_internal,
    is_internal_ip,
    literal_ip,
    parse_address,
    resolve,
)
from bot.services.servers.changes import (
    LOGIN_TIMEOUT,
    MAX_SERVERS_PER_GUILD,
    QUERY_TIMEOUT,
    Note,
    PendingAdd,
    PreparedServer,
    QueryPort,
    SaveOutcome,
    validate_password,
)
from bot.services.servers.names import validate_name
from bot.services.servers.probes import (
    LoginResult,
    LoginStatus,
    QueryAnswer,
    QueryClient,
    QueryError,
    RconLoginTester,
)
from bot.storage import NewServer, Server, ServerChanges, Store
from bot.storage.errors import QuotaExceededError

log = logging.getLogger(__name__)


class ServerRegistry:
    def __init__(
        self,
        store: Store,
        box: SecretBox,
        query: QueryClient,
        rcon_login: RconLoginTester,
        *,
        query_timeout: float = QUERY_TIMEOUT,
        login_timeout: float = LOGIN_TIMEOUT,
        max_servers: int = MAX_SERVERS_PER_GUILD,
        allow_private: bool = True,
        resolver: Resolver = resolve,
    ) -> None:
        self.store = store
        self.max_servers = max_servers
        self.box = box
        self.query = query
        self.rcon_login = rcon_login
        self.query_timeout = query_timeout
        self.login_timeout = login_timeout
        # False: loopback, private, link-local and multicast targets are refused.
        self.allow_private = allow_private
        self.resolver = resolver
        self._change_listeners: list[Callable[[], Awaitable[object]]] = []

    def add_change_listener(self, listener: Callable[[], Awaitable[object]]) -> None:
        """Call ``listener()`` after every add, edit and remove (the poller reloads its roster,
        so autocomplete and boards see the change at once instead of after the next round)."""
        self._change_listeners.append(listener)

    async def _changed(self) -> None:
        for listener in self._change_listeners:
            try:
                await listener()
            except Exception:
                # The change is stored; a listener failing must not turn it into an error.
                log.exception("server-change listener %r failed", listener)

    # -- reading -------------------------------------------------------------------------------

    async def get(self, guild_id: int, name: str) -> Server:
        server = await self.store.servers.get(guild_id, name)
        if server is None:
            raise ServerNotFoundError(name)
        return server

    async def unchanged(self, server: Server) -> Server:
        """``server`` as stored now, if it was neither edited nor removed since it was read;
        else a UserError. A confirm acts on the server the member saw, never on a newer
        address (with the old password) nor on another server that took its name."""
        for stored in await self.store.servers.for_guild(server.guild_id):
            if stored.id == server.id:
                if stored != server:
                    raise UserError(key="servers.changed", name=server.name)
                return stored
        raise UserError(key="servers.removed_meanwhile", name=server.name)

    async def servers_of(self, guild_id: int) -> list[Server]:
        return await self.store.servers.for_guild(guild_id)

    async def autocomplete(self, guild_id: int, text: str) -> list[str]:
        return await self.store.servers.search_names(guild_id, text, limit=25)

    def password_of(self, server: Server) -> str | None:
        """The decrypted RCON password (raises DecryptionError on a wrong key)."""
        if server.rcon_password is None:
            return None
        password = self.box.decrypt(server.rcon_password)
        secrets.add(password)
        return password

    async def undecryptable(self) -> list[Server]:
        """Servers whose stored password the configured key cannot open."""
        bad: list[Server] = []
        for server in await self.store.servers.all():
            if server.rcon_password is None:
                continue
            try:
                self.box.decrypt(server.rcon_password)
            except DecryptionError:
                bad.append(server)
        return bad

    # -- validation (no network) ---------------------------------------------------------------

    async def prepare_add(
        self,
        guild_id: int,
        name: str,
        address: str,
        game_key: str,
        query_port: int | None = None,
        rcon_port: int | None = None,
    ) -> PreparedServer:
        name = validate_name(name)
        game = _game_or_error(game_key)
        target = parse_address(address)
        self._refuse_internal_literal(target.host)
        if await self.store.servers.get(guild_id, name) is not None:
            # The name is not echoed: errors never repeat what was typed.
            raise UserError(key="servers.name_taken_pick")
        # Early, before the password modal; add() checks again when it saves.
        if await self.store.servers.count(guild_id) >= self.max_servers:
            raise QuotaExceededError("servers", self.max_servers)
        host, game_port = target.host, target.port
        located = None
        if game_port is None:
            # Minecraft names its real address in DNS (_minecraft._tcp SRV): store where it
            # points, so the poller asks the same address the players' clients join.
            located = await self.query.locate(host, game.query_protocol, timeout=self.query_timeout)
        notes: tuple[str, ...] = ()
        if located is not None:
            self._refuse_internal_literal(located[0])
            notes = (
                Note(
                    "serverui.note.srv",
                    host=_shown(host),
                    target=_shown(located[0]),
                    port=str(located[1]),
                ),
            )
            host, game_port = located
        if game_port is None:
            game_port = game.default_port
        _check_ports(query_port, rcon_port)
        if rcon_port is not None and not game.has_rcon:
            raise UserError(key="servers.no_rcon", game=game.name)
        return PreparedServer(
            guild_id=guild_id,
            name=name,
            game=game,
            host=host,
            game_port=game_port,
            query_port=query_port,
            rcon_port=rcon_port if rcon_port is not None else game.rcon_port_for(game_port),
            notes=notes,
        )

    async def prepare_edit(
        self,
        guild_id: int,
        name: str,
        *,
        new_name: str | None = None,
        address: str | None = None,
        game_key: str | None = None,
        query_port: int | None = None,
        rcon_port: int | None = None,
    ) -> PreparedServer:
        current = await self.get(guild_id, name)
        final_name = current.name
        if new_name is not None:
            final_name = validate_name(new_name)
            other = await self.store.servers.get(guild_id, final_name)
            if other is not None and other.id != current.id:
                raise UserError(key="servers.name_taken")
        game = _game_or_error(game_key if game_key is not None else current.game)
        host, game_port = current.host, current.game_port
        if address is not None:
            target = parse_address(address)
            self._refuse_internal_literal(target.host)
            host = target.host
            game_port = target.port if target.port is not None else game.default_port
        _check_ports(query_port, rcon_port)
        if rcon_port is not None and not game.has_rcon:
            raise UserError(key="servers.no_rcon", game=game.name)
        game_changed = game.key != current.game
        network_changed = (
            address is not None or game_changed or query_port is not None or rcon_port is not None
        )
        if query_port is None and not (address is not None or game_changed):
            query_port = current.query_port
        if rcon_port is None and game.has_rcon:
            keep = current.rcon_port is not None and address is None and not game_changed
            rcon_port = current.rcon_port if keep else game.rcon_port_for(game_port)
        return PreparedServer(
            guild_id=guild_id,
            name=final_name,
            game=game,
            host=host,
            game_port=game_port,
            query_port=query_port,
            rcon_port=rcon_port if game.has_rcon else None,
            current=current,
            network_changed=network_changed,
        )

    # -- the slow part -------------------------------------------------------------------------

    async def add(
        self, prepared: PreparedServer, password: str | None, created_by: int
    ) -> SaveOutcome:
        """Check and save in one step (the CLI and tests; the cog asks first when probed)."""
        return await self.save_add(await self.check_add(prepared, password), created_by)

    async def check_add(self, prepared: PreparedServer, password: str | None) -> PendingAdd:
        """The slow checks of an add (address policy, query port, RCON login); nothing saved."""
        if prepared.game.has_rcon and password is None:
            raise UserError(key="servers.password_required")
        internal, via = await self.checked_target(prepared.host)
        traffic = replace(prepared, host=via)  # probed and logged into; the name is saved
        notes: list[str] = list(prepared.notes)
        query = await self._resolve_query_port(traffic, notes, internal)
        login, token = await self._check_login(traffic, password, notes, internal)
        return PendingAdd(prepared, query, token, login, tuple(notes))

    async def save_add(self, pending: PendingAdd, created_by: int) -> SaveOutcome:
        prepared = pending.prepared
        server = await self.store.servers.add(
            NewServer(
                guild_id=prepared.guild_id,
                name=prepared.name,
                game=prepared.game.key,
                host=prepared.host,
                game_port=prepared.game_port,
                query_port=pending.query.port,
                rcon_port=prepared.rcon_port,
                rcon_password=pending.token,
                created_by=created_by,
            ),
            # At save: two modals opened at once both passed prepare_add's count.
            limit=self.max_servers,
        )
        log.info(
            "server %r added in guild %s by %s (%s)",
            server.name,
            server.guild_id,
            created_by,
            server.game,
        )
        await self._changed()
        return SaveOutcome(
            server, pending.notes, pending.login, answered=pending.query.answer is not None
        )

    async def edit(self, prepared: PreparedServer, password: str | None) -> SaveOutcome:
        current = prepared.current
        if current is None:
            raise ValueError("edit() needs a PreparedServer from prepare_edit()")
        # Only a new host is refused: a server stored before the policy can still be renamed.
        internal, via = await self.checked_target(
            prepared.host, refuse=prepared.host != current.host
        )
        traffic = replace(prepared, host=via)  # probed and logged into; the name is saved
        notes: list[str] = []
        query_port = prepared.query_port
        answered = True
        if prepared.network_changed or query_port is None:
            query = await self._resolve_query_port(traffic, notes, internal)
            query_port, answered = query.port, query.answer is not None
        login: LoginResult | None = None
        token: str | None = None
        if prepared.game.has_rcon:
            if password is None and prepared.needs_password:
                # Also when only the target changed: the stored password is for the old one.
                raise UserError(key="servers.password_again")
            if password is not None:
                # Only a typed password is ever sent; it replaces the stored one.
                login, token = await self._check_login(traffic, password, notes, internal)
        changes = ServerChanges(
            name=prepared.name if prepared.name != current.name else None,
            game=prepared.game.key,
            host=prepared.host,
            game_port=prepared.game_port,
            query_port=query_port,
            rcon_port=prepared.rcon_port,
            rcon_password=token,
            clear_rcon=not prepared.game.has_rcon,
        )
        server = await self.store.servers.update(current.guild_id, current.name, changes)
        if server is None:
            raise ServerNotFoundError(current.name)
        log.info("server %r edited in guild %s", server.name, server.guild_id)
        await self._changed()
        return SaveOutcome(server, tuple(notes), login, answered=answered)

    async def remove(self, guild_id: int, name: str) -> None:
        if not await self.store.servers.remove(guild_id, name):
            raise ServerNotFoundError(name)
        log.info("server %r removed in guild %s", name, guild_id)
        await self._changed()

    def _refuse_internal_literal(self, host: str) -> None:
        """An internal IP typed as such is refused before any modal (names: after DNS)."""
        ip = literal_ip(host)
        if ip is not None and is_internal_ip(ip) and not self.allow_private:
            raise UserError(key="servers.internal_refused")

    async def is_internal(self, host: str) -> bool:
        """``host`` is (or resolves to) a loopback, private, link-local or multicast address."""
        return await is_internal(host, self.resolver)

    async def checked_target(self, host: str, *, refuse: bool = True) -> tuple[bool, str]:
        """Whether ``host`` is internal (refused when they are not allowed and ``refuse``),
        and where to send the probes and the login: with internal addresses refused, an
        address of the very lookup that was checked, so a name rebound to the bot's network
        right after the check (DNS rebinding) cannot redirect them."""
        if self.allow_private or literal_ip(host) is not None:
            internal = await self.is_internal(host)
            via = host
        else:
            found = [a.split("%", 1)[0] for a in await self.resolver(host)]
            ips = [ip for ip in (literal_ip(a) for a in found) if ip is not None]
            internal = any(is_internal_ip(ip) for ip in ips)
            # Internal and kept (an edit that does not move a stored server), or not
            # resolving (the probes fail the same way): the name as it is.
            via = str(ips[0]) if ips and not internal else host
        if internal and refuse and not self.allow_private:
            raise UserError(key="servers.internal_refused")
        return internal, via

    async def _resolve_query_port(
        self, prepared: PreparedServer, notes: list[str], internal: bool
    ) -> QueryPort:
        explicit = prepared.query_port
        port = (
            explicit if explicit is not None else prepared.game.query_port_for(prepared.game_port)
        )
        protocol = prepared.game.query_protocol
        shown = words_for(protocol).label.removesuffix(" query")
        try:
            answer = await self.query.info(
                prepared.host, port, timeout=self.query_timeout, protocol=protocol
            )
        except QueryError as exc:
            first_error = exc
        else:
            notes.append(
                Note(
                    "serverui.note.answers",
                    protocol=shown,
                    port=str(port),
                    name=_shown(answer.name),
                )
            )
            return QueryPort(port, answer)
        if explicit is None:
            found = await self.query.find_query_port(
                prepared.host, prepared.game_port, prepared.game.key
            )
            probed = (
                await self._answer_at(prepared.host, found, protocol) if found is not None else None
            )
            if found is not None and probed is not None:
                notes.append(
                    Note(
                        "serverui.note.probed",
                        protocol=shown,
                        port=str(port),
                        game=prepared.game.name,
                        found=str(found),
                    )
                )
                return QueryPort(found, probed, probed=True)
        # On an internal host the reason is not told apart (refused, silent, not A2S), so
        # a tenant cannot map which ports of the bot's network are open.
        why = NOT_REACHABLE if internal else str(first_error)
        notes.append(Note("serverui.note.no_answer", protocol=shown, port=str(port), why=why))
        return QueryPort(port, None)

    async def _answer_at(self, host: str, port: int, protocol: str) -> QueryAnswer | None:
        """Who answers on a probed port (named in the confirmation), or None."""
        try:
            return await self.query.info(host, port, timeout=self.query_timeout, protocol=protocol)
        except QueryError:
            return None

    async def _check_login(
        self,
        prepared: PreparedServer,
        password: str | None,
        notes: list[str],
        internal: bool = False,
    ) -> tuple[LoginResult | None, str | None]:
        """Test the login; refuse a wrong password; return the result and the encrypted token."""
        if not prepared.game.has_rcon or password is None or prepared.rcon_port is None:
            return None, None
        validate_password(password)
        secrets.add(password)
        result = await self.rcon_login(
            prepared.game.rcon,
            prepared.host,
            prepared.rcon_port,
            password,
            timeout=self.login_timeout,
        )
        if result.status is LoginStatus.REFUSED:
            # The port as digits (a number would be written 27.015 in German).
            raise UserError(key="servers.password_wrong", port=str(prepared.rcon_port))
        if result.ok:
            notes.append(Note("serverui.note.login_ok", port=str(prepared.rcon_port)))
        else:
            why = NOT_REACHABLE if internal else result.detail
            if result.status is LoginStatus.DROPPED and not internal:
                why = Note("serverui.note.dropped")
            notes.append(
                Note("serverui.note.login_unverified", port=str(prepared.rcon_port), why=why)
            )
        return result, self.box.encrypt(password)


NOT_REACHABLE = Note("serverui.note.not_reachable")
MAX_SHOWN_NAME = 100


def _shown(name: str) -> str:
    """A server-provided name for a Discord reply: clipped and never markdown (a name like
    ``[Verify your account](https://evil)`` must not render as a link)."""
    return clip(escape(name), MAX_SHOWN_NAME)


def _game_or_error(key: str) -> Game:
    game = get_game(key)
    if game is None:
        raise UserError(key="servers.unknown_game")
    return game


def _check_ports(*ports: int | None) -> None:
    for port in ports:
        if port is not None and not 1 <= port <= 65535:
            raise UserError(key="servers.ports")
