"""Checking token and dependency patterns with spaCy's own validation.

A pattern is handed to a spaCy ``Matcher`` or ``DependencyMatcher`` built with
``validate=True`` on a blank English vocabulary; whatever spaCy rejects is
turned into (path inside the pattern, message) pairs so the codebook loader can
point at the line of the offending key.

Examples
--------
>>> check_token_pattern([{"LEMMA": "land"}, {"LOWERR": "on"}])
[((1, 'LOWERR'), 'Extra inputs are not permitted')]
>>> check_token_pattern([{"LEMMA": "land"}, {"LOWER": "on"}])
[]
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_ERROR_LINE = re.compile(r"^- \[pattern -> (?P<path>[^\]]*)\] (?P<message>.*)$")


@lru_cache(maxsize=1)
def _vocab():
    import spacy

    return spacy.blank("en").vocab


def check_token_pattern(pattern: Any) -> list[tuple[tuple, str]]:
    """Problems spaCy finds in one Matcher token pattern (an empty list when it is valid)."""
    from spacy.errors import MatchPatternError
    from spacy.matcher import Matcher

    shape = _shape(pattern)
    if shape:
        return shape
    try:
        Matcher(_vocab(), validate=True).add("check", [pattern])
    except MatchPatternError as exc:
        return _parse_match_errors(str(exc)) or [((), str(exc))]
    except (ValueError, TypeError, KeyError) as exc:
        return [((), _first_line(exc))]
    return []


def check_dependency_pattern(pattern: Any) -> list[tuple[tuple, str]]:
    """Problems spaCy finds in one DependencyMatcher pattern."""
    from spacy.errors import MatchPatternError
    from spacy.matcher import DependencyMatcher

    shape = _shape(pattern)
    if shape:
        return shape
    for i, node in enumerate(pattern):
        if "RIGHT_ID" not in node or "RIGHT_ATTRS" not in node:
            return [((i,), "every node needs RIGHT_ID and RIGHT_ATTRS")]
    try:
        DependencyMatcher(_vocab(), validate=True).add("check", [pattern])
    except MatchPatternError as exc:
        errors = _parse_match_errors(str(exc))
        return [(((), message)) for _, message in errors] or [((), _first_line(exc))]
    except (ValueError, TypeError, KeyError) as exc:
        return [((), _first_line(exc))]
    return []


def _shape(pattern: Any) -> list[tuple[tuple, str]]:
    if not isinstance(pattern, list) or not pattern:
        return [((), "a pattern is a non-empty list of token descriptions (mappings)")]
    for i, token in enumerate(pattern):
        if not isinstance(token, dict):
            return [((i,), f"item {i} must be a mapping such as {{LOWER: word}}, not {type(token).__name__}")]
    return []


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


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]
