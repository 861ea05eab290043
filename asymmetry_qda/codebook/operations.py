"""Changing a codebook: create, rename, move, merge, split and retire codes, as plain data.

Each operation takes a codebook's data (the dict a YAML codebook file holds: ``codebook``, ``context``,
``codes``) and returns a :class:`Change`: the new data and where every code went. Nothing here touches a
project; :mod:`asymmetry_qda.code_changes` applies a change to a project's codings in one transaction.

A code's id is a dotted path whose prefix is its parent, so renaming or moving a code renames its sub-codes
too. Everything that names a code follows it: the ``poles``, ``fits`` and ``implies`` of other codes. A
code's rules, examples and counter-examples stay with it, and on a merge the rules, examples and
counter-examples of the merged codes join the code they are merged into. Every operation refuses what
would leave the codebook inconsistent (an id that is taken, a code moved under itself, a retired code that
other codes still name) with an :class:`~asymmetry_qda.errors.InputError` that says how to fix it.

Examples
--------
>>> data = {"codebook": {"name": "D", "version": "1"},
...         "codes": [{"id": "blame", "label": "Blame", "definition": "Being blamed."},
...                   {"id": "blame.press", "label": "Press", "definition": "Blamed in the papers."}]}
>>> change = rename(data, "blame", "blamed")
>>> [c["id"] for c in change.data["codes"]], change.mapping
(['blamed', 'blamed.press'], {'blame': 'blamed', 'blame.press': 'blamed.press'})
>>> [c["id"] for c in data["codes"]]  # the data given is not changed
['blame', 'blame.press']
"""

from __future__ import annotations

import copy
import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import InputError, Problem
from .loader import ID_PATTERN

__all__ = ["OPERATIONS", "Change", "create", "diff", "in_vivo_id", "merge", "move", "rename", "retire", "split",
           "to_yaml"]

#: the operations a project's codebook records, in the order a user meets them
OPERATIONS: tuple[str, ...] = ("load", "create", "rename", "move", "merge", "split", "retire", "undo")


@dataclass(frozen=True)
class Change:
    """What one operation did to a codebook.

    Attributes
    ----------
    operation
        One of :data:`OPERATIONS`.
    data
        The codebook's new data.
    mapping
        ``{old code id: new code id}`` for every code whose codings go to another code (rename, move, merge).
    retired
        The codes removed whose codings are withdrawn (retire).
    created
        The codes added (create, split).
    detail
        The operation's arguments, as stored with the new version.
    """

    operation: str
    data: dict
    mapping: dict[str, str] = field(default_factory=dict)
    retired: tuple[str, ...] = ()
    created: tuple[str, ...] = ()
    detail: dict = field(default_factory=dict)


def _problem(what: str, message: str, fix: str) -> InputError:
    return InputError(Problem(what, message, fix=fix))


def _codes(data: dict) -> list[dict]:
    return data.setdefault("codes", [])


def _ids(data: dict) -> list[str]:
    return [c["id"] for c in _codes(data)]


def _index(data: dict, code_id: str, what: str = "code") -> int:
    ids = _ids(data)
    if code_id not in ids:
        near = difflib.get_close_matches(code_id, ids, n=3)
        fix = f"did you mean {', '.join(near)}?" if near else "name a code of the current codebook"
        raise _problem(what, f"{code_id!r} is not a code of the codebook", fix)
    return ids.index(code_id)


def _subtree(data: dict, code_id: str) -> list[str]:
    return [i for i in _ids(data) if i == code_id or i.startswith(code_id + ".")]


def _check_new_id(data: dict, new_id: str, what: str = "new code") -> None:
    if not isinstance(new_id, str) or not ID_PATTERN.match(new_id):
        raise _problem(what, f"{new_id!r} is not a code id (a dotted path of lower-case names)",
                       "use letters, digits and _ between dots, e.g. response.blame.press")
    if new_id in _ids(data):
        raise _problem(what, f"the code {new_id!r} already exists", "choose another id, or merge into it instead")
    parent = new_id.rsplit(".", 1)[0] if "." in new_id else None
    if parent is not None and parent not in _ids(data):
        raise _problem(what, f"the parent {parent!r} of {new_id!r} is not a code",
                       f"create {parent!r} first, or choose an id under an existing code")


def _rename_references(data: dict, mapping: dict[str, str]) -> None:
    """Make ``poles``, ``fits`` and ``implies`` name the codes' new ids (dropping a code's reference to itself)."""
    for code in _codes(data):
        if "poles" in code and isinstance(code["poles"], dict):
            code["poles"] = {side: mapping.get(ref, ref) for side, ref in code["poles"].items()}
        for key in ("fits", "implies"):
            if key in code:
                renamed = []
                for ref in code[key]:
                    ref = mapping.get(ref, ref)
                    if ref != code["id"] and ref not in renamed:
                        renamed.append(ref)
                if renamed:
                    code[key] = renamed
                else:
                    del code[key]


def _references_to(data: dict, code_ids: set[str]) -> list[str]:
    found = []
    for code in _codes(data):
        if code["id"] in code_ids:
            continue
        refs = [*(code.get("poles") or {}).values(), *code.get("fits", []), *code.get("implies", [])]
        found += [f"{code['id']} ({ref})" for ref in refs if ref in code_ids]
    return found


def _relabel(data: dict, mapping: dict[str, str]) -> None:
    for code in _codes(data):
        code["id"] = mapping.get(code["id"], code["id"])
    _rename_references(data, mapping)


def _reposition(data: dict, subtree: list[str], parent: str | None) -> None:
    """Put the codes of ``subtree`` (new ids) right after the last code under ``parent`` (at the end for None)."""
    codes = _codes(data)
    moving = [c for c in codes if c["id"] in subtree]
    rest = [c for c in codes if c["id"] not in subtree]
    at = len(rest)
    if parent is not None:
        under = [k for k, c in enumerate(rest) if c["id"] == parent or c["id"].startswith(parent + ".")]
        at = under[-1] + 1
    data["codes"] = rest[:at] + moving + rest[at:]


def rename(data: dict, code_id: str, new_id: str, *, label: str | None = None) -> Change:
    """Rename ``code_id`` to ``new_id`` under the same parent; its sub-codes are renamed with it.

    ``label`` also gives the code a new label. To put a code under another parent, use :func:`move`.
    """
    _index(data, code_id)
    parent = code_id.rsplit(".", 1)[0] if "." in code_id else None
    new_parent = new_id.rsplit(".", 1)[0] if isinstance(new_id, str) and "." in new_id else None
    if new_parent != parent:
        raise _problem("new code", f"{new_id!r} is not under {parent or 'the top level'}, as {code_id!r} is",
                       f"rename within the parent (e.g. {(parent + '.') if parent else ''}new_name), "
                       "and move the code to change its parent")
    _check_new_id(data, new_id)
    new = copy.deepcopy(data)
    mapping = {old: new_id + old[len(code_id):] for old in _subtree(new, code_id)}
    _relabel(new, mapping)
    if label is not None:
        new["codes"][_index(new, new_id)]["label"] = label
    return Change("rename", new, mapping=mapping, detail={"code": code_id, "new_code": new_id, "label": label,
                                                              "mapping": mapping})


def move(data: dict, code_id: str, parent: str | None) -> Change:
    """Put ``code_id`` (and its sub-codes) under ``parent`` (``None``: the top level), keeping its last name."""
    _index(data, code_id)
    if parent is not None:
        _index(data, parent, "parent")
        if parent == code_id or parent.startswith(code_id + "."):
            raise _problem("parent", f"{parent!r} is {code_id!r} or under it", "choose a parent outside the code")
    name = code_id.rsplit(".", 1)[-1]
    new_id = f"{parent}.{name}" if parent else name
    if new_id == code_id:
        raise _problem("parent", f"{code_id!r} is already under {parent or 'the top level'}", "choose another parent")
    _check_new_id(data, new_id)
    new = copy.deepcopy(data)
    mapping = {old: new_id + old[len(code_id):] for old in _subtree(new, code_id)}
    _relabel(new, mapping)
    _reposition(new, list(mapping.values()), parent)
    return Change("move", new, mapping=mapping, detail={"code": code_id, "parent": parent, "new_code": new_id,
                                                            "mapping": mapping})


def merge(data: dict, codes: Sequence[str], into: str) -> Change:
    """Merge ``codes`` into the code ``into``: their codings, rules, examples and counter-examples go to it.

    The merged codes leave the codebook; a code with sub-codes cannot be merged until they are moved or
    merged (so no coding is left under a code that no longer exists).
    """
    sources = [codes] if isinstance(codes, str) else list(dict.fromkeys(codes))
    if not sources:
        raise _problem("codes", "no code to merge", "name one code or more to merge")
    _index(data, into, "target code")
    for code_id in sources:
        _index(data, code_id)
        if code_id == into:
            raise _problem("codes", f"{code_id!r} is the code merged into", "leave it out of the codes to merge")
        under = [i for i in _subtree(data, code_id) if i != code_id]
        if under:
            raise _problem("codes", f"{code_id!r} has sub-codes ({', '.join(under)})",
                           "merge or move its sub-codes first")
        if into.startswith(code_id + "."):
            raise _problem("target code", f"{into!r} is under {code_id!r}", "merge the sub-code instead")
    mapping = {code_id: into for code_id in sources}
    for code in _codes(data):
        poles = code.get("poles") or {}
        if poles and len({mapping.get(ref, ref) for ref in poles.values()}) < len(poles):
            raise _problem("codes", f"merging would make {code['id']}'s heavy and light poles one code",
                           f"give {code['id']} other poles first, or merge other codes")
    new = copy.deepcopy(data)
    target = new["codes"][_index(new, into)]
    for code_id in sources:
        source = new["codes"][_index(new, code_id)]
        for key in ("rules", "examples", "counter_examples"):
            if source.get(key):
                target[key] = [*target.get(key, []), *[v for v in source[key] if v not in target.get(key, [])]]
        new["codes"] = [c for c in new["codes"] if c["id"] != code_id]
    _rename_references(new, mapping)
    return Change("merge", new, mapping=mapping, detail={"codes": sources, "into": into})


def create(data: dict, code_id: str, *, label: str, definition: str, **fields: Any) -> Change:
    """Add the code ``code_id`` (under its parent, after the parent's last sub-code) with its ``definition``.

    ``fields`` are other keys of a code (``include``, ``exclude``, ``examples``, ``colour``, ``memo``...).
    """
    _check_new_id(data, code_id)
    for name, value in (("label", label), ("definition", definition)):
        if not isinstance(value, str) or not value.strip():
            raise _problem(name, f"a new code needs a {name}", f"pass {name}='...' (what the code means)")
    new = copy.deepcopy(data)
    entry = {"id": code_id, "label": label, "definition": definition,
             **{k: v for k, v in fields.items() if v is not None}}
    _codes(new).append(entry)
    _reposition(new, [code_id], code_id.rsplit(".", 1)[0] if "." in code_id else None)
    return Change("create", new, created=(code_id,), detail={"code": code_id, "label": label})


def split(data: dict, code_id: str, new_id: str, *, label: str, definition: str, **fields: Any) -> Change:
    """Add ``new_id`` to take some of ``code_id``'s codings (which ones is the caller's to say).

    The new code is created as by :func:`create`; ``code_id`` keeps its rules.
    """
    _index(data, code_id)
    change = create(data, new_id, label=label, definition=definition, **fields)
    return Change("split", change.data, created=(new_id,),
                  detail={"code": code_id, "new_code": new_id, "label": label})


def retire(data: dict, code_id: str) -> Change:
    """Take ``code_id`` out of the codebook; its codings are withdrawn (kept in their history).

    A code with sub-codes, or one that other codes name in ``poles``, ``fits`` or ``implies``, cannot be
    retired until they no longer do.
    """
    _index(data, code_id)
    under = [i for i in _subtree(data, code_id) if i != code_id]
    if under:
        raise _problem("code", f"{code_id!r} has sub-codes ({', '.join(under)})", "retire or move them first")
    named = _references_to(data, {code_id})
    if named:
        raise _problem("code", f"{code_id!r} is named by {', '.join(named)}",
                       "remove those references (or merge the code instead)")
    new = copy.deepcopy(data)
    new["codes"] = [c for c in new["codes"] if c["id"] != code_id]
    return Change("retire", new, retired=(code_id,), detail={"code": code_id})


def in_vivo_id(words: str, parent: str | None = None) -> str:
    """A code id made of the participant's own words (an in-vivo code), under ``parent``.

    >>> in_vivo_id("Carrying the can!", parent="response.blame")
    'response.blame.carrying_the_can'
    """
    plain = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode().lower()
    name = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:60].strip("_")
    if not name:
        raise _problem("words", f"{words!r} holds no letters or digits to name a code", "select some words")
    if not name[0].isalpha():
        name = "v_" + name
    return f"{parent}.{name}" if parent else name


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml's emitter when PyYAML has it: 10x faster
    def ignore_aliases(self, data) -> bool:  # a codebook never holds anchors or aliases (its loader refuses them)
        return True


def _text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def to_yaml(data: dict) -> str:
    """The codebook ``data`` as YAML that :func:`~asymmetry_qda.codebook.parse_codebook` reads back the same.

    Keys keep their order; words YAML 1.1 would read as booleans (``on``, ``no``) are quoted.

    >>> print(to_yaml({"codebook": {"name": "D", "version": "1"},
    ...                "codes": [{"id": "a", "label": "A", "definition": "on"}]}), end="")
    codebook:
      name: D
      version: '1'
    codes:
    - id: a
      label: A
      definition: 'on'
    """
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


def diff(old: dict, new: dict, *, old_name: str = "before", new_name: str = "after") -> str:
    """A unified diff of two codebooks' data, both written by :func:`to_yaml` (so layout and comments of a
    hand-written file do not show as changes)."""
    return "".join(difflib.unified_diff(to_yaml(old).splitlines(keepends=True), to_yaml(new).splitlines(keepends=True),
                                        fromfile=old_name, tofile=new_name))
