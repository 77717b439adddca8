"""berconpy's typed commands (kick, ban, say…) on top of ``send_command``, arguments checked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from .models import Admin, Ban, parse_admins, parse_bans, parse_missions
from .validation import validate_text


class Commands:
    """Mixed into :class:`~bot.protocols.battleye.client.BattlEyeClient`."""

    send_command: Callable[[str], Awaitable[str]]

    async def fetch_bans(self) -> list[Ban]:
        return parse_bans(await self.send_command("bans"))

    async def fetch_admins(self) -> list[Admin]:
        return parse_admins(await self.send_command("admins"))

    async def fetch_missions(self) -> list[str]:
        return parse_missions(await self.send_command("missions"))

    async def kick(self, player_id: int, reason: str = "") -> str:
        validate_text(reason, what="reason")
        return await self.send_command(f"kick {_as_id(player_id)} {reason}".rstrip())

    async def ban(
        self, id_guid_or_ip: int | str, duration_minutes: int | None = None, reason: str = ""
    ) -> str:
        """Ban a player by id (``ban``), or a GUID/IP (``addBan``); ``None`` minutes = permanent."""
        validate_text(reason, what="reason")
        minutes = 0 if duration_minutes is None else duration_minutes
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
            raise ValueError("duration_minutes must be a non-negative int or None")
        if isinstance(id_guid_or_ip, int) and not isinstance(id_guid_or_ip, bool):
            command = f"ban {_as_id(id_guid_or_ip)} {minutes} {reason}"
            return await self.send_command(command.rstrip())
        target = validate_text(str(id_guid_or_ip), what="GUID or IP")
        if not target or " " in target:
            raise ValueError("a GUID or IP must be one non-empty word")
        return await self.send_command(f"addBan {target} {minutes} {reason}".rstrip())

    async def unban(self, ban_id: int) -> str:
        return await self.send_command(f"removeBan {_as_id(ban_id)}")

    async def send(self, message: str) -> str:
        """Say ``message`` to everyone."""
        return await self.send_command(f"say -1 {validate_text(message, what='message')}")

    async def whisper(self, player_id: int, message: str) -> str:
        text = validate_text(message, what="message")
        return await self.send_command(f"say {_as_id(player_id)} {text}")


def _as_id(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expected a non-negative int id, got {value!r}")
    return value
