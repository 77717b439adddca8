"""Moving ban lists in and out (pure): Outpost's own CSV and JSON, BattlEye's ``bans.txt`` and
Minecraft's ``banned-players.json``.

An import file comes from a member and may be hostile: it is read only up to
:data:`MAX_IMPORT_BYTES` and :data:`MAX_IMPORT_BANS` entries, every identifier must have its
exact shape, reasons are cleaned of what a console would read as the end of a command, and a
line that does not parse is counted as skipped (never guessed).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.protocols.text_checks import ascii_int
from bot.services.bans import identity
from bot.services.errors import UserError
from bot.services.feed import ids as player_ids
from bot.services.rcon.actions import MAX_REASON
from bot.storage.bans import Ban
from bot.storage.players import KINDS, Identifier

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_BANS = 10_000
FORMATS = ("auto", "outpost-csv", "outpost-json", "bans.txt", "banned-players.json")
CSV_COLUMNS = (
    "id",
    "player",
    "identifiers",
    "reason",
    "created_at",
    "expires_at",
    "created_by",
    "status",
)
IMPORTED_REASON = "Imported ban"
_HEX32 = re.compile(r"[0-9a-fA-F]{32}")
_BAD_REASON = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\";]+")


class BanImportError(UserError, ValueError):
    """The file cannot be read as the format asked for (its catalogue key says why, in the
    reader's language)."""


@dataclass(frozen=True, slots=True)
class Imported:
    label: str
    identifiers: tuple[Identifier, ...]
    reason: str
    expires_at: float | None  # None: permanent


@dataclass(slots=True)
class ImportResult:
    bans: list[Imported] = field(default_factory=list)
    skipped: int = 0  # lines or entries that did not parse
    expired: int = 0  # entries whose ban had already ended
    ip_only: int = 0  # BattlEye IP bans: not kept (addresses change hands)
    # The reason of an entry without one: the players read it when kicked (guild's language).
    default_reason: str = IMPORTED_REASON


def _cleaned(text: str) -> str:
    return " ".join(_BAD_REASON.sub(" ", text).split())[:MAX_REASON]


def clean_reason(text: str, default: str = IMPORTED_REASON) -> str:
    """``text`` without what would end a console command; ``default`` (cleaned the same way)
    when nothing is left."""
    return _cleaned(text) or _cleaned(default) or IMPORTED_REASON


def _iso(at: float | None) -> str:
    if at is None:
        return ""
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _status(ban: Ban, now: float) -> str:
    if ban.lifted_at is not None:
        return "lifted"
    return "active" if ban.active(now) else "expired"


# -- export -------------------------------------------------------------------------------------


def export_csv(bans: Sequence[Ban], now: float) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for b in bans:
        writer.writerow(
            [
                b.id,
                _csv_safe(b.label),
                ";".join(f"{i.kind}:{i.value}" for i in b.identifiers),
                _csv_safe(b.reason),
                _iso(b.created_at),
                _iso(b.expires_at),
                b.created_by,
                _status(b, now),
            ]
        )
    return out.getvalue().encode()


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (player names come from servers)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_json(bans: Sequence[Ban], now: float) -> bytes:
    rows = [
        {
            "id": b.id,
            "player": b.label,
            "identifiers": [{"kind": i.kind, "value": i.value} for i in b.identifiers],
            "reason": b.reason,
            "created_at": _iso(b.created_at),
            "expires_at": _iso(b.expires_at) or None,
            "created_by": str(b.created_by),
            "created_by_name": b.created_by_name,
            "status": _status(b, now),
        }
        for b in bans
    ]
    return json.dumps({"format": "outpost-bans", "version": 1, "bans": rows}, indent=1).encode()


# -- import -------------------------------------------------------------------------------------


def detect(filename: str, data: bytes) -> str:
    name = filename.lower()
    head = data[:200].lstrip()
    if name.endswith("banned-players.json"):
        return "banned-players.json"
    if head.startswith(b"{"):
        return "outpost-json"
    if head.startswith(b"["):
        return "banned-players.json"
    if name.endswith(".csv") or head.startswith(b"id,player"):
        return "outpost-csv"
    return "bans.txt"


def parse(
    filename: str,
    data: bytes,
    now: float,
    fmt: str = "auto",
    default_reason: str = IMPORTED_REASON,
) -> ImportResult:
    """The bans in an uploaded file (``default_reason``: for entries that give none)."""
    if len(data) > MAX_IMPORT_BYTES:
        raise BanImportError(key="banlist.file_too_large", mb=MAX_IMPORT_BYTES // (1024 * 1024))
    if fmt not in FORMATS:
        raise BanImportError(key="banlist.unknown_format", formats=", ".join(FORMATS))
    kind = detect(filename, data) if fmt == "auto" else fmt
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BanImportError(key="banlist.not_utf8") from None
    parser = {
        "outpost-csv": _outpost_csv,
        "outpost-json": _outpost_json,
        "bans.txt": _bans_txt,
        "banned-players.json": _banned_players,
    }[kind]
    result = parser(text, now, ImportResult(default_reason=default_reason))
    if len(result.bans) > MAX_IMPORT_BANS:
        raise BanImportError(key="banlist.file_too_many", max=MAX_IMPORT_BANS)
    return result


def _add(
    result: ImportResult,
    label: str,
    idents: Iterable[Identifier],
    reason: str,
    expires: float | None,
    now: float,
) -> None:
    found = identity.with_derived(idents)
    if not found:
        result.skipped += 1
        return
    if expires is not None and expires <= now:
        result.expired += 1
        return
    if len(result.bans) <= MAX_IMPORT_BANS:
        result.bans.append(
            Imported(
                label[:64] or found[0].value,
                tuple(found),
                clean_reason(reason, result.default_reason),
                expires,
            )
        )


def _bans_txt(text: str, now: float, result: ImportResult) -> ImportResult:
    """BattlEye's bans.txt: ``<GUID or IP> <expiry: unix time, -1 permanent> <reason>``."""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("//", "#")):
            continue
        target, _, rest = line.partition(" ")
        expiry, _, reason = rest.strip().partition(" ")
        if not _HEX32.fullmatch(target):
            if re.fullmatch(r"[0-9.:a-fA-F]{3,45}", target) and ("." in target or ":" in target):
                result.ip_only += 1
            else:
                result.skipped += 1
            continue
        expires: float | None
        if expiry in ("-1", "", "0", "perm"):
            expires = None
        elif (stamp := ascii_int(expiry, 12)) is not None:
            expires = float(stamp)
        else:
            result.skipped += 1
            continue
        guid = target.lower()
        _add(result, guid, [Identifier("guid", guid)], reason, expires, now)
    return result


def _minecraft_time(value: object) -> float | bool | None:
    """``"forever"`` -> None, ``"2024-01-01 10:00:00 +0000"`` -> a time, else False."""
    if not isinstance(value, str):
        return False
    if value.strip().lower() == "forever":
        return None
    try:
        return dt.datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S %z").timestamp()
    except ValueError:
        return False


def _json_list(text: str) -> list[Any]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise BanImportError(key="banlist.not_json") from None
    if isinstance(data, dict) and isinstance(data.get("bans"), list):
        data = data["bans"]
    if not isinstance(data, list):
        raise BanImportError(key="banlist.no_list")
    return data


def _banned_players(text: str, now: float, result: ImportResult) -> ImportResult:
    """Minecraft's banned-players.json: ``[{uuid, name, created, source, expires, reason}]``."""
    for entry in _json_list(text):
        if not isinstance(entry, dict):
            result.skipped += 1
            continue
        name = entry.get("name")
        uuid = player_ids.mc_uuid(str(entry.get("uuid", "")))
        idents = [Identifier("mc_uuid", uuid)] if uuid else []
        if isinstance(name, str) and identity.MINECRAFT_NAME.fullmatch(name):
            idents.append(Identifier("name", name.casefold()))
        else:
            name = ""
        expires = _minecraft_time(entry.get("expires", "forever"))
        if expires is False or not idents:
            result.skipped += 1
            continue
        reason = entry.get("reason")
        _add(
            result,
            name or "",
            idents,
            reason if isinstance(reason, str) else "",
            expires or None,
            now,
        )
    return result


def _identifiers(pairs: Iterable[tuple[str, str]]) -> list[Identifier]:
    """Identifiers of an Outpost export, each checked by its kind's shape."""
    found: list[Identifier] = []
    for kind, value in pairs:
        kind, value = kind.strip(), value.strip()
        if kind not in KINDS:
            continue
        if kind == "steam":
            valid = player_ids.steam_id(value)
        elif kind in ("guid", "eos"):
            valid = value.lower() if _HEX32.fullmatch(value) else None
        elif kind == "mc_uuid":
            valid = player_ids.mc_uuid(value)
        else:
            valid = value.casefold() if identity.MINECRAFT_NAME.fullmatch(value) else None
        if valid:
            found.append(Identifier(kind, valid))
    return found


def _time(value: object) -> float | bool | None:
    """An export's ISO time ("" or None: never), else False."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        return False
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return parsed.replace(tzinfo=parsed.tzinfo or dt.UTC).timestamp()


def _outpost_entry(
    result: ImportResult, entry: dict[str, Any], pairs: list[tuple[str, str]], now: float
) -> None:
    if entry.get("status", "active") != "active":
        result.expired += 1
        return
    expires = _time(entry.get("expires_at"))
    idents = _identifiers(pairs)
    if expires is False or not idents:
        result.skipped += 1
        return
    label = entry.get("player")
    reason = entry.get("reason")
    _add(
        result,
        label.lstrip("'") if isinstance(label, str) else "",
        idents,
        reason if isinstance(reason, str) else "",
        expires or None,
        now,
    )


def _outpost_json(text: str, now: float, result: ImportResult) -> ImportResult:
    for entry in _json_list(text):
        raw = entry.get("identifiers") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not isinstance(raw, list):
            result.skipped += 1
            continue
        pairs = [
            (str(i.get("kind", "")), str(i.get("value", "")))
            for i in raw[:16]
            if isinstance(i, dict)
        ]
        _outpost_entry(result, entry, pairs, now)
    return result


def _outpost_csv(text: str, now: float, result: ImportResult) -> ImportResult:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        if reader.fieldnames is None or "identifiers" not in reader.fieldnames:
            raise BanImportError(key="banlist.no_identifiers_column")
        for row in reader:
            raw = str(row.get("identifiers") or "")
            pairs = [tuple(p.split(":", 1)) for p in raw.split(";")[:16] if ":" in p]
            _outpost_entry(result, dict(row), [(k, v) for k, v in pairs], now)
    except csv.Error:
        # The csv module refuses some bytes (a bare carriage return inside a field, NUL):
        # the member gets a refusal, not an internal error.
        raise BanImportError(key="banlist.not_csv") from None
    return result
