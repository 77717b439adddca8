"""`python -m bot check`: validate the settings, migrate the database, test every server.

No Discord connection is made. Exit status: 0 when everything passed, 1 when a server check
failed, 2 when the configuration or the database is unusable.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from bot.cli.run import add_env_file_option
from bot.config import ConfigError, Settings, load_settings
from bot.crypto import SecretBox, generate_key
from bot.logsetup import setup_logging
from bot.runner import fail, run_async
from bot.services.servers.diagnostics import CheckStatus, Report, diagnose
from bot.services.servers.probes import QueryClient, RconLoginTester
from bot.services.servers.registry import ServerRegistry
from bot.services.supervisor import reported_states
from bot.storage import StorageError, Store

COLUMNS = ("guild", "server", "game", "address", "DNS", "A2S query", "Ping", "RCON login")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="validate the configuration, migrate the database and test every server",
        description=__doc__,
    )
    add_env_file_option(parser)
    parser.add_argument(
        "--generate-key", action="store_true", help="print a new OUTPOST_SECRET_KEY and exit"
    )
    parser.set_defaults(handler=handle)


def render_table(rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table; widths follow the content."""
    table = [list(COLUMNS), *[list(r) for r in rows]]
    widths = [max(len(row[i]) for row in table) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in table
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report_row(report: Report) -> list[str]:
    server = report.server
    cells = [str(server.guild_id), server.name, server.game, server.address]
    for name in COLUMNS[4:]:
        check = report.check(name) if any(c.name == name for c in report.checks) else None
        if check is None:
            cells.append("-")
        elif check.status is CheckStatus.OK:
            cells.append("ok")
        else:
            cells.append(check.status.value)
    return cells


async def run_checks(
    settings: Settings,
    *,
    query: QueryClient | None = None,
    rcon_login: RconLoginTester | None = None,
) -> int:
    store = await Store.open_from_settings(settings)
    try:
        print(f"database: {store.path} (schema version {await store.schema_version()})")
        services = await reported_states(store.state.with_prefix)
        if services:
            print("background services (as the bot last reported them):")
            for line in services:
                print(f"  {line}")
        if query is None or rcon_login is None:
            from bot.adapters.registry import default_query_adapters
            from bot.services.servers.network import AdapterQueryClient, rcon_login_test

            query = query if query is not None else AdapterQueryClient(default_query_adapters())
            rcon_login = rcon_login if rcon_login is not None else rcon_login_test
        registry = ServerRegistry(store, SecretBox(settings.secret_key), query, rcon_login)
        servers = await store.servers.all()
        if not servers:
            print("servers: none registered yet (add them with /server add)")
            return 0
        reports = [await diagnose(server, registry, operator=True) for server in servers]
    finally:
        await store.close()
    print(render_table([report_row(r) for r in reports]))
    failed = [r for r in reports if not r.ok]
    for report in failed:
        for check in report.checks:
            if check.status in (CheckStatus.FAIL, CheckStatus.WARN):
                print(f"{report.server.name}: {check.name}: {check.detail}")
    return 1 if failed else 0


def handle(args: argparse.Namespace) -> int:
    if args.generate_key:
        print(generate_key())
        return 0
    env_file: Path | None = args.env_file
    try:
        settings = load_settings(env_file, require_token=False)
    except ConfigError as exc:
        fail(str(exc))
        return 2
    setup_logging(settings.log_level_number, extra_secrets=[settings.discord_token])
    print("configuration: ok" + ("" if settings.discord_token else " (DISCORD_TOKEN not set yet)"))
    try:
        return run_async(lambda: run_checks(settings))
    except StorageError as exc:
        fail(f"database {settings.database_url or settings.database_path}: {exc}")
        return 2
