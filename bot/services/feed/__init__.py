"""The live feed: server events mirrored into Discord channels.

- :mod:`.model`: event kinds and the categories a feed subscribes to.
- :mod:`.render`: one escaped, mention-proof line per event.
- :mod:`.queue`: the bounded per-channel queue and the batches taken from it (pure).
- :mod:`.sender`: one delivery loop per channel (one message per batching window).
- :mod:`.a2s`: joins, leaves and map changes derived from successive poll snapshots (pure).
- :mod:`.console`: console events (any admin protocol) turned into stored events (pure).
- :mod:`.watch`: watch-list matching (pure).
- :mod:`.console_link`: the held console connections and their events.
- :mod:`.round_events`: up/down, map changes, A2S-derived joins and leaves from poll rounds.
- :mod:`.subscriptions`: the feeds and watches to deliver, read and changed by commands.
- :mod:`.ingest`: events stored in order, with the player sessions they open and close.
- :mod:`.routing`: stored events become lines in their channels' queues; replay at start.
- :mod:`.outbox`: batches sent through the port (:mod:`.posting`), recorded and settled.
- :mod:`.service`: :class:`FeedService`, the ingest loop tying them together.
"""

from bot.services.feed.model import CATEGORIES, parse_categories
from bot.services.feed.service import FeedService

__all__ = ["CATEGORIES", "FeedService", "parse_categories"]
