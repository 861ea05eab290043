"""Loading and validating a YAML codebook: every problem reported at once, each with its line.

The file has three top-level sections::

    codebook:                  # about the codebook
      name: Asymmetries of leadership
      version: 1.0.0
      description: ...
    context:                   # triggers for negated / hypothetical / reported talk
      - {id: neg.forward, category: negated, direction: forward, max_scope: 6,
         terms: [not, never, nobody]}
    codes:                     # codes in display order; ids are dotted paths
      - id: agency
        label: Asymmetry of agency
        definition: ...
        poles: {heavy: agency.responsibility, light: agency.control}
      - id: agency.responsibility
        ...
        rules:
          - {id: agency.responsibility.watch, phrase: ["on my watch"]}
          - {id: agency.responsibility.door, tokens: [{LEMMA: land}, {LOWER: at}, {LOWER: my}, {LOWER: door}]}

See the README's codebook section for every key.

Examples
--------
>>> cb = parse_codebook('''
... codebook: {name: Demo, version: "1"}
... codes:
...   - {id: blame, label: Blame, definition: Being held to account after the event.,
...      rules: [{id: blame.dry, phrase: [hung out to dry]}]}
... ''', source="demo.yaml")
>>> cb["blame"].rules[0].pattern
('hung out to dry',)
>>> len(cb.content_hash)
64
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..textio import decode_text
from .model import (
    CATEGORY_ALIASES,
    CONTEXT_CATEGORIES,
    DIRECTIONS,
    RULE_KINDS,
    SPEAKERS,
    Code,
    Codebook,
    ContextTrigger,
    Poles,
    Rule,
)
from .yamlnodes import Located, load_located

TOP_KEYS = ("codebook", "context", "codes")
HEADER_KEYS = ("name", "version", "description", "authors")
CODE_KEYS = ("id", "label", "definition", "include", "exclude", "examples", "counter_examples", "colour",
             "rules", "suppress_negated", "speakers", "poles", "fits", "memo", "implies")
RULE_KEYS = ("id", *RULE_KINDS, "weight", "match", "note", "suppress_negated")
CONTEXT_KEYS = ("id", "category", "direction", "terms", "tokens", "max_scope")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$")
RULE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
COLOUR_PATTERN = re.compile(r"^#[0-9A-Fa-f]{6}$")
_SUGGEST = {"color": "colour", "counterexamples": "counter_examples", "counter-examples": "counter_examples",
            "inclusion": "include", "exclusion": "exclude", "example": "examples", "rule": "rules",
            "pattern": "tokens", "patterns": "tokens", "phrases": "phrase", "regex": "tokens (with REGEX)",
            "description": "definition", "name": "label", "title": "label"}


def load_codebook(path: str | Path) -> Codebook:
    """Load and validate a YAML codebook file.

    Raises :class:`~asymmetry_qda.errors.InputError` listing every problem,
    each with the file and line, what is allowed, and how to fix it.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(Problem(str(path), "no codebook file there", fix="check the path"))
    text = decode_text(path.read_bytes(), source=path.name).text
    return parse_codebook(text, source=path.name)


def parse_codebook(text: str, *, source: str = "<codebook>") -> Codebook:
    """Validate codebook YAML given as text (see :func:`load_codebook`)."""
    doc = load_located(text, source=source)
    checker = _Checker(doc, source)
    codebook = checker.codebook(text)
    if checker.problems:
        raise InputError(sorted(checker.problems, key=lambda p: (p.line or 0)))
    return codebook


def codebook_from_data(data: dict, *, text: str, source: str = "<codebook>", patterns_checked: bool = False
                       ) -> Codebook:
    """Validate a codebook's data (as a YAML codebook file holds it) whose YAML is ``text``, without parsing
    ``text`` again: what a code operation writes (see :mod:`asymmetry_qda.codebook.operations`). Problems are
    reported as :func:`parse_codebook` reports them, without line numbers.

    ``patterns_checked=True`` skips checking the rules' patterns with spaCy (which imports spaCy, a second or
    more, and is most of the check), for a codebook whose patterns were checked before: one read back from
    the project that stored it after checking it whole."""
    checker = _Checker(Located(data), source, patterns_checked=patterns_checked)
    codebook = checker.codebook(text)
    if checker.problems:
        raise InputError(checker.problems)
    return codebook


def content_hash(text: str) -> str:
    """SHA-256 of the codebook text with line endings normalised: the codebook's identity in a project."""
    return hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()


class _Checker:
    def __init__(self, doc: Located, source: str, *, patterns_checked: bool = False):
        self.doc = doc
        self.source = source
        self.patterns_checked = patterns_checked
        self.problems: list[Problem] = []
        for path, line in doc.duplicates:
            self.problem(path, f"the key {path[-1]!r} appears twice in one mapping", "keep one of them", line=line)

    # -- reporting -------------------------------------------------------
    def problem(self, path, message: str, fix: str | None = None, *, line: int | None = None) -> None:
        where = _describe(path)
        self.problems.append(Problem(self.source, f"{where}: {message}" if where else message, fix=fix,
                                     line=line if line is not None else self.doc.line(tuple(path))))

    def mapping(self, value: Any, path, allowed: tuple[str, ...], what: str) -> dict:
        if not isinstance(value, dict):
            self.problem(path, f"{what} must be a mapping (key: value), not {_type(value)}")
            return {}
        for key in value:
            if key not in allowed:
                hint = f" (did you mean {_SUGGEST[key]!r}?)" if key in _SUGGEST else ""
                self.problem((*path, key), f"unknown key {key!r}{hint}", f"allowed keys: {', '.join(allowed)}")
        return value

    def string(self, value: Any, path, *, required: bool = False, what: str = "value") -> str | None:
        if value is None:
            if required:
                self.problem(path, f"{what} is required", f"add {path[-1]}: <text>")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(path, f"{what} must be text, not {_type(value)}", "quote it or write plain text")
            return None
        text = str(value).strip()
        if required and not text:
            self.problem(path, f"{what} is empty", f"write the {path[-1]}")
            return None
        return text

    def strings(self, value: Any, path, what: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(path, f"{what} must be a list of texts, not {_type(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            text = self.string(item, (*path, i), what=f"{what} item")
            if text:
                out.append(text)
            elif text == "":
                self.problem((*path, i), f"{what} item is empty", "remove it")
        return tuple(out)

    # -- sections --------------------------------------------------------
    def codebook(self, text: str) -> Codebook:
        root = self.mapping(self.doc.value if self.doc.value is not None else {}, (), TOP_KEYS, "the codebook file")
        header = self.mapping(root.get("codebook", {}), ("codebook",), HEADER_KEYS, "the codebook section")
        if "codebook" not in root:
            self.problem((), "the 'codebook' section (name, version) is missing",
                         "start the file with codebook: {name: ..., version: ...}", line=1)
        name = self.string(header.get("name"), ("codebook", "name"), required="codebook" in root, what="name") or ""
        version = self.string(header.get("version"), ("codebook", "version"), required="codebook" in root,
                              what="version") or ""
        description = self.string(header.get("description"), ("codebook", "description"), what="description")
        authors = self.strings(header.get("authors"), ("codebook", "authors"), "authors")
        context = self.context(root.get("context"))
        codes = self.codes(root.get("codes"))
        return Codebook(name=name, version=version, codes=tuple(codes), context=tuple(context),
                        description=description, authors=authors, content=text, content_hash=content_hash(text),
                        source=self.source)

    def context(self, value: Any) -> list[ContextTrigger]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(("context",), f"context must be a list of triggers, not {_type(value)}")
            return []
        triggers, seen = [], {}
        for i, raw in enumerate(value):
            path = ("context", i)
            item = self.mapping(raw, path, CONTEXT_KEYS, "a context trigger")
            if not item:
                continue
            trigger_id = self.string(item.get("id"), (*path, "id"), required=True, what="trigger id")
            if trigger_id in seen:
                self.problem((*path, "id"), f"duplicate trigger id {trigger_id!r} (first on line {seen[trigger_id]})",
                             "give each trigger its own id")
            elif trigger_id:
                seen[trigger_id] = self.doc.line((*path, "id"))
            category = CATEGORY_ALIASES.get(item.get("category"), item.get("category"))
            if category not in CONTEXT_CATEGORIES:
                self.problem((*path, "category"), f"category {category!r} is not one of "
                             f"{', '.join(CONTEXT_CATEGORIES)}", "use one of those")
            direction = item.get("direction")
            if direction not in DIRECTIONS:
                self.problem((*path, "direction"), f"direction {direction!r} is not one of {', '.join(DIRECTIONS)}",
                             "use one of those")
            terms = self.strings(item.get("terms"), (*path, "terms"), "terms")
            tokens = item.get("tokens")
            if tokens is not None:
                self.token_pattern(tokens, (*path, "tokens"), trigger_id or f"context[{i}]")
            if not terms and tokens is None:
                self.problem(path, "a trigger needs terms (a list of words or phrases) or tokens (a token pattern)",
                             "add terms: [...]")
            if terms and tokens is not None:
                self.problem(path, "a trigger has either terms or tokens, not both", "split it into two triggers")
            max_scope = item.get("max_scope")
            if max_scope is not None and (isinstance(max_scope, bool) or not isinstance(max_scope, int)
                                          or max_scope < 1):
                self.problem((*path, "max_scope"), f"max_scope must be a whole number of tokens >= 1, not "
                             f"{max_scope!r}", "write e.g. max_scope: 6")
                max_scope = None
            if trigger_id and category in CONTEXT_CATEGORIES and direction in DIRECTIONS:
                triggers.append(ContextTrigger(trigger_id, category, direction, terms,
                                               tokens if isinstance(tokens, list) else None, max_scope))
        return triggers

    def codes(self, value: Any) -> list[Code]:
        if value is None:
            self.problem((), "the 'codes' section is missing", "add codes: with at least one code", line=1)
            return []
        if not isinstance(value, list):
            self.problem(("codes",), f"codes must be a list of codes, not {_type(value)}")
            return []
        codes: list[Code] = []
        first_line: dict[str, int | None] = {}
        rule_lines: dict[str, int | None] = {}
        pending_refs: list[tuple[tuple, str, str]] = []  # (path, referenced id, role)
        for i, raw in enumerate(value):
            path = ("codes", i)
            item = self.mapping(raw, path, CODE_KEYS, "a code")
            if not item:
                continue
            code_id = self.string(item.get("id"), (*path, "id"), required=True, what="id")
            if code_id is None:
                continue
            if not ID_PATTERN.match(code_id):
                self.problem((*path, "id"), f"id {code_id!r} is not a dotted path of lower-case names",
                             "use letters, digits and _ between dots, e.g. agency.responsibility")
            if code_id in first_line:
                self.problem((*path, "id"), f"duplicate code id {code_id!r} (first on line {first_line[code_id]})",
                             "give each code its own id")
                continue
            first_line[code_id] = self.doc.line((*path, "id"))
            code = self.code(item, path, code_id, rule_lines, pending_refs)
            if code is not None:
                codes.append(code)
        ids = set(first_line)
        for code in codes:
            if code.parent_id is not None and code.parent_id not in ids:
                index = next(i for i, raw in enumerate(value) if isinstance(raw, dict) and raw.get("id") == code.id)
                self.problem(("codes", index, "id"), f"the parent {code.parent_id!r} of {code.id!r} is not a code",
                             f"add a code with id {code.parent_id!r} or fix the id")
        for path, ref, role in pending_refs:
            if ref not in ids:
                self.problem(path, f"{role} {ref!r} is not a code in this codebook", "name an existing code id")
        for i, code in enumerate(codes):
            if code.poles is not None:
                index = next(k for k, raw in enumerate(value) if isinstance(raw, dict) and raw.get("id") == code.id)
                for side in ("heavy", "light"):
                    ref = getattr(code.poles, side)
                    if ref in ids and ref.rsplit(".", 1)[0] != code.id:
                        self.problem(("codes", index, "poles", side), f"the {side} pole {ref!r} is not a child "
                                     f"of {code.id!r}", f"name a direct child such as {code.id}.<name>")
        return codes

    def code(self, item: dict, path, code_id: str, rule_lines: dict, pending_refs: list) -> Code | None:
        label = self.string(item.get("label"), (*path, "label"), required=True, what="label")
        definition = self.string(item.get("definition"), (*path, "definition"), required=True, what="definition")
        include = self.string(item.get("include"), (*path, "include"), what="include")
        exclude = self.string(item.get("exclude"), (*path, "exclude"), what="exclude")
        memo = self.string(item.get("memo"), (*path, "memo"), what="memo")
        examples = self.strings(item.get("examples"), (*path, "examples"), "examples")
        counter = self.strings(item.get("counter_examples"), (*path, "counter_examples"), "counter_examples")
        colour = item.get("colour")
        if colour is not None and (not isinstance(colour, str) or not COLOUR_PATTERN.match(colour)):
            self.problem((*path, "colour"), f"colour {colour!r} is not #RRGGBB", "write e.g. colour: '#1F77B4' "
                         "(quoted, since # starts a YAML comment)")
            colour = None
        suppress = item.get("suppress_negated", True)
        if not isinstance(suppress, bool):
            self.problem((*path, "suppress_negated"), f"suppress_negated must be true or false, not {suppress!r}",
                         "write true or false")
            suppress = True
        speakers = item.get("speakers", "participants")
        if speakers not in SPEAKERS:
            self.problem((*path, "speakers"), f"speakers {speakers!r} is not one of {', '.join(SPEAKERS)}",
                         "use one of those")
            speakers = "participants"
        poles = None
        if "poles" in item:
            raw = self.mapping(item["poles"], (*path, "poles"), ("heavy", "light"), "poles")
            heavy = self.string(raw.get("heavy"), (*path, "poles", "heavy"), required=True, what="heavy pole")
            light = self.string(raw.get("light"), (*path, "poles", "light"), required=True, what="light pole")
            if heavy and light:
                if heavy == light:
                    self.problem((*path, "poles"), "the heavy and light poles are the same code",
                                 "name two different child codes")
                poles = Poles(heavy, light)
                pending_refs.append(((*path, "poles", "heavy"), heavy, "the heavy pole"))
                pending_refs.append(((*path, "poles", "light"), light, "the light pole"))
        fits = self.strings(item.get("fits"), (*path, "fits"), "fits")
        for k, ref in enumerate(fits):
            pending_refs.append(((*path, "fits", k), ref, "fits"))
        implies = self.strings(item.get("implies"), (*path, "implies"), "implies")
        for k, ref in enumerate(implies):
            if ref == code_id or ref.startswith(code_id + ".") or code_id.startswith(ref + "."):
                self.problem((*path, "implies", k), f"{code_id!r} cannot imply {ref!r}: a code already counts for "
                             "its ancestors, and a descendant would be implied by its own parent",
                             "name a code in another branch of the codebook")
            else:
                pending_refs.append(((*path, "implies", k), ref, "implies"))
        rules = self.rules(item.get("rules"), (*path, "rules"), code_id, rule_lines)
        if label is None or definition is None:
            return None
        return Code(id=code_id, label=label, definition=definition, include=include, exclude=exclude,
                    examples=examples, counter_examples=counter, colour=colour.upper() if colour else None,
                    rules=tuple(rules), suppress_negated=suppress, speakers=speakers, poles=poles, fits=fits, memo=memo,
                    implies=implies)

    def rules(self, value: Any, path, code_id: str, rule_lines: dict) -> list[Rule]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, f"rules must be a list of rules, not {_type(value)}")
            return []
        rules = []
        for i, raw in enumerate(value):
            rpath = (*path, i)
            item = self.mapping(raw, rpath, RULE_KEYS, "a rule")
            if not item:
                continue
            rule_id = self.string(item.get("id"), (*rpath, "id"), required=True, what="rule id")
            if rule_id and not RULE_ID_PATTERN.match(rule_id):
                self.problem((*rpath, "id"), f"rule id {rule_id!r} has spaces or symbols",
                             "use letters, digits, '.', '_' and '-'")
            if rule_id in rule_lines:
                self.problem((*rpath, "id"), f"duplicate rule id {rule_id!r} (first on line {rule_lines[rule_id]})",
                             "give each rule its own id: it appears in every suggestion the rule makes")
                rule_id = None
            elif rule_id:
                rule_lines[rule_id] = self.doc.line((*rpath, "id"))
            kinds = [k for k in RULE_KINDS if k in item]
            if len(kinds) != 1:
                self.problem(rpath, "a rule has no kind" if not kinds
                             else f"a rule has several kinds ({', '.join(kinds)})",
                             f"give exactly one of {', '.join(RULE_KINDS)}")
                continue
            kind = kinds[0]
            weight = item.get("weight", 1.0)
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 < weight <= 1:
                self.problem((*rpath, "weight"), f"weight must be a number in (0, 1], not {weight!r}",
                             "write e.g. weight: 0.5")
                weight = 1.0
            match = item.get("match", "lower")
            if match not in ("lower", "lemma"):
                self.problem((*rpath, "match"), f"match {match!r} is not lower or lemma", "write lower or lemma")
                match = "lower"
            if "match" in item and kind != "phrase":
                self.problem((*rpath, "match"), "match applies to phrase rules only",
                             "use LOWER or LEMMA inside the token pattern instead")
            note = self.string(item.get("note"), (*rpath, "note"), what="note")
            suppress = item.get("suppress_negated")
            if suppress is not None and not isinstance(suppress, bool):
                self.problem((*rpath, "suppress_negated"), f"suppress_negated must be true or false, not {suppress!r}",
                             "write true or false, or leave it out to follow the code's setting")
                suppress = None
            label = rule_id or f"{code_id} rule {i + 1}"
            if kind == "phrase":
                pattern = self.strings(item["phrase"], (*rpath, "phrase"), "phrase")
                if not pattern:
                    self.problem((*rpath, "phrase"), "a phrase rule needs at least one phrase", "add phrases")
                    continue
            elif kind == "tokens":
                pattern = item["tokens"]
                if not self.token_pattern(pattern, (*rpath, "tokens"), label):
                    continue
            else:
                pattern = item["dependency"]
                if not self.dependency_pattern(pattern, (*rpath, "dependency"), label):
                    continue
            if rule_id:
                rules.append(Rule(rule_id, code_id, kind, pattern, float(weight), match, note, suppress))
        return rules

    def token_pattern(self, pattern: Any, path, label: str) -> bool:
        return self._pattern_check(pattern, path, label, dependency=False)

    def dependency_pattern(self, pattern: Any, path, label: str) -> bool:
        return self._pattern_check(pattern, path, label, dependency=True)

    def _pattern_check(self, pattern: Any, path, label: str, *, dependency: bool) -> bool:
        """Report every problem of one pattern (spaCy's, the size limits, each REGEX); true if there are none."""
        if self.patterns_checked:
            return True
        from .patterns import check_pattern

        what = "dependency" if dependency else "token"
        problems = check_pattern(pattern, dependency=dependency)
        for problem in problems:
            message = f" rejected by spaCy: {problem.message}" if problem.by_spacy else f": {problem.message}"
            self.problem((*path, *problem.path), f"{what} pattern of rule {label!r}{message}", problem.fix)
        return not problems


def _describe(path) -> str:
    if not path:
        return ""
    parts = []
    for p in path:
        parts.append(f"[{p}]" if isinstance(p, int) else (f".{p}" if parts else str(p)))
    return "".join(parts)


def _type(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number", type(None): "empty"}.get(type(value), type(value).__name__)
