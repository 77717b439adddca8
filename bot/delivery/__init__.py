"""The Discord side of the services: what posts, edits and deletes messages and sets the
presence. Each module implements the small port (a Protocol) its service declares, and turns
discord.py's answers and errors into that port's plain outcomes, so ``bot/services/`` never
imports discord.

- :mod:`.channels`: a channel from the cache, else from Discord.
- :mod:`.alerts`: alert messages (:class:`bot.services.status.alerts.AlertChannels`).
- :mod:`.boards`: status board messages (:class:`bot.services.status.boards.BoardPublisher`).
- :mod:`.feed`: feed batches (:class:`bot.services.feed.posting.FeedChannels`).
- :mod:`.presence`: the bot's activity (:class:`bot.services.status.presence.PresenceSink`).
"""
