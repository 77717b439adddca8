from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.logsetup import REDACTED, SecretRegistry, secrets, setup_logging


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    old_level, old_handlers = root.level, list(root.handlers)
    handler = setup_logging(logging.DEBUG, stream=stream, extra_secrets=["tok.en.SECRET"])
    yield stream
    # Every handler set up meanwhile: a second setup_logging replaced ``handler``, and a
    # redacting handler left behind clears exc_info of later tests' records.
    for h in [handler, *root.handlers]:
        if h not in old_handlers:
            root.removeHandler(h)
    root.setLevel(old_level)
    for h in old_handlers:
        if h not in root.handlers:
            root.addHandler(h)
    secrets.clear()


def test_one_line_records_with_logger_name(captured: io.StringIO) -> None:
    logging.getLogger("bot.example").info("hello %s", "world")
    line = captured.getvalue().strip()
    assert line.endswith("INFO     bot.example: hello world")
    assert "\n" not in line


def test_token_and_passwords_redacted_everywhere(captured: io.StringIO) -> None:
    secrets.add("rcon-pass-123")
    logging.getLogger("discord.http").warning("PUT with Authorization: Bot tok.en.SECRET")
    logging.getLogger("bot.x").info("args %r", {"password": "rcon-pass-123"})
    try:
        raise ValueError("login with rcon-pass-123 failed")
    except ValueError:
        logging.getLogger("bot.y").exception("boom")
    logging.getLogger("bot.z").info("stack", stack_info=True, extra={"x": 1})
    out = captured.getvalue()
    assert "tok.en.SECRET" not in out
    assert "rcon-pass-123" not in out
    assert out.count(REDACTED) >= 3
    assert "Traceback" in out and "ValueError" in out  # the traceback itself is kept


def test_setup_twice_keeps_one_handler(captured: io.StringIO) -> None:
    setup_logging(logging.INFO, stream=captured)
    ours = [h for h in logging.getLogger().handlers if h.get_name() == "outpost"]
    assert len(ours) == 1


def test_registry_prefers_longest() -> None:
    registry = SecretRegistry()
    registry.add("", None, "longsecret", "longsecret-2")
    assert registry.redact("x longsecret-2 longsecret") == f"x {REDACTED} {REDACTED}"
    assert "longsecret" not in repr(registry)


def test_short_passwords_are_redacted_as_whole_tokens_only() -> None:
    # 1-3 characters used to be exempt: a password "abc" reached the log as is.
    registry = SecretRegistry()
    registry.add("abc", "7", "x!")
    assert "abc" in registry
    line = "login with 'abc' as abc; pw=7 port 27015; about abcd cabc x!; x!y"
    assert registry.redact(line) == (
        f"login with '{REDACTED}' as {REDACTED}; pw={REDACTED} port 27015; "
        f"about abcd cabc {REDACTED}; x!y"
    )


def test_short_password_never_reaches_the_log_output(captured: io.StringIO) -> None:
    secrets.add("q9")
    try:
        logging.getLogger("outpost.test").warning("rcon login with %s failed", "q9")
        try:
            raise ValueError("password q9 refused")
        except ValueError:
            logging.getLogger("outpost.test").exception("boom")
    finally:
        secrets.clear()
    assert " q9" not in captured.getvalue()
    assert f"rcon login with {REDACTED} failed" in captured.getvalue()


def test_operator_failure_line_is_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.runner import fail

    secrets.add("db-pass-789")
    try:
        assert fail("database postgresql://u@h/d: auth for db-pass-789 failed") == 1
    finally:
        secrets.clear()
    err = capsys.readouterr().err
    assert "db-pass-789" not in err
    assert err == f"outpost: database postgresql://u@h/d: auth for {REDACTED} failed\n"
