"""The one Discord-facing module of :mod:`bot.i18n`: command schema translation.

Command and option *names* stay English (Discord's rules want them lower-case ASCII-safe, and
admins share them in guides); descriptions and choice names are translated. The English text
stays in the cogs' decorators; each string's catalogue key is derived from where it sits in the
tree, so the key set is the tree itself:

- ``commands.<qualified name>.description`` (a command or a group, ``server add`` for a
  subcommand),
- ``commands.<qualified name>.options.<parameter>.description``,
- ``commands.<qualified name>.options.<parameter>.choices.<value>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.i18n.catalogue import CATALOGUE
from bot.i18n.locales import ENGLISH, catalogue_language

Tree = app_commands.CommandTree[Any]
_Node = app_commands.Command[Any, ..., Any] | app_commands.Group


def command_key(qualified_name: str) -> str:
    return f"commands.{qualified_name}.description"


def option_key(qualified_name: str, parameter: str) -> str:
    return f"commands.{qualified_name}.options.{parameter}.description"


def choice_key(qualified_name: str, parameter: str, value: object) -> str:
    return f"commands.{qualified_name}.options.{parameter}.choices.{value}"


def _walk(nodes: list[_Node]) -> Iterator[_Node]:
    for node in nodes:
        yield node
        if isinstance(node, app_commands.Group):
            yield from _walk(list(node.commands))


def _slash_commands(tree: Tree) -> list[_Node]:
    return [c for c in tree.get_commands() if not isinstance(c, app_commands.ContextMenu)]


def schema_strings(tree: Tree) -> dict[str, str]:
    """Every translatable string of the tree's slash commands: catalogue key -> English."""
    found: dict[str, str] = {}
    for node in _walk(_slash_commands(tree)):
        found[command_key(node.qualified_name)] = node.description
        if isinstance(node, app_commands.Group):
            continue
        for param in node.parameters:
            found[option_key(node.qualified_name, param.name)] = param.description
            for choice in param.choices:
                if _translated(choice):
                    key = choice_key(node.qualified_name, param.name, choice.value)
                    found[key] = choice.name
    return found


def _translated(choice: app_commands.Choice[Any]) -> bool:
    """False for a choice made with ``locale_str(name, translate=False)`` (a language's own
    name, the same for every reader)."""
    locale_name = getattr(choice, "_locale_name", None)
    return locale_name is None or locale_name.extras.get("translate", True)


def _choice_keys(tree: Tree) -> dict[int, str]:
    """A choice does not know its parameter when Discord's payload is translated: found by
    identity (the tree's Choice objects are the ones translated)."""
    keys: dict[int, str] = {}
    for node in _walk(_slash_commands(tree)):
        if isinstance(node, app_commands.Command):
            for param in node.parameters:
                for choice in param.choices:
                    if _translated(choice):
                        keys[id(choice)] = choice_key(node.qualified_name, param.name, choice.value)
    return keys


class OutpostTranslator(app_commands.Translator):
    """Descriptions and choice names from the catalogue; ``None`` (Discord shows the English)
    for English itself, names, and any key a language lacks."""

    def __init__(self, tree: Tree) -> None:
        self._tree = tree
        self._choices: dict[int, str] = {}

    def key_of(self, where: Where, data: Any) -> str | None:
        if where in (Where.command_description, Where.group_description):
            return command_key(data.qualified_name)
        if where is Where.parameter_description:
            return option_key(data.command.qualified_name, data.name)
        if where is Where.choice_name:
            if not _translated(data):
                return None
            key = self._choices.get(id(data))
            if key is None:
                self._choices = _choice_keys(self._tree)
                key = self._choices.get(id(data))
            return key
        return None  # names stay English

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        language = catalogue_language(locale.value)
        if language is None or language == ENGLISH:
            return None
        key = self.key_of(context.location, context.data)
        if key is None:
            return None
        return CATALOGUE.lookup(language, key)
