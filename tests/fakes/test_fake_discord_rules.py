"""Discord's limits (``rules``), pings (``mentions``) and permission maths, as pure functions."""

from __future__ import annotations

from typing import Any

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fakes.discord import rules
from tests.fakes.discord.mentions import resolve_pings
from tests.fakes.discord.permissions import (
    ALL,
    Overwrite,
    base_permissions,
    channel_permissions,
)

text = st.text(max_size=300)


@settings(max_examples=60)
@given(
    title=text,
    description=text,
    fields=st.lists(st.tuples(text, text), max_size=5),
    footer=text,
    author=text,
)
def test_embed_length_matches_discord_py(
    title: str, description: str, fields: list[tuple[str, str]], footer: str, author: str
) -> None:
    embed = discord.Embed(title=title or None, description=description or None)
    for name, value in fields:
        embed.add_field(name=name, value=value)
    embed.set_footer(text=footer or None)
    if author:
        embed.set_author(name=author)
    assert rules.embed_length(embed.to_dict()) == len(embed)


def test_embed_limits() -> None:
    ok = {"title": "t" * 256, "description": "d" * 4096}
    assert rules.check_embed(ok) == []
    too_big: dict[str, Any] = {
        "title": "t" * 257,
        "description": "d" * 4097,
        "fields": [{"name": "n" * 257, "value": "v" * 1025}] + [{"name": "n", "value": "v"}] * 25,
        "footer": {"text": "f" * 2049},
        "author": {"name": "a" * 257},
    }
    problems = rules.check_embed(too_big)
    for expected in (
        "title is 257 characters (max 256)",
        "description is 4097 characters (max 4096)",
        "has 26 fields (max 25)",
        "fields[0].name is 257 characters (max 256)",
        "fields[0].value is 1025 characters (max 1024)",
        "footer.text is 2049 characters (max 2048)",
        "author.name is 257 characters (max 256)",
        "totals",
    ):
        assert any(expected in p for p in problems), expected


def test_total_of_all_embeds_in_a_message_is_6000() -> None:
    embeds = [{"description": "d" * 4000}, {"description": "d" * 2001}]
    assert [p for p in rules.check_embeds(embeds)] == [
        "embeds of one message total 6001 characters (max 6000)"
    ]
    assert rules.check_embeds([{"title": "x"}] * 11) == ["message has 11 embeds (max 10)"]


def test_message_content_and_empty_message() -> None:
    assert rules.check_message({"content": "x" * 2000}) == []
    assert rules.check_message({"content": "x" * 2001}) == ["content is 2001 characters (max 2000)"]
    assert rules.check_message({}) == ["cannot send an empty message"]
    assert rules.check_message({}, has_files=True) == []
    assert rules.check_message({}, creating=False) == []


def button(custom_id: str, **extra: Any) -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": "b", "custom_id": custom_id, **extra}


def test_component_limits() -> None:
    row = {"type": 1, "components": [button(f"b{i}") for i in range(5)]}
    assert rules.check_components([row]) == []
    six = {"type": 1, "components": [button(f"c{i}") for i in range(6)]}
    assert "components[0] has 6 buttons (max 5)" in rules.check_components([six])
    rows = [{"type": 1, "components": [button(f"r{i}")]} for i in range(6)]
    assert "message has 6 action rows (max 5)" in rules.check_components(rows)
    dup = {"type": 1, "components": [button("same"), button("same")]}
    assert any("duplicate custom_id" in p for p in rules.check_components([dup]))
    long_id = {"type": 1, "components": [button("x" * 101, label="l" * 81)]}
    problems = rules.check_components([long_id])
    assert any("custom_id is 101 characters" in p for p in problems)
    assert any("label is 81 characters" in p for p in problems)
    select = {
        "type": 3,
        "custom_id": "s",
        "options": [{"label": "o", "value": str(i)} for i in range(26)],
    }
    mixed = {"type": 1, "components": [select, button("b")]}
    problems = rules.check_components([mixed])
    assert any("has 26 options" in p for p in problems)
    assert any("must be alone in its row" in p for p in problems)
    link = {"type": 1, "components": [{"type": 2, "style": 5, "label": "go", "custom_id": "x"}]}
    assert any("link button" in p for p in rules.check_components([link]))


def command(**extra: Any) -> dict[str, Any]:
    return {"name": "status", "description": "Show status", "type": 1, **extra}


def option(name: str, kind: int = 3, **extra: Any) -> dict[str, Any]:
    return {"name": name, "description": name, "type": kind, **extra}


def test_command_schema_limits() -> None:
    assert rules.check_commands([command(options=[option("a", required=True), option("b")])]) == []
    assert any("lowercase" in p for p in rules.check_command(command(name="Status")))
    assert any("does not match" in p for p in rules.check_command(command(name="two words")))
    assert any("description" in p for p in rules.check_command(command(description="")))
    too_many = command(options=[option(f"o{i}") for i in range(26)])
    assert any("has 26 options (max 25)" in p for p in rules.check_command(too_many))
    choices = [{"name": str(i), "value": str(i)} for i in range(26)]
    with_choices = command(options=[option("c", choices=choices)])
    assert any("has 26 choices (max 25)" in p for p in rules.check_command(with_choices))
    both = command(options=[option("c", choices=choices[:2], autocomplete=True)])
    assert any("mutually exclusive" in p for p in rules.check_command(both))
    mixed = command(options=[option("sub", 1), option("plain")])
    assert any("cannot be mixed" in p for p in rules.check_command(mixed))
    deep = command(options=[option("g", 2, options=[option("g2", 2, options=[])])])
    assert any("only be at the top level" in p for p in rules.check_command(deep))
    many = [command(name=f"c{i}") for i in range(101)]
    assert "101 slash commands (max 100)" in rules.check_commands(many)
    assert "duplicate command name 'status'" in rules.check_commands([command(), command()])
    menu = {"name": "Report User", "type": 2, "description": ""}
    assert rules.check_commands([menu]) == []


def test_modal_and_autocomplete_limits() -> None:
    text_input: dict[str, Any] = {"type": 4, "custom_id": "pw", "label": "Password", "style": 1}
    row: dict[str, Any] = {"type": 1, "components": [text_input]}
    modal = {"title": "RCON", "custom_id": "m", "components": [row]}
    assert rules.check_modal(modal) == []
    unlabelled = {k: v for k, v in text_input.items() if k != "label"}
    label = {"type": 18, "label": "Password", "component": unlabelled}
    assert rules.check_modal({"title": "RCON", "custom_id": "m", "components": [label]}) == []
    bad = {"title": "t" * 46, "custom_id": "m", "components": [row] * 6}
    problems = rules.check_modal(bad)
    assert "modal title must be 1-45 characters (is 46)" in problems
    assert "modal has 6 components (1 to 5)" in problems
    choices = [{"name": f"c{i}", "value": str(i)} for i in range(26)]
    assert rules.check_autocomplete(choices[:25]) == []
    assert rules.check_autocomplete(choices) == ["autocomplete returned 26 choices (max 25)"]
    assert any("value" in p for p in rules.check_autocomplete([{"name": "n", "value": "v" * 101}]))


def test_pings_follow_allowed_mentions() -> None:
    content = "<@1> <@!2> <@&3> @everyone"
    everything = resolve_pings(content, None)
    assert (everything.everyone, everything.users, everything.roles) == (True, (1, 2), (3,))
    assert not resolve_pings(content, {"parse": []}).anyone
    only_user = resolve_pings(content, {"parse": [], "users": ["2"]})
    assert (only_user.everyone, only_user.users, only_user.roles) == (False, (2,), ())
    roles = resolve_pings(content, {"parse": ["roles"]})
    assert roles.roles == (3,) and not roles.users and not roles.everyone


def test_permission_computation() -> None:
    view_send = (1 << 10) | (1 << 11)
    assert base_permissions(everyone=view_send, role_permissions=[], is_owner=True) == ALL
    assert base_permissions(everyone=0, role_permissions=[1 << 3], is_owner=False) == ALL
    base = base_permissions(everyone=view_send, role_permissions=[1 << 5], is_owner=False)
    assert base == view_send | (1 << 5)
    guild_id, role_id, member_id = 10, 20, 30
    overwrites = {
        guild_id: Overwrite(guild_id, 0, deny=1 << 11),
        role_id: Overwrite(role_id, 0, allow=1 << 11),
        member_id: Overwrite(member_id, 1, deny=1 << 5),
    }
    perms = channel_permissions(
        base,
        guild_id=guild_id,
        member_id=member_id,
        member_roles=[role_id],
        overwrites=overwrites,
    )
    assert perms == view_send
    hidden = {guild_id: Overwrite(guild_id, 0, deny=1 << 10)}
    assert (
        channel_permissions(
            base, guild_id=guild_id, member_id=member_id, member_roles=[], overwrites=hidden
        )
        == 0
    )
