"""A scriptable BattlEye RCON server on 127.0.0.1 for tests and benchmarks.

Contract (other test suites rely on it)::

    async with FakeBattlEyeServer("secret", players=[Player(...)]) as server:
        host, port = server.address
        await server.push_message("Player #3 Name (1.2.3.4:2304) connected")
        await server.push_messages(["...", "..."])
        await server.wait_acked()          # every pushed message acknowledged
        server.received_commands           # commands run, in order, once each
        server.keepalives                  # empty (keep-alive) commands received
        server.silent = True               # stop answering anything (and stop re-sending)
        await server.restart()             # forget clients, new sequence space, same port
        server.bans                        # (GUID or IP, minutes, reason) as `bans` lists them

Constructor: ``password``, ``players`` (list of :class:`Player` for ``players``/``kick``/``say``),
``responses`` (exact command -> answer), ``handler`` (command -> answer, used when ``responses``
has no entry; built-ins answer otherwise), network faults applied to *both* directions with a
seeded RNG: ``loss``, ``duplicate``, ``reorder`` (random delay up to ``reorder_delay``),
``corrupt`` (flip one byte of outgoing packets); ``chunk_size`` for multi-part answers; ``host``
(default ``127.0.0.1``; ``::1`` for IPv6 tests) and ``port`` (default 0: any free port).

Behaviour modelled on BERConProtocol v2: a login is answered 1/0 and announced to every admin as
``RCon admin #N (ip:port) logged in``; server messages are re-sent every ``resend_interval`` until
acknowledged, ``max_sends`` times, after which the client is dropped (BattlEye: 5 times in 10 s);
a client that sent no command for ``command_timeout`` is forgotten. A command re-sent with the same
sequence number is, by ``duplicate_commands``: ``"replay"`` (answer again, run once — default),
``"ignore"`` (berconpy's server) or ``"execute"`` (run again). At most ``max_in_flight``
messages per client are unacknowledged at once (more would make 8-bit sequence numbers
ambiguous); the rest wait in order.
"""

from __future__ import annotations

import asyncio
import random
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.protocols.battleye import packets
from bot.protocols.battleye.errors import PacketError
from bot.protocols.battleye.models import Player
from tests.fakes.served import Served

_ANSWER_CACHE = 32


@dataclass
class _Out:
    packet: bytes
    sends: int = 1
    timer: asyncio.TimerHandle | None = None


@dataclass
class _Client:
    addr: tuple[Any, ...]
    admin_id: int
    last_command: float
    next_seq: int = 0
    unacked: dict[int, _Out] = field(default_factory=dict)
    queue: deque[bytes] = field(default_factory=deque)
    answers: OrderedDict[int, tuple[bytes, list[bytes]]] = field(default_factory=OrderedDict)


class _Endpoint(asyncio.DatagramProtocol):
    def __init__(self, server: FakeBattlEyeServer) -> None:
        self.server = server

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        self.server._incoming(data, addr)


class FakeBattlEyeServer(Served):
    def __init__(
        self,
        password: str = "secret",
        *,
        players: list[Player] | None = None,
        responses: dict[str, str] | None = None,
        handler: Callable[[str], str] | None = None,
        loss: float = 0.0,
        duplicate: float = 0.0,
        reorder: bool = False,
        seed: int = 0,
        chunk_size: int = 512,
        corrupt: float = 0.0,
        reorder_delay: float = 0.005,
        resend_interval: float = 2.0,
        max_sends: int = 5,
        max_in_flight: int = 128,
        command_timeout: float = 45.0,
        duplicate_commands: Literal["replay", "ignore", "execute"] = "replay",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._password = password.encode()
        self.players: list[Player] = list(players or [])
        self.responses = dict(responses or {})
        self.handler = handler
        self.loss, self.duplicate, self.reorder, self.corrupt = loss, duplicate, reorder, corrupt
        self.reorder_delay = reorder_delay
        self.chunk_size = chunk_size
        self.resend_interval, self.max_sends = resend_interval, max_sends
        self.max_in_flight = max_in_flight
        self.command_timeout = command_timeout
        self.duplicate_commands = duplicate_commands
        self.silent = False
        # ``ban``/``addBan`` add here, ``removeBan <n>`` removes entry n, ``bans`` lists them.
        self.bans: list[tuple[str, int, str]] = []
        self.received_commands: list[str] = []
        self.keepalives = 0
        self.logins = 0
        self.refused_logins = 0
        self.acks_received = 0
        self.dropped_clients = 0
        self._rng = random.Random(seed)
        self._host = host
        self._port = port
        self._clients: dict[tuple[Any, ...], _Client] = {}
        self._next_admin = 0
        self._transport: asyncio.DatagramTransport | None = None
        self._drained = asyncio.Event()
        self._drained.set()

    # --- lifecycle ----------------------------------------------------------------------------

    @property
    def address(self) -> tuple[str, int]:
        assert self._transport is not None, "server not started"
        host, port = self._transport.get_extra_info("sockname")[:2]
        return str(host), int(port)

    @property
    def clients(self) -> int:
        return len(self._clients)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_datagram_endpoint(
            lambda: _Endpoint(self), local_addr=(self._host, self._port)
        )
        self._port = self.address[1]

    async def stop(self) -> None:
        self._forget_all()
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    async def restart(self) -> None:
        """Forget every client and sequence number; keep the port (like a game-server restart)."""
        self._forget_all()
        self._next_admin = 0

    def _forget_all(self) -> None:
        for client in self._clients.values():
            self._cancel_timers(client)
        self._clients.clear()
        self._drained.set()

    # --- server messages --------------------------------------------------------------------

    async def push_message(self, text: str) -> None:
        self._broadcast(text)

    async def push_messages(self, texts: Iterable[str]) -> None:
        for text in texts:
            self._broadcast(text)

    async def wait_acked(self) -> None:
        """Until every pushed message is acknowledged (or its client dropped); bound it with
        ``asyncio.timeout`` in the caller."""
        await self._drained.wait()

    def player_joins(self, player: Player) -> list[str]:
        """Add ``player`` and return BattlEye's three join lines (push them yourself)."""
        self.players = [p for p in self.players if p.id != player.id] + [player]
        lines = [f"Player #{player.id} {player.name} ({player.ip}:{player.port}) connected"]
        if player.guid:
            lines.append(f"Player #{player.id} {player.name} - BE GUID: {player.guid}")
            lines.append(f"Verified GUID ({player.guid}) of player #{player.id} {player.name}")
        return lines

    def _broadcast(self, text: str) -> None:
        payload = text.encode("utf-8")
        for client in list(self._clients.values()):
            client.queue.append(payload)
            self._drained.clear()
            self._pump(client)

    def _pump(self, client: _Client) -> None:
        while client.queue:
            seq = client.next_seq
            # Window by span from the oldest unacknowledged number, not by count: the client
            # acknowledges messages it still holds back, so a count would let us run ahead.
            oldest = next(iter(client.unacked), seq)
            if (seq - oldest) % 256 >= self.max_in_flight or seq in client.unacked:
                break
            client.next_seq = (seq + 1) % 256
            out = _Out(packets.encode_server_message(seq, client.queue.popleft()))
            client.unacked[seq] = out
            self._send(out.packet, client.addr)
            self._arm_resend(client, seq, out)

    def _arm_resend(self, client: _Client, seq: int, out: _Out) -> None:
        loop = asyncio.get_running_loop()
        out.timer = loop.call_later(self.resend_interval, self._resend, client, seq)

    def _resend(self, client: _Client, seq: int) -> None:
        out = client.unacked.get(seq)
        if out is None or self._clients.get(client.addr) is not client:
            return
        if out.sends >= self.max_sends:
            # BattlEye removes a client that does not acknowledge within its tries.
            self._drop(client)
            return
        if not self.silent:
            out.sends += 1
            self._send(out.packet, client.addr)
        self._arm_resend(client, seq, out)

    def _drop(self, client: _Client) -> None:
        self._cancel_timers(client)
        self._clients.pop(client.addr, None)
        self.dropped_clients += 1
        self._check_drained()

    def _cancel_timers(self, client: _Client) -> None:
        for out in client.unacked.values():
            if out.timer is not None:
                out.timer.cancel()
        client.unacked.clear()
        client.queue.clear()

    def _check_drained(self) -> None:
        if all(not c.unacked and not c.queue for c in self._clients.values()):
            self._drained.set()

    # --- network faults ---------------------------------------------------------------------

    def _send(self, data: bytes, addr: tuple[Any, ...]) -> None:
        if self.silent or self._transport is None:
            return
        if self.loss and self._rng.random() < self.loss:
            return
        if self.corrupt and self._rng.random() < self.corrupt:
            i = self._rng.randrange(len(data))
            data = data[:i] + bytes((data[i] ^ 0x5A,)) + data[i + 1 :]
        copies = 2 if self.duplicate and self._rng.random() < self.duplicate else 1
        for _ in range(copies):
            if self.reorder:
                loop = asyncio.get_running_loop()
                loop.call_later(self._rng.uniform(0, self.reorder_delay), self._sendto, data, addr)
            else:
                self._sendto(data, addr)

    def _sendto(self, data: bytes, addr: tuple[Any, ...]) -> None:
        if self._transport is not None and not self.silent:
            self._transport.sendto(data, addr)

    def _incoming(self, data: bytes, addr: tuple[Any, ...]) -> None:
        if self.silent:
            return
        if self.loss and self._rng.random() < self.loss:
            return
        copies = 2 if self.duplicate and self._rng.random() < self.duplicate else 1
        for _ in range(copies):
            if self.reorder:
                loop = asyncio.get_running_loop()
                delay = self._rng.uniform(0, self.reorder_delay)
                loop.call_later(delay, self._handle, data, addr)
            else:
                self._handle(data, addr)

    # --- protocol ---------------------------------------------------------------------------

    def _handle(self, data: bytes, addr: tuple[Any, ...]) -> None:
        if self.silent:
            return
        try:
            packet = packets.decode_client_packet(data)
        except PacketError:
            return
        loop = asyncio.get_running_loop()
        if isinstance(packet, packets.LoginRequest):
            self._login(packet.password, addr, loop.time())
            return
        client = self._clients.get(addr)
        if client is None:
            return  # not logged in: BattlEye stays silent
        if isinstance(packet, packets.MessageAck):
            out = client.unacked.pop(packet.sequence, None)
            if out is not None:
                self.acks_received += 1
                if out.timer is not None:
                    out.timer.cancel()
                self._pump(client)
                self._check_drained()
            return
        if loop.time() - client.last_command > self.command_timeout:
            self._drop(client)
            return
        client.last_command = loop.time()
        self._command(client, packet.sequence, packet.command)

    def _login(self, password: bytes, addr: tuple[Any, ...], now: float) -> None:
        old = self._clients.pop(addr, None)
        if old is not None:
            self._cancel_timers(old)
        ok = password == self._password
        self._send(packets.encode_login_response(ok), addr)
        if not ok:
            self.refused_logins += 1
            return
        self.logins += 1
        client = _Client(addr, self._next_admin, now)
        self._next_admin += 1
        self._clients[addr] = client
        self._broadcast(f"RCon admin #{client.admin_id} ({addr[0]}:{addr[1]}) logged in")

    def _command(self, client: _Client, seq: int, raw: bytes) -> None:
        cached = client.answers.get(seq)
        if cached is not None and cached[0] == raw:
            if self.duplicate_commands == "ignore":
                return
            if self.duplicate_commands == "replay":
                for packet in cached[1]:
                    self._send(packet, client.addr)
                return
        command = raw.decode("utf-8", errors="replace")
        if command:
            self.received_commands.append(command)
        else:
            self.keepalives += 1
        answer = self._answer(client, command)
        out = packets.split_command_response(seq, answer.encode("utf-8"), self.chunk_size)
        client.answers[seq] = (raw, out)
        client.answers.move_to_end(seq)
        while len(client.answers) > _ANSWER_CACHE:
            client.answers.popitem(last=False)
        for packet in out:
            self._send(packet, client.addr)

    def _answer(self, client: _Client, command: str) -> str:
        if command in self.responses:
            return self.responses[command]
        if command and self.handler is not None:
            return self.handler(command)
        name, _, rest = command.partition(" ")
        if name == "":
            return ""
        if name == "players":
            return self._players_text()
        if name == "admins":
            rows = [f"{c.admin_id} {c.addr[0]}:{c.addr[1]}" for c in self._clients.values()]
            return (
                "Connected RCon admins:\n[#] [IP Address]:[Port]\n"
                + "-" * 29
                + "\n"
                + ("\n".join(rows))
            )
        if name == "bans":
            rows = [
                f"{i:<4}{target} {'perm' if minutes == 0 else minutes} {reason}".rstrip()
                for i, (target, minutes, reason) in enumerate(self.bans)
            ]
            return (
                "GUID Bans:\n[#] [GUID] [Minutes left] [Reason]\n"
                + "-" * 40
                + "\n"
                + ("\n".join(rows))
            )
        if name == "addBan":
            target, minutes, reason = [*rest.split(" ", 2), "", ""][:3]
            if not target or not minutes.isdigit():
                return "Invalid ban"
            self.bans.append((target, int(minutes), reason))
            return ""
        if name == "ban":
            slot, minutes, reason = [*rest.split(" ", 2), "", ""][:3]
            player = next((p for p in self.players if str(p.id) == slot), None)
            if player is None or not minutes.isdigit():
                return "Invalid player ID"
            self.bans.append((player.guid or player.ip, int(minutes), reason))
            return self._kick(slot, reason, verb="Admin Ban")
        if name == "removeBan":
            if not rest.isdigit() or int(rest) >= len(self.bans):
                return "Invalid ban ID"
            del self.bans[int(rest)]
            return ""
        if name == "missions":
            return "Missions on server:"
        if name == "say":
            target, _, text = rest.partition(" ")
            return self._say(client, target, text)
        if name == "kick":
            target, _, reason = rest.partition(" ")
            return self._kick(target, reason)
        return "Unknown command"

    def _players_text(self) -> str:
        rows = [
            f"{p.id:<3} {p.ip}:{p.port:<16} {p.ping or 0:<5} {p.guid or '-'}"
            f"({'OK' if p.guid_verified else '?'}) {p.name}{' (Lobby)' if p.in_lobby else ''}"
            for p in self.players
        ]
        header = "Players on server:\n[#] [IP Address]:[Port] [Ping] [GUID] [Name]\n" + "-" * 50
        return "\n".join([header, *rows, f"({len(rows)} players in total)"])

    def _say(self, client: _Client, target: str, text: str) -> str:
        if target == "-1":
            self._broadcast(f"RCon admin #{client.admin_id}: (Global) {text}")
            return ""
        for p in self.players:
            if str(p.id) == target:
                self._broadcast(f"RCon admin #{client.admin_id}: (To {p.name}) {text}")
                return ""
        return "Invalid player ID"

    def _kick(self, target: str, reason: str, verb: str = "Admin Kick") -> str:
        for p in self.players:
            if str(p.id) == target:
                self.players.remove(p)
                why = f"{verb} ({reason})" if reason else verb
                guid = p.guid or "-"
                line = f"Player #{p.id} {p.name} ({guid}) has been kicked by BattlEye: {why}"
                self._broadcast(line)
                return ""
        return "Invalid player ID"
