"""Reading the bot's answers as a member does: a message's text, the text a command's
answer ends with, the question a command asks before it acts."""

from __future__ import annotations

from typing import Any

from tests.fakes.discord import InteractionHandle


def message_text(message: dict[str, Any]) -> str:
    """A message's content and the text of its embeds (title, description, fields), one part a
    line: what a member reads."""
    parts = [str(message["content"])] if message.get("content") else []
    for embed in message.get("embeds") or []:
        parts += [str(embed[k]) for k in ("title", "description") if embed.get(k)]
        for field in embed.get("fields") or []:
            parts += [str(field["name"]), str(field["value"])]
    return "\n".join(parts)


async def followup_text(handle: InteractionHandle) -> str:
    """The answer's text: the follow-up after a deferral, or the direct reply."""
    await handle.wait_response()
    if handle.response_type != 5:
        return message_text({"content": handle.content, "embeds": handle.embeds})
    return message_text(await handle.wait_followup())


async def asked(handle: InteractionHandle) -> dict[str, Any]:
    """The question a command answers with after deferring (its follow-up)."""
    await handle.wait_response()
    return await handle.wait_followup()
