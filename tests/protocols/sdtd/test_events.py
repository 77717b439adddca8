"""Log lines of the notes (A16 to 1.x) to typed events."""

from __future__ import annotations

import pytest

from bot.protocols.sdtd import (
    ChatDeduplicator,
    ChatMessage,
    CommandExecuted,
    EntityKilled,
    GameEvent,
    LogLine,
    PlayerConnected,
    PlayerDied,
    PlayerDisconnected,
    PlayerJoined,
    PlayerLeft,
    PlayerSpawned,
    ServerShutdown,
    parse_event,
    parse_log_line,
)

STEAM = "76561197976155858"
EOS = "EOS_0002b5d970954287afdcb5dc35af0424"
PLTFM = "Steam_76561198028175941"


def event(message: str) -> GameEvent | None:
    line = parse_log_line(f"2017-08-06T12:15:24 20963.531 INF {message}")
    assert line is not None
    return parse_event(line)


CASES: list[tuple[str, GameEvent]] = [
    (
        "Chat (from '76561197961408188', entity id '171', to 'Global'): 'Corran': test message",
        ChatMessage("76561197961408188", 171, "Global", "Corran", "test message"),
    ),
    (
        f"Chat handled by mod 'CSMM Patrons': Chat (from '{PLTFM}', entity id '549', "
        "to 'Global'): fsafsafasf",
        ChatMessage(PLTFM, 549, "Global", None, "fsafsafasf", mod="CSMM Patrons"),
    ),
    (
        "Chat (from '-non-player-', entity id '-1', to 'Global'): 'Cata': a",
        ChatMessage("-non-player-", -1, "Global", "Cata", "a"),
    ),
    (
        "Chat (from '1', entity id '2', to 'Party'): 'O'Brien': hi: there 'x': y",
        ChatMessage("1", 2, "Party", "O'Brien", "hi: there 'x': y"),
    ),
    (
        "Chat (from '1', entity id '2', to 'Friends'): '[ff0000]Red[-]': [00ff00]green[-] text",
        ChatMessage("1", 2, "Friends", "Red", "green text"),
    ),
    ("Chat: 'Halp': old style", ChatMessage("", -1, "Global", "Halp", "old style")),
    (
        "[NET] PlayerConnected EntityID=-1, PlayerID='', OwnerID='', PlayerName=''",
        PlayerConnected(-1, ""),
    ),
    (
        f"Player connected, entityid=171, name=Halp, steamid={STEAM}, steamOwner={STEAM}, "
        "ip=1.2.3.4",
        PlayerConnected(171, "Halp", STEAM, STEAM, "1.2.3.4"),
    ),
    (
        "PlayerSpawnedInWorld (reason: JoinMultiplayer, position: -3121, 91, 1078): "
        f"EntityID=171, PlayerID='{STEAM}', OwnerID='{STEAM}', PlayerName='Halp'",
        PlayerSpawned(171, "Halp", "JoinMultiplayer", (-3121.0, 91.0, 1078.0), STEAM, "", STEAM),
    ),
    (
        "PlayerSpawnedInWorld (reason: JoinMultiplayer, position: 1873, 66, 347): "
        f"EntityID=171, PltfmId='{PLTFM}', CrossId='{EOS}', OwnerID='{PLTFM}', "
        "PlayerName='Catalysm'",
        PlayerSpawned(171, "Catalysm", "JoinMultiplayer", (1873.0, 66.0, 347.0), PLTFM, EOS, PLTFM),
    ),
    (
        "PlayerSpawnedInWorld (reason: EnterMultiplayer, position: 1, 2, 3): EntityID=171, "
        f"PltfmId='{PLTFM}', CrossId='{EOS}', OwnerID='{PLTFM}', PlayerName='Cata, the \"1\"', "
        "ClientNumber='6'",
        PlayerSpawned(171, 'Cata, the "1"', "EnterMultiplayer", (1.0, 2.0, 3.0), PLTFM, EOS, PLTFM),
    ),
    (
        f"Player disconnected: EntityID=171, PltfmId='{PLTFM}', CrossId='{EOS}', "
        f"OwnerID='{PLTFM}', PlayerName='Catalysm'",
        PlayerDisconnected(171, "Catalysm", PLTFM, EOS, PLTFM),
    ),
    (
        f"Player disconnected: EntityID=171, PlayerID='{STEAM}', OwnerID='{STEAM}', "
        "PlayerName='O'Hara'",
        PlayerDisconnected(171, "O'Hara", STEAM, "", STEAM),
    ),
    ("GMSG: Player 'Halp' joined the game", PlayerJoined("Halp")),
    ("GMSG: Player 'Halp' left the game", PlayerLeft("Halp")),
    ("GMSG: Player 'Catalysm' died", PlayerDied("Catalysm")),
    ("GMSG: Player 'it's me' died", PlayerDied("it's me")),
    (
        "Entity zombieNurse 613814 killed by Catalysm 54854",
        EntityKilled("zombieNurse", 613814, "Catalysm", 54854),
    ),
    (
        "Entity animalBear 12 killed by Big Bob 7",
        EntityKilled("animalBear", 12, "Big Bob", 7),
    ),
    (
        "Executing command 'lp' by Telnet from 127.0.0.1:50802",
        CommandExecuted("lp", "Telnet from 127.0.0.1:50802"),
    ),
    (
        "Executing command 'shutdown' by Telnet from 127.0.0.1:50802",
        ServerShutdown("Telnet from 127.0.0.1:50802"),
    ),
]


@pytest.mark.parametrize(("message", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_log_lines_to_events(message: str, expected: GameEvent) -> None:
    assert event(message) == expected


@pytest.mark.parametrize(
    "message",
    [
        "PlayerLogin: Halp/Alpha 16.2",
        "RequestToEnterGame: 76561197976155858/Halp",
        "Time: 3.02m FPS: 33.4 Heap: 1102.7MB",
        "Chat (from 'x', entity id 'notanumber', to 'Global'): text",
        "PlayerSpawnedInWorld (reason: X, position: 1, 2, 3): EntityID=abc, PlayerName='x'",
        "Player disconnected: nothing here",
        "GMSG: Player 'x' did something",
        "Entity zombie killed",
        "",
    ],
)
def test_other_lines_are_no_event(message: str) -> None:
    assert event(message) is None


def test_chat_from_players_and_from_the_server() -> None:
    player = event("Chat (from '1', entity id '2', to 'Global'): 'A': b")
    server = event("Chat (from '-non-player-', entity id '-1', to 'Global'): 'Server': b")
    assert isinstance(player, ChatMessage) and player.from_player
    assert isinstance(server, ChatMessage) and not server.from_player


def test_strings_are_clipped_and_cleaned() -> None:
    name = "N" * 100 + "\x07"
    text = "t" * 5000 + "\u202e"
    chat = event(f"Chat (from '1', entity id '2', to 'Global'): '{name}': {text}")
    assert isinstance(chat, ChatMessage)
    assert chat.name is not None and len(chat.name) == 64 and "\x07" not in chat.name
    assert len(chat.text) == 512 and chat.text == "t" * 512
    joined = event("GMSG: Player '" + "x" * 120 + "' joined the game")
    assert joined == PlayerJoined("x" * 64)


def test_spawn_helpers() -> None:
    spawned = event(
        "PlayerSpawnedInWorld (reason: JoinMultiplayer, position: 1, 2, 3): EntityID=1, "
        "PlayerID='', OwnerID='', PlayerName='a'"
    )
    assert isinstance(spawned, PlayerSpawned) and spawned.first_join


def test_mod_reemitted_chat_is_one_message() -> None:
    dedupe = ChatDeduplicator(window=1.0)
    via_mod = ChatMessage(PLTFM, 549, "Global", None, "hello", mod="CSMM Patrons")
    plain = ChatMessage(PLTFM, 549, "Global", "Cata", "hello")
    assert not dedupe.is_duplicate(via_mod, 10.0)
    assert dedupe.is_duplicate(plain, 10.2)
    assert dedupe.duplicates == 1
    # The same player saying the same thing twice is two messages.
    assert not dedupe.is_duplicate(plain, 11.0)
    assert not dedupe.is_duplicate(plain, 11.1)
    # The other copy of a pair too far apart is not a duplicate.
    assert not dedupe.is_duplicate(via_mod, 13.0)


def test_dedupe_memory_is_bounded() -> None:
    dedupe = ChatDeduplicator(window=1e9)
    for i in range(2000):
        dedupe.is_duplicate(ChatMessage("1", 1, "Global", None, str(i)), float(i))
    assert len(dedupe._seen) <= 256


def test_event_of_a_synthetic_logline() -> None:
    assert parse_event(LogLine("t", 1.0, "INF", "GMSG: Player 'a' died")) == PlayerDied("a")
