"""``python -m bot query --protocol NAME --json`` for the protocols beside A2S: the neutral
``status`` object, colour and formatting codes stripped, the protocol's own fields beside it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.cli import main
from tests.fakes.bedrock_server import FakeBedrockServer
from tests.fakes.fivem_server import FakeFiveMServer
from tests.fakes.minecraft_server import FakeMinecraftServer
from tests.fakes.quake3_server import FakeQuake3Server
from tests.fakes.threaded import threaded_fakes


@pytest.fixture
def threaded() -> Iterator[Callable[[Any], Any]]:
    with threaded_fakes() as start:
        yield start


def _query(capsys: Any, protocol: str, address: tuple[str, int], *extra: str) -> dict[str, Any]:
    host, port = address
    argv = ["query", f"{host}:{port}", "--protocol", protocol, "--json", "--timeout", "2", *extra]
    assert main(argv) == 0, capsys.readouterr().err
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert data["protocol"] == protocol
    return data


def test_minecraft(threaded: Any, capsys: Any) -> None:
    fake = threaded(FakeMinecraftServer())
    data = _query(capsys, "minecraft", fake.address, "--players")
    status = data["status"]
    assert status["name"] == "A Minecraft Server here"  # "§a" stripped
    assert (status["players"], status["max_players"]) == (2, 20)
    assert status["player_names"] == ["Alex", "Steve"] and status["version"] == "1.21.4"


def test_quake3(threaded: Any, capsys: Any) -> None:
    fake = threaded(FakeQuake3Server(players=[(12, 48, "^1No^7va")]))
    data = _query(capsys, "quake3", fake.address, "--players")
    status = data["status"]
    assert status["name"] == "Fake Arena" and status["map"] == "q3dm17"
    assert status["player_names"] == ["Nova"]
    assert "^" not in json.dumps(status)


def test_bedrock(threaded: Any, capsys: Any) -> None:
    fake = threaded(FakeBedrockServer())
    status = _query(capsys, "bedrock", fake.address)["status"]
    assert status["name"] and "§" not in status["name"] and status["max_players"] > 0


def test_fivem(threaded: Any, capsys: Any) -> None:
    fake = threaded(FakeFiveMServer())
    status = _query(capsys, "fivem", fake.address, "--players")["status"]
    assert status["name"] and "^" not in status["name"]
    assert status["max_players"] > 0


def test_palworld_needs_a_password_and_says_so(capsys: Any) -> None:
    assert main(["query", "127.0.0.1:8212", "--protocol", "palworld", "--timeout", "1"]) == 1
    assert "password" in capsys.readouterr().err.lower()


def test_rules_are_an_a2s_request(threaded: Any, capsys: Any) -> None:
    fake = threaded(FakeQuake3Server())
    host, port = fake.address
    argv = ["query", f"{host}:{port}", "--protocol", "quake3", "--rules", "--timeout", "2"]
    assert main(argv) == 2
    assert "A2S" in capsys.readouterr().err
