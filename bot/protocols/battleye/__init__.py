"""BattlEye RCON (DayZ, Arma 2, Arma 3): sans-IO protocol core and an asyncio client."""

from .client import BattlEyeClient
from .config import ClientConfig
from .errors import (
    ClientRunning,
    CommandValidationError,
    LoginFailure,
    LoginRefused,
    LoginTimeout,
    NotConnected,
    PacketError,
    RCONCommandError,
    RCONError,
)
from .models import Admin, Ban, Player
from .protocol import ClientProtocol, ProtocolConfig

__all__ = [
    "Admin",
    "Ban",
    "BattlEyeClient",
    "ClientConfig",
    "ClientProtocol",
    "ClientRunning",
    "CommandValidationError",
    "LoginFailure",
    "LoginRefused",
    "LoginTimeout",
    "NotConnected",
    "PacketError",
    "Player",
    "ProtocolConfig",
    "RCONCommandError",
    "RCONError",
]
