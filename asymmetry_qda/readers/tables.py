"""Transcripts as tables, one row per turn: ``.csv`` and ``.xlsx``.

Columns are matched without case (aliases in brackets): ``speaker``
(speaker_label, label) and ``text`` (utterance, words) are required;
``doc_id`` (document, document_id, doc) and ``timestamp`` (time, start) are
optional, and any other column (``tags``...) is ignored. The stored text of
each document is the rendered transcript (``"Speaker: words"`` paragraphs),
one segment per row with text, rows kept in their order.

Rules
-----
- With a ``doc_id`` column one file may hold several documents, and a row with
  text but no doc_id is an error. Without one the file is one document whose
  id is the file name without extension, as for the other formats.
- A colon ending the speaker cell (``DB:``) is not part of the label.
- An empty speaker cell continues the turn of the speaker named last in the
  same document (the row stays its own segment). Before any named speaker, or
  in a document where no speaker is named (field notes), it stays speakerless.
- A timestamp cell starts with a time (``0:12:31``, ``12:31``, ``[00:12:31]``,
  ``(12:31)``); words after it (``[00:03:43] beginning of interview``) are
  dropped, with a note. A non-empty cell that does not start with a time
  (or whose minutes or seconds pass 59) is an error naming its line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path

from ..errors import InputError, Problem
from ..textio import decode_text
from .base import Kind, ParsedDocument, Utterance, build_document, render_utterances
from .labels import LabelConfig, normalise_timestamp

_ALIASES = {
    "doc_id": ("doc_id", "document", "document_id", "doc"),
    "speaker": ("speaker", "speaker_label", "label"),
    "text": ("text", "utterance", "words"),
    "timestamp": ("timestamp", "time", "start"),
}
_REQUIRED = ("speaker", "text")
#: a colon ending a speaker cell, with the spaces around it ("Devin Becker:", "DB :")
_LABEL_COLON = re.compile(r"\s*:\s*$")
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?"
#: the time a timestamp cell starts with, bracketed or bare, and what follows it (a note, or nothing)
_LEADING_TIME = re.compile(rf"\s*(?P<time>\[{_CLOCK}\]|\({_CLOCK}\)|{_CLOCK}(?![\d:]))\s*(?P<rest>.*)", re.S)


def read_table(path: Path, *, labels: LabelConfig,
               kind_of: Callable[[str], Kind | None]) -> list[ParsedDocument]:
    """Every document in a turn table. ``kind_of`` gives a doc id's declared kind, or ``None``."""
    fmt = path.suffix.lower().lstrip(".")
    header, rows, encoding = _read_rows(path, fmt)
    columns = _resolve_columns(header, path.name)
    one_document = columns["doc_id"] is None
    by_doc: dict[str, list[Utterance]] = {}
    last_speaker: dict[str, str] = {}  # per document: the speaker named last, whom an empty speaker cell continues
    noted: dict[str, list[tuple[int, str]]] = {}  # per document: (line, words after the time) of timestamp cells
    problems: list[Problem] = []
    for line, row in rows:
        cell = lambda name: (row[columns[name]] if columns.get(name) is not None and columns[name] < len(row) else "")  # noqa: E731
        doc_id = path.stem if one_document else str(cell("doc_id") or "").strip()
        words = str(cell("text") or "")
        if not doc_id and not words.strip():
            continue  # a blank row
        if not doc_id:
            problems.append(Problem(path.name, "the row has text but no doc_id", line=line,
                                    fix="fill in the document id"))
            continue
        raw_ts = cell("timestamp")
        try:
            timestamp, note = _read_timestamp(raw_ts)
        except ValueError:
            problems.append(Problem(path.name, f"timestamp {str(raw_ts).strip()!r} is not like 00:12:31", line=line,
                                    fix="use HH:MM:SS, MM:SS or leave the cell empty"))
            continue
        if note and words.strip():
            noted.setdefault(doc_id, []).append((line, note))
        speaker = _LABEL_COLON.sub("", str(cell("speaker") or "").strip()) or None
        if speaker is not None:
            last_speaker[doc_id] = speaker
        else:
            speaker = last_speaker.get(doc_id)  # None before the document's first named speaker
        if words.strip() or not one_document:  # (a one-document table's blank rows make no document)
            by_doc.setdefault(doc_id, []).append(Utterance(speaker, words, timestamp, line))
    if problems:
        raise InputError(problems)
    if not by_doc:
        raise InputError(Problem(path.name, "the table has a header but no rows with text",
                                 fix="check that it is the right file, or leave it out"))
    documents = []
    for doc_id, utterances in by_doc.items():
        text, turns = render_utterances(utterances)
        if not turns:
            raise InputError(Problem(path.name, f"document {doc_id!r} has no rows with text",
                                     fix="fill in the text column or remove its rows"))
        document = build_document(doc_id=doc_id, text=text, turns=turns, kind=kind_of(doc_id),
                                  labels=labels, source_name=path.name, source_format=fmt,
                                  encoding=encoding)
        if doc_id in noted:
            (first_line, first_note), count = noted[doc_id][0], len(noted[doc_id])
            document.notes.append(
                f"{count} timestamp cell{'s have' if count != 1 else ' has'} words after the time (first at line "
                f"{first_line}: {first_note[:60]!r}); only the time is kept")
        documents.append(document)
    return documents


def _read_timestamp(value) -> tuple[str | None, str]:
    """The time a timestamp cell starts with (``HH:MM:SS[.fff]``, or ``None`` for an empty cell) and the words
    after it; ``ValueError`` when a non-empty cell does not start with a time.

    >>> [_read_timestamp(v) for v in ("0:00:00", "5:00", "[01:10:00]", "[00:03:43] beginning of interview", "")]
    [('00:00:00', ''), ('00:05:00', ''), ('01:10:00', ''), ('00:03:43', 'beginning of interview'), (None, '')]
    """
    if isinstance(value, dt.time):  # an .xlsx cell formatted as a time
        fraction = f".{value.microsecond // 1000:03d}" if value.microsecond else ""
        return f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}{fraction}", ""
    raw = str(value if value is not None else "").strip()
    if not raw:
        return None, ""
    m = _LEADING_TIME.fullmatch(raw)
    if m is None:
        raise ValueError(raw)
    fields = m.group("time").strip("[]()").replace(",", ".").split(".")[0].split(":")
    if int(fields[-1]) > 59 or (len(fields) == 3 and int(fields[1]) > 59):
        raise ValueError(raw)
    return normalise_timestamp(m.group("time")), m.group("rest").strip()


def _read_rows(path: Path, fmt: str) -> tuple[list[str], list[tuple[int, list]], str | None]:
    if fmt == "csv":
        decoded = decode_text(path.read_bytes(), source=path.name)
        # the delimiter is whichever of , ; TAB the header uses most (csv.Sniffer guesses quoting wrongly
        # on long quoted turns); quoting is always the standard doubled-quote style
        header_line = decoded.text.split("\n", 1)[0]
        delimiter = max(",;\t", key=header_line.count)
        reader = csv.reader(io.StringIO(decoded.text, newline=""), delimiter=delimiter)
        try:
            all_rows = list(reader)
        except csv.Error as exc:
            raise InputError(Problem(path.name, f"the CSV cannot be parsed ({exc})", line=reader.line_num,
                                     fix="check the quoting around that line")) from None
        header = all_rows[0] if all_rows else []
        # csv line numbers: a quoted cell may span lines, so count them as we go
        rows, line = [], 2
        for row in all_rows[1:]:
            rows.append((line, row))
            line += 1 + sum(str(c).count("\n") for c in row)
        return header, rows, decoded.encoding
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a dependency of the package
        raise InputError(Problem(path.name, "reading .xlsx needs the openpyxl package",
                                 fix="pip install openpyxl")) from None
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for damaged files
        raise InputError(Problem(path.name, f"the workbook cannot be read ({type(exc).__name__}: {exc})",
                                 fix="open it in Excel or LibreOffice and save it again as .xlsx")) from None
    sheet = workbook.worksheets[0]
    values = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    header = [str(v) for v in values[0]] if values else []
    return header, [(i + 2, row) for i, row in enumerate(values[1:])], None


def _resolve_columns(header: list[str], source: str) -> dict[str, int | None]:
    keys = [str(h).strip().lower().lstrip("\ufeff") for h in header]
    columns: dict[str, int | None] = {}
    for name, aliases in _ALIASES.items():
        columns[name] = next((keys.index(a) for a in aliases if a in keys), None)
    missing = [n for n in _REQUIRED if columns[n] is None]
    if missing:
        raise InputError(Problem(
            source, f"a turn table needs the columns {', '.join(_REQUIRED)} (doc_id and timestamp optional); "
            f"missing {', '.join(missing)}; found {', '.join(repr(h) for h in header) or 'no header'}",
            line=1, fix="rename the header cells (an attributes table goes to --attributes, not PATH)"))
    return columns
