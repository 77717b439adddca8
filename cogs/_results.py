"""The embed that tells a member what an action did: green when done, amber when only partly
done or not confirmed, red when it failed. The server's own words go in a code block only when
it said something; an empty answer (BattlEye's and srcds's "done") is a plain line."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import AsyncIterator
from typing import Any, Literal

import discord

from bot.errors import user_language
from bot.i18n import ENGLISH, t
from bot.rendering.text import clip, escape, sanitize
from bot.services.errors import UserError
from bot.services.rcon.commands import PartlyDone
from bot.services.rcon.replies import Reply

log = logging.getLogger(__name__)

Tone = Literal["ok", "warn", "fail"]
COLOUR_OK = discord.Colour.green()
COLOUR_WARN = discord.Colour(0xF0B232)  # Discord's own amber
COLOUR_FAIL = discord.Colour.red()
TONES: dict[Tone, discord.Colour] = {"ok": COLOUR_OK, "warn": COLOUR_WARN, "fail": COLOUR_FAIL}

# Discord's embed limits.
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELD_VALUE = 1024
# The English texts, for tests; shown through the catalogue in the reader's language.
ANSWER_FIELD = t(ENGLISH, "rcon.result.answer_field")


def code_block(text: str, limit: int | None = None) -> str:
    # A zero-width space keeps server text from closing our block.
    inner = text.replace("```", "`\u200b``")
    if limit is not None:
        inner = clip(inner, limit - 8)  # 8: the fences and their line feeds
    return "```\n" + inner + "\n```"


def _answer(text: str) -> str:
    return sanitize(text, multiline=True).strip()


def result_embed(
    title: str, text: str, tone: Tone, answer: str = "", language: str = ENGLISH
) -> discord.Embed:
    """``title`` and ``text`` are markdown whose names are already escaped."""
    embed = discord.Embed(
        title=clip(title, MAX_TITLE),
        description=clip(text, MAX_DESCRIPTION) if text else None,
        colour=TONES[tone],
    )
    body = _answer(answer)
    if body:
        field = t(language, "rcon.result.answer_field")
        embed.add_field(name=field, value=code_block(body, MAX_FIELD_VALUE), inline=False)
    return embed


def reply_embed(reply: Reply, language: str = ENGLISH) -> discord.Embed:
    tone: Tone = "ok" if reply.confirmed else "warn"
    return result_embed(reply.title, reply.text, tone, reply.answer, language)


def error_text(exc: UserError, language: str) -> str:
    """A refusal in ``language``: from its catalogue key, else its own (English) text."""
    if isinstance(exc, PartlyDone):
        cause = error_text(exc.cause, language)
        return t(language, "rcon.partly_done", done=exc.done, total=exc.total, cause=cause)
    if exc.key is not None:
        return t(language, exc.key, **exc.values)
    return str(exc)


def failure_embed(exc: UserError, server_name: str, language: str = ENGLISH) -> discord.Embed:
    """A refused or failed action; amber when partly applied or timed out (the command may
    have run)."""
    where = escape(server_name)
    text = error_text(exc, language)
    tone: Tone
    if isinstance(exc, PartlyDone):
        title, tone = t(language, "rcon.result.partly_title", server=where), "warn"
    elif getattr(exc, "outcome", "") == "timeout":
        title, tone = t(language, "rcon.result.timeout_title", server=where), "warn"
    else:
        title, tone = t(language, "rcon.result.failed_title", server=where), "fail"
    return result_embed(title, text, tone, language=language)


async def send_output(interaction: discord.Interaction[Any], title: str, output: str) -> None:
    """A console's answer under ``title``: in a code block, attached when too long, or one plain
    line when the server answered nothing."""
    language = user_language(interaction)
    body = _answer(output)
    if not body:
        nothing = t(language, "rcon.result.nothing")
        embed = result_embed(title, nothing, "ok", language=language)
        await interaction.followup.send(embed=embed, ephemeral=True)
        return
    # Measured after escaping: each ``` grows by one character inside the block.
    block = code_block(body)
    if len(block) <= MAX_DESCRIPTION:
        embed = result_embed(title, block, "ok", language=language)
        await interaction.followup.send(embed=embed, ephemeral=True)
        return
    data = body.encode("utf-8")
    note = t(language, "rcon.result.attached", count=len(body))
    # Within this guild's upload limit (Discord gives it with the interaction).
    room = interaction.filesize_limit - 1024
    if len(data) > room:
        data = data[:room].decode("utf-8", "ignore").encode("utf-8")
        note = t(language, "rcon.result.attached_clipped", count=len(body), bytes=len(data))
    attachment = discord.File(io.BytesIO(data), filename="response.txt")
    embed = result_embed(title, note, "ok", language=language)
    await interaction.followup.send(embed=embed, file=attachment, ephemeral=True)


async def send_failure(
    interaction: discord.Interaction[Any], exc: UserError, server_name: str
) -> None:
    embed = failure_embed(exc, server_name, user_language(interaction))
    if interaction.response.is_done():
        await interaction.followup.send(embed=embed, ephemeral=True)
    else:
        await interaction.response.send_message(embed=embed, ephemeral=True)


@contextlib.asynccontextmanager
async def failures_shown(
    interaction: discord.Interaction[Any], server_name: str
) -> AsyncIterator[None]:
    """A refused or failed action as a red embed naming the server (the audit row is already
    completed by then); unexpected errors still take the shared error path."""
    try:
        yield
    except UserError as exc:
        # As the shared error path logs a refusal: the type only (the text may quote input).
        log.info("interaction %s refused: %s", interaction.id, type(exc).__name__)
        await send_failure(interaction, exc, server_name)
