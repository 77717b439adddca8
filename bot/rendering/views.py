"""What a status embed or board shows about one server, as plain values (no discord import:
the board service picks the views, the Discord side renders them)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.games import get_game
from bot.i18n import ENGLISH
from bot.rendering.text import address, mask_address
from bot.snapshots import Snapshot, valid_icon
from bot.storage import Server
from bot.storage.display import Display


@dataclass(frozen=True, slots=True)
class ServerView:
    """A registered server with what is shown about it."""

    server: Server
    snapshot: Snapshot
    hide_connect: bool = False
    join_url: str | None = None  # an http(s) link the guild set: a "Join" link button
    uptime: tuple[int, int] | None = None  # boards: (online, all) samples of the last 7 days

    @classmethod
    def of(
        cls,
        server: Server,
        snapshot: Snapshot,
        display: Display | None,
        uptime: tuple[int, int] | None = None,
    ) -> ServerView:
        """``display``: the server's options (None: the defaults)."""
        if display is None:
            return cls(server, snapshot, uptime=uptime)
        return cls(server, snapshot, display.hide_connect, display.join_url, uptime)

    @property
    def game_name(self) -> str:
        game = get_game(self.server.game)
        return game.name if game is not None else self.server.game

    @property
    def connect(self) -> str | None:
        """The address players join at, to copy into the game (None when hidden). Not a
        ``steam://`` link: Discord does not make those clickable, and most games are not Steam's."""
        if self.hide_connect:
            return None
        return address(self.server.host, self.server.game_port)

    @property
    def icon(self) -> bytes | None:
        """The server's own picture (PNG bytes), None when it offers none. Checked again here,
        where the bytes leave for Discord: only a valid PNG is ever sent on."""
        info = self.snapshot.info
        icon = info.icon if info is not None else None
        return icon if icon is not None and valid_icon(icon) else None

    def shown(self, text: str, language: str = ENGLISH) -> str:
        """Text about this server as shown: without its address when that is hidden (said
        "(address hidden)" in ``language``)."""
        return mask_address(text, self.server.host, language) if self.hide_connect else text

    def name_in(self, language: str) -> str:
        """The name as shown to readers of ``language``."""
        return self.shown(self.server.name, language)
