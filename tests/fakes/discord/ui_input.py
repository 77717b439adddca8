"""What a user can type into the bot's UI: select-menu values and modal fields.

Discord's client enforces these before anything is sent (required fields, lengths, offered
options), so a test asking for something else gets ``FakeDiscordError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .errors import FakeDiscordError
from .rules import TEXT_INPUT, TEXT_INPUT_VALUE_MAX, walk_components


def select_values(component: Mapping[str, Any], values: Sequence[str] | None) -> list[str]:
    """The ``values`` of a select interaction, checked against the menu's limits/options."""
    chosen = list(values or [])
    low, high = component.get("min_values", 1), component.get("max_values", 1)
    if not low <= len(chosen) <= high:
        raise FakeDiscordError(f"select needs {low}-{high} values, got {len(chosen)}")
    if component.get("type") == 3:
        offered = [o.get("value") for o in component.get("options") or []]
        unknown = [v for v in chosen if v not in offered]
        if unknown:
            raise FakeDiscordError(f"values {unknown} are not options of the select {offered}")
    return chosen


def modal_submit_data(modal: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, Any]:
    """``data`` of a MODAL_SUBMIT for ``modal`` filled with ``values`` (custom_id -> text)."""
    inputs = {
        c["custom_id"]: c
        for c in walk_components(modal.get("components") or [])
        if c.get("type") == TEXT_INPUT
    }
    unknown = sorted(set(values) - set(inputs))
    if unknown:
        raise FakeDiscordError(f"the modal has no input(s) {unknown}; it has {sorted(inputs)}")
    for custom_id, item in inputs.items():
        text = values.get(custom_id, "")
        low = item.get("min_length", 0)
        high = item.get("max_length", TEXT_INPUT_VALUE_MAX)
        if item.get("required", True) and not text:
            raise FakeDiscordError(f"modal input {custom_id!r} is required")
        if text and not low <= len(text) <= high:
            raise FakeDiscordError(f"modal input {custom_id!r}: length outside [{low}, {high}]")
    return {
        "custom_id": modal["custom_id"],
        "components": [_submitted(top, values) for top in modal.get("components") or []],
    }


def _submitted(component: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, Any]:
    """The modal-submit echo of one modal component, with the user's values filled in."""
    kind = component.get("type")
    if kind == 1:
        return {"type": 1, "components": [_submitted(c, values) for c in component["components"]]}
    if kind == 18:
        return {"type": 18, "component": _submitted(component["component"], values)}
    result: dict[str, Any] = {"type": kind, "custom_id": component.get("custom_id")}
    if kind == TEXT_INPUT:
        result["value"] = values.get(str(component.get("custom_id")), "")
    else:
        result["values"] = []
    return result
