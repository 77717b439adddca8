from __future__ import annotations

from bot.app import commands_hash, discover_extensions


def test_commands_hash_is_stable_and_sensitive() -> None:
    a = {"name": "server", "options": [{"name": "add"}], "description": "x"}
    b = {"name": "status", "description": "y"}
    assert commands_hash([a, b]) == commands_hash([b, dict(reversed(list(a.items())))])
    assert commands_hash([a, b]) != commands_hash([a, {**b, "description": "z"}])
    assert commands_hash([a]) != commands_hash([a, b])


def test_every_cog_module_is_an_extension() -> None:
    names = discover_extensions()
    assert "cogs.servers" in names
    assert all(not n.split(".")[-1].startswith("_") for n in names)
