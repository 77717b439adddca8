"""What the audit log keeps: typed text as typed (no oracle), password-like exec settings and a
server's own password masked."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.logsetup import REDACTED, secrets
from bot.services.audit import MASK, Actor, AuditLog, mask_secret_settings
from bot.storage import Store

ACTOR = Actor(10, 5, "mallory")


@pytest.fixture
async def store(backend_store: Store) -> AsyncIterator[Store]:
    yield backend_store
    secrets.clear()


@pytest.mark.parametrize(
    ("command", "masked"),
    [
        ("rcon_password abc123; quit", f"rcon_password {MASK}; quit"),
        ('sv_password "a b c"', f"sv_password {MASK}"),
        ("RCON_PASSWORD=abc", f"RCON_PASSWORD={MASK}"),
        ('"rcon_password" = "xyz" ( def. "" )', f'"rcon_password" = {MASK} ( def. "" )'),
        ("sv_setsteamaccount 0123ABCD", f"sv_setsteamaccount {MASK}"),
        ("discord_token tkn.abc", f"discord_token {MASK}"),
        ("#login s3cr3t", f"#login {MASK}"),
        ("echo hi; status", "echo hi; status"),
        ("rcon_password", "rcon_password"),
    ],
)
def test_mask_secret_settings(command: str, masked: str) -> None:
    assert mask_secret_settings(command) == masked


async def test_typed_arguments_are_stored_as_typed(store: Store) -> None:
    # Another guild's password is known to the bot; text equal to it is still stored as typed,
    # or the audit view would tell a guess from a miss.
    secrets.add("0ther-guild-secret")
    audit = AuditLog(store)
    entry = await audit.record(ACTOR, "rcon say", "message='0ther-guild-secret'")
    assert entry is not None and entry.arguments == "message='0ther-guild-secret'"
    assert REDACTED not in entry.arguments


async def test_exec_arguments_and_excerpts_are_masked(store: Store) -> None:
    audit = AuditLog(store)
    ticket = await audit.begin(ACTOR, "rcon exec", "rcon_password n3w-pass; echo ok")
    entry = await audit.complete(
        ticket,
        "ok",
        '"rcon_password" = "own-pass-1" and own-pass-1 again; ok',
        secret="own-pass-1",
    )
    assert entry is not None
    assert entry.arguments == f"rcon_password {MASK}; echo ok"
    assert "own-pass-1" not in entry.excerpt and entry.excerpt.endswith("again; ok")
    # Other actions keep their arguments whole (a say message mentioning a password).
    said = await audit.record(ACTOR, "rcon say", "message='my password is long'")
    assert said is not None and said.arguments == "message='my password is long'"
