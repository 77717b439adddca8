"""Outpost: a self-hosted Discord bot for game-server admins."""

__version__ = "0.1.0"
