"""What the audit keeps of arguments and answers: clipped, the value of every password-like
setting masked, and an answer's own server password masked (scanned after a first clip: an
answer can be megabytes).

Deliberately no redaction through the global secret registry: the rows are read by the guild's
own admins, and "[redacted]" for another guild's password would be an oracle.
"""

from __future__ import annotations

import re

MAX_EXCERPT = 300
MAX_ARGUMENTS = 500

MASK = "[hidden]"
EXEC_ACTION = "rcon exec"
# A setting whose name holds password/token/secret, and its value: `rcon_password abc`,
# `sv_password "a b"`, `"rcon_password" = "abc"` (srcds echoing a cvar). The value stops at a
# quote, a space or `;`, so a second command after it stays visible.
_SECRET_SETTING = re.compile(
    r"(?P<name>[\w.#-]*(?:password|passwd|token|secret)[\w.-]*|sv_setsteamaccount|#login)"
    r'(?P<sep>"?(?:\s*=\s*|\s+))'
    r'(?P<value>"[^"]*"?|[^\s;"]+)',
    re.IGNORECASE,
)


def mask_secret_settings(text: str) -> str:
    """``text`` with the value of every password-like setting replaced by ``[hidden]``."""
    return _SECRET_SETTING.sub(lambda m: f"{m['name']}{m['sep']}{MASK}", text)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Characters kept past the excerpt's end for the settings scan, so a setting whose value the
# clip cuts is still recognised (and masked) rather than left half visible.
SETTING_SPAN = 200


def clean_excerpt(text: str, secret: str | None) -> str:
    """A server's answer: its own password and password-like settings masked, then clipped.

    Clipped before the scans (an answer can be megabytes), keeping room for one password and
    one setting more. A password cut in two by that first clip sits in the window's last
    ``len(secret)`` characters whatever the replacements before it did, so those go before
    the final clip."""
    margin = len(secret) if secret else 0
    span = MAX_EXCERPT + margin + SETTING_SPAN
    clipped = len(text) > span
    window = text[:span] if clipped else text
    if secret:
        window = window.replace(secret, MASK)
    window = mask_secret_settings(window)
    if clipped:
        window = (window[: len(window) - margin] if margin else window) + "…"
    return clip(window, MAX_EXCERPT)
