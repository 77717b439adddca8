"""Rules of the protocol core that a review would otherwise have to re-check by hand."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

import bot.protocols

ROOT = Path(bot.protocols.__file__).parent
FILES = sorted(ROOT.rglob("*.py"))
MAX_LINES = 500


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(ROOT)) for p in paths]


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_no_protocol_file_is_over_500_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines; split it by job"


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_no_runtime_error_as_control_flow_and_no_generated_code(path: Path) -> None:
    # Each protocol raises its own errors (errors.py); a RuntimeError says nothing a caller
    # can act on, and catching one hides bugs. exec/eval-generated code cannot be read or typed.
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "RuntimeError":
            pytest.fail(f"{path.name}:{node.lineno} uses RuntimeError")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in {"exec", "eval"}, f"{path.name}:{node.lineno}"


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_protocols_import_nothing_of_the_bot(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            if name == "bot" or name.startswith("bot."):
                assert name.startswith("bot.protocols"), f"{path.name} imports {name}"
            assert not name.startswith("discord"), f"{path.name} imports {name}"


PACKAGES = sorted(p.parent.name for p in ROOT.glob("*/__init__.py"))


@pytest.mark.parametrize("name", PACKAGES)
def test_each_protocol_package_has_one_error_tree(name: str) -> None:
    # One root per package: `except <root>` catches everything the package raises on purpose.
    package = importlib.import_module(f"bot.protocols.{name}")
    errors = {
        v
        for v in vars(package).values()
        if inspect.isclass(v)
        and issubclass(v, Exception)
        and v.__module__.startswith(f"bot.protocols.{name}")
    }
    roots = {e for e in errors if not any(b in errors for b in e.__mro__[1:])}
    assert len(roots) == 1, sorted(r.__name__ for r in roots)
