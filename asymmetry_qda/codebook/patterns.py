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
from re import _constants as _sre  # re's own parser (Python 3.11+): how the expression will be matched
from re import _parser as _sre_parse
from typing import Any

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
#: The most unbounded repetitions (``*``, ``+``, ``{n,}``) in one REGEX that can give characters back to what
#: follows them (``.*x`` has one, ``\w*\w*x`` two): each multiplies the time on a long word by its length.
MAX_AMBIGUOUS_REPEATS = 1
#: The most ways bounded repetitions (``?``, ``{n,m}``) that can give characters back may split a word, multiplied
#: together (``(?:re)?\w+`` has 2; 25 × ``a?`` before ``a{25}`` has 2**25).
MAX_AMBIGUOUS_WAYS = 100
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


# -- catastrophic backtracking -------------------------------------------------
_CATEGORY_PATTERNS = {
    _sre.CATEGORY_DIGIT: r"\d", _sre.CATEGORY_NOT_DIGIT: r"\D", _sre.CATEGORY_SPACE: r"\s",
    _sre.CATEGORY_NOT_SPACE: r"\S", _sre.CATEGORY_WORD: r"\w", _sre.CATEGORY_NOT_WORD: r"\W",
    _sre.CATEGORY_LINEBREAK: r"\n", _sre.CATEGORY_NOT_LINEBREAK: r"[^\n]",
}
_REPEATS = {_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT}
#: Characters that stand in for every class when deciding whether two classes can match the same character.
_SAMPLE = "aAzZ09_ \t\n-.,'!~\x00\u00a0\u00e9\u00df\u0663\u01c5\u4e00"


class _Risk(Exception):
    """A construct that makes backtracking exponential (or of high polynomial degree)."""

    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.message, self.fix = message, fix


@dataclass
class _Analysis:
    """The representative characters of one regex, and the repetitions found that can give characters back."""

    alphabet: frozenset[str]
    fold: bool
    unbounded: int = 0  # unbounded repetitions that can give characters back
    ways: int = 1  # product of the widths of such bounded repetitions


def regex_risk(regex: str) -> tuple[str, str] | None:
    """Why ``regex`` can take exponential or high polynomial time on a long word, and how to fix it, or ``None``.

    A static check on the parsed expression (``re``'s own parser), which is
    conservative: it refuses

    * a repetition inside another repetition where the inner one can stop or
      go on at the same character, such as ``(a+)+`` or ``(\\w+\\s?)*``;
    * alternatives that can start with the same character, under a repetition
      (``(ab|a)*``);
    * more than :data:`MAX_AMBIGUOUS_REPEATS` unbounded repetitions that can
      give characters back to what follows them (``\\w*\\w*x``, ``^.*a.*b``),
      or bounded ones that can split a word in more than
      :data:`MAX_AMBIGUOUS_WAYS` ways (``a?a?a?...``).

    Python's parser has already turned alternatives of single characters into
    a class (``(a|b)+`` is ``[ab]+``), which is safe.

    ``regex`` must compile.

    >>> regex_risk("^(praise|praised|praising)$") is None, regex_risk("^\\\\d+(?:-\\\\d+)*$") is None
    (True, True)
    >>> regex_risk("^(a+)+$")[0]  # doctest: +ELLIPSIS
    'can take exponential time on a long word: a repetition inside a repetition...'
    """
    try:
        parsed = _sre_parse.parse(regex)
        analysis = _Analysis(_alphabet(parsed), bool(parsed.state.flags & _sre.SRE_FLAG_IGNORECASE)
                             or "(?i" in regex)
        _walk(list(parsed), frozenset(), False, analysis)
    except _Risk as risk:
        return risk.message, risk.fix
    except RecursionError:
        return "is nested too deeply to check", "write it with fewer nested groups"
    if analysis.unbounded > MAX_AMBIGUOUS_REPEATS:
        return (f"can take a very long time on a long word: {analysis.unbounded} unbounded repetitions (*, +, {{n,}}) "
                f"can each match the characters that follow them (at most {MAX_AMBIGUOUS_REPEATS} is allowed)",
                "merge neighbouring repetitions (\\w+ instead of \\w+\\w*), and leave out a leading or trailing .* "
                "(a REGEX finds its match anywhere in the word)")
    if analysis.ways > MAX_AMBIGUOUS_WAYS:
        return ("can take a very long time on a long word: its optional parts (?, {n,m}) can split a word in "
                f"{analysis.ways} ways (at most {MAX_AMBIGUOUS_WAYS} are allowed)",
                "use fewer optional parts, or make each one differ from what follows it")
    return None


def _alphabet(parsed: Any) -> frozenset[str]:
    """Representative characters: the fixed sample, and every literal and range end in the regex, in both cases."""
    chars = set(_SAMPLE)

    def visit(items: Any) -> None:
        for op, av in items:
            if op in (_sre.LITERAL, _sre.NOT_LITERAL):
                chars.add(chr(av))
            elif op is _sre.RANGE:
                chars.update((chr(av[0]), chr(av[1])))
            elif op is _sre.IN:
                visit(av)
            for child in _children(op, av):
                visit(child)

    visit(parsed)
    return frozenset(chars | {c.swapcase() for c in chars if len(c.swapcase()) == 1})


def _children(op: Any, av: Any) -> list:
    """The sub-sequences of one parsed item: a group's content, a repetition's body, each alternative."""
    if op in _REPEATS:
        return [av[2]]
    if op is _sre.SUBPATTERN:
        return [av[-1]]
    if op is _sre.ATOMIC_GROUP:
        return [av]
    if op in (_sre.ASSERT, _sre.ASSERT_NOT):
        return [av[1]]
    if op is _sre.BRANCH:
        return list(av[1])
    if op is _sre.GROUPREF_EXISTS:
        return [branch for branch in av[1:] if branch is not None]
    return []


def _walk(items: list, follow: frozenset[str], in_loop: bool, analysis: _Analysis) -> None:
    """Check every repetition and alternation in a sequence; ``follow`` holds what can come after the sequence."""
    after = follow
    for op, av in reversed(items):  # each item's follow: the first characters of the rest, and so on
        _check_item(op, av, after, in_loop, analysis)
        first, nullable = _item_first(op, av, analysis)
        after = first | after if nullable else first


def _check_item(op: Any, av: Any, follow: frozenset[str], in_loop: bool, analysis: _Analysis) -> None:
    if op in _REPEATS:
        low, high, body = av
        body_first, _ = _first(list(body), analysis)
        loop = high > 1
        if low != high and body_first & follow:  # at the next character it could stop or go on
            if in_loop:
                raise _Risk("can take exponential time on a long word: a repetition inside a repetition can "
                            "match the same text in many ways",
                            "write it without the nesting, e.g. ^a+$ instead of ^(a+)+$, or ^\\w+$ instead of "
                            "^(\\w+\\s?)*$")
            if high == _sre.MAXREPEAT:
                analysis.unbounded += 1
            else:
                analysis.ways *= high - low + 1
        _walk(list(body), body_first | follow if loop else follow, in_loop or loop, analysis)
    elif op is _sre.SUBPATTERN:
        _walk(list(av[-1]), follow, in_loop, analysis)
    elif op is _sre.ATOMIC_GROUP:
        _walk(list(av), frozenset(), False, analysis)
    elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
        _walk(list(av[1]), frozenset(), False, analysis)
    elif op is _sre.BRANCH:
        branches = [list(b) for b in av[1]]
        if in_loop:
            _check_exclusive(branches, follow, analysis)
        for branch in branches:
            _walk(branch, follow, in_loop, analysis)
    elif op is _sre.GROUPREF_EXISTS:
        for branch in av[1:]:
            if branch is not None:
                _walk(list(branch), follow, in_loop, analysis)


def _check_exclusive(branches: list[list], follow: frozenset[str], analysis: _Analysis) -> None:
    """Refuse alternatives, repeated, that can start with the same character (an empty one starts with ``follow``)."""
    seen: frozenset[str] = frozenset()
    for branch in branches:
        first, nullable = _first(branch, analysis)
        first = first | follow if nullable else first
        if first & seen:
            raise _Risk("can take exponential time on a long word: alternatives (a|b) that can start with the same "
                        "character are repeated",
                        "make the alternatives start differently, e.g. (?:ab?)+ instead of (?:ab|a)+")
        seen |= first


def _first(items: list, analysis: _Analysis) -> tuple[frozenset[str], bool]:
    """The characters a sequence can start with, and whether it can match the empty string."""
    first: frozenset[str] = frozenset()
    for op, av in items:
        item_first, nullable = _item_first(op, av, analysis)
        first |= item_first
        if not nullable:
            return first, False
    return first, True


def _item_first(op: Any, av: Any, analysis: _Analysis) -> tuple[frozenset[str], bool]:
    alphabet = analysis.alphabet
    if op is _sre.LITERAL:
        char = chr(av)
        return frozenset({char, char.swapcase()} if analysis.fold and len(char.swapcase()) == 1 else {char}), False
    if op is _sre.NOT_LITERAL:
        return _chars(alphabet, lambda c: not _same(c, chr(av), analysis.fold)), False
    if op is _sre.ANY:
        return alphabet, False
    if op is _sre.IN:
        return _chars(alphabet, lambda c: _in_set(c, av, analysis.fold)), False
    if op in _REPEATS:
        first, nullable = _first(list(av[2]), analysis)
        return (first if av[1] > 0 else frozenset()), av[0] == 0 or nullable
    if op is _sre.SUBPATTERN:
        return _first(list(av[-1]), analysis)
    if op is _sre.ATOMIC_GROUP:
        return _first(list(av), analysis)
    if op is _sre.BRANCH:
        parts = [_first(list(b), analysis) for b in av[1]]
        return frozenset().union(*(f for f, _ in parts)), any(n for _, n in parts)
    if op is _sre.GROUPREF_EXISTS:
        parts = [_first(list(b), analysis) if b is not None else (frozenset(), True) for b in av[1:]]
        return frozenset().union(*(f for f, _ in parts)), any(n for _, n in parts)
    if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
        return frozenset(), True
    return alphabet, True  # a back reference, or anything else: could be anything


def _chars(alphabet: frozenset[str], test) -> frozenset[str]:
    return frozenset(c for c in alphabet if test(c))


def _same(a: str, b: str, fold: bool) -> bool:
    return a == b or (fold and a.lower() == b.lower())


def _in_set(char: str, items: list, fold: bool) -> bool:
    """Whether ``char`` is in a parsed character class ``[...]``."""
    negate, found = False, False
    for op, av in items:
        if op is _sre.NEGATE:
            negate = True
        elif op is _sre.LITERAL:
            found = found or _same(char, chr(av), fold)
        elif op is _sre.RANGE:
            found = found or any(av[0] <= ord(c) <= av[1] for c in {char, char.lower(), char.upper()}
                                 if len(c) == 1 and (fold or c == char))
        elif op is _sre.CATEGORY:
            found = found or bool(re.fullmatch(_CATEGORY_PATTERNS.get(av, r"[\s\S]"), char))
        else:
            found = True  # unknown item: assume it can match
    return found != negate


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
