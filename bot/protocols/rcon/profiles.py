"""Per-server behaviour: how the end of a response is found and how answers are matched.

Source RCON has no "last packet" flag, and servers disagree on the tricks that stand in for
one (see ``protocol-notes.md`` §1B.3), so the strategy is chosen per server.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.protocols.rcon.packets import DEFAULT_MAX_PACKET_SIZE, MAX_REQUEST_SIZE


class EndDetection(Enum):
    """How the client knows a (possibly multi-packet) response is complete."""

    # An empty EXECCOMMAND with its own id follows the command; its answer closes the response.
    # Servers execute in order, so this works on SRCDS, Minecraft, ARK and Squad.
    SENTINEL = "sentinel"
    # SRCDS only: an empty RESPONSE_VALUE is mirrored, then followed by one more packet.
    MIRROR = "mirror"
    # Exactly one packet per command: for servers that zero every id (Palworld).
    SINGLE = "single"


@dataclass(frozen=True, slots=True)
class ServerProfile:
    """How to talk to one kind of server."""

    name: str
    end_detection: EndDetection = EndDetection.SENTINEL
    # False: answers are matched to requests in the order sent (servers answering with id 0).
    match_ids: bool = True
    # True: the AUTH_RESPONSE must echo our id; False accepts any id but -1 (Palworld sends 0).
    strict_auth_id: bool = False
    # One request on the wire at a time, and the end probe is only sent once the first answer
    # packet arrived: for servers that parse a single packet per TCP read (rcon-server 0.1.3).
    lockstep: bool = False
    # Largest packet we send (size field included); Minecraft accepts a 1446-byte body.
    max_request_size: int = MAX_REQUEST_SIZE
    # Larger response packets are treated as a desynchronised stream.
    max_packet_size: int = DEFAULT_MAX_PACKET_SIZE
    # Swallow Squad's broken packet that follows an empty answer to our probe.
    malformed_followup: bool = True

    def __post_init__(self) -> None:
        if not self.match_ids and self.end_detection is not EndDetection.SINGLE:
            # Without ids the probe's answer cannot be told from the command's own packets.
            raise ValueError("in-order matching needs EndDetection.SINGLE")
        if self.lockstep and self.malformed_followup:
            # Lockstep waits for a first answer packet before sending the probe; holding back
            # an empty one (to tell it from Squad's broken packet) would stall the connection.
            raise ValueError("lockstep profiles cannot wait for Squad's broken packet")
        if not 14 <= self.max_request_size <= MAX_REQUEST_SIZE:
            raise ValueError("max_request_size must be within 14..4096")


SRCDS = ServerProfile("srcds")
SRCDS_MIRROR = ServerProfile("srcds-mirror", end_detection=EndDetection.MIRROR)
MINECRAFT = ServerProfile("minecraft", max_request_size=1446 + 14)
ARK = ServerProfile("ark")
SQUAD = ServerProfile("squad")
# Palworld never splits an answer, so one packet can be large.
PALWORLD = ServerProfile(
    "palworld", end_detection=EndDetection.SINGLE, match_ids=False, max_packet_size=1 << 22
)
LOCKSTEP = ServerProfile("lockstep", lockstep=True, malformed_followup=False)
LOCKSTEP_MIRROR = ServerProfile(
    "lockstep-mirror", end_detection=EndDetection.MIRROR, lockstep=True, malformed_followup=False
)

PROFILES: dict[str, ServerProfile] = {
    p.name: p
    for p in (SRCDS, SRCDS_MIRROR, MINECRAFT, ARK, SQUAD, PALWORLD, LOCKSTEP, LOCKSTEP_MIRROR)
}
DEFAULT_PROFILE = SRCDS


def get_profile(profile: str | ServerProfile | None) -> ServerProfile:
    """A profile by name (``"srcds"``, ``"minecraft"``…), or the default for ``None``."""
    if profile is None:
        return DEFAULT_PROFILE
    if isinstance(profile, ServerProfile):
        return profile
    try:
        return PROFILES[profile]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(f"unknown RCON profile {profile!r}; known: {known}") from None
