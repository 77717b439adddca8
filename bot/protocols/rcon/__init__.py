"""Source RCON client: sans-IO core, asyncio client, reconnecting supervisor, blocking wrapper.

Async::

    async with rcon.connect((host, port), password, timeout=10.0) as conn:
        text = await conn.execute("status")

Blocking (python-valve's API)::

    with rcon.RCON((host, port), password) as r:
        text = r("status")
"""

from bot.protocols.rcon.client import RCONConnection, aexecute, connect
from bot.protocols.rcon.connection import (
    DEFAULT_MAX_RESPONSE_BYTES,
    AuthResult,
    BudgetExceeded,
    ClientConnection,
    Event,
    Response,
    State,
    Unsolicited,
)
from bot.protocols.rcon.convars import ConVar, parse_cvarlist
from bot.protocols.rcon.errors import (
    RCONAuthDroppedError,
    RCONAuthenticationError,
    RCONBudgetExceededError,
    RCONCommunicationError,
    RCONError,
    RCONMessageError,
    RCONTimeoutError,
)
from bot.protocols.rcon.framing import PacketFramer
from bot.protocols.rcon.packets import (
    SERVERDATA_AUTH,
    SERVERDATA_AUTH_RESPONSE,
    SERVERDATA_EXECCOMMAND,
    SERVERDATA_RESPONSE_VALUE,
    PacketType,
    RCONMessage,
)
from bot.protocols.rcon.profiles import PROFILES, EndDetection, ServerProfile, get_profile
from bot.protocols.rcon.supervisor import RCONSupervisor, SupervisorState
from bot.protocols.rcon.sync import RCON, execute

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "PROFILES",
    "RCON",
    "SERVERDATA_AUTH",
    "SERVERDATA_AUTH_RESPONSE",
    "SERVERDATA_EXECCOMMAND",
    "SERVERDATA_RESPONSE_VALUE",
    "AuthResult",
    "BudgetExceeded",
    "ClientConnection",
    "ConVar",
    "EndDetection",
    "Event",
    "PacketFramer",
    "PacketType",
    "RCONAuthDroppedError",
    "RCONAuthenticationError",
    "RCONBudgetExceededError",
    "RCONCommunicationError",
    "RCONConnection",
    "RCONError",
    "RCONMessage",
    "RCONMessageError",
    "RCONSupervisor",
    "RCONTimeoutError",
    "Response",
    "ServerProfile",
    "State",
    "SupervisorState",
    "Unsolicited",
    "aexecute",
    "connect",
    "execute",
    "get_profile",
    "parse_cvarlist",
]
