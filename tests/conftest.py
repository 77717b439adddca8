"""Shared test fixtures.

The conformance fixtures live in ``../shared/fixtures/`` beside the checkout; tests that need them
skip with a clear reason when that folder is absent (they are never copied into the project).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# No per-example deadline: CI shares 2 cores, and a slow example is not a wrong one.
settings.register_profile(
    "outpost", deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("outpost")

SHARED_FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"


def _require_shared() -> Path:
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(f"shared conformance fixtures not found at {SHARED_FIXTURES}")
    return SHARED_FIXTURES


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    """Path to ``../shared/fixtures``; skips the test when the folder is absent."""
    return _require_shared()


def load_hex(name: str) -> bytes:
    """Bytes of ``../shared/fixtures/<name>`` (``.hex`` added when missing); skips when absent."""
    root = _require_shared()
    if not name.endswith(".hex"):
        name += ".hex"
    return bytes.fromhex((root / name).read_text())


def load_expected() -> dict[str, Any]:
    """Decoded values of the fixtures (``expected.json``); skips when absent."""
    data: dict[str, Any] = json.loads((_require_shared() / "expected.json").read_text())
    return data
