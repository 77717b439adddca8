"""Rules for server names (unique per guild, shown in autocomplete and embeds)."""

from __future__ import annotations

import re

from bot.services.text_rule import TextRule

MAX_NAME_LENGTH = 32
# Letters, digits and a few separators: names appear in autocomplete, embeds and log lines.
_NAME = re.compile(r"^[\w][\w .\-#()']*$")


def _name_chars_ok(name: str) -> bool:
    return _NAME.match(name) is not None


_RULE = TextRule(
    MAX_NAME_LENGTH,
    _name_chars_ok,
    "servers.name_empty",
    "servers.name_too_long",
    "servers.name_chars",
)


def validate_name(name: str) -> str:
    return _RULE.check(" ".join(name.split()))
