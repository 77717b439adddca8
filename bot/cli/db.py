"""`python -m bot db copy --from sqlite:///… --to postgresql://…`: move an installation.

Exit status: 0 when every table has as many rows in the target as in the source, 1 when the
copy was refused or failed (the target is then unchanged) or a row count differs.
"""

from __future__ import annotations

import argparse

from bot.logsetup import secrets, setup_logging
from bot.runner import fail, run_async
from bot.storage import StorageError
from bot.storage.copy import DEFAULT_BATCH_SIZE, CopyReport, copy_database
from bot.storage.urls import DatabaseUrl, parse_database_url


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "db", help="database maintenance (copy SQLite to PostgreSQL)", description=__doc__
    )
    commands = parser.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    copy = commands.add_parser(
        "copy",
        help="copy every table of a SQLite database into an empty PostgreSQL database",
        description=(
            "Migrate the target, copy every table keeping ids (RCON passwords stay encrypted: "
            "keep the same OUTPOST_SECRET_KEY), then verify the row counts."
        ),
    )
    copy.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="URL",
        help="the SQLite database, e.g. sqlite:///data/outpost.sqlite3",
    )
    copy.add_argument(
        "--to",
        dest="target",
        required=True,
        metavar="URL",
        help="the PostgreSQL database, e.g. postgresql://outpost@127.0.0.1:5432/outpost",
    )
    copy.add_argument(
        "--force",
        action="store_true",
        help="replace the contents of a target that already holds rows",
    )
    copy.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULT_BATCH_SIZE,
        metavar="ROWS",
        help=f"rows read and written at a time (default {DEFAULT_BATCH_SIZE})",
    )
    copy.set_defaults(handler=handle_copy)


def render_report(report: CopyReport) -> str:
    width = max((len(t.table) for t in report.tables), default=5)
    lines = [f"{'table'.ljust(width)}  {'source':>10}  {'target':>10}"]
    for t in report.tables:
        mark = "" if t.ok else "  MISMATCH"
        lines.append(f"{t.table.ljust(width)}  {t.source:>10}  {t.target:>10}{mark}")
    return "\n".join(lines)


def handle_copy(args: argparse.Namespace) -> int:
    setup_logging()
    try:
        source = parse_database_url(args.source)
        secrets.add(*source.secret_forms)
        target: DatabaseUrl = parse_database_url(args.target)
        secrets.add(*target.secret_forms)
    except StorageError as exc:
        return fail(f"db copy: {exc}")
    print(f"copying {source} -> {target}")
    try:
        report = run_async(
            lambda: copy_database(
                source, target, force=args.force, batch_size=args.batch_size, progress=print
            )
        )
    except StorageError as exc:
        return fail(f"db copy: {secrets.redact(str(exc))}")
    except OSError as exc:
        return fail(f"db copy: cannot reach {target}: {secrets.redact(str(exc))}")
    print(render_report(report))
    if not report.ok:
        names = ", ".join(
            f"{t.table} ({t.source} in the source, {t.target} in the target)"
            for t in report.mismatches
        )
        return fail(f"db copy: row counts differ: {names}")
    print(f"done: {sum(t.source for t in report.tables)} rows in {len(report.tables)} tables")
    return 0
