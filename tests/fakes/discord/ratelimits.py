"""Rate limits: injected 429s, Discord-like buckets, and the check that the bot waits.

- ``add``: the next ``count`` matching requests get a 429 (an injected fault).
- ``add_bucket``: ``limit`` requests per ``per`` seconds, advertised with Discord's
  ``X-RateLimit-*`` headers (discord.py throttles itself on them); the request over the limit
  gets a 429. Requests whose matched text (``match.group(0)``) is equal share a window, so
  ``r"^/channels/[0-9]+/messages"`` is a per-channel bucket.

A 429 opens a window for the exact request that got it (method + path; every request for a
global limit). A request inside that window is a violation: on Discord it counts toward the
10,000 invalid requests that get a bot banned by Cloudflare.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field

# asyncio may wake a timer up to its clock resolution early; a millisecond is plenty.
_TOLERANCE = 0.002


@dataclass(slots=True)
class _Rule:
    method: str
    pattern: re.Pattern[str]
    retry_after: float
    remaining: int
    is_global: bool


@dataclass(slots=True)
class _Bucket:
    method: str
    pattern: re.Pattern[str]
    limit: int
    per: float
    name: str
    # matched text -> (monotonic reset time, requests used in the window)
    windows: dict[str, tuple[float, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Window:
    method: str | None  # None: global
    path: str | None
    until: float
    retry_after: float


@dataclass(frozen=True, slots=True)
class Limited:
    """The fake answers this request with a 429."""

    retry_after: float
    is_global: bool


class RateLimiter:
    def __init__(self) -> None:
        self._rules: list[_Rule] = []
        self._buckets: list[_Bucket] = []
        self._windows: list[_Window] = []
        self.limited: list[tuple[str, str]] = []  # every (method, path) answered with 429

    def add(
        self, method: str, path_regex: str, retry_after: float, count: int, is_global: bool
    ) -> None:
        self._rules.append(
            _Rule(method.upper(), re.compile(path_regex), retry_after, count, is_global)
        )

    def early_retry(self, method: str, path: str) -> str | None:
        """A violation message when this request ignores an open 429 window."""
        now = time.monotonic()
        self._windows = [w for w in self._windows if w.until > now - 60]
        for window in self._windows:
            applies = window.method is None or (window.method == method and window.path == path)
            if applies and now < window.until - _TOLERANCE:
                early = window.until - now
                return (
                    f"{method} {path} sent {early:.3f} s before the retry_after "
                    f"({window.retry_after} s) of a 429 elapsed"
                )
        return None

    def add_bucket(self, method: str, path_regex: str, limit: int, per: float) -> None:
        name = f"fake-bucket-{len(self._buckets)}"
        self._buckets.append(_Bucket(method.upper(), re.compile(path_regex), limit, per, name))

    def bucket(self, method: str, path: str) -> tuple[Limited | None, dict[str, str]]:
        """Consume one request of the bucket this request falls in: (429?, headers)."""
        for bucket in self._buckets:
            match = bucket.pattern.search(path) if bucket.method == method else None
            if match is None:
                continue
            now = time.monotonic()
            reset_at, used = bucket.windows.get(match.group(0), (now + bucket.per, 0))
            if reset_at <= now:
                reset_at, used = now + bucket.per, 0
            # Rounded up: a client sleeping the advertised time must never arrive early.
            reset_after = math.ceil(max(reset_at - now, 0.0) * 1000) / 1000
            headers = {
                "X-RateLimit-Limit": str(bucket.limit),
                "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
                "X-RateLimit-Reset-After": f"{reset_after:.3f}",
                "X-RateLimit-Bucket": bucket.name,
            }
            if used >= bucket.limit:
                headers["X-RateLimit-Remaining"] = "0"
                self._windows.append(_Window(method, path, reset_at, reset_after))
                self.limited.append((method, path))
                return Limited(reset_after, False), headers
            bucket.windows[match.group(0)] = (reset_at, used + 1)
            headers["X-RateLimit-Remaining"] = str(bucket.limit - used - 1)
            return None, headers
        return None, {}

    def limit(self, method: str, path: str) -> Limited | None:
        """Whether an injected 429 applies to this request (consuming one of its count)."""
        for rule in self._rules:
            if rule.remaining > 0 and rule.method == method and rule.pattern.search(path):
                rule.remaining -= 1
                until = time.monotonic() + rule.retry_after
                if rule.is_global:
                    self._windows.append(_Window(None, None, until, rule.retry_after))
                else:
                    self._windows.append(_Window(method, path, until, rule.retry_after))
                self.limited.append((method, path))
                return Limited(rule.retry_after, rule.is_global)
        return None
