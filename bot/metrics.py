"""Operational metrics: a recorder the services call, Prometheus behind it when enabled.

Services take a :class:`Metrics` and call it unconditionally; without ``METRICS_PORT`` that is
:data:`NO_METRICS`, whose methods do nothing, so no service branches on configuration and
prometheus-client (the ``metrics`` extra) is imported only when an endpoint is asked for.

Counters are incremented where things happen (poll rounds, queries, RCON commands, audit rows,
Discord 429s). Values that already live in a service (open RCON connections by state, feed queue
depth and drops) are read at scrape time through :meth:`Metrics.watch`, so they cannot drift
from the truth.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

# Label values -> current value, read at each scrape.
Reading = Mapping[tuple[str, ...], float]
Reader = Callable[[], Reading]
Kind = Literal["gauge", "counter"]

# discord.py logs every 429 it receives with this prefix (discord/http.py), the one place all
# REST calls go through; the bucket handling itself is internal.
RATE_LIMIT_PREFIX = "We are being rate limited."
DISCORD_HTTP_LOGGER = "discord.http"


class Metrics:
    """The recorder interface; this base class records nothing (metrics off)."""

    def poll_round(self, seconds: float) -> None:
        """A poll round finished after ``seconds``."""

    def query(self, game: str, ok: bool) -> None:
        """One status query of a server of ``game`` answered (``ok``) or failed."""

    def rcon_command(self, kind: str, outcome: str) -> None:
        """An RCON command over ``kind`` (source/battleye) ended with ``outcome``."""

    def audit_row(self) -> None:
        """An audit log row was written."""

    def rate_limited(self, is_global: bool) -> None:
        """Discord answered a REST request with 429."""

    def watch(
        self, name: str, doc: str, labels: tuple[str, ...], read: Reader, kind: Kind = "gauge"
    ) -> None:
        """Expose a value a service already holds; ``read`` is called at each scrape."""

    def close(self) -> None:
        """Stop serving (the endpoint's thread); further calls are harmless."""


NO_METRICS = Metrics()


class MetricsError(Exception):
    """The endpoint cannot be served (e.g. the port is taken). One line, safe to print."""


class RateLimitCounter(logging.Filter):
    """Counts discord.py's 429 log records (installed on the ``discord.http`` logger).

    A logger filter runs only for records the logger's level lets through: with
    ``LOG_LEVEL=ERROR`` discord.py's warnings are not created, and none are counted.
    """

    def __init__(self, metrics: Metrics) -> None:
        super().__init__()
        self._metrics = metrics

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg
        if isinstance(message, str):
            if message.startswith(RATE_LIMIT_PREFIX):
                self._metrics.rate_limited(False)
            elif message.startswith("Global rate limit has been hit"):
                self._metrics.rate_limited(True)
        return True


@dataclass(frozen=True, slots=True)
class _Watched:
    name: str
    doc: str
    labels: tuple[str, ...]
    read: Reader
    kind: Kind


class PrometheusMetrics(Metrics):
    """Prometheus-backed recorder with its own registry (several bots in one test process)."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.registry = CollectorRegistry(auto_describe=True)
        self._round = Histogram(
            "outpost_poll_round_seconds",
            "Duration of a status poll round",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60),
            registry=self.registry,
        )
        self._queries = Counter(
            "outpost_queries",
            "Status queries by game and result",
            ("game", "result"),
            registry=self.registry,
        )
        self._rcon = Counter(
            "outpost_rcon_commands",
            "RCON commands by protocol and outcome",
            ("protocol", "outcome"),
            registry=self.registry,
        )
        self._audit = Counter(
            "outpost_audit_rows", "Audit log rows written", registry=self.registry
        )
        self._limited = Counter(
            "outpost_discord_rate_limited",
            "Discord REST answers with HTTP 429",
            ("scope",),
            registry=self.registry,
        )
        self._watched: list[_Watched] = []
        self.registry.register(_WatchCollector(self._watched))
        self._server: Any = None
        self._thread: Any = None
        self._filter: RateLimitCounter | None = None

    def poll_round(self, seconds: float) -> None:
        self._round.observe(seconds)

    def query(self, game: str, ok: bool) -> None:
        self._queries.labels(game, "success" if ok else "failure").inc()

    def rcon_command(self, kind: str, outcome: str) -> None:
        self._rcon.labels(kind, outcome).inc()

    def audit_row(self) -> None:
        self._audit.inc()

    def rate_limited(self, is_global: bool) -> None:
        self._limited.labels("global" if is_global else "route").inc()

    def watch(
        self, name: str, doc: str, labels: tuple[str, ...], read: Reader, kind: Kind = "gauge"
    ) -> None:
        self._watched.append(_Watched(name, doc, labels, read, kind))

    def serve(self, host: str, port: int) -> None:
        """Serve ``/metrics`` on ``host:port`` (a daemon thread) and count Discord 429s."""
        from prometheus_client import start_http_server

        self._server, self._thread = start_http_server(port, host, registry=self.registry)
        self._filter = RateLimitCounter(self)
        logging.getLogger(DISCORD_HTTP_LOGGER).addFilter(self._filter)

    @property
    def port(self) -> int:
        """The bound port (useful with port 0 in tests)."""
        if self._server is None:
            raise RuntimeError("the metrics endpoint is not serving")
        return int(self._server.server_port)

    def close(self) -> None:
        if self._filter is not None:
            logging.getLogger(DISCORD_HTTP_LOGGER).removeFilter(self._filter)
            self._filter = None
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)


class _WatchCollector:
    """Reads the watched values at scrape time (prometheus-client's custom collector API)."""

    def __init__(self, watched: list[_Watched]) -> None:
        self._watched = watched

    def describe(self) -> list[Any]:
        # Nothing to check at registration: the watched names are added later.
        return []

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        for item in list(self._watched):
            family_type = GaugeMetricFamily if item.kind == "gauge" else CounterMetricFamily
            family = family_type(item.name, item.doc, labels=item.labels)
            try:
                reading = item.read()
            except Exception:
                # A failing reader must not break the whole scrape.
                log.exception("metrics: could not read %s", item.name)
                continue
            for values, value in reading.items():
                family.add_metric(list(values), value)
            yield family


def create_metrics(settings: Settings) -> Metrics:
    """The recorder ``settings`` ask for: Prometheus on ``METRICS_PORT``, else no-op."""
    if settings.metrics_port is None:
        return NO_METRICS
    try:
        metrics = PrometheusMetrics()
    except ImportError:
        log.error(
            "METRICS_PORT is set but prometheus-client is not installed "
            "(pip install 'outpost[metrics]'); running without metrics"
        )
        return NO_METRICS
    try:
        metrics.serve(settings.metrics_host, settings.metrics_port)
    except OSError as exc:
        raise MetricsError(
            f"cannot serve metrics on {settings.metrics_host}:{settings.metrics_port} "
            f"({exc.strerror or type(exc).__name__}); set METRICS_PORT to a free port"
        ) from None
    log.info("metrics on http://%s:%d/metrics", settings.metrics_host, metrics.port)
    return metrics
