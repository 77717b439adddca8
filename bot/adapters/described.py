"""What every adapter, query or admin, says of itself (the registry's and messages' words)."""

from __future__ import annotations

from typing import Protocol


class Described(Protocol):
    @property
    def protocol(self) -> str:
        """The catalogue's name of the protocol (``a2s``, ``minecraft``, ``source_rcon``…)."""
        ...

    @property
    def label(self) -> str:
        """How people call it in messages ("A2S query", "BattlEye RCon")."""
        ...

    @property
    def transport(self) -> str:
        """``UDP`` or ``TCP``: said in advice about ports and firewalls."""
        ...
