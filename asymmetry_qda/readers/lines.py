"""Segments of a text without speaker labels: paragraphs, timed lines, or lines joined into sentences.

A text with no speaker label is a field note (or a speakerless transcript) and
its segments are found by its shape:

- **timed lines** -- when at least three lines, and four in five of the
  non-blank lines from the first of them on, start with a time (``00:00:06 Hello, and welcome``,
  ``[00:01:02] ...``, ``[2.8s] ...``), each such line starts a segment with that
  time; the time itself is not inside the segment;
- **one line per piece** -- when the text has no blank line but several lines
  (a recogniser's ``.txt`` output, a Word document whose paragraphs are its
  lines), the lines are joined into paragraphs that end at a line ending a
  sentence, as :func:`~asymmetry_qda.readers.timed.paragraph_breaks` does for
  caption cues;
- otherwise **paragraphs**: blocks between blank lines.

The stored text is not changed: every segment is a span of it.

Examples
--------
>>> turns, layout = unlabelled_turns("We went in\\nat six.\\nIt was quiet.\\n")
>>> [("We went in\\nat six.\\nIt was quiet.\\n"[t.start:t.end]) for t in turns], layout
(['We went in\\nat six.', 'It was quiet.'], 'one line per piece, joined into sentences')
"""

from __future__ import annotations

from .base import ParsedTurn, _strip_span, paragraph_spans, paragraph_turns
from .labels import LabelConfig
from .timed import Piece, paragraph_breaks

#: share of non-blank lines that must start with a time for the text to be read as timed lines
TIMED_SHARE = 0.8


def unlabelled_turns(text: str) -> tuple[list[ParsedTurn], str | None]:
    """The segments of a text without speaker labels and the layout recognised (``None``: paragraphs)."""
    timed = _timed_lines(text)
    if timed is not None:
        return timed, "a time at the start of each line"
    paragraphs = paragraph_spans(text)
    if len(paragraphs) == 1 and text.count("\n", *paragraphs[0]) >= 1:
        return _joined_lines(text, *paragraphs[0]), "one line per piece, joined into sentences"
    return paragraph_turns(text), None


def _lines(text: str) -> list[tuple[int, int, int]]:
    """(start, end, 1-based line number) of each line of ``text``."""
    out, offset = [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        out.append((offset, offset + len(line), number))
        offset += len(line) + 1
    return out


def _timed_lines(text: str) -> list[ParsedTurn] | None:
    lines = _lines(text)
    hits = [LabelConfig.match_timed_line(text[s:e]) for s, e, _ in lines]
    n = sum(h is not None for h in hits)
    if n < 3:
        return None
    first_line_start = next(s for (s, _, _), h in zip(lines, hits) if h is not None)
    # the share is counted from the first timed line on: a title or header may come before it
    non_blank = sum(1 for s, e, _ in lines if s >= first_line_start and text[s:e].strip())
    if n < TIMED_SHARE * non_blank:
        return None
    timed = [(s, h, number) for (s, _, number), h in zip(lines, hits) if h is not None]
    turns = paragraph_turns(text[:first_line_start])  # a header before the first timed line: its paragraphs
    ends = [s for s, _, _ in timed[1:]] + [len(text)]  # a segment runs to the start of the next timed line
    for (line_start, hit, number), end in zip(timed, ends):
        a, b = _strip_span(text, line_start + hit.text_offset, end)
        if a < b:
            turns.append(ParsedTurn(a, b, timestamp=hit.timestamp, line=number))
    return turns


def _joined_lines(text: str, start: int, end: int) -> list[ParsedTurn]:
    lines = [(s, e, n) for s, e, n in _lines(text) if s >= start and e <= end and text[s:e].strip()]
    breaks = paragraph_breaks([Piece(text[s:e]) for s, e, _ in lines]) + [len(lines)]
    turns = []
    for a, b in zip(breaks, breaks[1:]):
        s, e = _strip_span(text, lines[a][0], lines[b - 1][1])
        turns.append(ParsedTurn(s, e, line=lines[a][2]))
    return turns
