"""``python -m bot.i18n.missing [language…]``: what each language file still lacks.

Loads every cog as the bot does (against a throw-away database, without connecting to Discord)
so the command tree's keys are the ones Discord would get, then prints each missing key with the
English to translate. Exit status 1 when anything is missing or wrong.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from bot.app import OutpostBot
from bot.config import load_settings
from bot.crypto import generate_key
from bot.i18n.check import check
from bot.i18n.locales import ENGLISH, LANGUAGES
from bot.i18n.translator import Tree, schema_strings


class _OfflineBot(OutpostBot):
    async def sync_commands_if_changed(self) -> bool:
        return False  # never reaches Discord: only the tree is wanted


@contextlib.asynccontextmanager
async def offline_tree() -> AsyncIterator[Tree]:
    """The real command tree, every cog loaded as the bot loads them, with the translator."""
    with tempfile.TemporaryDirectory() as folder:
        environ = {
            "DISCORD_TOKEN": "offline.token.unused",
            "OUTPOST_SECRET_KEY": generate_key(),
            "DATABASE_PATH": str(Path(folder) / "schema.sqlite3"),
        }
        bot = _OfflineBot(load_settings(Path(folder) / ".env", environ=environ), autopoll=False)
        async with bot:
            try:
                await bot.setup_hook()
                yield bot.tree
            finally:
                await bot.close()


async def command_schema() -> dict[str, str]:
    """Every translatable string of the real command tree: key -> English."""
    async with offline_tree() as tree:
        return schema_strings(tree)


def main(argv: list[str]) -> int:
    languages = argv or [lang for lang in LANGUAGES if lang != ENGLISH]
    schema = asyncio.run(command_schema())
    failed = False
    for language in languages:
        report = check(language, schema)
        for line in report.lines():
            print(line)
        failed = failed or not report.ok
        if report.ok:
            print(f"{language}: complete")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
