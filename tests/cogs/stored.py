"""Test servers stored straight into the bot's database, as ``/server add`` leaves them (the
RCON password sealed with the bot's key): the tests' shortcut past the command's probes."""

from __future__ import annotations

from bot.app import OutpostBot
from bot.storage import NewServer, Server
from tests.fakes.a2s_server import FakeA2SServer


async def register(
    bot: OutpostBot,
    guild_id: int,
    name: str,
    server: FakeA2SServer | tuple[str, int],
    game: str = "cs2",
    *,
    poll: bool = False,
) -> Server:
    """A server without RCON, queried on its game port; ``poll``: then one poll round, so the
    bot shows the server as it has seen it."""
    host, port = server.address if isinstance(server, FakeA2SServer) else server
    stored = await bot.services.store.servers.add(
        NewServer(guild_id, name, game, host, port, port, None, None, 1)
    )
    if poll:
        await bot.services.poller.run_round()
    return stored


async def add_rcon_server(
    bot: OutpostBot,
    guild_id: int,
    name: str,
    game: str,
    rcon_port: int,
    *,
    password: str,
    host: str = "127.0.0.1",
    game_port: int = 27015,
    query_port: int = 27015,
    created_by: int = 1,
) -> Server:
    """A server with RCON stored as ``/server add`` stores one (the password sealed with the
    bot's key), then the poller's roster refreshed so the bot serves it at once."""
    server = await bot.services.store.servers.add(
        NewServer(
            guild_id,
            name,
            game,
            host,
            game_port,
            query_port,
            rcon_port,
            bot.secret_box.encrypt(password),
            created_by,
        )
    )
    await bot.services.poller.refresh_roster()
    return server
