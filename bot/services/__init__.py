"""Outpost's Discord-free business logic: servers, status polls, boards, alerts, the feed,
RCON, permissions and the audit log.

Cogs turn Discord input into calls here and results into messages; the CLI uses the same code.
Where a service must reach Discord (posting, editing, the presence) it declares a small port
(a Protocol) that :mod:`bot.delivery` implements; an import contract in ``pyproject.toml``
keeps discord out of this package.
"""
