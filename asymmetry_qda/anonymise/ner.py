"""Named entities to audit findings: which of the pipeline's entities are worth reporting, and as what.

The audit takes PERSON, GPE, LOC, FAC and ORG entities that hold a proper
name, and DATE and TIME entities that are specific, and gives each a kind and
a severity: a person (``high``), a station (a FAC or ORG with "nick",
"station", "custody" ..., ``high``), a place (``medium``), a force (an ORG
with "Police" or "Constabulary", ``medium``), a date or time (``medium``) or
another organisation (``low``). Entities are found by
:func:`~asymmetry_qda.anonymise.audit.audit_texts`, which runs the pipeline.

Examples
--------
>>> from asymmetry_qda.anonymise.masks import Mask
>>> from asymmetry_qda.anonymise.vocabulary import Vocabulary
>>> text = "Then the IOPC rang Julia Hargreaves about the 14th of March."
>>> entities = [("ORG", 5, 13), ("PERSON", 19, 35), ("DATE", 42, 59)]
>>> [(f.text, f.kind, f.severity) for f in ner_findings(entities, text, Mask(len(text)), Vocabulary.of())]
[('Julia Hargreaves', 'person', 'high'), ('14th of March', 'date', 'medium')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .findings import Finding
from .masks import Mask
from .patterns import AMPM, DAY_NUM, MONTH, ORDINAL_WORD, RULES, WEEKDAY, YEAR
from .vocabulary import LEADING_WORDS, Vocabulary, key

__all__ = ["ner_findings"]

_NER_LABELS = {"PERSON", "GPE", "LOC", "FAC", "ORG", "DATE", "TIME"}
_STATION_WORDS = re.compile(r"(?i)\b(?:nick|police\s+station|station|custody|cop\s+shop|police\s+office)\b")
_FORCE_WORDS = re.compile(r"(?i)\b(?:police|constabulary|police\s+service|police\s+force)\b")
_DAY_TOKEN = re.compile(rf"(?<![\d.:/])(?:{DAY_NUM})|\b{ORDINAL_WORD}\b")
_MONTH_TOKEN = re.compile(rf"\b{MONTH}(?![a-z])")
_CLOCK = re.compile(rf"\d[:.]\d\d|\d\s?{AMPM}|\d\s?o['’]clock|\b\d{{4}}\s?(?i:hours|hrs)\b")
_DATE_RULES = tuple(r for r in RULES if r.kind == "date")


def _specific_date(text: str, vocabulary: Vocabulary) -> bool:
    """A day with a month, year or weekday, or a numeric date: "14th March", "Tuesday the 3rd"."""
    if any(True for r in _DATE_RULES for _ in r.spans(text, vocabulary)):
        return True
    has_day = _DAY_TOKEN.search(text) is not None
    has_other = (_MONTH_TOKEN.search(text) is not None or re.search(YEAR, text) is not None
                 or re.search(WEEKDAY, text) is not None)
    return has_day and has_other and re.search(r"(?i)\b(?:years?|months?|weeks?|days?)\b", text) is None


def _has_name_word(text: str, vocabulary: Vocabulary) -> bool:
    """A capitalised word of two or more letters that is not a stop word, rank or vocabulary."""
    for word in re.findall(r"[A-Za-z][\w'’-]*", text):
        if word[0].isupper() and len(word.rstrip("'’s")) >= 2 and key(word) not in vocabulary.not_a_name \
                and key(re.sub(r"['’]s$", "", word)) not in vocabulary.not_a_name:
            return True
    return False


def _generic(text: str, vocabulary: Vocabulary) -> bool:
    """Every word of ``text`` is generic ("the Crown Court", "the Retail Park", "Response"): no proper name in it."""
    return all(key(re.sub(r"['’]s$", "", w)) in vocabulary.generic for w in re.findall(r"[A-Za-z][\w'’-]*", text))


def _ner_kind(label: str, text: str, vocabulary: Vocabulary) -> tuple[str, str] | None:
    """(kind, severity) for an entity, or ``None`` if it is not worth reporting."""
    if label == "DATE":
        return ("date", "medium") if _specific_date(text, vocabulary) else None
    if label == "TIME":
        return ("time", "medium") if _CLOCK.search(text) else None
    if not _has_name_word(text, vocabulary) or (label != "PERSON" and _generic(text, vocabulary)):
        return None
    if label == "PERSON":
        return "person", "high"
    if label in ("GPE", "LOC"):
        return "place", "medium"
    if label == "FAC":
        return ("station", "high") if _STATION_WORDS.search(text) else ("place", "medium")
    if label == "ORG":
        if _STATION_WORDS.search(text):
            return "station", "high"
        if _FORCE_WORDS.search(text):
            return "force", "medium"
        return "organisation", "low"
    return None


def _common_word(text: str, start: int, end: int, seen: dict[str, bool] | None = None) -> bool:
    """A single capitalised word opening a sentence that the text also uses in lower case ("Phone's off").

    ``seen`` caches the (whole-text) lower-case search per word, which a long document would otherwise repeat
    for every finding.
    """
    word = text[start:end]
    opens = re.search(r"(?:[.!?:\]]\s+|\n\s*)$", text[max(0, start - 12):start]) or not text[:start].strip()
    if not opens or not re.fullmatch(r"[A-Z][a-z]+", word):
        return False
    if seen is not None and word in seen:
        return seen[word]
    used = re.search(rf"(?<![\w-]){word.lower()}(?![\w-])", text) is not None
    if seen is not None:
        seen[word] = used
    return used


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading determiners and trailing possessives and punctuation from an entity."""
    while True:
        m = re.match(r"\s*(\S+)\s+", text[start:end])
        if m and m.group(1).casefold() in LEADING_WORDS:
            start += m.end()
            continue
        break
    while end > start and (text[end - 1] in " \t\n.,;:!?'’\"”)-" or text[start] in " \t\n\"“(-"):
        if text[end - 1] in " \t\n.,;:!?'’\"”)-":
            end -= 1
        else:
            start += 1
    m = re.search(r"['’]s$", text[start:end])
    if m:
        end -= 2
    return start, end


def ner_findings(entities: Iterable[tuple[str, int, int]], text: str, blocked: Mask,
                 vocabulary: Vocabulary) -> list[Finding]:
    """Findings from the named entities of ``text``, ``(label, start, end)``, outside the ``blocked`` mask.

    Each stretch of an entity outside the mask is trimmed (leading
    determiners, trailing possessives and punctuation) and kept if it is worth
    reporting: a person; a place, building or organisation with a proper name
    in it (not made only of stop words, ranks, vocabulary and generic words);
    a specific date or a clock time. A single capitalised word that opens a
    sentence and that the text also uses in lower case ("Phone's off") is not
    a name.
    """
    found = []
    lower_case: dict[str, bool] = {}  # whether the text uses a word in lower case, looked up once per word
    for label, ent_start, ent_end in entities:
        if label not in _NER_LABELS:
            continue
        for run_start, run_end in blocked.free_runs(ent_start, ent_end):
            start, end = _trim(text, run_start, run_end)
            if end <= start or not re.search(r"\w", text[start:end]):
                continue
            kind = _ner_kind(label, text[start:end], vocabulary)
            if kind is None or _common_word(text, start, end, lower_case):
                continue
            found.append(Finding(start, end, text[start:end], kind[0], f"ner.{label}", kind[1], start, end))
    return found
