"""Outpost's Discord-free business logic: the server registry, diagnostics, RCON login test.

Cogs turn Discord input into calls here and results into messages; the CLI uses the same code.
"""
