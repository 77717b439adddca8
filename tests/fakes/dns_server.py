"""A tiny authoritative DNS server on 127.0.0.1 UDP answering SRV questions from a table.

Messages are parsed and built with dnspython (the library the client uses to ask, but not the
code under test: that is our ordering and fallback logic). Contract::

    async with FakeDNSServer({"_minecraft._tcp.play.example": [(0, 5, 25566, "localhost")]}) as dns:
        SrvResolver(nameservers=[dns.host], port=dns.port)
        dns.questions   # [(name, type)] asked

A name in the table answers SRV (records ``(priority, weight, port, target)``) and NOERROR
with no answer for other types; any other name is NXDOMAIN. ``silent=True`` answers nothing.
"""

from __future__ import annotations

from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from tests.fakes.served import Served
from tests.fakes.udp_endpoint import LoopbackUdp


class FakeDNSServer(Served):
    def __init__(
        self,
        records: dict[str, list[tuple[int, int, int, str]]] | None = None,
        *,
        silent: bool = False,
        lifetime: float = 30.0,
    ) -> None:
        self.records = {name.lower().rstrip("."): rows for name, rows in (records or {}).items()}
        self.silent = silent
        self.lifetime = lifetime
        self.questions: list[tuple[str, str]] = []
        self.host = "127.0.0.1"
        self.port = 0
        self._udp = LoopbackUdp(self._on_datagram)

    def answer(self, data: bytes) -> bytes | None:
        try:
            query = dns.message.from_wire(data)
        except (dns.exception.DNSException, ValueError):
            return None
        if not query.question:
            return None
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        self.questions.append((name, dns.rdatatype.to_text(question.rdtype)))
        if self.silent:
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        rows = self.records.get(name)
        if rows is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif question.rdtype == dns.rdatatype.SRV and rows:
            texts = [f"{p} {w} {port} {target.rstrip('.')}." for p, w, port, target in rows]
            response.answer.append(
                dns.rrset.from_text_list(question.name, 60, dns.rdataclass.IN, "SRV", texts)
            )
        return response.to_wire()

    def _on_datagram(self, data: bytes, addr: Any) -> None:
        answer = self.answer(data)
        if answer is not None:
            self._udp.sendto(answer, addr)

    async def start(self) -> None:
        self.host, self.port = await self._udp.open(lifetime=self.lifetime)

    def close(self) -> None:
        self._udp.close()

    async def stop(self) -> None:
        self.close()
