"""``python -m bot query --protocol NAME --json`` for the protocols beside A2S: the neutral
``status`` object, colour and formatting codes stripped, the protocol's own fields beside it."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from bot.cli import main
from tests.fakes.bedrock_server import FakeBedrockServer
from tests.fakes.fivem_server import FakeFiveMServer
from tests.fakes.minecraft_server import FakeMinecraftServer
from tests.fakes.quake3_server import FakeQuake3Server


class Threaded:
    """Any async-context-manager fake on its own loop in a thread (the CLI runs its own loop)."""

    def __init__(self, fake: Any) -> None:
        self.fake = fake
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.fake.__aenter__())
        self._ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.fake.__aexit__(None, None, None))
        self.loop.close()

    def __enter__(self) -> Any:
        self._thread.start()
        assert self._ready.wait(5), "fake did not start"
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


@pytest.fixture
def threaded() -> Iterator[Any]:
    running: list[Threaded] = []

    def start(fake: Any) -> Any:
        runner = Threaded(fake)
        running.append(runner)
        return runner.__enter__()

    yield start
    for runner in running:
        runner.__exit__()


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
