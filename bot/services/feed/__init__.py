"""The live feed: server events mirrored into Discord channels.

- :mod:`.model`: event kinds and the categories a feed subscribes to.
- :mod:`.render`: one escaped, mention-proof line per event.
- :mod:`.queue`: the bounded per-channel queue and the batches taken from it (pure).
- :mod:`.sender`: one delivery loop per channel (one message per batching window).
- :mod:`.a2s`: joins, leaves and map changes derived from successive poll snapshots (pure).
- :mod:`.battleye`: BattlEye client events turned into stored events (pure).
- :mod:`.watch`: watch-list matching (pure).
- :mod:`.service`: :class:`FeedService`, which stores, routes and replays events.
"""

from bot.services.feed.model import CATEGORIES, parse_categories
from bot.services.feed.service import FeedService

__all__ = ["CATEGORIES", "FeedService", "parse_categories"]
