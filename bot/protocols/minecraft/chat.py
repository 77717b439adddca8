"""Chat components and ``§`` formatting codes → plain text.

A MOTD (``description``) is a plain string with ``§`` codes, a component object (``text``,
``translate`` + ``with``, ``extra``…) or a list of either. The vanilla renderer consumes ``§``
and the character after it whatever that character is (so ``§`` at the very end vanishes too);
we do the same, in every string of the tree. Translation tables are not ours to have: a
``translate`` renders its ``fallback`` when present, else the key itself, with ``%s`` and
``%1$s`` filled from ``with``.

Work is bounded by :data:`MAX_CHAT_DEPTH`, :data:`MAX_CHAT_NODES` and the output by
``max_chars``: a hostile tree gives clipped text, never an error or a long computation.
"""

from __future__ import annotations

import re
from typing import Any

FORMAT_CODE = re.compile("§.?", re.DOTALL)
# Deeper parts of a component tree are ignored.
MAX_CHAT_DEPTH = 32
# Components visited at most; the rest of the tree is ignored.
MAX_CHAT_NODES = 4096
# Arguments of one ``translate`` that are looked at.
MAX_TRANSLATE_ARGS = 32
DEFAULT_MAX_CHARS = 2048
_PLACEHOLDER = re.compile(r"%(?:(\d{1,2})\$)?([s%])")


def strip_codes(text: str) -> str:
    """``text`` without ``§x`` formatting codes."""
    return FORMAT_CODE.sub("", text) if "§" in text else text


def _scalar(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return None


class _Flattener:
    __slots__ = ("nodes", "out", "remaining")

    def __init__(self, max_chars: int) -> None:
        self.out: list[str] = []
        self.remaining = max_chars
        self.nodes = 0

    def emit(self, text: str) -> None:
        if self.remaining <= 0 or not text:
            return
        text = strip_codes(text)[: self.remaining]
        self.out.append(text)
        self.remaining -= len(text)

    def visit(self, node: Any, depth: int) -> None:
        self.nodes += 1
        if depth > MAX_CHAT_DEPTH or self.nodes > MAX_CHAT_NODES or self.remaining <= 0:
            return
        scalar = _scalar(node)
        if scalar is not None:
            self.emit(scalar)
        elif isinstance(node, list):
            for child in node:
                self.visit(child, depth + 1)
        elif isinstance(node, dict):
            self.visit_component(node, depth)

    def visit_component(self, node: dict[str, Any], depth: int) -> None:
        text = _scalar(node.get("text"))
        if text is not None:
            self.emit(text)
        elif isinstance(node.get("translate"), str):
            self.emit(self.translate(node, depth))
        elif isinstance(node.get("keybind"), str):
            self.emit(node["keybind"])
        extra = node.get("extra")
        if isinstance(extra, list):
            for child in extra:
                self.visit(child, depth + 1)

    def translate(self, node: dict[str, Any], depth: int) -> str:
        fallback = node.get("fallback")
        template: str = fallback if isinstance(fallback, str) else node["translate"]
        template = template[: self.remaining]
        arguments = node.get("with")
        rendered: list[str] = []
        if isinstance(arguments, list):
            # Each argument is flattened once, however often the template names it.
            for argument in arguments[:MAX_TRANSLATE_ARGS]:
                part = _Flattener(self.remaining)
                part.nodes = self.nodes
                part.visit(argument, depth + 1)
                self.nodes = part.nodes
                rendered.append("".join(part.out))
        # Built piece by piece within the budget: a template naming one long argument a thousand
        # times must not build a megabyte string first.
        pieces: list[str] = []
        budget = self.remaining
        sequential = 0
        position = 0
        for match in _PLACEHOLDER.finditer(template):
            literal = template[position : match.start()]
            position = match.end()
            if match.group(2) == "%":
                value = "%"
            else:
                if match.group(1):
                    index = int(match.group(1)) - 1
                else:
                    index, sequential = sequential, sequential + 1
                value = rendered[index] if 0 <= index < len(rendered) else ""
            for piece in (literal, value):
                pieces.append(piece[:budget])
                budget -= len(pieces[-1])
            if budget <= 0:
                return "".join(pieces)
        pieces.append(template[position:][:budget])
        return "".join(pieces)


def flatten(component: Any, *, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Plain text of a chat component tree (string, object or list), codes stripped, clipped."""
    flattener = _Flattener(max_chars)
    flattener.visit(component, 0)
    return "".join(flattener.out)
