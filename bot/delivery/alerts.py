"""Alert messages in Discord, for :class:`bot.services.status.alerts.AlertNotifier`."""

from __future__ import annotations

import logging

import discord

from bot.delivery.channels import find_channel
from bot.services.status.alerts import AlertRetry, Posted, Sent
from bot.storage.alerts import Alert

log = logging.getLogger(__name__)


class DiscordAlertChannels:
    """Posts in the alert's channel; mentions only the alert's role, never anyone else."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def post(self, alert: Alert, text: str) -> Sent | Posted:
        try:
            channel = await find_channel(self.client, alert.channel_id)
        except discord.NotFound:
            log.warning("alert %d: channel %d was deleted", alert.id, alert.channel_id)
            return Posted.DROPPED
        except (discord.HTTPException, OSError, TimeoutError) as exc:
            log.warning(
                "alert %d: channel %d not reachable now (%s)",
                alert.id,
                alert.channel_id,
                type(exc).__name__,
            )
            return Posted.KEPT
        if not isinstance(channel, discord.abc.Messageable):
            return Posted.DROPPED
        try:
            message = await channel.send(text, allowed_mentions=_mentions(alert))
        except discord.HTTPException as exc:
            if exc.status == 429 or exc.status >= 500:
                raise AlertRetry(f"HTTP {exc.status}") from exc
            if isinstance(exc, discord.Forbidden):
                # Lost permissions are often given back: not delivered, kept for the next
                # round (never counted as sent).
                log.warning(
                    "alert %d: not allowed to post in channel %d (code %s); kept for "
                    "the next round",
                    alert.id,
                    alert.channel_id,
                    exc.code,
                )
                return Posted.KEPT
            # Any other 4xx will not get better by retrying.
            log.warning(
                "alert %d: message not sent (HTTP %s, code %s)", alert.id, exc.status, exc.code
            )
            return Posted.DROPPED
        return Sent(message.id)

    async def edit(self, alert: Alert, message_id: int, text: str) -> Posted:
        """The incident message, edited; DROPPED when it is gone or not ours to edit."""
        channel = self.client.get_channel(alert.channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            # Not in the cache: a fresh post (found or not) decides what is possible.
            return Posted.DROPPED
        try:
            await channel.get_partial_message(message_id).edit(
                content=text, allowed_mentions=_mentions(alert)
            )
        except discord.HTTPException as exc:
            if exc.status == 429 or exc.status >= 500:
                raise AlertRetry(f"HTTP {exc.status}") from exc
            log.info(
                "alert %d: incident message %d not edited (HTTP %s); posting instead",
                alert.id,
                message_id,
                exc.status,
            )
            return Posted.DROPPED
        return Posted.SENT


def _mentions(alert: Alert) -> discord.AllowedMentions:
    roles = [discord.Object(alert.role_id)] if alert.role_id is not None else []
    return discord.AllowedMentions(everyone=False, users=False, roles=roles)
