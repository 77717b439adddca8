"""Rules for server names (unique per guild, shown in autocomplete and embeds)."""

from __future__ import annotations

import re

from bot.services.errors import UserError

MAX_NAME_LENGTH = 32
# Letters, digits and a few separators: names appear in autocomplete, embeds and log lines.
_NAME = re.compile(r"^[\w][\w .\-#()']*$")


def validate_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise UserError(key="servers.name_empty")
    if len(name) > MAX_NAME_LENGTH:
        raise UserError(key="servers.name_too_long", max=MAX_NAME_LENGTH)
    if not _NAME.match(name):
        raise UserError(key="servers.name_chars")
    return name
