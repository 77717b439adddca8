"""Value types stored and returned by the repositories."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.snapshots import host_port


def name_key(name: str) -> str:
    """The form names are compared in: case-insensitive, surrounding space ignored."""
    return name.strip().casefold()


@dataclass(frozen=True, slots=True)
class Server:
    """A registered game server. ``rcon_password`` is the encrypted token, never plain text."""

    id: int
    guild_id: int
    name: str
    game: str
    host: str
    game_port: int
    query_port: int
    rcon_port: int | None
    rcon_password: str | None = field(repr=False)
    created_by: int
    created_at: str
    updated_at: str

    @property
    def has_rcon_password(self) -> bool:
        return self.rcon_password is not None

    @property
    def address(self) -> str:
        """``host:port`` for display, IPv6 in brackets."""
        return host_port(self.host, self.game_port)


@dataclass(frozen=True, slots=True)
class NewServer:
    guild_id: int
    name: str
    game: str
    host: str
    game_port: int
    query_port: int
    rcon_port: int | None
    rcon_password: str | None = field(repr=False)
    created_by: int


@dataclass(frozen=True, slots=True)
class ServerChanges:
    """Fields to change; ``None`` means unchanged. ``clear_rcon`` drops the RCON settings."""

    name: str | None = None
    game: str | None = None
    host: str | None = None
    game_port: int | None = None
    query_port: int | None = None
    rcon_port: int | None = None
    rcon_password: str | None = field(default=None, repr=False)
    clear_rcon: bool = False
