"""Shared test fixtures.

The conformance captures live in ``tests/fixtures/`` (copied with their provenance README), so a
fresh clone runs every protocol test without anything beside the checkout.
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

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    """Path to the conformance captures in ``tests/fixtures``."""
    return FIXTURES


def load_hex(name: str) -> bytes:
    """Bytes of ``tests/fixtures/<name>`` (``.hex`` added when missing)."""
    if not name.endswith(".hex"):
        name += ".hex"
    return bytes.fromhex((FIXTURES / name).read_text())


def load_expected() -> dict[str, Any]:
    """Decoded values of the fixtures (``expected.json``)."""
    data: dict[str, Any] = json.loads((FIXTURES / "expected.json").read_text())
    return data
