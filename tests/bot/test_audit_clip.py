"""Audit excerpts are clipped before they are scanned, and never show the server's password."""

from __future__ import annotations

import pytest

from bot.logsetup import SecretRegistry
from bot.services.audit import masking

SECRET = "Hunter2-Secret-Pw"


def test_a_huge_answer_is_clipped_before_the_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    scanned: list[int] = []
    original = masking.mask_secret_settings

    def spy(text: str) -> str:
        scanned.append(len(text))
        return original(text)

    monkeypatch.setattr(masking, "mask_secret_settings", spy)
    answer = ("x" * 1000 + SECRET) * 4000  # about 4 MB, as the byte budget allows
    cleaned = masking.clean_excerpt(answer, SECRET)
    assert scanned and max(scanned) <= masking.MAX_EXCERPT + len(SECRET) + masking.SETTING_SPAN
    assert len(cleaned) <= masking.MAX_EXCERPT and cleaned.endswith("…")


@pytest.mark.parametrize("at", range(masking.MAX_EXCERPT - 20, masking.MAX_EXCERPT + 25))
def test_a_secret_across_the_clip_never_shows_in_part(at: int) -> None:
    text = "y" * at + SECRET + "z" * 5000
    cleaned = masking.clean_excerpt(text, SECRET)
    assert len(cleaned) <= masking.MAX_EXCERPT
    for cut in range(4, len(SECRET) + 1):
        assert SECRET[:cut] not in cleaned


@pytest.mark.parametrize("at", range(0, 260, 7))
def test_masking_that_shortens_the_text_pulls_no_half_secret_into_view(at: int) -> None:
    # Each replacement shortens the text, moving later characters into the kept part.
    text = SECRET * 30 + "q" * at + SECRET + "w" * 5000
    cleaned = masking.clean_excerpt(text, SECRET)
    for cut in range(4, len(SECRET) + 1):
        assert SECRET[:cut] not in cleaned


def test_short_text_is_masked_whole() -> None:
    assert masking.clean_excerpt(f"pw {SECRET} and sv_password abc", SECRET) == (
        f"pw {masking.MASK} and sv_password {masking.MASK}"
    )


def test_other_secrets_the_bot_knows_are_not_scanned(monkeypatch: pytest.MonkeyPatch) -> None:
    # Stored as typed: redacting another guild's password here would make an oracle.
    registry = SecretRegistry()
    registry.add("0ther-guild-secret")
    monkeypatch.setattr("bot.logsetup.secrets", registry)
    assert masking.clip("message='0ther-guild-secret'", 300) == "message='0ther-guild-secret'"
    assert masking.clean_excerpt("echo 0ther-guild-secret", None) == "echo 0ther-guild-secret"
