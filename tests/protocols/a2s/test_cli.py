"""`python -m bot query`."""

from __future__ import annotations

import argparse
import json
import socket
from typing import Any

import pytest

from bot.cli import main
from bot.cli.query import parse_target
from tests.fakes.a2s_server import InfoSpec, PlayerSpec


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("example.org", ("example.org", 27015)),
        ("10.0.0.1:27016", ("10.0.0.1", 27016)),
        ("[::1]:27017", ("::1", 27017)),
        ("[::1]", ("::1", 27015)),
        ("::1", ("::1", 27015)),
    ],
)
def test_parse_target(text: str, expected: tuple[str, int]) -> None:
    assert parse_target(text) == expected


@pytest.mark.parametrize("text", ["host:0", "host:99999", "host:abc", "[::1", ":27015", "[::1]x"])
def test_parse_target_rejects(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_target(text)


def test_summary_with_players_and_rules(threaded_server: Any, capsys: Any) -> None:
    server = threaded_server(
        InfoSpec(server_name="My Server", player_count=1, keywords="mp300,cp280", game_id=252490),
        [PlayerSpec("alice", 12, 3725.0)],
        {"mp_timelimit": "30"},
        info_challenge=True,
    )
    host, port = server.address
    assert main(["query", f"{host}:{port}", "--players", "--rules", "--timeout", "2"]) == 0
    out = capsys.readouterr().out
    assert "My Server" in out and "280/300" in out and "252490" in out
    assert "alice" in out and "1:02:05" in out
    assert "mp_timelimit = 30" in out


def test_json_output(threaded_server: Any, capsys: Any) -> None:
    server = threaded_server(players=[PlayerSpec("bob")])
    host, port = server.address
    assert main(["query", f"{host}:{port}", "--json", "--players"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["info"]["server_name"] == "Test Server"
    assert data["players"][0]["name"] == "bob"
    assert data["players_truncated"] is False


def test_probe_option(threaded_server: Any, capsys: Any) -> None:
    server = threaded_server()
    host, port = server.address
    assert main(["query", f"{host}:{port - 3}", "--probe", "--timeout", "0.5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["address"] == [host, port]


def test_no_answer_exits_non_zero_with_one_line(threaded_server: Any, capsys: Any) -> None:
    server = threaded_server(silent=True)
    host, port = server.address
    assert main(["query", f"{host}:{port}", "--timeout", "0.2"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no answer" in err


def test_closed_port_and_bad_host(capsys: Any) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    assert main(["query", f"127.0.0.1:{port}", "--timeout", "1"]) == 1
    assert main(["query", "no-such-host.invalid", "--timeout", "1"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert "closed" in err[0] or "no answer" in err[0]
    assert "resolve" in err[1]
