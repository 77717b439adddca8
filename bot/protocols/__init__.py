"""Outpost's protocol core: A2S queries, Source RCON and BattlEye RCON.

Nothing in this package imports discord.py; it is usable as a library on its own.
"""
