"""Parse the output of SRCDS's ``cvarlist`` command into :class:`ConVar` values."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

# The list sits between two rules of dashes; a header line precedes it and a count follows.
_BLOCK = re.compile(r"^-{2,}[ \t]*\r?\n(.*?)^-{2,}", re.MULTILINE | re.DOTALL)
# "name : value : , "flag", "flag" : description"; the flags column is empty or starts with ",".
_LINE = re.compile(
    r"^(?P<name>\S+)\s*:\s?(?P<value>.*?)\s*:\s*(?P<flags>(?:,[^:]*)?)\s*:\s?(?P<description>.*)$"
)


@dataclass(frozen=True, slots=True)
class ConVar:
    """A console variable or command listed by ``cvarlist``; ``value`` is ``"cmd"`` for commands."""

    name: str
    value: str
    flags: frozenset[str]
    description: str


def _flags(raw: str) -> frozenset[str]:
    text = raw.replace(",", " ")
    try:
        return frozenset(shlex.split(text))
    except ValueError:  # unbalanced quotes: fall back to plain words
        return frozenset(part.strip('"') for part in text.split() if part.strip('"'))


def parse_cvarlist(text: str) -> Iterator[ConVar]:
    """Yield the ConVars of a ``cvarlist`` answer; lines that do not fit the layout are skipped."""
    match = _BLOCK.search(text)
    if match is None:
        return
    for line in match.group(1).splitlines():
        parsed = _LINE.match(line.strip())
        if parsed is None:
            continue
        yield ConVar(
            name=parsed["name"],
            value=parsed["value"].strip(),
            flags=_flags(parsed["flags"]),
            description=parsed["description"].strip(),
        )
