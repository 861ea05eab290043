"""Caption files: WebVTT (``.vtt``) and SubRip (``.srt``).

Each cue's text is read with its start and end time. The speaker comes from a
WebVTT voice tag (``<v Name>``, ``<v.class Name>``), a ``Name:`` prefix that
matches the speaker-label pattern (Zoom, Teams), or a first line that holds only
a name, when most cues start with such a line and the names recur. Other tags
(``<i>``, ``<c.x>``, inline timestamps) are removed and HTML entities decoded.

Rolling captions (YouTube's automatic captions, where each cue repeats the line
before it and short "hold" cues repeat it again) are recognised by that shape
(and, for one-line repeats, by the per-word times such captions carry) and
each line is kept once; a cue that repeats an earlier cue's time and words
exactly (a live captioner re-writing its transcript from the start) is kept
once. Cue timings are read as written, including Teams'
unpadded ``0:0:0.570`` and Whisper's hour-less ``00:11.000``; a cue that is not
followed by a blank line before the next timing line is still a cue of its own.

The pieces then become turns or paragraphs as :mod:`.timed` describes: a
speaker's consecutive cues form one turn; in a file without speakers, cues are
joined into paragraphs that end at a sentence end or a pause, each with the
time of its first cue.

The stored text is the rendered transcript (``"Speaker: words"`` paragraphs,
see :func:`~asymmetry_qda.readers.base.render_utterances`), not the caption file
itself; cue times are kept on the turns.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, Problem
from ..textio import decode_text
from .base import Kind, ParsedDocument, build_document, render_utterances
from .labels import LabelConfig, normalise_timestamp
from .timed import Piece, clock_seconds, group_pieces

_TIME = r"(?:\d+:)?\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?"
_TIMING = re.compile(rf"^\s*(?P<start>{_TIME})\s*-->\s*(?P<end>{_TIME})")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+(?P<name>[^>]+)>")
_TAG = re.compile(r"</?[^>]*>")
_WORD_TIME = re.compile(r"<\d{2}:\d{2}:\d{2}[.,]\d{3}>")
#: share of cues that must repeat the previous cue's last line for the file to be read as rolling captions
_ROLLING_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class _Cue:
    start: str  # normalised HH:MM:SS[.fff]
    start_s: float
    end_s: float
    lines: list[str]  # raw payload lines
    line: int  # 1-based line of the timing line


def read_captions(path: Path, *, doc_id: str, labels: LabelConfig, kind: Kind | None) -> list[ParsedDocument]:
    decoded = decode_text(path.read_bytes(), source=path.name)
    fmt = path.suffix.lower().lstrip(".")
    cues = _cues(decoded.text, path.name, fmt)
    pieces, layout = _pieces(cues, labels)
    text, turns = render_utterances(group_pieces(pieces))
    if not turns:
        raise InputError(Problem(path.name, "the caption file has no cue text",
                                 fix="check that it is the right file, or leave it out"))
    document = build_document(doc_id=doc_id, text=text, turns=turns, kind=kind, labels=labels,
                              source_name=path.name, source_format=fmt, encoding=decoded.encoding)
    speakers = any(t.speaker for t in turns)
    document.layout = ", ".join([*layout, "captions with speakers" if speakers else
                                 "captions without speakers, paragraphs at sentence ends and pauses"])
    return [document]


def _cues(text: str, source: str, fmt: str) -> list[_Cue]:
    lines = text.split("\n")
    if fmt == "vtt" and not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        raise InputError(Problem(source, "a WebVTT file must start with the line 'WEBVTT'", line=1,
                                 fix="check the file's format, or rename it to .srt if it is SubRip"))
    cues: list[_Cue] = []
    i = 0
    while i < len(lines):
        m = _TIMING.match(lines[i])
        if m is None:
            i += 1
            continue
        timing_line = i + 1
        payload: list[str] = []
        i += 1
        # a cue's text ends at an empty line (a line of spaces does not end it: YouTube writes " " lines inside
        # cues) or, in files that leave out the blank line, at the next timing line
        while i < len(lines) and lines[i] != "" and _TIMING.match(lines[i]) is None:
            payload.append(lines[i])
            i += 1
        if fmt == "srt" and i < len(lines) and lines[i] != "" and payload and payload[-1].strip().isdigit():
            payload.pop()  # the next cue's number, when the blank line before it is missing
        start, end = normalise_timestamp(m.group("start")), normalise_timestamp(m.group("end"))
        cues.append(_Cue(start, clock_seconds(start), clock_seconds(end), payload, timing_line))
    if not cues:
        raise InputError(Problem(source, "no cue timing line such as '00:00:01.000 --> 00:00:04.000' was found",
                                 fix="check that the file is a WebVTT or SubRip caption file"))
    return cues


def _clean(line: str) -> str:
    return html.unescape(_TAG.sub("", line)).replace("\u200e", "").replace("\u200f", "").strip()


def _pieces(cues: list[_Cue], labels: LabelConfig) -> tuple[list[Piece], list[str]]:
    """The pieces of talk of the cues, and what was recognised about the layout."""
    voices = [_VOICE.search("\n".join(c.lines)) for c in cues]
    texts = [[x for x in map(_clean, c.lines) if x] for c in cues]
    layout: list[str] = []
    if _is_rolling(texts, word_times=any(_WORD_TIME.search("\n".join(c.lines)) for c in cues)):
        layout.append("rolling captions, repeated lines kept once")
        texts = _unroll(texts)
    named = _name_lines(texts, labels) if not any(voices) else set()
    if named:
        layout.append("a name on each cue's first line")
    pieces: list[Piece] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    repeated = 0
    for cue, voice, lines in zip(cues, voices, texts):
        key = (cue.start, tuple(lines))
        if lines and key in seen:  # a live captioner re-writing its transcript from the start
            repeated += 1
            continue
        seen.add(key)
        speaker = voice.group("name").strip() if voice else None
        if speaker is None and len(lines) >= 2 and lines[0] in named:
            speaker, lines = lines[0], lines[1:]
        words = " ".join(lines)
        if speaker is None:
            hit = labels.match_turn_start(words)
            if hit is not None:
                speaker, words = hit.label, words[hit.text_offset:]
        pieces.append(Piece(words, cue.start_s, cue.end_s, speaker, cue.line, cue.start))
    if repeated:
        layout.append(f"{repeated} repeated cue{'s' if repeated != 1 else ''} (same time, same words) kept once")
    return pieces, layout


def _is_rolling(texts: list[list[str]], *, word_times: bool) -> bool:
    """Whether many cues start with the line the cue before them ended with (rolling captions).

    A cue of two or more lines whose first line is the previous cue's last counts; so does a one-line cue that
    repeats it (YouTube's short "hold" cues) when the file carries per-word times (``<00:00:01.500>``), the mark
    of automatic captions, since in other captions a line said twice ("Yes." / "Yes.") is talk.
    """
    repeats = sum(1 for before, lines in zip(texts, texts[1:]) if before and lines and lines[0] == before[-1]
                  and (len(lines) >= 2 or word_times))
    return repeats >= max(2, _ROLLING_SHARE * len(texts))


def _unroll(texts: list[list[str]]) -> list[list[str]]:
    """Each cue without the lines it repeats from the end of the cue before it."""
    out: list[list[str]] = []
    before: list[str] = []
    for lines in texts:
        overlap = next((k for k in range(min(len(lines), len(before)), 0, -1) if lines[:k] == before[-k:]), 0)
        out.append(lines[overlap:])
        before = lines or before
    return out


def _name_lines(texts: list[list[str]], labels: LabelConfig) -> set[str]:
    """First lines that are speakers' names: when most cues have a first line that is only a label (no colon)
    and the same names recur, those names; otherwise none."""
    label = re.compile(labels.label_pattern)
    firsts = [lines[0] for lines in texts if len(lines) >= 2 and label.fullmatch(lines[0])
              and not lines[0].endswith((".", "?", "!", ","))]
    if len(firsts) < max(2, 0.5 * len(texts)):
        return set()
    counts: dict[str, int] = {}
    for name in firsts:
        counts[name] = counts.get(name, 0) + 1
    recurring = {name for name, n in counts.items() if n >= 2}
    return recurring if sum(counts[n] for n in recurring) >= 0.8 * len(firsts) else set()
