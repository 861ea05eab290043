"""Whether a REGEX in a pattern can backtrack catastrophically on a long word.

spaCy runs a pattern's ``REGEX`` on every token it is tried on, with Python's
backtracking ``re``: an expression such as ``^(a+)+$`` takes exponential time
on a long word that almost matches. :func:`regex_risk` finds such expressions
before they are run, by a static check on the expression as ``re`` parses it;
:mod:`asymmetry_qda.codebook.patterns` refuses every REGEX it objects to.

Examples
--------
>>> regex_risk("^praise[sd]?$") is None
True
>>> regex_risk("^(\\\\w+\\\\s?)*$")[1]  # doctest: +ELLIPSIS
'write it without the nesting...'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from re import _constants as _sre  # re's own parser (Python 3.11+): how the expression will be matched
from re import _parser as _sre_parse
from typing import Any

__all__ = ["MAX_AMBIGUOUS_REPEATS", "MAX_AMBIGUOUS_WAYS", "regex_risk"]

#: The most unbounded repetitions (``*``, ``+``, ``{n,}``) in one REGEX that can give characters back to what
#: follows them (``.*x`` has one, ``\w*\w*x`` two): each multiplies the time on a long word by its length.
MAX_AMBIGUOUS_REPEATS = 1
#: The most ways bounded repetitions (``?``, ``{n,m}``) that can give characters back may split a word, multiplied
#: together (``(?:re)?\w+`` has 2; 25 × ``a?`` before ``a{25}`` has 2**25).
MAX_AMBIGUOUS_WAYS = 100

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
