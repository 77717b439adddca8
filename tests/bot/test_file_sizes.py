"""No Python file in bot/ or cogs/ over 500 lines (tests/protocols/test_house_rules.py holds the
protocol core to the same): a file that grows past it is split by job."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot
import cogs

MAX_LINES = 500
ROOT = Path(bot.__file__).parent.parent
FILES = sorted(
    [*Path(bot.__file__).parent.rglob("*.py"), *Path(cogs.__file__).parent.rglob("*.py")]
)


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", FILES, ids=[_name(p) for p in FILES])
def test_no_file_is_over_500_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{_name(path)} has {lines} lines; split it by job"
