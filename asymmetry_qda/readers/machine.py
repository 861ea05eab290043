"""Speech recognisers' machine outputs: Whisper, WhisperX and AWS Transcribe JSON (``.json``), Whisper TSV (``.tsv``).

Layouts read
------------
openai-whisper JSON
    An object with ``"text"``, ``"segments"`` and ``"language"``; each segment
    has ``start`` and ``end`` (seconds, numbers) and ``text`` (with a leading
    space, which is dropped). The OpenAI API's ``verbose_json`` is the same.
WhisperX JSON
    The same ``"segments"`` list; when diarised, a segment carries
    ``"speaker": "SPEAKER_00"`` (kept as the speaker; rename it later). The
    segment's speaker is used, not its ``"words"``; a top-level
    ``"word_segments"`` list is not needed and is ignored.
faster-whisper segment list
    A top-level JSON list of segment objects with ``start``, ``end`` and ``text``
    (``speaker`` too, when a diariser added it).
AWS Transcribe job JSON
    An object whose ``results`` holds ``items``: ``pronunciation`` items (a
    word, ``alternatives[0].content``, with ``start_time`` and ``end_time`` as
    strings of seconds) and ``punctuation`` items (no times), which are attached
    to the word before them without a space. When the job was diarised, each
    word's speaker is its own ``speaker_label`` (newer files) or the one
    ``results.speaker_labels.segments`` gives its start time (the segment whose
    ``items`` list that start time, or else the segment whose time span holds
    it); a run of one speaker's words is one piece. Without speaker labels the
    words are cut into pieces at sentence-ending punctuation. The job's one
    ``transcripts[0].transcript`` string is not used: the words come from the
    items, with their times.
Whisper TSV
    A header row ``start<TAB>end<TAB>text`` (an optional ``speaker`` column is
    read too; column order is free), then one segment per row. Times are
    integer **milliseconds**, as whisper writes them (``0``, ``11000``); a value
    with a decimal point is seconds (``11.0``) and one with colons a clock time
    (``00:00:11.000``).

Every layout's segments become timed pieces that :mod:`.timed` makes into
turns or paragraphs: a speaker's consecutive segments form one turn; without
speakers, segments are joined into paragraphs that end at a sentence end or a
pause, each timed by its first segment. The text of a segment is not searched
for ``Name:`` labels, since recognisers put speakers in their own fields.

The stored text is the rendered transcript (``"Speaker: words"`` paragraphs,
or the paragraphs of speakerless segments; see
:func:`~asymmetry_qda.readers.base.render_utterances`), not the JSON or TSV
itself; segment times are kept on the turns. A ``.json`` file in none of these
layouts (a project's ``manifest.json``, a settings file) is refused with a
:class:`~asymmetry_qda.errors.NotATranscript` error naming the file when the
user names it, and skipped and listed when a folder search finds it.

Examples
--------
>>> from .timed import group_pieces
>>> pieces, name = json_pieces('{"segments": [{"start": 0.0, "end": 2.0, "text": " So we went"},'
...                            ' {"start": 2.0, "end": 3.5, "text": " home."}]}', source="talk.json")
>>> name, [(u.text, u.timestamp) for u in group_pieces(pieces)]
('Whisper JSON', [('So we went home.', '00:00:00')])
>>> pieces, name = tsv_pieces("start\\tend\\ttext\\n0\\t1500\\tYes.\\n1500\\t3250\\tNo.\\n", source="talk.tsv")
>>> name, [(p.text, p.start, p.end, p.line) for p in pieces]
('Whisper TSV (times in milliseconds)', [('Yes.', 0.0, 1.5, 2), ('No.', 1.5, 3.25, 3)])
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, NotATranscript, Problem
from ..textio import decode_text
from .base import Kind, ParsedDocument, build_document, render_utterances
from .labels import LabelConfig, normalise_timestamp
from .timed import Piece, clock_seconds, ends_sentence, group_pieces

#: what a .json file may be, for messages
JSON_LAYOUTS = ("openai-whisper or WhisperX JSON (an object with a 'segments' list of objects with start, end and "
                "text), a faster-whisper list of such segments, or an AWS Transcribe job's JSON (an object whose "
                "'results' holds 'items')")
_JSON_FIX = ("export the transcript as .srt, .vtt or .txt, or as Whisper, WhisperX or AWS Transcribe JSON; if the "
             "file is not a transcript, leave it out (a folder ingest skips such a file and lists it)")
_MILLIS = re.compile(r"[+-]?\d+")
_SECONDS = re.compile(r"[+-]?(?:\d+[.,]\d*|[.,]\d+)")
_CLOCK = re.compile(r"\d+:\d{1,2}(?::\d{1,2})?(?:[.,]\d+)?")


def read_machine(path: Path, *, doc_id: str, labels: LabelConfig, kind: Kind | None) -> list[ParsedDocument]:
    """One document from a recogniser's ``.json`` or ``.tsv`` output (see the module docstring)."""
    decoded = decode_text(path.read_bytes(), source=path.name)
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "tsv":
        pieces, name = tsv_pieces(decoded.text, source=path.name)
    else:
        pieces, name = json_pieces(decoded.text, source=path.name)
    text, turns = render_utterances(group_pieces(pieces))
    if not turns:
        raise InputError(Problem(path.name, f"this {name.split(' (')[0]} file holds no words (no segment has text)",
                                 fix="check that it is the right file (a recording of silence gives no segments), "
                                     "or leave it out"))
    document = build_document(doc_id=doc_id, text=text, turns=turns, kind=kind, labels=labels,
                              source_name=path.name, source_format=fmt, encoding=decoded.encoding)
    speakers = {t.speaker for t in turns if t.speaker}
    if speakers:
        document.layout = f"{name} with {len(speakers)} diarised speaker{'s' if len(speakers) != 1 else ''}"
    else:
        document.layout = f"{name}, speakerless segments in paragraphs at sentence ends and pauses"
    return [document]


# --------------------------------------------------------------------------------------------------- JSON


def json_pieces(text: str, *, source: str) -> tuple[list[Piece], str]:
    """The pieces of talk of a recogniser's JSON output, and the name of the layout recognised.

    Raises :class:`InputError` naming ``source`` (and the line, for invalid
    JSON) when the text is not JSON or not one of the layouts read.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(Problem(source, f"this is not valid JSON ({exc.msg}, column {exc.colno})", line=exc.lineno,
                                 fix="check that the recogniser finished writing the file, or export it again"
                                 )) from None
    except RecursionError:
        raise InputError(Problem(source, "this JSON is nested too deeply to be a recogniser's transcript",
                                 fix=_JSON_FIX)) from None
    if isinstance(data, dict) and isinstance(data.get("results"), dict) and (
            "items" in data["results"] or "transcripts" in data["results"]):
        return _aws_pieces(data["results"], source), "AWS Transcribe JSON"
    if isinstance(data, dict) and isinstance(data.get("segments"), list):
        segments = data["segments"]
        name = "WhisperX JSON" if _is_whisperx(data) else "Whisper JSON"
        return _segment_pieces(segments, source, "'segments'"), name
    if isinstance(data, list) and data and all(isinstance(s, dict) and "text" in s and ("start" in s or "end" in s)
                                               for s in data):
        return _segment_pieces(data, source, "the list"), "faster-whisper JSON segment list"
    if isinstance(data, dict) and isinstance(data.get("text"), str) and "segments" not in data:
        raise InputError(Problem(
            source, "this JSON holds a transcript's 'text' but no timed 'segments' (the OpenAI API's plain 'json' "
            "response); .json is read as " + JSON_LAYOUTS,
            fix="ask for response_format 'verbose_json' (or 'srt'/'vtt'), or save the text as a .txt file"))
    raise NotATranscript(Problem(source, f"this JSON is not a speech recogniser's transcript ({_describe(data)}); "
                             f".json is read as {JSON_LAYOUTS}", fix=_JSON_FIX))


def _is_whisperx(data: dict) -> bool:
    """WhisperX (speakers, an aligned ``word_segments`` list, or word lists without whisper's decoder tokens)."""
    segments = [s for s in data["segments"] if isinstance(s, dict)]
    return ("word_segments" in data or any("speaker" in s for s in segments)
            or any("words" in s and "tokens" not in s for s in segments))


def _describe(data: Any) -> str:
    """What a JSON value is, for a message: its type and its first keys."""
    if isinstance(data, dict):
        keys = list(data)
        shown = ", ".join(repr(k) for k in keys[:6]) + (", ..." if len(keys) > 6 else "")
        return f"its top level is an object with keys {shown}" if keys else "its top level is an empty object"
    if isinstance(data, list):
        if not data:
            return "its top level is an empty list"
        first = data[0]
        what = (f"objects with keys {', '.join(repr(k) for k in list(first)[:6])}" if isinstance(first, dict)
                else type(first).__name__ + " values")
        return f"its top level is a list of {len(data)} items, the first of them {what}"
    return f"its top level is a single {type(data).__name__} value"


def _segment_pieces(segments: list, source: str, where: str) -> list[Piece]:
    """Pieces of Whisper-style segments: ``start``/``end`` seconds, ``text``, an optional ``speaker``."""
    pieces: list[Piece] = []
    for i, segment in enumerate(segments, start=1):
        if not isinstance(segment, dict) or not isinstance(segment.get("text", ""), str):
            raise InputError(Problem(source, f"segment {i} of {where} is not an object with a 'text' string "
                                     f"({_describe(segment).replace('its top level is ', '')})", fix=_JSON_FIX))
        label = f"segment {i} of {where}"
        speaker = segment.get("speaker")
        pieces.append(Piece(segment.get("text", ""), _seconds(segment.get("start"), f"{label}: start", source),
                            _seconds(segment.get("end"), f"{label}: end", source),
                            str(speaker).strip() or None if speaker is not None else None))
    return pieces


def _seconds(value: Any, what: str, source: str) -> float | None:
    """A JSON time in seconds (a number, or a string of one); ``None`` when absent."""
    if value is None:
        return None
    seconds: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        try:
            seconds = float(value)
        except ValueError:
            seconds = None
    if seconds is None or not math.isfinite(seconds):
        raise InputError(Problem(source, f"{what} is {value!r}, not a number of seconds",
                                 fix="check the file: a recogniser writes times as numbers of seconds"))
    return seconds


@dataclass(slots=True)
class _Word:
    text: str
    start: float | None
    end: float | None
    speaker: str | None


def _aws_pieces(results: dict, source: str) -> list[Piece]:
    """Pieces of an AWS Transcribe job's ``results`` (see the module docstring)."""
    items = results.get("items")
    if not isinstance(items, list):
        raise InputError(Problem(source, "this AWS Transcribe JSON has no 'results.items' list of words",
                                 fix="download the job's full transcript JSON again, or export it as .srt/.vtt"))
    by_start, spans = _aws_speakers(results.get("speaker_labels"), source)
    words: list[_Word] = []
    for i, item in enumerate(items, start=1):
        where = f"results.items item {i}"
        alternatives = item.get("alternatives") if isinstance(item, dict) else None
        content = alternatives[0].get("content") if (isinstance(alternatives, list) and alternatives
                                                     and isinstance(alternatives[0], dict)) else None
        if not isinstance(content, str):
            raise InputError(Problem(source, f"{where} has no alternatives[0].content (the word)",
                                     fix="download the job's transcript JSON again, or export it as .srt/.vtt"))
        if item.get("type") == "punctuation" and words:
            words[-1].text += content
            continue
        start = _seconds(item.get("start_time"), f"{where}: start_time", source)
        end = _seconds(item.get("end_time"), f"{where}: end_time", source)
        speaker = item.get("speaker_label")
        if speaker is None and start is not None:
            speaker = by_start.get(round(start, 3)) or next(
                (label for a, b, label in spans if a is not None and b is not None and a <= start <= b), None)
        words.append(_Word(content, start, end, str(speaker) if speaker is not None else None))
    if any(w.speaker for w in words):
        for before, word in zip(words, words[1:]):  # a word no segment claims stays with the speaker before it
            word.speaker = word.speaker or before.speaker
        cut = [i for i in range(1, len(words)) if words[i].speaker != words[i - 1].speaker]
    else:
        cut = [i for i in range(1, len(words)) if ends_sentence(words[i - 1].text)]
    pieces: list[Piece] = []
    for a, b in zip([0, *cut], [*cut, len(words)]):
        run = words[a:b]
        starts = [w.start for w in run if w.start is not None]
        ends = [w.end for w in run if w.end is not None]
        pieces.append(Piece(" ".join(w.text for w in run), starts[0] if starts else None,
                            ends[-1] if ends else None, run[0].speaker))
    return pieces


def _aws_speakers(labels: Any, source: str) -> tuple[dict[float, str], list[tuple[float | None, float | None, str]]]:
    """Speakers by word start time, and the speaker segments' time spans, from ``results.speaker_labels``."""
    by_start: dict[float, str] = {}
    spans: list[tuple[float | None, float | None, str]] = []
    if not isinstance(labels, dict):
        return by_start, spans
    for i, segment in enumerate(labels.get("segments") or [], start=1):
        if not isinstance(segment, dict):
            continue
        where = f"results.speaker_labels segment {i}"
        label = segment.get("speaker_label")
        if label is not None:
            spans.append((_seconds(segment.get("start_time"), f"{where}: start_time", source),
                          _seconds(segment.get("end_time"), f"{where}: end_time", source), str(label)))
        for item in segment.get("items") or []:
            if not isinstance(item, dict):
                continue
            start = _seconds(item.get("start_time"), f"{where}: an item's start_time", source)
            speaker = item.get("speaker_label", label)
            if start is not None and speaker is not None:
                by_start[round(start, 3)] = str(speaker)
    return by_start, spans


# --------------------------------------------------------------------------------------------------- TSV


def tsv_pieces(text: str, *, source: str) -> tuple[list[Piece], str]:
    """The pieces of talk of a Whisper TSV file (``start``, ``end``, ``text``), and the name of the layout.

    Raises :class:`InputError` naming ``source`` and the line for a missing
    header, a short row or a time that is not a number.
    """
    lines = text.split("\n")
    header = [cell.strip().lower() for cell in lines[0].split("\t")]
    missing = [name for name in ("start", "end", "text") if name not in header]
    if missing:
        found = ", ".join(repr(c if len(c) <= 30 else c[:30] + "...") for c in lines[0].split("\t"))
        raise InputError(Problem(
            source, f"the first row must be a header naming the columns start, end and text (whisper writes "
            f"'start<TAB>end<TAB>text'); found {found}", line=1,
            fix="add the header row 'start<TAB>end<TAB>text', or export the transcript as .srt, .vtt or .txt"))
    column = {name: header.index(name) for name in ("start", "end", "text", "speaker") if name in header}
    units: set[str] = set()
    pieces: list[Piece] = []
    for line_no, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        last_text = column["text"] == len(header) - 1
        if len(cells) < len(header) - last_text:  # (a segment without words may lack its empty last cell)
            raise InputError(Problem(source, f"this row has {len(cells)} tab-separated cell"
                                     f"{'s' if len(cells) != 1 else ''}, not the {len(header)} of the header "
                                     f"({', '.join(header)})", line=line_no,
                                     fix="check that the cells are separated by tabs, not spaces"))
        if last_text:
            words = " ".join(cells[column["text"]:])  # a tab inside the words (whisper writes it as a space)
        else:
            words = cells[column["text"]]
        speaker = cells[column["speaker"]].strip() or None if "speaker" in column else None
        start = _tsv_seconds(cells[column["start"]], "start", source, line_no, units)
        end = _tsv_seconds(cells[column["end"]], "end", source, line_no, units)
        pieces.append(Piece(words, start, end, speaker, line_no))
    order = [u for u in ("milliseconds", "seconds", "clock times") if u in units]
    return pieces, f"Whisper TSV (times in {' and '.join(order) or 'milliseconds'})"


def _tsv_seconds(cell: str, what: str, source: str, line: int, units: set[str]) -> float | None:
    """Seconds of a TSV time cell: integer milliseconds, decimal seconds or a clock time; ``None`` when empty."""
    value = cell.strip()
    if not value:
        return None
    if _MILLIS.fullmatch(value):
        units.add("milliseconds")
        return int(value) / 1000
    if _SECONDS.fullmatch(value):
        units.add("seconds")
        return float(value.replace(",", "."))
    if _CLOCK.fullmatch(value):
        units.add("clock times")
        return clock_seconds(normalise_timestamp(value))
    raise InputError(Problem(source, f"the {what} time {value!r} is not a number (whisper writes integer "
                             "milliseconds, e.g. 11000)", line=line,
                             fix="correct the cell, or export the transcript again"))
