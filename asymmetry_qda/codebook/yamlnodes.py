"""YAML with line numbers: plain Python values plus the line of every key and item.

PyYAML's ``safe_load`` forgets where values came from and silently keeps the
last of two equal keys; it also reads ``on``, ``off``, ``yes`` and ``no`` as
booleans (YAML 1.1), which would turn the word "on" in a token pattern into
``True``. Here only ``true`` and ``false`` are booleans, as in YAML 1.2. This composes the node tree instead, builds plain
dicts, lists and scalars from it, and records the 1-based line of each path
(``("codes", 3, "rules", 0, "tokens")``), so every validation message can say
where the problem is.

Examples
--------
>>> doc = load_located("codes:\\n  - id: a\\n    label: A\\n", source="cb.yaml")
>>> doc.value["codes"][0]["label"], doc.line(("codes", 0, "label"))
('A', 3)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import InputError, Problem

Path = tuple[str | int, ...]


@dataclass
class Located:
    """A YAML document's value and the line of each path in it."""

    value: Any
    lines: dict[Path, int] = field(default_factory=dict)
    duplicates: list[tuple[Path, int]] = field(default_factory=list)

    def line(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def load_located(text: str, *, source: str) -> Located:
    """Parse one YAML document. A syntax error is an :class:`InputError` with its line."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and context_mark is not None and (mark is None or context_mark.line != mark.line):
            problem += f" ({context} that starts on line {context_mark.line + 1})"
        raise InputError(Problem(source, f"not valid YAML: {problem}",
                                 line=None if mark is None else mark.line + 1,
                                 fix="check the indentation and quoting on that line")) from None
    located = Located(None)
    if node is not None:
        located.value = _build(node, (), located)
    return located


def _build(node: yaml.Node, path: Path, located: Located) -> Any:
    located.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _LOADER.construct_object(key_node, deep=True) if isinstance(key_node, yaml.ScalarNode) \
                else str(key_node)
            key_path = (*path, key)
            if key in result:
                located.duplicates.append((key_path, key_node.start_mark.line + 1))
            located.lines[key_path] = key_node.start_mark.line + 1
            result[key] = _build(value_node, key_path, located)
            located.lines[key_path] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), located) for i, item in enumerate(node.value)]
    return _LOADER.construct_object(node, deep=True)


class _Loader(yaml.SafeLoader):
    """SafeLoader whose booleans are only true/false (any case), as in YAML 1.2."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))

_LOADER = _Loader("")
