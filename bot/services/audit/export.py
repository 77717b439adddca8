"""Reading the audit log out: the CSV export and the ``since`` of a filter."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable

from bot.services.errors import UserError
from bot.storage.audit import AuditEntry

EXPORT_LIMIT = 50_000
CSV_COLUMNS = (
    "id",
    "at",
    "guild_id",
    "user_id",
    "user_name",
    "allowed_by",
    "server_id",
    "server_name",
    "action",
    "arguments",
    "outcome",
    "excerpt",
    "latency_ms",
)


def entries_csv(entries: Iterable[AuditEntry]) -> bytes:
    """The entries as CSV (UTF-8), a header row first; no cell a spreadsheet would run."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow([_cell(getattr(e, column)) for column in CSV_COLUMNS])
    return out.getvalue().encode("utf-8")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells starting with these as formulas (CSV injection).
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_SINCE = re.compile(r"(\d{1,6})\s*([mhdw])")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text: str, now: datetime.datetime) -> str:
    """``30m``, ``24h``, ``7d``, ``2w`` back from ``now``, or a date ``YYYY-MM-DD`` (UTC); the
    ISO form the audit rows use."""
    value = text.strip().lower()
    m = _SINCE.fullmatch(value)
    if m is not None:
        start = now - datetime.timedelta(seconds=int(m[1]) * _UNITS[m[2]])
    else:
        try:
            start = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise UserError(key="audit.bad_since") from None
        if start.tzinfo is not None:
            start = start.astimezone(datetime.UTC).replace(tzinfo=None)
    return start.strftime("%Y-%m-%dT%H:%M:%S")
