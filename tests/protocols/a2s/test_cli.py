"""`python -m bot query`."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from bot.cli import main
from tests.fakes.a2s_server import InfoSpec, PlayerSpec


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


def test_json_carries_the_protocol_neutral_status(threaded_server: Any, capsys: Any) -> None:
    server = threaded_server(
        InfoSpec(server_name="Neutral", map_name="de_nuke", player_count=2, bot_count=1),
        [PlayerSpec("ann"), PlayerSpec("ben")],
    )
    host, port = server.address
    argv = ["query", f"{host}:{port}", "--protocol", "a2s", "--json", "--players"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    status = data["status"]
    assert data["protocol"] == "a2s"
    assert (status["name"], status["map"], status["players"], status["bots"]) == (
        "Neutral",
        "de_nuke",
        2,
        1,
    )
    assert status["player_names"] == ["ann", "ben"]
    assert set(status) == {
        "name",
        "map",
        "players",
        "max_players",
        "bots",
        "version",
        "password",
        "player_names",
        "ping_ms",
    }
    # The protocol's own fields stay beside it.
    assert data["info"]["server_name"] == "Neutral"


def test_without_players_the_names_are_unknown_not_empty(threaded_server: Any, capsys: Any) -> None:
    server = threaded_server(players=[PlayerSpec("ann")])
    host, port = server.address
    assert main(["query", f"{host}:{port}", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"]["player_names"] is None


def test_unknown_protocol_is_refused_by_the_parser(capsys: Any) -> None:
    with pytest.raises(SystemExit):
        main(["query", "127.0.0.1:1", "--protocol", "gopher"])
    assert "invalid choice" in capsys.readouterr().err
