"""The port between the feed and Discord: a channel opened, a batch sent, or why not.

The Discord side (:mod:`bot.delivery.feed`) implements :class:`FeedChannels`; it turns every
discord.py answer and error into ``None`` (sent) or a :class:`Refused`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.i18n import stored_text
from bot.services.feed.queue import Batch
from bot.services.feed.sender import Outcome


@dataclass(frozen=True, slots=True)
class Refused:
    """A channel that cannot take the batch: ``RETRY``, the lines wait (bounded by the queue);
    ``GONE``, they can never be delivered (a deleted channel, a message Discord never takes)."""

    outcome: Outcome
    # Why the lines wait, for /feed list (lost permissions, a locked thread); None: as before.
    problem: str | None = None


# Why a channel's lines wait (Refused.problem), in English as the logs and the outbox hold
# them; /feed list says them in the reader's language (misc.feed_problem.<code>).
PROBLEMS = {
    "forbidden": "Discord refuses my messages there (missing permissions); lines wait",
    "no_access": "I cannot see that channel (missing access); lines wait",
    "locked": "the thread is archived and locked: I need Manage Threads to reopen it; lines wait",
    "archived": "the thread is archived and I may not reopen it; lines wait",
}


def problem_text(problem: str, language: str) -> str:
    """A channel problem in ``language``; one this bot does not know, as it is."""
    return stored_text(problem, PROBLEMS, language, "misc.feed_problem")


class FeedChannel(Protocol):
    async def send(self, batch: Batch, nonce: str) -> Refused | None:
        """One message with the batch's lines, mentioning only its roles; ``nonce`` lets
        Discord answer a resend with the message it already created."""
        ...


class FeedChannels(Protocol):
    async def open(self, channel_id: int) -> FeedChannel | Refused:
        """The channel, ready to take messages (an archived thread reopened)."""
        ...
