"""YAML with line numbers: plain Python values plus the line of every key and item.

PyYAML's ``safe_load`` forgets where values came from and silently keeps the
last of two equal keys; it also reads ``on``, ``off``, ``yes`` and ``no`` as
booleans (YAML 1.1), which would turn the word "on" in a token pattern into
``True``. Here only ``true`` and ``false`` are booleans, as in YAML 1.2. This composes the node tree instead, builds
plain
dicts, lists and scalars from it, and records the 1-based line of each path
(``("codes", 3, "rules", 0, "tokens")``), so every validation message can say
where the problem is.

Hostile files are refused fast and in bounded memory, before anything is
built: anchors and aliases (``&name``, ``*name``, which let a few lines expand
into billions of values, or refer to themselves), nesting deeper than
:data:`MAX_DEPTH`, and tags no safe constructor knows (``!foo``) are each an
:class:`InputError` with the line.

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
    """Parse one YAML document. A syntax error is an :class:`InputError` with its line.

    Anchors and aliases, nesting deeper than :data:`MAX_DEPTH` and unknown tags
    are refused as well (see the module docstring).
    """
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except _Refused as exc:
            raise InputError(Problem(source, exc.message, line=exc.line, fix=exc.fix)) from None
        except yaml.YAMLError as exc:
            raise InputError(_syntax_problem(exc, source)) from None
        located = Located(None)
        if node is not None:
            try:
                located.value = _build(node, (), located, loader)
            except yaml.YAMLError as exc:  # a tag no safe constructor knows, such as !foo
                raise InputError(_syntax_problem(exc, source, fix="remove the tag: a codebook holds only text, "
                                                 "numbers, true/false, lists and mappings")) from None
        return located
    finally:
        loader.dispose()


def _syntax_problem(exc: yaml.YAMLError, source: str,
                    fix: str = "check the indentation and quoting on that line") -> Problem:
    """The :class:`Problem` for a PyYAML error, at the line it names."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None and (mark is None or context_mark.line != mark.line):
        problem += f" ({context} that starts on line {context_mark.line + 1})"
    return Problem(source, f"not valid YAML: {problem}", line=None if mark is None else mark.line + 1, fix=fix)


def _build(node: yaml.Node, path: Path, located: Located, loader: yaml.SafeLoader) -> Any:
    located.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True) if isinstance(key_node, yaml.ScalarNode) \
                else str(key_node)
            key_path = (*path, key)
            if key in result:
                located.duplicates.append((key_path, key_node.start_mark.line + 1))
            located.lines[key_path] = key_node.start_mark.line + 1
            result[key] = _build(value_node, key_path, located, loader)
            located.lines[key_path] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), located, loader) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


#: The deepest nesting of mappings and lists a codebook may have (a real one needs about 10).
MAX_DEPTH = 64


class _Refused(Exception):
    """YAML that is well-formed but not allowed in a codebook, found while composing."""

    def __init__(self, message: str, line: int, fix: str):
        super().__init__(message)
        self.message, self.line, self.fix = message, line, fix


class _Loader(yaml.SafeLoader):
    """SafeLoader whose booleans are only true/false (any case), as in YAML 1.2.

    It refuses anchors and aliases, and nesting deeper than :data:`MAX_DEPTH`,
    as soon as the parser reaches them: before any node is built, so refusing
    takes time and memory in proportion to the text read so far.
    """

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            kind = "an alias" if isinstance(event, yaml.AliasEvent) else "an anchor"
            sigil = "*" if isinstance(event, yaml.AliasEvent) else "&"
            raise _Refused(f"{kind} ({sigil}{event.anchor}): anchors and aliases are not allowed in a codebook",
                           event.start_mark.line + 1,
                           "write the values out in full where they are used, and remove every &name and *name "
                           "(quote a literal * or &, e.g. OP: '*')")
        if self._depth >= MAX_DEPTH:
            raise _Refused(f"the YAML is nested more than {MAX_DEPTH} levels deep", event.start_mark.line + 1,
                           "a codebook needs only a few levels of mappings and lists; remove the extra brackets")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


class _TrustedLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """libyaml's parser and composer (when PyYAML has them) with the booleans of :class:`_Loader`."""


_TrustedLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def load_trusted(text: str) -> Any:
    """The value of YAML this toolkit has already checked with :func:`load_located` (a codebook stored in a
    project), parsed by libyaml: about ten times faster, without the line numbers and the refusals that only
    an unchecked file needs. The values are the same as :func:`load_located` gives.
    """
    loader = _TrustedLoader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _build(node, (), Located(None), loader)
    finally:
        loader.dispose()
