"""The join link a guild sets per server (``/status-link``): shown as a link button, so it
must be a URL Discord accepts for one and that cannot surprise the member who clicks it."""

from __future__ import annotations

import urllib.parse

from bot.services.errors import UserError
from bot.storage.display import MAX_JOIN_URL


def checked_join_url(text: str) -> str:
    """``text`` as a join link: an http(s) URL with a host, no spaces or control characters,
    at most :data:`MAX_JOIN_URL` characters. UserError saying what is wrong otherwise."""
    url = text.strip()
    if len(url) > MAX_JOIN_URL:
        raise UserError(key="links.too_long", max=MAX_JOIN_URL)
    if any(c.isspace() or not c.isprintable() for c in url):
        raise UserError(key="links.spaces")
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise UserError(key="links.invalid") from None
    # Discord's link buttons take http(s) and discord: links; steam:// and others are refused,
    # and javascript: or data: must never reach a member's client.
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise UserError(key="links.scheme")
    return url
