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
        raise UserError("The server name is empty.")
    if len(name) > MAX_NAME_LENGTH:
        raise UserError(f"The server name is too long (at most {MAX_NAME_LENGTH} characters).")
    if not _NAME.match(name):
        raise UserError("The server name may use letters, digits, spaces and . - # ( ) ' only.")
    return name
