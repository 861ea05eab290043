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
from .labels import LabelConfig, TurnStart

Kind = Literal["interview", "fieldnote"]
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
#: a clock time in a transcript: 0:05, 12:31, 01:02:03(,5)
_TIMESTAMPS = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?(?![\d:])")


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
    #: what the user should look at: a transcript read as a field note, an interview without an interviewer...
    warnings: list[str] = field(default_factory=list)
    #: how the reader read the file, when it recognised a particular layout (turn headers, rolling captions...)
    layout: str | None = None

    def outcome(self) -> str:
        """One line on what the reader made of the file: kind, speakers, the interviewer and how it was read.

        >>> doc = ParsedDocument("INT04", "interview", "I: Why?\\nP04: Because.", [
        ...     ParsedTurn(3, 7, "I", True), ParsedTurn(13, 21, "P04", False)], "INT04.txt", "txt")
        >>> doc.outcome()
        "INT04: interview, 2 speakers, interviewer 'I' (1 turn), 1 participant turn; layout: txt, speaker labels"
        """
        if self.kind == "fieldnote":
            n = len(self.turns)
            how = f", {self.layout}" if self.layout else ""
            return (f"{self.doc_id}: field note, {n} paragraph{'s' if n != 1 else ''}; "
                    f"layout: {self.source_format}{how}")
        speakers = {t.speaker for t in self.turns if t.speaker}
        asking = Counter(t.speaker for t in self.turns if t.is_interviewer)
        participant = sum(not t.is_interviewer for t in self.turns)
        parts = [f"{len(speakers)} speaker{'s' if len(speakers) != 1 else ''}"]
        if asking:
            parts.append("interviewer " + ", ".join(f"{label!r} ({n} turn{'s' if n != 1 else ''})"
                                                    for label, n in asking.most_common()))
        else:
            parts.append("no interviewer turn")
        parts.append(f"{participant} participant turn{'s' if participant != 1 else ''}")
        how = self.layout or {"vtt": "captions with speakers", "srt": "captions with speakers",
                              "csv": "a turn table", "xlsx": "a turn table"}.get(self.source_format, "speaker labels")
        return f"{self.doc_id}: interview, {', '.join(parts)}; layout: {self.source_format}, {how}"


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


#: the ways a line can start a turn, as :func:`labelled_turns` names them in a document's layout
LAYOUTS = {
    "colon": "speaker labels",
    "header": "turn headers (a label and a time, the words below or after)",
    "marked": "bracketed or bold labels ('[Name] words')",
}


#: labels that are never speakers: lines of a meeting tool's notes inside the talk
NOT_SPEAKER_KEYS = frozenset({"action item", "action items", "next steps", "watch", "summary", "keywords"})
#: labels of a transcript's metadata lines ("INTERVIEWER: Jane Doe"), a header where two or more open the labels
METADATA_KEYS = frozenset({
    "date", "time", "place", "location", "interviewer", "interviewers", "interviewee", "narrator", "subject",
    "transcriber", "transcribed by", "project", "recorded", "recording", "length", "duration", "title", "topic",
    "language", "participants", "present", "attendees", "meeting", "file", "source", "speakers", "collection",
    "interview date", "interview location", "audio", "video",
})


def _key(label: str) -> str:
    return " ".join(label.strip().strip("*").split()).casefold()


def _turn_style(lines: list[str], labels: LabelConfig) -> tuple[str, list[TurnStart | None]]:
    """Which kind of line starts the turns of this text, and each line's match.

    ``Label: words`` lines win unless there are more turn headers (a label and a time without a colon: Otter's
    ``Emma  0:05``, Zoom's saved transcript's ``[Emma] 11:02:09``), or more lines that start with a bracketed or
    bold label and no colon (``[id1] words``) which are at least a third of the text's lines; either needs two
    such lines. A label starting with a lower-case letter (``interviewer:``) counts where it recurs and there
    are two such labels, or capitalised ones beside it, so that a field note's "note:" does not make a speaker.
    """
    strict = [labels.match_turn_start(line) for line in lines]
    loose = [labels.match_loose_turn_start(line) if hit is None else hit for line, hit in zip(lines, strict)]
    lower = Counter(h.label for h, s_ in zip(loose, strict) if h is not None and s_ is None)
    recurring = {label for label, n in lower.items() if n >= 2}
    if len(recurring) < 2 and sum(h is not None for h in strict) < 2:
        recurring = set()
    colon = [s_ if s_ is not None else (h if h is not None and h.label in recurring else None)
             for s_, h in zip(strict, loose)]
    # "ACTION ITEM: ..." is never a speaker; a block of two or more metadata lines where the labels start
    # ("INTERVIEWER: Jane Doe", "DATE: 3 May"), none of them used again, is a header, not turns
    colon = [None if h is not None and _key(h.label) in NOT_SPEAKER_KEYS else h for h in colon]
    first = next((i for i, h in enumerate(colon) if h is not None), None)
    if first is not None:
        block, seen = [], set()
        for i in range(first, len(lines)):
            if not lines[i].strip():
                continue
            key = _key(colon[i].label) if colon[i] is not None else None
            if key is None or key not in METADATA_KEYS or key in seen:
                break
            block.append(i)
            seen.add(key)
        used = Counter(_key(h.label) for h in colon if h is not None)
        if len(block) >= 2 and all(used[key] == 1 for key in seen):  # a key used again is a speaker's label
            for i in block:
                colon[i] = None
    headers = [labels.match_turn_header(line) for line in lines]
    marked = [labels.match_marked_label(line) if c is None else None for line, c in zip(lines, colon)]
    n_colon, n_header, n_marked = (sum(h is not None for h in hits) for hits in (colon, headers, marked))
    non_blank = sum(1 for line in lines if line.strip())
    if n_header >= 2 and n_header > n_colon and n_header >= n_marked:
        return "header", headers
    if n_marked >= 2 and n_marked > n_colon and n_marked * 3 >= non_blank:
        return "marked", marked
    return "colon", colon


def labelled_turns(text: str, labels: LabelConfig) -> tuple[list[ParsedTurn], int | None, str]:
    """Cut ``text`` into speaker turns by labels at line starts.

    Returns the turns, the offset of the first turn's label line (``None``
    when no line starts with a label) and the layout read (see
    :data:`LAYOUTS`). Text before the first label is a header and is not
    segmented. A line holding only a timestamp gives that timestamp to the
    next turn. Which lines start turns is decided once for the whole text
    (:func:`_turn_style`). A speaker's consecutive blocks (programs cut one
    person's talk by time) stay separate segments, each with its own time, so
    that no header line is inside a segment; likewise, when most lines inside
    the turns start with a time (``[2.8s] Okay.``), each such line is a
    segment of the turn's speaker with that time.
    """
    turns: list[ParsedTurn] = []
    first_label_at: int | None = None
    current: dict | None = None
    pending_ts: str | None = None
    offset = 0
    lines = text.split("\n")
    style, hits = _turn_style(lines, labels)
    inside = [line for line, hit in zip(lines, hits) if hit is None and line.strip()]
    timed_inside = sum(labels.match_timed_line(line) is not None for line in inside)
    split_timed = timed_inside >= 2 and timed_inside * 2 > len(inside)
    for line_no, (line, hit) in enumerate(zip(lines, hits), start=1):
        start_of_line = offset
        offset += len(line) + 1
        if hit is None:
            ts_only = labels.match_timestamp_line(line)
            if ts_only is not None:
                if current is not None:
                    _close(text, current, start_of_line, turns)
                    current = None
                pending_ts = ts_only
                continue
            timed = labels.match_timed_line(line) if split_timed and current is not None else None
            if timed is None:
                continue
            hit = TurnStart(current["speaker"], timed.timestamp, timed.text_offset)
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
    layout = LAYOUTS[style] + (", a time at the start of each line" if split_timed else "")
    return turns, first_label_at, layout


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
    warned: list[str] = []
    has_labels = any(t.speaker is not None for t in turns)
    declared = kind
    if kind is None:
        kind = "interview" if has_labels else "fieldnote"
    if kind == "fieldnote":
        stamps = len(_TIMESTAMPS.findall(text))
        timed_source = source_format in ("vtt", "srt", "json", "tsv")
        if declared is None and not has_labels and timed_source:
            warned.append("a transcript in which no speaker is named (captions or a recogniser's segments without "
                          "speakers), so it was stored as a field note, a paragraph per sentence or pause, each with "
                          "its time; nothing in the file says who speaks, so no talk is the interviewer's or a "
                          "participant's: an export that names speakers (a diarised WhisperX or AWS job, Zoom, Teams, "
                          "Otter) gives turns")
        elif declared is None and not has_labels and stamps >= 3:
            warned.append(f"looks like a transcript ({stamps} timestamps) but no line starts with a speaker label "
                          "such as 'P01:', so it was stored as a field note; if it is an interview, describe its "
                          "labels with label_pattern= (CLI: --label-pattern)")
        turns = paragraph_turns(text) if has_labels else turns
        return ParsedDocument(doc_id, kind, text, turns, source_name, source_format, encoding, notes, warned)
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
        if header_end > len(text) / 2:
            warned.append(f"most of the file ({header_end} of {len(text)} characters) comes before the first "
                          "speaker label and is not segmented: check that the labels of its first part are read "
                          "(label_pattern=, CLI: --label-pattern)")
    if not any(t.is_interviewer for t in turns):
        by_turns = [label for label, _ in Counter(t.speaker for t in turns if t.speaker).most_common()]
        asker = likely_interviewer(text, turns)
        if asker is not None:
            askers, asked, total, others = asker
            quoted = ", ".join(repr(x) for x in askers)
            warned.append(f"an interview with no interviewer turn; {quoted} ask{'s' if len(askers) == 1 else ''} the "
                          f"questions ({asked} of {total} turns hold a '?', {others:.0%} of the others' turns): if "
                          f"that is the interviewer, say so with interviewer_labels=[{quoted}] (CLI: "
                          + " ".join(f"--interviewer-label {x!r}" for x in askers) + ")")
        else:
            warned.append("an interview with no interviewer turn: if the interviewer has a label the defaults do "
                          f"not know (the labels here: {', '.join(repr(x) for x in by_turns[:5])}), name it with "
                          f"interviewer_labels= (CLI: --interviewer-label {by_turns[0]!r} ...)")
    unnamed = sum(1 for t in turns if t.speaker is None)
    if unnamed:
        notes.append(f"{unnamed} turn{'s have' if unnamed != 1 else ' has'} no speaker (a cue or segment without a "
                     "name among named ones): kept apart, not given to a neighbour, and counted as participant talk")
    counts = Counter(t.speaker for t in turns)
    for t in turns:
        # a label read from the text that labels one turn may be a line that only looks like a label; a speaker
        # named by the file's structure (a caption voice, a table cell, a recogniser's diarisation) is not
        if counts[t.speaker] == 1 and len(counts) > 2 and t.line is not None and source_format in ("txt", "md", "docx"):
            notes.append(f"line {t.line}: speaker label {t.speaker!r} occurs only once; if it is "
                         "not a speaker, pass label_pattern= to tighten what counts as a label")
    return ParsedDocument(doc_id, kind, text, turns, source_name, source_format, encoding, notes, warned)


def likely_interviewer(text: str, turns: list[ParsedTurn]) -> tuple[list[str], int, int, float] | None:
    """The labels of whoever asks the questions, when the turns show it: ``(labels, question turns, their
    turns, share of the other speakers' turns that hold a question)``, or ``None``.

    The askers are the speakers at least 40 % of whose turns hold a ``?`` (one person may have two labels, a
    full name and initials); they ask the questions when they have at least three such turns and their share
    is at least twice that of the other speakers' turns taken together, and of every other speaker with ten
    turns or more. This is evidence offered to the user, never applied.

    >>> turns = [ParsedTurn(0, 4, "DB"), ParsedTurn(5, 9, "KM"), ParsedTurn(10, 14, "DB"), ParsedTurn(15, 18, "KM"),
    ...          ParsedTurn(19, 23, "DB"), ParsedTurn(24, 27, "KM")]
    >>> likely_interviewer("Why? Yes. How? No. And? So.", turns)
    (['DB'], 3, 3, 0.0)
    """
    asked: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for t in turns:
        if t.speaker:
            total[t.speaker] += 1
            asked[t.speaker] += "?" in text[t.start:t.end]
    share = {label: asked[label] / total[label] for label in total}
    askers = [x for x, _ in total.most_common() if share[x] >= 0.4]
    rest = [x for x in total if x not in askers]
    if not askers or not rest:
        return None
    n_asked, n_turns = sum(asked[x] for x in askers), sum(total[x] for x in askers)
    pooled = sum(asked[x] for x in rest) / sum(total[x] for x in rest)
    lowest = min(share[x] for x in askers)
    if n_asked >= 3 and lowest >= 2 * pooled and all(lowest >= 2 * share[y] for y in rest if total[y] >= 10):
        return askers, n_asked, n_turns, pooled
    return None


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
