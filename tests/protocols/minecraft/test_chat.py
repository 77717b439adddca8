"""Chat components and § codes → plain text, including the trees other clients get wrong."""

from __future__ import annotations

from typing import Any

import pytest

from bot.protocols.minecraft.chat import MAX_CHAT_DEPTH, flatten, strip_codes


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("§aGreen §lbold§r plain", "Green bold plain"),
        ("§x§f§f§0§0§0§0hex", "hex"),  # Spigot's §x hex colour sequence
        ("trailing §", "trailing "),
        ("§§a", "a"),  # vanilla eats § and whatever follows, even another §
        ("no codes", "no codes"),
        ("§Zunknown code", "unknown code"),
    ],
)
def test_strip_codes(text: str, plain: str) -> None:
    assert strip_codes(text) == plain


CASES: list[tuple[Any, str]] = [
    ("§6A §lMinecraft§r Server", "A Minecraft Server"),
    ({"text": "Hello world"}, "Hello world"),
    ({"text": "", "extra": ["§cplain ", {"text": "string", "bold": True}]}, "plain string"),
    (
        {"text": "a", "extra": [{"text": "b", "extra": [{"text": "c", "extra": ["§ed"]}]}]},
        "abcd",
    ),
    ([{"text": "list "}, "of ", ["nested ", {"text": "parts"}]], "list of nested parts"),
    # A translate-only MOTD broke mcstatus (py-mine/mcstatus#319): the key is shown.
    ({"translate": "multiplayer.status.unknown"}, "multiplayer.status.unknown"),
    ({"translate": "chat.type.text", "with": ["Alex", {"text": "§ahi"}]}, "chat.type.text"),
    ({"translate": "%s joined %s", "with": ["Alex", "the game"]}, "Alex joined the game"),
    ({"translate": "%2$s then %1$s, 100%%", "with": ["one", "two"]}, "two then one, 100%"),
    ({"translate": "x.y", "fallback": "Welcome, %s!", "with": ["Steve"]}, "Welcome, Steve!"),
    ({"translate": "%s and %s", "with": ["only one"]}, "only one and "),
    ({"text": 5, "extra": [True, 1.5]}, "5true1.5"),
    ({"color": "#FF0000", "extra": [{"text": "hex colour"}]}, "hex colour"),
    ({"keybind": "key.jump"}, "key.jump"),
    (None, ""),
    ({"text": None, "extra": "not a list"}, ""),
]


@pytest.mark.parametrize(("component", "plain"), CASES)
def test_flatten(component: Any, plain: str) -> None:
    assert flatten(component) == plain


def test_flatten_ignores_what_is_nested_too_deep() -> None:
    deep: Any = {"text": "bottom"}
    for _ in range(MAX_CHAT_DEPTH + 10):
        deep = {"text": "x", "extra": [deep]}
    assert flatten(deep) == "x" * (MAX_CHAT_DEPTH + 1)


def test_flatten_clips_output_and_work() -> None:
    assert flatten(["abc"] * 10_000, max_chars=50) == ("abc" * 17)[:50]
    # One argument named a thousand times, nested: without a budget this builds gigabytes.
    bomb: Any = "x" * 100
    for _ in range(6):
        bomb = {"translate": "%1$s" * 1000, "with": [bomb]}
    assert flatten(bomb, max_chars=500) == "x" * 500


def test_an_argument_is_flattened_once_however_often_it_is_named() -> None:
    # Each level names its argument 1000 times; visited per mention this would never finish.
    bomb: Any = {"text": ""}
    for _ in range(20):
        bomb = {"translate": "%1$s" * 1000, "with": [bomb]}
    assert flatten(bomb) == ""
