"""Build an application command's ``data`` from its synced schema, like Discord's client does.

``slash(..., "server add", {"name": "alpha", "port": 2302})`` is checked against the schema the
bot registered: unknown commands or options, wrong value types, missing required options, values
outside ``choices``/``min_value``/``max_length`` raise ``FakeDiscordError`` (Discord's UI would
not let a user send them), so a test cannot silently exercise a command that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from .errors import FakeDiscordError

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = (
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
)
_TYPE_NAMES = {
    STRING: "string",
    INTEGER: "integer",
    BOOLEAN: "boolean",
    USER: "user",
    CHANNEL: "channel",
    ROLE: "role",
    MENTIONABLE: "mentionable",
    NUMBER: "number",
    ATTACHMENT: "attachment",
}


class Resolver(Protocol):
    """Looks up the objects Discord puts in ``data.resolved``."""

    def resolve_user(self, user_id: int) -> tuple[dict[str, Any], dict[str, Any] | None]: ...

    def resolve_role(self, role_id: int) -> dict[str, Any]: ...

    def resolve_channel(self, channel_id: int) -> dict[str, Any]: ...


def find_command(commands: Sequence[Mapping[str, Any]], name: str) -> Mapping[str, Any] | None:
    for command in commands:
        if command.get("name") == name and command.get("type", 1) == 1:
            return command
    return None


def _as_id(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise FakeDiscordError(f"{where} takes an id (int), got {value!r}")
    try:
        return int(value)
    except ValueError:
        raise FakeDiscordError(f"{where} takes an id (int), got {value!r}") from None


def _check_range(option: Mapping[str, Any], value: Any, where: str) -> None:
    choices = option.get("choices")
    if choices and value not in [c.get("value") for c in choices]:
        allowed = [c.get("value") for c in choices]
        raise FakeDiscordError(f"{where}: {value!r} is not one of the choices {allowed}")
    low, high = option.get("min_value"), option.get("max_value")
    if (low is not None and value < low) or (high is not None and value > high):
        raise FakeDiscordError(f"{where}: {value!r} is outside [{low}, {high}]")


def _convert(
    option: Mapping[str, Any],
    value: Any,
    where: str,
    resolver: Resolver,
    resolved: dict[str, dict[str, Any]],
) -> Any:
    kind = option.get("type")
    if kind == STRING:
        if not isinstance(value, str):
            raise FakeDiscordError(f"{where} is a string option, got {value!r}")
        low, high = option.get("min_length", 0), option.get("max_length", 6000)
        if not low <= len(value) <= high:
            raise FakeDiscordError(f"{where}: length {len(value)} outside [{low}, {high}]")
        _check_range(option, value, where)
        return value
    if kind == INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise FakeDiscordError(f"{where} is an integer option, got {value!r}")
        _check_range(option, value, where)
        return value
    if kind == NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FakeDiscordError(f"{where} is a number option, got {value!r}")
        _check_range(option, value, where)
        return value
    if kind == BOOLEAN:
        if not isinstance(value, bool):
            raise FakeDiscordError(f"{where} is a boolean option, got {value!r}")
        return value
    if kind in (USER, MENTIONABLE, ROLE, CHANNEL):
        ident = _as_id(value, where)
        if kind in (USER, MENTIONABLE):
            try:
                user_json, member_json = resolver.resolve_user(ident)
            except FakeDiscordError:
                if kind == USER:
                    raise
            else:
                resolved.setdefault("users", {})[str(ident)] = user_json
                if member_json is not None:
                    resolved.setdefault("members", {})[str(ident)] = member_json
                return str(ident)
        if kind in (ROLE, MENTIONABLE):
            resolved.setdefault("roles", {})[str(ident)] = resolver.resolve_role(ident)
            return str(ident)
        channel = resolver.resolve_channel(ident)
        allowed = option.get("channel_types")
        if allowed and channel["type"] not in allowed:
            raise FakeDiscordError(f"{where}: channel type {channel['type']} not in {allowed}")
        resolved.setdefault("channels", {})[str(ident)] = channel
        return str(ident)
    if kind == ATTACHMENT:
        # FakeDiscord.slash turns an Upload into the attachment object Discord would send.
        if not isinstance(value, dict) or "id" not in value or "url" not in value:
            raise FakeDiscordError(f"{where} is an attachment option: pass an Upload")
        resolved.setdefault("attachments", {})[str(value["id"])] = value
        return str(value["id"])
    label = _TYPE_NAMES.get(int(kind or 0), str(kind))
    raise FakeDiscordError(f"{where}: {label} options are not supported")


def _leaf_options(
    schema: Sequence[Mapping[str, Any]],
    given: Mapping[str, Any],
    where: str,
    resolver: Resolver,
    resolved: dict[str, dict[str, Any]],
    focused: str | None,
) -> list[dict[str, Any]]:
    by_name = {o["name"]: o for o in schema}
    unknown = sorted(set(given) - set(by_name))
    if unknown:
        raise FakeDiscordError(f"{where} has no option(s) {unknown}; it has {sorted(by_name)}")
    if focused is not None and focused not in by_name:
        raise FakeDiscordError(f"{where} has no option {focused!r} to focus")
    out: list[dict[str, Any]] = []
    for option in schema:
        name = option["name"]
        here = f"{where} option {name!r}"
        if name == focused:
            if not option.get("autocomplete"):
                raise FakeDiscordError(f"{here} has no autocomplete")
            # The focused option carries the raw text being typed, whatever its type.
            out.append(
                {
                    "name": name,
                    "type": option["type"],
                    "value": str(given.get(name, "")),
                    "focused": True,
                }
            )
            continue
        if name not in given:
            if option.get("required") and focused is None:
                raise FakeDiscordError(f"{here} is required")
            continue
        value = _convert(option, given[name], here, resolver, resolved)
        out.append({"name": name, "type": option["type"], "value": value})
    return out


def build_command_data(
    command: Mapping[str, Any],
    path: Sequence[str],
    given: Mapping[str, Any],
    resolver: Resolver,
    *,
    guild_id: int | None,
    focused: str | None = None,
) -> dict[str, Any]:
    """``data`` of a CHAT_INPUT (or autocomplete) interaction for ``command`` + ``path``."""
    where = f"/{command['name']}"
    schema: Sequence[Mapping[str, Any]] = command.get("options") or []
    resolved: dict[str, dict[str, Any]] = {}
    chain: list[Mapping[str, Any]] = []
    for part in path:
        subs = {o["name"]: o for o in schema if o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)}
        if part not in subs:
            raise FakeDiscordError(f"{where} has no subcommand {part!r}; it has {sorted(subs)}")
        chain.append(subs[part])
        where = f"{where} {part}"
        schema = subs[part].get("options") or []
    if any(o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in schema):
        names = sorted(o["name"] for o in schema)
        raise FakeDiscordError(f"{where} is a group and cannot be invoked; pick one of {names}")
    options = _leaf_options(schema, given, where, resolver, resolved, focused)
    for node in reversed(chain):
        options = [{"name": node["name"], "type": node["type"], "options": options}]
    data: dict[str, Any] = {
        "id": str(command["id"]),
        "name": command["name"],
        "type": 1,
        "options": options,
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    if resolved:
        data["resolved"] = resolved
    return data
