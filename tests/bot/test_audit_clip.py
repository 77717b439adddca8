"""Audit text is clipped before the per-secret scan, and still never shows a secret."""

from __future__ import annotations

import pytest

from bot.logsetup import SecretRegistry
from bot.services import audit

SECRET = "Hunter2-Secret-Pw"


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> SecretRegistry:
    reg = SecretRegistry()
    reg.add(SECRET, "short-pw")
    monkeypatch.setattr(audit, "secrets", reg)
    return reg


def test_a_huge_answer_is_clipped_before_the_scan(
    registry: SecretRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    scanned: list[int] = []
    original = registry.redact

    def spy(text: str) -> str:
        scanned.append(len(text))
        return original(text)

    monkeypatch.setattr(registry, "redact", spy)
    answer = ("x" * 1000 + SECRET) * 4000  # about 4 MB, as the byte budget allows
    cleaned = audit._clean(answer, audit.MAX_EXCERPT)
    assert scanned and max(scanned) <= audit.MAX_EXCERPT + len(SECRET)
    assert len(cleaned) <= audit.MAX_EXCERPT and cleaned.endswith("…")


@pytest.mark.parametrize("at", range(audit.MAX_EXCERPT - 20, audit.MAX_EXCERPT + 25))
def test_a_secret_across_the_clip_never_shows_in_part(registry: SecretRegistry, at: int) -> None:
    text = "y" * at + SECRET + "z" * 5000
    cleaned = audit._clean(text, audit.MAX_EXCERPT)
    assert len(cleaned) <= audit.MAX_EXCERPT
    for cut in range(4, len(SECRET) + 1):
        assert SECRET[:cut] not in cleaned


def test_redactions_that_shorten_the_text_pull_no_half_secret_into_view(
    registry: SecretRegistry,
) -> None:
    # Each redaction shortens the text, moving later characters into the kept part.
    text = SECRET * 30 + "q" * 10 + SECRET + "w" * 100
    cleaned = audit._clean(text, 400)
    for cut in range(4, len(SECRET) + 1):
        assert SECRET[:cut] not in cleaned


def test_short_text_is_redacted_whole(registry: SecretRegistry) -> None:
    assert audit._clean(f"pw {SECRET} and short-pw", 300) == "pw [redacted] and [redacted]"
