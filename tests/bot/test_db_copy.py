"""``python -m bot db copy``: a populated SQLite installation into a fresh PostgreSQL database,
end to end in a subprocess, plus the refusals and the row-count verdict."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import db as db_cli
from bot.cli import main
from bot.crypto import SecretBox, generate_key
from bot.storage import NewServer, Store
from bot.storage.audit import AuditFilter, NewAuditEntry
from bot.storage.copy import CopyError, CopyReport, TableCount, copy_order
from bot.storage.events import Event
from bot.storage.history import Sample
from bot.storage.migrations import MIGRATIONS_DIR, load_migrations
from tests.bot.pgtest import fresh_database

ROOT = Path(__file__).resolve().parents[2]
GUILD, CHANNEL, ROLE, USER = 111111111111111111, 222222222222222222, 333333333333333333, 4
PASSWORD = "rcon-Pa55word"
SAMPLES = 1234  # more than one batch of the copies below


# ``main()`` configures logging for the process: undone after each test.
pytestmark = pytest.mark.usefixtures("restore_logging")


def run_copy(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot", "db", "copy", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def populate(path: Path, box: SecretBox) -> dict[str, int]:
    """One or more rows in every table; returns a few ids to check after the copy."""
    store = await Store.open(path)
    try:
        await store.state.set("commands_hash", "abc")
        # Deleted first: the copy must keep ids with gaps as they are.
        gone = await store.servers.add(
            NewServer(GUILD, "Gone", "cs2", "127.0.0.1", 27015, 27015, None, None, USER)
        )
        await store.servers.remove(GUILD, gone.name)
        main_server = await store.servers.add(
            NewServer(
                GUILD, "Main", "cs2", "127.0.0.1", 27015, 27015, 27015, box.encrypt(PASSWORD), USER
            )
        )
        other = await store.servers.add(
            NewServer(2**63 - 1, "Other", "dayz", "10.0.0.1", 2302, 27016, 2305, None, USER)
        )
        await store.display.set_hide_connect(main_server.id, True)
        await store.history.add_many(
            [
                Sample(
                    "127.0.0.1:27015",
                    1000.0 + i,
                    i % 2 == 0,
                    i % 10,
                    10,
                    0,
                    "de_dust2",
                    None if i % 3 else 12.5,
                )
                for i in range(SAMPLES)
            ]
        )
        board = await store.boards.upsert(GUILD, CHANNEL, [main_server.id, other.id], USER)
        await store.boards.set_message(board.id, 0, 555, "digest")
        await store.alerts.upsert(GUILD, main_server.id, CHANNEL, ROLE, USER, "up")
        await store.grants.add(GUILD, ROLE, "kick", None, USER)
        await store.grants.add(GUILD, ROLE, "say", main_server.id, USER)
        entry = await store.audit.begin(
            NewAuditEntry(GUILD, USER, "admin", "rcon kick", "Bob", main_server.id, "Main")
        )
        await store.audit.complete(entry.id, "ok", "kicked", 12.0, "administrator")
        await store.audit.set_channel(GUILD, CHANNEL)
        await store.feeds.upsert(GUILD, main_server.id, CHANNEL, frozenset({"joins"}), USER)
        events = await store.events.add_many(
            [Event(main_server.id, 2000.0 + i, "join", f"p{i}") for i in range(5)]
        )
        await store.sessions.open(main_server.id, "p1", "g" * 32, "battleye", 2001.0)
        await store.watches.upsert(GUILD, main_server.id, "p1", "p1", CHANNEL, ROLE, USER)
        return {"main": main_server.id, "event": events[-1].id, "audit": entry.id}
    finally:
        await store.close()


async def test_copy_end_to_end_keeps_everything(tmp_path: Path) -> None:
    source = tmp_path / "outpost.sqlite3"
    box = SecretBox(generate_key())
    ids = await populate(source, box)
    async with fresh_database() as url:
        result = run_copy("--from", f"sqlite:///{source}", "--to", url, "--batch-size", "500")
        assert result.returncode == 0, result.stderr
        assert f"status_samples: {SAMPLES} rows" in result.stdout
        assert "MISMATCH" not in result.stdout
        assert result.stdout.rstrip().splitlines()[-1].startswith("done: ")

        store = await Store.open_url(url)
        try:
            server = await store.servers.get(GUILD, "main")
            assert server is not None and server.id == ids["main"]
            assert server.rcon_password is not None
            assert box.decrypt(server.rcon_password) == PASSWORD  # copied as stored
            other = await store.servers.get(2**63 - 1, "Other")
            assert other is not None and other.rcon_password is None
            assert await store.display.hidden_connect() == {ids["main"]}
            assert await store.history.count() == SAMPLES
            samples = await store.history.between("127.0.0.1:27015", 1000.0, 1003.0)
            assert [(s.online, s.players, s.ping_ms) for s in samples] == [
                (True, 0, 12.5),
                (False, 1, None),
                (True, 2, None),
                (False, 3, 12.5),
            ]
            (board,) = await store.boards.all()
            assert board.server_ids == (ids["main"], other.id)
            assert [m.message_id for m in await store.boards.messages(board.id)] == [555]
            (entry,) = await store.audit.search(AuditFilter(GUILD), limit=5)
            assert (entry.id, entry.outcome, entry.allowed_by) == (
                ids["audit"],
                "ok",
                "administrator",
            )
            assert await store.audit.channel(GUILD) == CHANNEL
            (feed,) = await store.feeds.all()
            assert feed.kinds == frozenset({"joins"})
            assert [e.id for e in await store.events.recent(ids["main"])][-1] == ids["event"]
            assert await store.sessions.open_names(ids["main"], "battleye") == ["p1"]
            assert len(await store.grants.for_guild(GUILD)) == 2
            # The sequences moved past the copied ids: new rows get fresh ones.
            added = await store.servers.add(
                NewServer(GUILD, "New", "cs2", "127.0.0.1", 1, 1, None, None, USER)
            )
            assert added.id > ids["main"]
            (new_event,) = await store.events.add_many([Event(ids["main"], 3000.0, "chat")])
            assert new_event.id == ids["event"] + 1
        finally:
            await store.close()

        # Now the target holds rows: refused without --force, replaced with it.
        again = run_copy("--from", f"sqlite:///{source}", "--to", url)
        assert again.returncode == 1
        assert "already holds data" in again.stderr and "--force" in again.stderr
        forced = run_copy("--from", f"sqlite:///{source}", "--to", url, "--force")
        assert forced.returncode == 0, forced.stderr
        store = await Store.open_url(url)
        try:
            assert await store.servers.get(GUILD, "New") is None
            assert await store.servers.count(GUILD) == 1
        finally:
            await store.close()


async def test_source_must_exist_and_be_fully_migrated(tmp_path: Path) -> None:
    missing = run_copy("--from", f"sqlite:///{tmp_path}/nope.sqlite3", "--to", "postgresql://h/d")
    assert missing.returncode == 1
    assert "source database not found" in missing.stderr
    assert not (tmp_path / "nope.sqlite3").exists()

    folder = tmp_path / "m"
    folder.mkdir()
    first = load_migrations(MIGRATIONS_DIR)[0]
    (folder / f"{first.version:04d}_{first.name}.sql").write_text(first.sql)
    old = tmp_path / "old.sqlite3"
    await (await Store.open(old, migrations_dir=folder)).close()
    async with fresh_database() as url:
        result = run_copy("--from", f"sqlite:///{old}", "--to", url)
    assert result.returncode == 1
    assert "schema version 1, not the newest" in result.stderr


def test_bad_urls_and_password_never_printed() -> None:
    result = run_copy("--from", "sqlite:///x", "--to", "postgresql://u:Sup3rSecret@127.0.0.1:1/d")
    assert result.returncode == 1
    assert "Sup3rSecret" not in result.stdout + result.stderr
    wrong_way = run_copy("--from", "postgresql://h/d", "--to", "postgresql://h/d")
    assert wrong_way.returncode == 1 and "--from must be a SQLite URL" in wrong_way.stderr


async def test_unreachable_target_is_one_line_without_password(tmp_path: Path) -> None:
    source = tmp_path / "o.sqlite3"
    await (await Store.open(source)).close()
    result = run_copy(
        "--from", f"sqlite:///{source}", "--to", "postgresql://u:Sup3rSecret@127.0.0.1:1/d"
    )
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "cannot connect to postgresql://u:***@127.0.0.1:1/d" in result.stderr
    assert "Sup3rSecret" not in result.stdout + result.stderr


def test_count_mismatch_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    report = CopyReport((TableCount("servers", 3, 3), TableCount("status_samples", 10, 9)))

    async def fake_copy(*_args: object, **_kwargs: object) -> CopyReport:
        return report

    monkeypatch.setattr(db_cli, "copy_database", fake_copy)
    code = main(["db", "copy", "--from", "sqlite:///a", "--to", "postgresql://h/d"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "status_samples" in out and "MISMATCH" in out
    assert "row counts differ: status_samples (10 in the source, 9 in the target)" in err


def test_copy_order_follows_foreign_keys() -> None:
    refs = {
        "watches": {"servers"},
        "servers": set(),
        "board_messages": {"boards"},
        "boards": set(),
        "app_state": set(),
        "self_ref": {"self_ref"},
    }
    order = copy_order(refs)
    assert sorted(order) == sorted(refs)
    assert order.index("servers") < order.index("watches")
    assert order.index("boards") < order.index("board_messages")
    with pytest.raises(CopyError, match="cycle"):
        copy_order({"a": {"b"}, "b": {"a"}})
