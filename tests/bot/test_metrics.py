"""The recorder without an endpoint: 429 counting from discord.py's log, watched values."""

from __future__ import annotations

import logging

from prometheus_client import generate_latest

from bot.metrics import PrometheusMetrics, RateLimitCounter


def record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("discord.http", logging.WARNING, __file__, 1, message, args, None)


def test_rate_limit_counter_reads_discord_py_messages() -> None:
    metrics = PrometheusMetrics()
    counter = RateLimitCounter(metrics)
    # The exact formats discord/http.py logs (route 429, too-long wait, global limit).
    assert counter.filter(
        record(
            "We are being rate limited. %s %s responded with 429. Retrying in %.2f seconds.",
            "POST",
            "https://discord.com/api/v10/channels/1/messages",
            0.5,
        )
    )
    counter.filter(
        record(
            "We are being rate limited. %s %s responded with 429. Timeout of %.2f was too long, "
            "erroring instead.",
            "PATCH",
            "url",
            99.0,
        )
    )
    counter.filter(record("Global rate limit has been hit. Retrying in %.2f seconds.", 1.0))
    counter.filter(record("%s %s has received %s", "GET", "url", "{}"))
    text = generate_latest(metrics.registry).decode()
    assert 'outpost_discord_rate_limited_total{scope="route"} 2.0' in text
    assert 'outpost_discord_rate_limited_total{scope="global"} 1.0' in text


def test_watched_values_are_read_at_scrape_time() -> None:
    metrics = PrometheusMetrics()
    depth = {"now": 3.0}
    metrics.watch("outpost_feed_queue_depth", "depth", (), lambda: {(): depth["now"]})

    def broken() -> dict[tuple[str, ...], float]:
        raise RuntimeError("service gone")

    metrics.watch("outpost_broken", "a reader that fails", ("x",), broken)
    assert "outpost_feed_queue_depth 3.0" in generate_latest(metrics.registry).decode()
    depth["now"] = 7.0
    text = generate_latest(metrics.registry).decode()
    # The failing reader is skipped; the rest of the scrape still works.
    assert "outpost_feed_queue_depth 7.0" in text
    assert "outpost_broken" not in text
