"""`python -m bot invite`: print the URL that adds the bot to a Discord server.

Scopes ``bot`` and ``applications.commands``; the permissions are exactly what the features use
in the channels they post to (see :data:`REQUIRED_PERMISSIONS`). The client id comes from
``--client-id``, or from the bot token (its first part encodes the bot's user id, which is the
application id).
"""

from __future__ import annotations

import argparse
import base64
import binascii

import discord

from bot.cli.run import add_env_file_option
from bot.config import TOKEN_PLACEHOLDER, read_variable
from bot.protocols.text_checks import ascii_int
from bot.runner import fail

# Status boards, alerts and feeds post embeds; a status message is found again after a restart
# with fetch_message (Read Message History). Editing our own messages needs no permission.
# Attach Files: history charts and the servers' icons (boards post without them when denied).
REQUIRED_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
)
SCOPES = ("bot", "applications.commands")


def client_id_from_token(token: str) -> int | None:
    head = token.split(".", 1)[0]
    try:
        text = base64.b64decode(head + "=" * (-len(head) % 4), validate=False).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return ascii_int(text, 20)


def invite_url(client_id: int) -> str:
    return discord.utils.oauth_url(client_id, permissions=REQUIRED_PERMISSIONS, scopes=SCOPES)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "invite", help="print the URL that adds the bot to a Discord server", description=__doc__
    )
    add_env_file_option(parser)
    parser.add_argument(
        "--client-id",
        type=int,
        default=None,
        help="application id (Developer Portal > General Information); default: from the token",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    client_id: int | None = args.client_id
    if client_id is None:
        token = read_variable("DISCORD_TOKEN", args.env_file)
        if token and token != TOKEN_PLACEHOLDER:
            client_id = client_id_from_token(token)
        if client_id is None:
            return fail(
                "cannot tell the application id: set DISCORD_TOKEN in .env or pass --client-id "
                "(Developer Portal > General Information > Application ID)"
            )
    print(invite_url(client_id))
    return 0
