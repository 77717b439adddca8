"""``python -m bot`` / ``run`` / ``check`` / ``invite``: subprocesses in a fresh folder, as a new
user would run them (the working directory holds ``.env`` and the database)."""

from __future__ import annotations

import asyncio
import base64
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.invite import REQUIRED_PERMISSIONS, client_id_from_token
from bot.config import read_variable
from bot.crypto import generate_key, validate_key
from bot.storage import NewServer, Store
from tests.fakes.a2s_server import FakeA2SServer

ROOT = Path(__file__).resolve().parents[2]
# The schema version after migrating is the number of the last migration file.
# The schema version is the newest migration's number (numbers may have gaps).
MIGRATION_COUNT = max(
    int(p.name[:4]) for p in (ROOT / "migrations").glob("[0-9][0-9][0-9][0-9]_*.sql")
)
CLEARED = (
    "DISCORD_TOKEN",
    "OUTPOST_SECRET_KEY",
    "DATABASE_PATH",
    "DEV_GUILD_ID",
    "LOG_LEVEL",
    "POLL_INTERVAL",
)


# ``main()`` configures logging for the process: undone after each test.
pytestmark = pytest.mark.usefixtures("restore_logging")


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def bot(cwd: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=child_env(**extra),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_first_run_creates_env_and_asks_for_token(tmp_path: Path) -> None:
    (tmp_path / ".env.example").write_text((ROOT / ".env.example").read_text())
    first = bot(tmp_path)
    assert first.returncode != 0
    assert first.stdout == ""
    lines = first.stderr.splitlines()
    assert len(lines) == 1, first.stderr
    assert "set DISCORD_TOKEN in" in lines[0] and str(tmp_path / ".env") in lines[0]
    key = read_variable("OUTPOST_SECRET_KEY", tmp_path / ".env", environ={})
    assert key is not None
    validate_key(key)
    # The rest of the template is kept, documentation included.
    assert "POLL_INTERVAL=60" in (tmp_path / ".env").read_text()
    # The database is created and migrated already, ready for the start with a token.
    with sqlite3.connect(tmp_path / "data" / "outpost.sqlite3") as db:
        (version,) = db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    assert version == MIGRATION_COUNT
    # Next start (still no token): the same single line, the key is not regenerated.
    second = bot(tmp_path, "run")
    assert second.returncode != 0
    assert len(second.stderr.splitlines()) == 1
    assert "DISCORD_TOKEN is not set" in second.stderr
    assert read_variable("OUTPOST_SECRET_KEY", tmp_path / ".env", environ={}) == key


def test_bad_setting_is_one_line_naming_it(tmp_path: Path) -> None:
    result = bot(tmp_path, "run", POLL_INTERVAL="5", DISCORD_TOKEN="abc.def.ghi")
    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        "outpost: POLL_INTERVAL is too small: expected at least 15 seconds "
        "(Discord rate limits edits of status messages)"
    ]


async def test_check_tests_every_server(tmp_path: Path) -> None:
    env_file = tmp_path / "conf" / "outpost.env"
    env_file.parent.mkdir()
    key = generate_key()
    env_file.write_text(f"OUTPOST_SECRET_KEY={key}\nDATABASE_PATH=state/db.sqlite3\n")
    db = env_file.parent / "state" / "db.sqlite3"
    async with FakeA2SServer() as server:
        host, port = server.address
        store = await Store.open(db)
        await store.servers.add(NewServer(1, "Up", "other", host, port, port, None, None, 1))
        await store.servers.add(NewServer(2, "Down", "other", host, 1, 1, None, None, 1))
        await store.close()
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "check",
            "--env-file",
            str(env_file),
            cwd=tmp_path,
            env=child_env(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out_b, err_b = await asyncio.wait_for(proc.communicate(), 60)
    out = out_b.decode()
    assert proc.returncode == 1, err_b.decode()
    assert "configuration: ok (DISCORD_TOKEN not set yet)" in out
    assert f"database: {db} (schema version {MIGRATION_COUNT})" in out
    rows = {
        line.split()[1]: line.split() for line in out.splitlines() if line.startswith(("1 ", "2 "))
    }
    assert rows["Up"][4:] == ["skipped", "ok", "ok", "skipped"]
    assert rows["Down"][5] == "fail"
    assert "Down: A2S query: No A2S answer on UDP 1" in out


def test_check_fresh_folder_and_generate_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    assert main(["check", "--generate-key"]) == 0
    key = capsys.readouterr().out.strip()
    validate_key(key)
    assert main(["check"]) == 2  # no .env and no key: a configuration error
    assert "OUTPOST_SECRET_KEY is not set" in capsys.readouterr().err
    monkeypatch.setenv("OUTPOST_SECRET_KEY", key)
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "servers: none registered yet" in out
    assert (tmp_path / "data" / "outpost.sqlite3").is_file()  # relative to the working dir


def test_invite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert main(["invite", "--client-id", "123456789012345678"]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith("https://discord.com/oauth2/authorize?client_id=123456789012345678")
    assert "scope=bot+applications.commands" in url
    assert f"permissions={REQUIRED_PERMISSIONS.value}" in url
    perms = REQUIRED_PERMISSIONS
    assert perms.view_channel and perms.send_messages and perms.embed_links
    assert perms.read_message_history and not perms.administrator and not perms.manage_messages
    assert main(["invite"]) == 1
    assert "--client-id" in capsys.readouterr().err
    head = base64.b64encode(b"876543210987654321").decode().rstrip("=")
    monkeypatch.setenv("DISCORD_TOKEN", f"{head}.GhIjKl.secretpart")
    assert main(["invite"]) == 0
    assert "client_id=876543210987654321" in capsys.readouterr().out
    assert client_id_from_token("garbage!!.x.y") is None
