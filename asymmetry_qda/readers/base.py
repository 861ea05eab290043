"""What every reader returns, and the two ways of cutting a text into turns.

A reader turns one source file into one or more :class:`ParsedDocument`
objects: the text to store plus its top-level segments (speaker turns, or the
paragraphs of a field note) as exact character spans. Sentences are added
later by :mod:`asymmetry_qda.sentences`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from ..errors import InputError, Problem
from .labels import LabelConfig

Kind = Literal["interview", "fieldnote"]
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True, slots=True)
class ParsedTurn:
    """A top-level segment: ``text[start:end]`` is the words, without label or timestamp."""

    start: int
    end: int
    speaker: str | None = None
    is_interviewer: bool = False
    timestamp: str | None = None
    line: int | None = None  # 1-based line in the source where the turn starts, when known


@dataclass(slots=True)
class ParsedDocument:
    """One document read from a source file, ready to be stored."""

    doc_id: str
    kind: Kind
    text: str
    turns: list[ParsedTurn]
    source_name: str
    source_format: str
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` so that it neither starts nor ends with white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def paragraph_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each paragraph (block between blank lines) of ``text[start:end]``, trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for m in [*_BLANK_LINE.finditer(text, start, end), None]:
        s, e = _strip_span(text, cursor, m.start() if m is not None else end)
        if s < e:
            spans.append((s, e))
        if m is not None:
            cursor = m.end()
    return spans


def paragraph_turns(text: str) -> list[ParsedTurn]:
    """The paragraphs of ``text`` as turns without speaker (a field note's segments)."""
    turns: list[ParsedTurn] = []
    line, counted_to = 1, 0  # line numbers, counted incrementally
    for s, e in paragraph_spans(text):
        line += text.count("\n", counted_to, s)
        counted_to = s
        turns.append(ParsedTurn(s, e, line=line))
    return turns


def labelled_turns(text: str, labels: LabelConfig) -> tuple[list[ParsedTurn], int | None]:
    """Cut ``text`` into speaker turns by labels at line starts.

    Returns the turns and the offset of the first turn's label line (``None``
    when no line starts with a label). Text before it is a header and is not
    segmented. A line holding only a timestamp gives that timestamp to the
    next turn.
    """
    turns: list[ParsedTurn] = []
    first_label_at: int | None = None
    current: dict | None = None
    pending_ts: str | None = None
    offset = 0
    for line_no, line in enumerate(text.split("\n"), start=1):
        start_of_line = offset
        offset += len(line) + 1
        ts_only = labels.match_timestamp_line(line)
        if ts_only is not None:
            if current is not None:
                _close(text, current, start_of_line, turns)
                current = None
            pending_ts = ts_only
            continue
        hit = labels.match_turn_start(line)
        if hit is None:
            continue
        if current is not None:
            _close(text, current, start_of_line, turns)
        if first_label_at is None:
            first_label_at = start_of_line
        current = {
            "start": start_of_line + hit.text_offset,
            "speaker": hit.label,
            "timestamp": hit.timestamp or pending_ts,
            "line": line_no,
        }
        pending_ts = None
    if current is not None:
        _close(text, current, len(text), turns)
    return turns, first_label_at


def _close(text: str, current: dict, end: int, turns: list[ParsedTurn]) -> None:
    s, e = _strip_span(text, current["start"], end)
    if s < e:  # a label with no words (e.g. "P01:" then silence) makes no segment
        turns.append(ParsedTurn(s, e, speaker=current["speaker"], timestamp=current["timestamp"],
                                line=current["line"]))


def finish_turns(turns: list[ParsedTurn], labels: LabelConfig) -> list[ParsedTurn]:
    """Mark interviewer turns according to ``labels``."""
    return [
        ParsedTurn(t.start, t.end, t.speaker, labels.is_interviewer(t.speaker), t.timestamp, t.line)
        if t.speaker is not None else t
        for t in turns
    ]


def build_document(
    *,
    doc_id: str,
    text: str,
    turns: list[ParsedTurn],
    kind: Kind | None,
    labels: LabelConfig,
    source_name: str,
    source_format: str,
    encoding: str | None = None,
    header_end: int | None = None,
) -> ParsedDocument:
    """Decide the kind, mark interviewers, and check that an interview has participant talk.

    ``kind=None`` means: an interview if any turn has a speaker label, else a
    field note. A field note keeps paragraphs as its segments even when some
    lines look like labels.
    """
    notes: list[str] = []
    has_labels = any(t.speaker is not None for t in turns)
    if kind is None:
        kind = "interview" if has_labels else "fieldnote"
    if kind == "fieldnote":
        turns = paragraph_turns(text) if has_labels else turns
        return ParsedDocument(doc_id, kind, text, turns, source_name, source_format, encoding, notes)
    if not has_labels:
        raise InputError(Problem(
            source_name, f"document {doc_id!r} is declared an interview but no line starts with a "
            "speaker label such as 'P01:' or 'Interviewer:'",
            fix="add speaker labels, pass label_pattern= for your label style, or declare it a "
                "field note (data_type 'fieldnote' in the attributes table)"))
    turns = finish_turns(turns, labels)
    if not any(not t.is_interviewer for t in turns):
        speakers = sorted({t.speaker for t in turns if t.speaker})
        raise InputError(Problem(
            source_name, f"document {doc_id!r} has no participant turns: every label "
            f"({', '.join(speakers)}) is an interviewer label",
            fix="check the interviewer labels (interviewer_labels= / --interviewer-label) or "
                "the transcript's speaker labels"))
    if header_end:
        notes.append(f"{header_end} characters before the first speaker label are a header "
                     "and are not segmented")
    counts = Counter(t.speaker for t in turns)
    for t in turns:
        if counts[t.speaker] == 1 and len(counts) > 2:
            notes.append(f"line {t.line}: speaker label {t.speaker!r} occurs only once; if it is "
                         "not a speaker, pass label_pattern= to tighten what counts as a label")
    return ParsedDocument(doc_id, kind, text, turns, source_name, source_format, encoding, notes)


@dataclass(frozen=True, slots=True)
class Utterance:
    """A speaker's words from a structured source (captions, a table) before rendering."""

    speaker: str | None
    text: str
    timestamp: str | None = None
    line: int | None = None


def render_utterances(utterances: list[Utterance]) -> tuple[str, list[ParsedTurn]]:
    """Render utterances as a plain transcript, one turn per paragraph.

    Each turn becomes ``"Speaker: words"`` (or just the words when there is no
    speaker) followed by a blank line; the returned turns point at the words.
    Line breaks inside an utterance are kept; carriage returns are normalised.

    >>> text, turns = render_utterances([Utterance("Interviewer", "Why?"), Utterance("P01", "Because.")])
    >>> text
    'Interviewer: Why?\\n\\nP01: Because.\\n'
    >>> [text[t.start:t.end] for t in turns]
    ['Why?', 'Because.']
    """
    parts: list[str] = []
    turns: list[ParsedTurn] = []
    length = 0
    for u in utterances:
        words = u.text.replace("\r\n", "\n").replace("\r", "\n").strip()
        if not words:
            continue
        if parts:
            parts.append("\n")
            length += 1
        prefix = f"{u.speaker}: " if u.speaker else ""
        start = length + len(prefix)
        block = f"{prefix}{words}\n"
        parts.append(block)
        turns.append(ParsedTurn(start, start + len(words), speaker=u.speaker, timestamp=u.timestamp,
                                line=u.line))
        length += len(block)
    return "".join(parts), turns
