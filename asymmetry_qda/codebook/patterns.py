"""Checking token and dependency patterns: spaCy's own validation, and limits that keep matching fast.

A pattern is handed to a spaCy ``Matcher`` or ``DependencyMatcher`` built with
``validate=True`` on a blank English vocabulary; whatever spaCy rejects is
turned into (path inside the pattern, message) pairs so the codebook loader can
point at the line of the offending key.

spaCy accepts patterns that cost far too much to run, so :func:`check_pattern`
also refuses, before spaCy sees the pattern:

* more than :data:`MAX_PATTERN_TOKENS` tokens (a ``{n,m}`` operator counts
  ``m``) or dependency nodes, more than :data:`MAX_WILDCARDS` unbounded
  operators (``*``, ``+``, ``{n,}``) and more than :data:`MAX_OPTIONAL_STEPS`
  optional steps (``?``, ``{n,m}``) in one pattern: the matcher's states grow
  combinatorially with them;
* a ``REGEX`` (anywhere: on any attribute, inside ``IN`` or ``NOT_IN``, on an
  extension attribute) that does not compile, or that can take exponential or
  high polynomial time on a long word (:func:`regex_risk`).

Examples
--------
>>> check_token_pattern([{"LEMMA": "land"}, {"LOWERR": "on"}])
[((1, 'LOWERR'), 'Extra inputs are not permitted')]
>>> check_token_pattern([{"LEMMA": "land"}, {"LOWER": "on"}])
[]
>>> [(p.path, p.message) for p in check_pattern([{"TEXT": {"REGEX": "^(a+)+$"}}])]  # doctest: +ELLIPSIS
[((0, 'TEXT', 'REGEX'), "REGEX '^(a+)+$' can take exponential time on a long word: a repetition ...")]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .regex_safety import MAX_AMBIGUOUS_REPEATS, MAX_AMBIGUOUS_WAYS, regex_risk  # noqa: F401 - importable from here

_ERROR_LINE = re.compile(r"^- \[pattern -> (?P<path>[^\]]*)\] (?P<message>.*)$")

#: The most tokens one token pattern may span (a ``{n,m}`` operator counts ``m``), and the most nodes of a
#: dependency pattern. The study codebook's longest token pattern spans 21, its largest dependency pattern has 4.
MAX_PATTERN_TOKENS = 64
#: The most unbounded operators (``*``, ``+``, ``{n,}``) in one token pattern. The study codebook uses at most 2;
#: spaCy's matcher keeps a state for every way of sharing the tokens among them (4 in a row on a 100-token
#: sentence: 0.3 s for each time the rule's first word occurs; 6 on 50 tokens: 1.4 s and 1 GB).
MAX_WILDCARDS = 4
#: The most optional steps in one token pattern (``?`` counts 1, ``{n,m}`` counts m - n). spaCy's matcher keeps
#: every way through them, so the work doubles with each: 20 cost 0.13 s and 200 MB for each time the rule's
#: first word occurs, 24 cost 1.7 s, 40 exhausted 6 GB. The study codebook uses at most 18 (one ``{0,18}``).
MAX_OPTIONAL_STEPS = 20
#: The longest REGEX (in characters) checked and allowed; a list of words belongs in an ``IN`` list.
MAX_REGEX_LENGTH = 1000

_SPACY_FIX = "see https://spacy.io/usage/rule-based-matching for the pattern syntax"


@dataclass(frozen=True, slots=True)
class PatternProblem:
    """One thing wrong with a pattern: where in the pattern, what, and how to fix it.

    ``by_spacy`` is true for problems spaCy's own validation found (the syntax
    of the pattern), false for the limits this module adds.
    """

    path: tuple
    message: str
    fix: str
    by_spacy: bool = False


def check_pattern(pattern: Any, *, dependency: bool = False) -> list[PatternProblem]:
    """Every problem of one token (or, with ``dependency``, dependency) pattern: limits, REGEX values, spaCy.

    A pattern over the size limits is not handed to spaCy, whose validation
    would itself build every one of its ``{n,m}`` steps.
    """
    shape = _shape(pattern)
    if shape:
        return [PatternProblem(path, message, _SPACY_FIX, by_spacy=True) for path, message in shape]
    limits = _limits(pattern, dependency)
    problems = limits + _regex_problems(pattern, dependency)
    if not limits:
        spacy = check_dependency_pattern(pattern) if dependency else check_token_pattern(pattern)
        problems += [PatternProblem(path, message, _SPACY_FIX, by_spacy=True) for path, message in spacy]
    return problems


def check_pattern_safety(pattern: Any, *, dependency: bool = False) -> list[PatternProblem]:
    """The size limits and REGEX checks of :func:`check_pattern`, without spaCy's validation (cheap)."""
    if _shape(pattern):
        return []  # not a pattern at all: spaCy's validation says so
    return _limits(pattern, dependency) + _regex_problems(pattern, dependency)


def _limits(pattern: list[dict], dependency: bool) -> list[PatternProblem]:
    return _dependency_limits(pattern) if dependency else _token_limits(pattern)


def _regex_problems(pattern: list[dict], dependency: bool) -> list[PatternProblem]:
    if dependency:
        return [problem for i, node in enumerate(pattern)
                for problem in _check_regexes(node.get("RIGHT_ATTRS"), (i, "RIGHT_ATTRS"))]
    return [problem for i, spec in enumerate(pattern) for problem in _check_regexes(spec, (i,))]


def check_token_pattern(pattern: Any) -> list[tuple[tuple, str]]:
    """Problems spaCy finds in one Matcher token pattern (an empty list when it is valid).

    REGEX values are not compiled here (:func:`check_pattern` does that): a
    placeholder stands in for each, so a bad one cannot hide the other problems.
    """
    from spacy.errors import MatchPatternError
    from spacy.matcher import Matcher

    shape = _shape(pattern)
    if shape:
        return shape
    try:
        Matcher(_vocab(), validate=True).add("check", [_without_regexes(pattern)])
    except MatchPatternError as exc:
        return _parse_match_errors(str(exc)) or [((), str(exc))]
    except (ValueError, TypeError, KeyError) as exc:
        return [((), _first_line(exc))]
    return []


def check_dependency_pattern(pattern: Any) -> list[tuple[tuple, str]]:
    """Problems spaCy finds in one DependencyMatcher pattern (REGEX values as in :func:`check_token_pattern`)."""
    from spacy.errors import MatchPatternError
    from spacy.matcher import DependencyMatcher

    shape = _shape(pattern)
    if shape:
        return shape
    for i, node in enumerate(pattern):
        if "RIGHT_ID" not in node or "RIGHT_ATTRS" not in node:
            return [((i,), "every node needs RIGHT_ID and RIGHT_ATTRS")]
    try:
        DependencyMatcher(_vocab(), validate=True).add("check", [_without_regexes(pattern)])
    except MatchPatternError as exc:
        errors = _parse_match_errors(str(exc))
        return [(((), message)) for _, message in errors] or [((), _first_line(exc))]
    except (ValueError, TypeError, KeyError) as exc:
        return [((), _first_line(exc))]
    return []


@lru_cache(maxsize=1)
def _vocab():
    from ..pipelines import BLANK, load

    return load(BLANK).vocab


def _shape(pattern: Any) -> list[tuple[tuple, str]]:
    if not isinstance(pattern, list) or not pattern:
        return [((), "a pattern is a non-empty list of token descriptions (mappings)")]
    for i, token in enumerate(pattern):
        if not isinstance(token, dict):
            return [((i,), f"item {i} must be a mapping such as {{LOWER: word}}, not {type(token).__name__}")]
    return []


# -- size limits -------------------------------------------------------------
_MIN_MAX = re.compile(r"\{(\d*)(,?)(\d*)\}")


def _op_cost(op: Any) -> tuple[int, int, bool]:
    """What one spec with this ``OP`` costs: tokens it can span (``{n,m}``: m), optional steps, whether unbounded.

    >>> _op_cost(None), _op_cost("?"), _op_cost("{1,4}"), _op_cost("*"), _op_cost("{2,}")
    ((1, 0, False), (1, 1, False), (4, 3, False), (1, 0, True), (2, 0, True))
    """
    if op in ("*", "+"):
        return 1, 0, True
    if op == "?":
        return 1, 1, False
    if isinstance(op, str) and (m := _MIN_MAX.fullmatch(op)):
        low, comma, high = m.groups()
        low_n = int(low or 0)
        if comma and not high:
            return max(low_n, 1), 0, True
        high_n = int(high or low or 0)
        return high_n, max(high_n - low_n, 0), False
    return 1, 0, False  # no OP, "!", "1" (and anything spaCy will reject)


def _op(spec: dict) -> Any:
    """A token spec's ``OP``; spaCy also accepts the key in lower case."""
    return next((value for key, value in spec.items() if isinstance(key, str) and key.upper() == "OP"), None)


def _token_limits(pattern: list[dict]) -> list[PatternProblem]:
    costs = [_op_cost(_op(spec)) for spec in pattern]
    span = sum(width for width, _, _ in costs)
    optional = sum(steps for _, steps, _ in costs)
    wildcards = sum(unbounded for _, _, unbounded in costs)
    problems = []
    if span > MAX_PATTERN_TOKENS:
        problems.append(PatternProblem(
            (), f"the pattern spans up to {span} tokens (a {{n,m}} operator counts m); at most "
            f"{MAX_PATTERN_TOKENS} are allowed", "split the rule into shorter rules, or use smaller {n,m} bounds"))
    if wildcards > MAX_WILDCARDS:
        problems.append(PatternProblem(
            (), f"the pattern has {wildcards} unbounded operators (*, + or {{n,}}); at most {MAX_WILDCARDS} are "
            "allowed, since each one multiplies the work of matching", "keep the one or two that matter, give the "
            "others a small bound such as OP: '{0,3}', or split the rule into shorter rules"))
    if optional > MAX_OPTIONAL_STEPS:
        problems.append(PatternProblem(
            (), f"the pattern has {optional} optional steps (? counts 1, {{n,m}} counts m - n); at most "
            f"{MAX_OPTIONAL_STEPS} are allowed, since each one doubles the work of matching",
            "use OP: '*' for a long gap (the tagger keeps it within one sentence) instead of a large {0,m}, or "
            "split the rule"))
    return problems


def _dependency_limits(pattern: list[dict]) -> list[PatternProblem]:
    if len(pattern) <= MAX_PATTERN_TOKENS:
        return []
    return [PatternProblem((), f"the pattern has {len(pattern)} nodes; at most {MAX_PATTERN_TOKENS} are allowed",
                           "split the rule into smaller rules")]


# -- REGEX values --------------------------------------------------------------
def find_regexes(spec: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every REGEX value in one token spec (or ``RIGHT_ATTRS``), with its path inside ``spec``.

    Both ``{TEXT: {REGEX: x}}`` and the regex set forms ``{TEXT: {REGEX: {IN: [x, y]}}}``
    are found, on any attribute, including extension attributes under ``_``.

    >>> list(find_regexes({"LOWER": {"REGEX": {"NOT_IN": ["^a", "b$"]}}, "_": {"x": {"REGEX": "c"}}}))
    [(('LOWER', 'REGEX', 'NOT_IN', 0), '^a'), (('LOWER', 'REGEX', 'NOT_IN', 1), 'b$'), (('_', 'x', 'REGEX'), 'c')]
    """
    if not isinstance(spec, dict):
        return
    for key, value in spec.items():
        if isinstance(key, str) and key.upper() == "REGEX":
            if isinstance(value, dict):
                for predicate, items in value.items():
                    if isinstance(items, list):
                        yield from (((*path, key, predicate, k), item) for k, item in enumerate(items))
                    else:
                        yield (*path, key, predicate), items
            else:
                yield (*path, key), value
        elif isinstance(value, dict):
            yield from find_regexes(value, (*path, key))


def _check_regexes(spec: Any, path: tuple) -> list[PatternProblem]:
    problems = []
    for sub_path, regex in find_regexes(spec):
        if not isinstance(regex, str):
            continue  # spaCy's validation names the wrong type
        shown = regex if len(regex) <= 60 else regex[:57] + "..."
        if len(regex) > MAX_REGEX_LENGTH:
            problems.append(PatternProblem(
                (*path, *sub_path), f"REGEX {shown!r} is {len(regex)} characters long; at most {MAX_REGEX_LENGTH} "
                "are allowed", "put a list of words in an IN list, e.g. {LOWER: {IN: [praise, praised]}}"))
            continue
        try:
            re.compile(regex)
        except (re.error, RecursionError, OverflowError, ValueError) as exc:
            problems.append(PatternProblem(
                (*path, *sub_path), f"REGEX {shown!r} is not a valid regular expression: {_first_line(exc)}",
                "correct the expression (Python's re syntax); write a backslash before a literal ( ) [ { * + ?"))
            continue
        risk = regex_risk(regex)
        if risk is not None:
            problems.append(PatternProblem((*path, *sub_path), f"REGEX {shown!r} {risk[0]}", risk[1]))
    return problems


def _without_regexes(pattern: list[dict]) -> list[dict]:
    """``pattern`` with a harmless placeholder for every REGEX text, for spaCy's validation of the rest."""
    def clean(value: Any, in_regex: bool = False) -> Any:
        if isinstance(value, dict):
            return {k: clean(v, in_regex or (isinstance(k, str) and k.upper() == "REGEX")) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v, in_regex) for v in value]
        return "x" if in_regex and isinstance(value, str) else value

    return [clean(node) for node in pattern]


def _parse_match_errors(text: str) -> list[tuple[tuple, str]]:
    merged: dict[tuple, list[str]] = {}
    for line in text.splitlines():
        m = _ERROR_LINE.match(line.strip())
        if m:
            parts = [p.strip() for p in m.group("path").split("->")]
            path: list[Any] = []
            for p in parts:
                if p.isdigit():
                    path.append(int(p))
                elif p.isupper() or p in ("IN", "NOT_IN"):
                    path.append(p)
                else:
                    break  # pydantic's type names, not keys of the pattern
            messages = merged.setdefault(tuple(path), [])
            if m.group("message") not in messages:
                messages.append(m.group("message"))
    return [(path, "; ".join(messages)) for path, messages in merged.items()]


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0]
