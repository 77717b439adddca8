"""What the admin adapter tests ask of every console session the same way, written once: its
typed player list, and that a session renamed before its refused login names its new name."""

from __future__ import annotations

import pytest

from bot.adapters.admin import AdminSession, ConsolePlayer, PlayerLister
from bot.adapters.admin_errors import RconAuthError


async def listed_players(session: AdminSession, timeout: float = 2.0) -> list[ConsolePlayer]:
    """The players the session lists itself (it must be a ``PlayerLister``); closed after."""
    try:
        assert isinstance(session, PlayerLister)
        return await session.players(timeout=timeout)
    finally:
        await session.close()


async def assert_renamed_refusal(session: AdminSession, command: str = "status") -> None:
    """A server renamed in the bot: the refused password's error names the new name (the user
    reads which server to fix). The session, opened with a wrong password, is closed after."""
    session.rename("Renamed")
    try:
        with pytest.raises(RconAuthError, match="Renamed"):
            await session.execute(command, timeout=2.0)
    finally:
        await session.close()
