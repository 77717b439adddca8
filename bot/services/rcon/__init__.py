"""Consoles: the connection pool, typed actions, live player lists, permissions."""
