"""Discord's documented limits, as pure checks.

Every ``check_*`` function takes a JSON payload as the bot sent it and returns a list of
human-readable problems (empty when the payload is valid). The server turns problems into
``violations`` and answers 400 / 50035 like Discord does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

MESSAGE_CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000

ACTION_ROWS_MAX = 5
ROW_BUTTONS_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
SELECT_PLACEHOLDER_MAX = 150
SELECT_OPTION_TEXT_MAX = 100
COMPONENTS_V2_MAX = 40
IS_COMPONENTS_V2 = 1 << 15

COMMAND_NAME_RE = re.compile(r"^[-_'\w]{1,32}$")
COMMAND_DESCRIPTION_MAX = 100
COMMAND_OPTIONS_MAX = 25
COMMAND_CHOICES_MAX = 25
CHAT_INPUT_COMMANDS_MAX = 100
CONTEXT_MENU_COMMANDS_MAX = 5
COMMAND_TOTAL_CHARS_MAX = 4000
# The locales Discord accepts as keys of *_localizations (written out again, not imported:
# the fake is Discord's side).
DISCORD_LOCALES = frozenset(
    "id da de en-GB en-US es-ES es-419 fr hr it lt hu nl no pl pt-BR ro fi sv-SE vi tr cs el "
    "bg ru uk hi th zh-CN ja zh-TW ko".split()
)
CHOICE_NAME_MAX = 100
CHOICE_STRING_VALUE_MAX = 100

MODAL_TITLE_MAX = 45
MODAL_COMPONENTS_MAX = 5
TEXT_INPUT_LABEL_MAX = 45
TEXT_INPUT_PLACEHOLDER_MAX = 100
TEXT_INPUT_VALUE_MAX = 4000
LABEL_DESCRIPTION_MAX = 100

AUTOCOMPLETE_CHOICES_MAX = 25
EMPTY_MESSAGE_PROBLEM = "cannot send an empty message"

SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING = 3
INTEGER = 4
NUMBER = 10

ACTION_ROW = 1
BUTTON = 2
TEXT_INPUT = 4
LABEL = 18
SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
LINK_STYLE = 5
PREMIUM_STYLE = 6


def _too_long(where: str, value: Any, limit: int) -> list[str]:
    if isinstance(value, str) and len(value) > limit:
        return [f"{where} is {len(value)} characters (max {limit})"]
    return []


def _custom_id_problems(where: str, custom_id: Any, seen: set[Any]) -> list[str]:
    """A custom_id (when there is one) must fit, and be unique within its message or modal."""
    if custom_id is None:
        return []
    problems = _too_long(f"{where}.custom_id", custom_id, CUSTOM_ID_MAX)
    if custom_id in seen:
        problems.append(f"{where}: duplicate custom_id {custom_id!r}")
    seen.add(custom_id)
    return problems


# --------------------------------------------------------------------------- embeds


def embed_length(embed: Mapping[str, Any]) -> int:
    """Characters Discord counts toward the 6000 limit (as ``len(discord.Embed)``)."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    for field in embed.get("fields") or []:
        total += len(field.get("name") or "") + len(field.get("value") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    return total


def check_embed(embed: Mapping[str, Any], where: str = "embed") -> list[str]:
    problems = _too_long(f"{where}.title", embed.get("title"), EMBED_TITLE_MAX)
    problems += _too_long(f"{where}.description", embed.get("description"), EMBED_DESCRIPTION_MAX)
    fields = embed.get("fields") or []
    if len(fields) > EMBED_FIELDS_MAX:
        problems.append(f"{where} has {len(fields)} fields (max {EMBED_FIELDS_MAX})")
    for i, field in enumerate(fields):
        name, value = field.get("name"), field.get("value")
        if not name or not value:
            problems.append(f"{where}.fields[{i}] needs a non-empty name and value")
        problems += _too_long(f"{where}.fields[{i}].name", name, EMBED_FIELD_NAME_MAX)
        problems += _too_long(f"{where}.fields[{i}].value", value, EMBED_FIELD_VALUE_MAX)
    problems += _too_long(
        f"{where}.footer.text", (embed.get("footer") or {}).get("text"), EMBED_FOOTER_MAX
    )
    problems += _too_long(
        f"{where}.author.name", (embed.get("author") or {}).get("name"), EMBED_AUTHOR_MAX
    )
    length = embed_length(embed)
    if length > EMBED_TOTAL_MAX:
        problems.append(f"{where} totals {length} characters (max {EMBED_TOTAL_MAX})")
    return problems


def check_embeds(embeds: Sequence[Mapping[str, Any]]) -> list[str]:
    problems: list[str] = []
    if len(embeds) > EMBEDS_MAX:
        problems.append(f"message has {len(embeds)} embeds (max {EMBEDS_MAX})")
    for i, embed in enumerate(embeds):
        problems += check_embed(embed, f"embeds[{i}]")
    total = sum(embed_length(e) for e in embeds)
    if total > EMBED_TOTAL_MAX:
        problems.append(f"embeds of one message total {total} characters (max {EMBED_TOTAL_MAX})")
    return problems


# --------------------------------------------------------------------------- components


def walk_components(components: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """Every component, depth first (action rows, sections, containers and labels included)."""
    for component in components:
        yield component
        yield from walk_components(component.get("components") or [])
        inner = component.get("component")
        if isinstance(inner, Mapping):
            yield from walk_components([inner])
        accessory = component.get("accessory")
        if isinstance(accessory, Mapping):
            yield from walk_components([accessory])


def _check_button(button: Mapping[str, Any], where: str) -> list[str]:
    problems = _too_long(f"{where}.label", button.get("label"), BUTTON_LABEL_MAX)
    style = button.get("style")
    if style == LINK_STYLE:
        if not button.get("url") or "custom_id" in button:
            problems.append(f"{where}: a link button needs a url and no custom_id")
    elif style != PREMIUM_STYLE and not button.get("custom_id"):
        problems.append(f"{where}: a non-link button needs a custom_id")
    return problems


def _check_select(select: Mapping[str, Any], where: str) -> list[str]:
    problems = _too_long(f"{where}.placeholder", select.get("placeholder"), SELECT_PLACEHOLDER_MAX)
    options = select.get("options")
    if select.get("type") == 3:
        if not options or len(options) > SELECT_OPTIONS_MAX:
            count = len(options or [])
            problems.append(f"{where} has {count} options (1 to {SELECT_OPTIONS_MAX})")
        for i, option in enumerate(options or []):
            for key in ("label", "value", "description"):
                problems += _too_long(
                    f"{where}.options[{i}].{key}", option.get(key), SELECT_OPTION_TEXT_MAX
                )
    low, high = select.get("min_values", 1), select.get("max_values", 1)
    if not 0 <= low <= 25 or not 1 <= high <= 25 or low > high:
        problems.append(f"{where}: min_values/max_values {low}/{high} out of range")
    return problems


def check_components(components: Sequence[Mapping[str, Any]], flags: int = 0) -> list[str]:
    problems: list[str] = []
    all_items = list(walk_components(components))
    if flags & IS_COMPONENTS_V2:
        if len(all_items) > COMPONENTS_V2_MAX:
            problems.append(f"message has {len(all_items)} components (max {COMPONENTS_V2_MAX})")
    else:
        if len(components) > ACTION_ROWS_MAX:
            problems.append(f"message has {len(components)} action rows (max {ACTION_ROWS_MAX})")
        for r, row in enumerate(components):
            if row.get("type") != ACTION_ROW:
                problems.append(f"components[{r}] is not an action row (type {row.get('type')})")
                continue
            children = row.get("components") or []
            selects = [c for c in children if c.get("type") in SELECT_TYPES]
            if not children:
                problems.append(f"components[{r}] is an empty action row")
            elif selects and len(children) > 1:
                problems.append(f"components[{r}]: a select menu must be alone in its row")
            elif len(children) > ROW_BUTTONS_MAX:
                problems.append(f"components[{r}] has {len(children)} buttons (max 5)")
    seen: set[str] = set()
    for i, item in enumerate(all_items):
        where = f"component #{i} (type {item.get('type')})"
        problems += _custom_id_problems(where, item.get("custom_id"), seen)
        if item.get("type") == BUTTON:
            problems += _check_button(item, where)
        elif item.get("type") in SELECT_TYPES:
            problems += _check_select(item, where)
    return problems


# --------------------------------------------------------------------------- messages


def check_message(
    payload: Mapping[str, Any], *, has_files: bool = False, creating: bool = True
) -> list[str]:
    """Limits of a message create (``creating``) or edit payload."""
    problems: list[str] = []
    content = payload.get("content")
    if isinstance(content, str) and len(content) > MESSAGE_CONTENT_MAX:
        problems.append(f"content is {len(content)} characters (max {MESSAGE_CONTENT_MAX})")
    embeds = payload.get("embeds") or []
    problems += check_embeds(embeds)
    flags = int(payload.get("flags") or 0)
    components = payload.get("components") or []
    problems += check_components(components, flags)
    if flags & IS_COMPONENTS_V2 and (content or embeds):
        problems.append("a components-v2 message cannot have content or embeds")
    if creating and not (
        content
        or embeds
        or components
        or has_files
        or payload.get("sticker_ids")
        or payload.get("poll")
    ):
        problems.append(EMPTY_MESSAGE_PROBLEM)
    return problems


# --------------------------------------------------------------------------- commands


def _check_name(where: str, name: Any, *, chat_input: bool) -> list[str]:
    if not isinstance(name, str):
        return [f"{where}: name missing"]
    if chat_input:
        if not COMMAND_NAME_RE.match(name):
            return [f"{where}: name {name!r} does not match ^[-_'\\p{{L}}\\p{{N}}]{{1,32}}$"]
        if name != name.lower():
            return [f"{where}: name {name!r} must be lowercase"]
        return []
    if not 1 <= len(name) <= 32:
        return [f"{where}: name {name!r} must be 1-32 characters"]
    return []


def _check_description(where: str, description: Any) -> list[str]:
    if not isinstance(description, str) or not 1 <= len(description) <= COMMAND_DESCRIPTION_MAX:
        length = len(description) if isinstance(description, str) else 0
        limit = COMMAND_DESCRIPTION_MAX
        return [f"{where}: description must be 1-{limit} characters (is {length})"]
    return []


def _check_localizations(where: str, owner: Mapping[str, Any], field: str, limit: int) -> list[str]:
    """``<field>_localizations``: Discord's locales only, each text within the field's limit."""
    mapping = owner.get(f"{field}_localizations")
    if mapping is None:
        return []
    if not isinstance(mapping, Mapping):
        return [f"{where}: {field}_localizations must be an object"]
    problems: list[str] = []
    for locale, text in mapping.items():
        if locale not in DISCORD_LOCALES:
            problems.append(f"{where}: {field}_localizations has unknown locale {locale!r}")
        if not isinstance(text, str) or not 1 <= len(text) <= limit:
            problems.append(
                f"{where}: {field}_localizations[{locale!r}] must be 1-{limit} characters"
            )
    return problems


def _longest(owner: Mapping[str, Any], field: str) -> int:
    """Discord counts the longest of a field's default and localisations toward a command's
    total."""
    texts = [str(owner.get(field) or "")]
    texts += [str(v) for v in (owner.get(f"{field}_localizations") or {}).values()]
    return max(len(t) for t in texts)


def _check_choices(where: str, option: Mapping[str, Any]) -> list[str]:
    choices = option.get("choices") or []
    problems: list[str] = []
    if len(choices) > COMMAND_CHOICES_MAX:
        problems.append(f"{where} has {len(choices)} choices (max {COMMAND_CHOICES_MAX})")
    if choices and option.get("autocomplete"):
        problems.append(f"{where}: choices and autocomplete are mutually exclusive")
    for i, choice in enumerate(choices):
        name = choice.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= CHOICE_NAME_MAX:
            problems.append(f"{where}.choices[{i}]: name must be 1-{CHOICE_NAME_MAX} characters")
        problems += _check_localizations(f"{where}.choices[{i}]", choice, "name", CHOICE_NAME_MAX)
        problems += _too_long(f"{where}.choices[{i}].value", choice.get("value"), 100)
    return problems


def _check_options(where: str, options: Sequence[Mapping[str, Any]], depth: int) -> list[str]:
    problems: list[str] = []
    if len(options) > COMMAND_OPTIONS_MAX:
        problems.append(f"{where} has {len(options)} options (max {COMMAND_OPTIONS_MAX})")
    names = [o.get("name") for o in options]
    duplicates = sorted({n for n in names if isinstance(n, str) and names.count(n) > 1})
    if duplicates:
        problems.append(f"{where}: duplicate option names {duplicates}")
    kinds = {o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in options}
    if len(kinds) > 1:
        problems.append(f"{where}: subcommands cannot be mixed with other options")
    seen_optional = False
    for option in options:
        name = option.get("name")
        here = f"{where} option {name!r}"
        problems += _check_name(here, name, chat_input=True)
        problems += _check_description(here, option.get("description"))
        problems += _check_localizations(here, option, "description", COMMAND_DESCRIPTION_MAX)
        kind = option.get("type")
        if kind == SUB_COMMAND_GROUP:
            if depth > 0:
                problems.append(f"{here}: a subcommand group can only be at the top level")
            problems += _check_options(here, option.get("options") or [], depth + 1)
        elif kind == SUB_COMMAND:
            if depth > 1:
                problems.append(f"{here}: nesting is limited to group -> subcommand")
            problems += _check_options(here, option.get("options") or [], 2)
        else:
            if option.get("required"):
                if seen_optional:
                    problems.append(f"{here}: required options must come before optional ones")
            else:
                seen_optional = True
            problems += _check_choices(here, option)
            if kind == STRING:
                low, high = option.get("min_length", 0), option.get("max_length", 6000)
                if not 0 <= low <= 6000 or not 1 <= high <= 6000:
                    problems.append(f"{here}: min_length/max_length out of 0-6000")
    return problems


def _command_chars(command: Mapping[str, Any]) -> int:
    total = _longest(command, "name") + _longest(command, "description")
    for option in command.get("options") or []:
        total += _command_chars(option)
    for choice in command.get("choices") or []:
        total += _longest(choice, "name") + len(str(choice.get("value") or ""))
    return total


def check_command(command: Mapping[str, Any]) -> list[str]:
    kind = command.get("type", 1)
    where = f"command {command.get('name')!r}"
    chat_input = kind == 1
    problems = _check_name(where, command.get("name"), chat_input=chat_input)
    if chat_input:
        problems += _check_description(where, command.get("description"))
        problems += _check_localizations(where, command, "description", COMMAND_DESCRIPTION_MAX)
        problems += _check_options(where, command.get("options") or [], 0)
        chars = _command_chars(command)
        if chars > COMMAND_TOTAL_CHARS_MAX:
            problems.append(f"{where} totals {chars} characters (max {COMMAND_TOTAL_CHARS_MAX})")
    elif command.get("description") or command.get("options"):
        problems.append(f"{where}: context menu commands take no description or options")
    return problems


def check_commands(commands: Sequence[Mapping[str, Any]]) -> list[str]:
    """Limits of a bulk overwrite (``PUT .../commands``)."""
    problems: list[str] = []
    for command in commands:
        problems += check_command(command)
    counts = {1: 0, 2: 0, 3: 0}
    seen: set[tuple[int, str]] = set()
    for command in commands:
        kind = int(command.get("type", 1))
        counts[kind] = counts.get(kind, 0) + 1
        key = (kind, str(command.get("name")))
        if key in seen:
            problems.append(f"duplicate command name {key[1]!r}")
        seen.add(key)
    if counts[1] > CHAT_INPUT_COMMANDS_MAX:
        problems.append(f"{counts[1]} slash commands (max {CHAT_INPUT_COMMANDS_MAX})")
    for kind, label in ((2, "user"), (3, "message")):
        if counts.get(kind, 0) > CONTEXT_MENU_COMMANDS_MAX:
            problems.append(
                f"{counts[kind]} {label} context commands (max {CONTEXT_MENU_COMMANDS_MAX})"
            )
    return problems


# --------------------------------------------------------------------------- modals, autocomplete


def _check_text_input(item: Mapping[str, Any], where: str, *, labelled: bool) -> list[str]:
    problems: list[str] = []
    if not labelled:
        label = item.get("label")
        if not isinstance(label, str) or not 1 <= len(label) <= TEXT_INPUT_LABEL_MAX:
            problems.append(f"{where}: label must be 1-{TEXT_INPUT_LABEL_MAX} characters")
    placeholder = item.get("placeholder")
    problems += _too_long(f"{where}.placeholder", placeholder, TEXT_INPUT_PLACEHOLDER_MAX)
    problems += _too_long(f"{where}.value", item.get("value"), TEXT_INPUT_VALUE_MAX)
    low, high = item.get("min_length", 0), item.get("max_length", TEXT_INPUT_VALUE_MAX)
    if not 0 <= low <= TEXT_INPUT_VALUE_MAX or not 1 <= high <= TEXT_INPUT_VALUE_MAX:
        problems.append(f"{where}: min_length/max_length out of range")
    if item.get("style") not in (1, 2):
        problems.append(f"{where}: style must be 1 (short) or 2 (paragraph)")
    return problems


def check_modal(modal: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    title = modal.get("title")
    if not isinstance(title, str) or not 1 <= len(title) <= MODAL_TITLE_MAX:
        length = len(title) if isinstance(title, str) else 0
        problems.append(f"modal title must be 1-{MODAL_TITLE_MAX} characters (is {length})")
    custom_id = modal.get("custom_id")
    if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= CUSTOM_ID_MAX:
        problems.append(f"modal custom_id must be 1-{CUSTOM_ID_MAX} characters")
    components = modal.get("components") or []
    if not 1 <= len(components) <= MODAL_COMPONENTS_MAX:
        problems.append(f"modal has {len(components)} components (1 to {MODAL_COMPONENTS_MAX})")
    seen: set[str] = set()
    for i, top in enumerate(components):
        where = f"modal.components[{i}]"
        if top.get("type") == LABEL:
            label = top.get("label")
            if not isinstance(label, str) or not 1 <= len(label) <= TEXT_INPUT_LABEL_MAX:
                problems.append(f"{where}: label must be 1-{TEXT_INPUT_LABEL_MAX} characters")
            problems += _too_long(f"{where}.description", top.get("description"), 100)
        for item in walk_components([top]):
            problems += _custom_id_problems(where, item.get("custom_id"), seen)
            if item.get("type") == TEXT_INPUT:
                problems += _check_text_input(item, where, labelled=top.get("type") == LABEL)
    return problems


def check_autocomplete(choices: Sequence[Mapping[str, Any]]) -> list[str]:
    problems: list[str] = []
    if len(choices) > AUTOCOMPLETE_CHOICES_MAX:
        problems.append(
            f"autocomplete returned {len(choices)} choices (max {AUTOCOMPLETE_CHOICES_MAX})"
        )
    for i, choice in enumerate(choices):
        name = choice.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= CHOICE_NAME_MAX:
            problems.append(f"autocomplete choice {i}: name must be 1-{CHOICE_NAME_MAX} characters")
        problems += _too_long(
            f"autocomplete choice {i} value", choice.get("value"), CHOICE_STRING_VALUE_MAX
        )
    return problems
