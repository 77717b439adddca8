"""What the registry's two steps hand each other and the cogs: validated input, probe results,
outcomes (plain values, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.games import Game
from bot.i18n import ENGLISH, t
from bot.services.servers.probes import LoginResult, QueryAnswer
from bot.services.text_rule import TextRule
from bot.storage import Server

MAX_SERVERS_PER_GUILD = 50
QUERY_TIMEOUT = 3.0
LOGIN_TIMEOUT = 5.0
MAX_PASSWORD_LENGTH = 128


class Note(str):
    """A note said after an add or edit: its English text (logs, tests), and the catalogue key
    and values to say it in the reader's language (:func:`note_text`). A value may itself be a
    note (a reason inside the sentence)."""

    key: str
    values: dict[str, str]

    def __new__(cls, key: str, /, **values: str) -> Note:
        note = super().__new__(cls, t(ENGLISH, key, **values))
        note.key = key
        note.values = values
        return note


def note_text(note: str, language: str) -> str:
    """A note in ``language``; a plain text (a protocol's own error) as it is."""
    if not isinstance(note, Note):
        return note
    values = {name: note_text(value, language) for name, value in note.values.items()}
    return t(language, note.key, **values)


@dataclass(frozen=True, slots=True)
class PreparedServer:
    """Validated input for an add or an edit; nothing has been probed yet."""

    guild_id: int
    name: str
    game: Game
    host: str
    game_port: int
    query_port: int | None  # None: derive from the game rule, probing if needed
    rcon_port: int | None
    # Edits only: the stored server and whether address/ports changed.
    current: Server | None = None
    network_changed: bool = True
    # Said in the confirmation (where DNS pointed the address).
    notes: tuple[str, ...] = ()

    @property
    def rcon_target_changed(self) -> bool:
        """Edits: the host, the RCON port or the game differs from the stored server. The
        stored password belongs to the old target and is never sent to a new one."""
        current = self.current
        if current is None:
            return True
        return (
            self.host != current.host
            or self.rcon_port != current.rcon_port
            or self.game.key != current.game
        )

    @property
    def needs_password(self) -> bool:
        """An RCON game must ask for the password unless the stored one is for this very
        target (an add, no stored password, or a changed host/RCON port/game)."""
        if not self.game.has_rcon:
            return False
        current = self.current
        return current is None or not current.has_rcon_password or self.rcon_target_changed


@dataclass(frozen=True, slots=True)
class SaveOutcome:
    server: Server
    notes: tuple[str, ...] = ()
    login: LoginResult | None = field(default=None)
    # False: saved although no query answered (shown as a warning, not a success).
    answered: bool = True


@dataclass(frozen=True, slots=True)
class QueryPort:
    """The query port an add or edit will save, and who answered there."""

    port: int
    answer: QueryAnswer | None  # None: nothing answered; the port is the rule's guess
    probed: bool = False  # found by probing near the game port, not by the game's rule


@dataclass(frozen=True, slots=True)
class PendingAdd:
    """An add checked but not saved yet: saved at once, or after the member confirmed that the
    server found by probing is theirs (``probed``)."""

    prepared: PreparedServer
    query: QueryPort
    token: str | None = field(repr=False)
    login: LoginResult | None
    notes: tuple[str, ...]

    @property
    def needs_confirmation(self) -> bool:
        return self.query.probed


def _one_line(password: str) -> bool:
    return not any(ch in password for ch in "\r\n\0")


_PASSWORD = TextRule(
    MAX_PASSWORD_LENGTH,
    _one_line,
    "servers.password_empty",
    "servers.password_too_long",
    "servers.password_lines",
)


def validate_password(password: str) -> str:
    # Passwords are taken as typed (spaces can be part of them): no normalizing first.
    return _PASSWORD.check(password)
