"""Discord glue shared by ``/rcon``, ``/permissions`` and ``/audit``: who is calling, long text
as a message or a file, the invoker-only confirm button, and the audit page embed."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands, ui

from bot.rendering.text import clip, escape, sanitize
from bot.services.audit import Actor
from bot.services.rcon.permissions import Caller, role_ids
from bot.storage.audit import AuditEntry
from cogs._common import InvokerOnlyView, guild_id_of

# Discord's limit on a message's content; longer answers go out as a file.
MAX_MESSAGE = 2000
CONFIRM_SECONDS = 60.0
COOLDOWN_SECONDS = 3.0  # one /rcon command per 3 s per user and guild


def caller_of(interaction: discord.Interaction[Any]) -> Caller:
    """The member as the permission check sees them *now* (roles from this interaction)."""
    user = interaction.user
    roles = role_ids(r.id for r in user.roles) if isinstance(user, discord.Member) else ()
    return Caller(
        guild_id=guild_id_of(interaction),
        user_id=user.id,
        is_admin=interaction.permissions.administrator,
        role_ids=roles,
    )


def actor_of(interaction: discord.Interaction[Any]) -> Actor:
    return Actor(guild_id_of(interaction), interaction.user.id, interaction.user.name)


def user_cooldown(interaction: discord.Interaction[Any]) -> app_commands.Cooldown | None:
    # Reads the module constant at call time, so a test can switch the cooldown off.
    return app_commands.Cooldown(1, COOLDOWN_SECONDS) if COOLDOWN_SECONDS > 0 else None


def user_key(interaction: discord.Interaction[Any]) -> tuple[int | None, int]:
    return (interaction.guild_id, interaction.user.id)


def _code_block(text: str, limit: int | None = None) -> str:
    # A zero-width space keeps server text from closing our block.
    inner = text.replace("```", "`\u200b``")
    if limit is not None:
        inner = clip(inner, limit - 8)  # 8: the fences and their line feeds
    return "```\n" + inner + "\n```"


async def send_text(interaction: discord.Interaction[Any], title: str, text: str) -> None:
    """An ephemeral follow-up: the text in a code block, or attached when too long; an empty
    answer (BattlEye's and srcds's "done") is no block at all."""
    body = sanitize(text, multiline=True).strip()
    heading = clip(title, 200)
    if not body:
        await interaction.followup.send(f"{heading}: the server answered nothing.", ephemeral=True)
        return
    # Measured after escaping: each ``` grows by one character inside the block.
    inline = f"{heading}\n{_code_block(body)}"
    if len(inline) <= MAX_MESSAGE:
        await interaction.followup.send(inline, ephemeral=True)
        return
    data = body.encode("utf-8")
    note = f"{len(body):,} characters, attached"
    # Within this guild's upload limit (Discord gives it with the interaction).
    room = interaction.filesize_limit - 1024
    if len(data) > room:
        data = data[:room].decode("utf-8", "ignore").encode("utf-8")
        note += f"; only the first {len(data):,} bytes fit Discord's upload limit"
    attachment = discord.File(io.BytesIO(data), filename="response.txt")
    await interaction.followup.send(f"{heading} ({note}).", file=attachment, ephemeral=True)


ALREADY_ANSWERED = "This was already answered: it runs only once."
ConfirmHandler = Callable[[discord.Interaction[Any]], Awaitable[None]]
ExpireHandler = Callable[[str], Awaitable[None]]


class ConfirmAction(InvokerOnlyView):
    """Confirm/Cancel that only the invoker can press, for 60 s. The handler re-checks the
    permission: a grant revoked meanwhile stops the action."""

    def __init__(
        self,
        origin: discord.Interaction[Any],
        label: str,
        on_confirm: ConfirmHandler,
        on_abandon: ExpireHandler,
        timeout: float | None = None,
    ) -> None:
        # Read at call time, not bound as a default, so tests can shorten the window.
        super().__init__(origin.user.id, timeout=CONFIRM_SECONDS if timeout is None else timeout)
        self.origin = origin
        self._on_confirm = on_confirm
        self._on_abandon = on_abandon
        self.confirm.label = label
        # The follow-up carrying the buttons (set by the caller once sent).
        self.message: discord.WebhookMessage | None = None
        self.answered = False

    def _answer_once(self) -> bool:
        """True for the first press of Confirm or Cancel, False for any later one. Set before
        the first await, so two presses arriving together still run the action once."""
        if self.answered:
            return False
        self.answered = True
        return True

    async def _already_answered(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message(ALREADY_ANSWERED, ephemeral=True)

    async def on_timeout(self) -> None:
        if self.answered:
            return  # confirmed or cancelled; the view only stayed to answer late presses
        self.answered = True
        window = f"{self.timeout:g} s" if self.timeout is not None else "time"
        await self._on_abandon(f"not confirmed within {window}")
        if self.message is None:
            return
        try:
            await self.message.edit(
                content=f"Not confirmed within {window}: nothing was sent.", view=None
            )
        except discord.HTTPException:
            pass  # message gone or token expired: nothing left to clean up

    # The view is not stopped on the first press: it stays registered until its timeout so a
    # second press (a double click, or Cancel after Confirm) is answered instead of failing.
    @ui.button(label="Confirm", style=discord.ButtonStyle.danger, custom_id="rcon:confirm")
    async def confirm(self, interaction: discord.Interaction[Any], _: ui.Button[Any]) -> None:
        if not self._answer_once():
            await self._already_answered(interaction)
            return
        await interaction.response.edit_message(content="Sending…", view=None)
        await self._on_confirm(interaction)

    @ui.button(label="Cancel", style=discord.ButtonStyle.secondary, custom_id="rcon:cancel")
    async def cancel(self, interaction: discord.Interaction[Any], _: ui.Button[Any]) -> None:
        if not self._answer_once():
            await self._already_answered(interaction)
            return
        await self._on_abandon("cancelled by the user")
        await interaction.response.edit_message(content="Cancelled: nothing was sent.", view=None)


# -- audit presentation ------------------------------------------------------------------------

OUTCOME_MARK = {
    "ok": "✅",
    "denied": "⛔",
    "error": "❌",
    "timeout": "⌛",
    "pending": "…",
    "unknown": "❔",
}


# Ids the commands write into arguments ("channel=123 role=456", "via role 456"), shown as
# mentions.
_ID_ARGUMENT = re.compile(r"\b(channel|role)([= ])(\d{15,21})\b")
_MENTION = {"channel": "<#{}>", "role": "<@&{}>"}


def _arguments(text: str) -> str:
    """Arguments as readable text: typed text cannot mention or format anything (a zero-width
    space after each ``<`` and ``@``), the ids our commands record become mentions."""
    safe = escape(clip(text, 160)).replace("<", "<\u200b").replace("@", "@\u200b")
    return _ID_ARGUMENT.sub(lambda m: m[1] + m[2] + _MENTION[m[1]].format(m[3]), safe)


def _when(at: str) -> str:
    """The row's UTC time as a Discord timestamp each reader sees in their own time zone."""
    try:
        moment = datetime.datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return f"`{escape(at[:19])}`"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    stamp = int(moment.timestamp())
    return f"<t:{stamp}:f> (<t:{stamp}:R>)"


def entry_line(e: AuditEntry) -> str:
    where = f" on **{escape(e.server_name)}**" if e.server_name else ""
    latency = f" · {e.latency_ms:.0f} ms" if e.latency_ms is not None else ""
    args = f" · {_arguments(e.arguments)}" if e.arguments else ""
    by = f" (via {_arguments(e.allowed_by)})" if e.allowed_by else ""
    return (
        f"{OUTCOME_MARK.get(e.outcome, '?')} {_when(e.at)} <@{e.user_id}> "
        f"**{escape(e.action)}**{where}{args}{by} → {e.outcome}{latency}"
    )


def audit_embed(entries: list[AuditEntry], page: int, pages: int, total: int) -> discord.Embed:
    embed = discord.Embed(title="Audit log", colour=discord.Colour.blurple())
    if not entries:
        embed.description = "No entries match."
    else:
        embed.description = clip("\n".join(entry_line(e) for e in entries), 4096)
    embed.set_footer(text=f"Page {page + 1} of {max(pages, 1)} · {total} entries")
    return embed


def mirror_embed(e: AuditEntry) -> discord.Embed:
    colour = discord.Colour.green() if e.outcome == "ok" else discord.Colour.orange()
    embed = discord.Embed(description=clip(entry_line(e), 4096), colour=colour)
    if e.excerpt:
        excerpt = sanitize(e.excerpt, multiline=True)
        embed.add_field(name="Response", value=_code_block(excerpt, 1024), inline=False)
    embed.set_footer(text=f"#{e.id} · {e.user_name}")
    return embed
