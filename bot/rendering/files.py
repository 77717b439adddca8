"""Files for Discord: a CSV export cut into parts that each fit the upload limit."""

from __future__ import annotations

import csv
import io

# Room for the multipart framing Discord counts with the file.
UPLOAD_MARGIN = 1024


def split_csv(data: bytes, limit: int) -> list[bytes]:
    """``data`` (UTF-8 CSV with a header row) as parts of at most ``limit`` bytes, each with
    the header, cut between rows only. A single row larger than ``limit`` makes its part
    larger too: the caller checks the sizes."""
    if len(data) <= limit:
        return [data]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    header, body = _encode(rows[0]), rows[1:]
    parts: list[bytes] = []
    current = bytearray(header)
    for row in body:
        encoded = _encode(row)
        if len(current) > len(header) and len(current) + len(encoded) > limit:
            parts.append(bytes(current))
            current = bytearray(header)
        current += encoded
    if len(current) > len(header) or not parts:
        parts.append(bytes(current))
    return parts


def _encode(row: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow(row)
    return out.getvalue().encode("utf-8")
