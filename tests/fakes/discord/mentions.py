"""Who a message actually pings, given its content and ``allowed_mentions``.

Discord parses everything when ``allowed_mentions`` is absent; otherwise only the kinds in
``parse`` plus the explicitly listed user and role ids. Replies ping the replied-to author only
with ``replied_user``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_USER_RE = re.compile(r"<@!?(\d+)>")
_ROLE_RE = re.compile(r"<@&(\d+)>")


@dataclass(frozen=True, slots=True)
class Pings:
    everyone: bool
    users: tuple[int, ...]
    roles: tuple[int, ...]

    @property
    def anyone(self) -> bool:
        return self.everyone or bool(self.users) or bool(self.roles)


NOBODY = Pings(False, (), ())


def resolve_pings(content: str | None, allowed: Mapping[str, Any] | None) -> Pings:
    """The pings Discord would deliver for ``content`` under ``allowed`` (as sent by the bot)."""
    text = content or ""
    users = [int(u) for u in _USER_RE.findall(text)]
    roles = [int(r) for r in _ROLE_RE.findall(text)]
    everyone = "@everyone" in text or "@here" in text
    if allowed is None:
        return Pings(everyone, tuple(dict.fromkeys(users)), tuple(dict.fromkeys(roles)))
    parse = set(allowed.get("parse") or [])
    listed_users = {int(u) for u in allowed.get("users") or []}
    listed_roles = {int(r) for r in allowed.get("roles") or []}
    return Pings(
        everyone=everyone and "everyone" in parse,
        users=tuple(dict.fromkeys(u for u in users if "users" in parse or u in listed_users)),
        roles=tuple(dict.fromkeys(r for r in roles if "roles" in parse or r in listed_roles)),
    )
