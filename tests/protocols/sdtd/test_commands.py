"""The ban commands of the 7DTD package's public API: the console text each one builds."""

from __future__ import annotations

import pytest

from bot.protocols import sdtd


def test_ban_add_text() -> None:
    assert sdtd.ban_add("Steam_76561198000000000", 2, "days") == (
        "ban add Steam_76561198000000000 2 days"
    )
    # The reason is quoted; its own double quotes become single ones so it stays one argument.
    assert sdtd.ban_add("EOS_00ab", 1, "year", 'griefing "base"') == (
        "ban add EOS_00ab 1 year \"griefing 'base'\""
    )


@pytest.mark.parametrize(
    ("target", "duration", "unit"),
    [
        ("EOS_00ab", 0, "day"),
        ("EOS_00ab", True, "day"),
        ("EOS_00ab", 1, "fortnight"),
        ("two words", 1, "day"),
        ("", 1, "day"),
    ],
)
def test_ban_add_refuses(target: str, duration: int, unit: str) -> None:
    with pytest.raises(sdtd.SdtdInvalidCommand):
        sdtd.ban_add(target, duration, unit)


def test_ban_remove_text() -> None:
    assert sdtd.ban_remove("EOS_00ab") == "ban remove EOS_00ab"
    with pytest.raises(sdtd.SdtdInvalidCommand):
        sdtd.ban_remove('a"b')
