"""Transcripts as tables, one row per turn: ``.csv`` and ``.xlsx``.

Required columns (names compared without case; aliases in brackets):
``doc_id`` (document, document_id), ``speaker``, ``text`` (utterance); optional
``timestamp`` (time). One file may hold several documents; rows keep their
order within each document. Each row is one turn, and the stored text of each
document is the rendered transcript (``"Speaker: words"`` paragraphs).
"""

from __future__ import annotations

import csv
import io
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
_REQUIRED = ("doc_id", "speaker", "text")


def read_table(path: Path, *, labels: LabelConfig,
               kind_of: Callable[[str], Kind | None]) -> list[ParsedDocument]:
    """Every document in a turn table. ``kind_of`` gives a doc id's declared kind, or ``None``."""
    fmt = path.suffix.lower().lstrip(".")
    header, rows, encoding = _read_rows(path, fmt)
    columns = _resolve_columns(header, path.name)
    by_doc: dict[str, list[Utterance]] = {}
    problems: list[Problem] = []
    for line, row in rows:
        cell = lambda name: (row[columns[name]] if columns.get(name) is not None and columns[name] < len(row) else "")  # noqa: E731
        doc_id = str(cell("doc_id") or "").strip()
        words = str(cell("text") or "")
        if not doc_id and not words.strip():
            continue  # a blank row
        if not doc_id:
            problems.append(Problem(path.name, "the row has text but no doc_id", line=line,
                                    fix="fill in the document id"))
            continue
        raw_ts = str(cell("timestamp") or "").strip()
        try:
            timestamp = normalise_timestamp(raw_ts) if raw_ts else None
        except ValueError:
            problems.append(Problem(path.name, f"timestamp {raw_ts!r} is not like 00:12:31", line=line,
                                    fix="use HH:MM:SS, MM:SS or leave the cell empty"))
            continue
        speaker = str(cell("speaker") or "").strip() or None
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
        documents.append(build_document(doc_id=doc_id, text=text, turns=turns, kind=kind_of(doc_id),
                                        labels=labels, source_name=path.name, source_format=fmt,
                                        encoding=encoding))
    return documents


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
            source, f"a turn table needs the columns {', '.join(_REQUIRED)} (timestamp optional); "
            f"missing {', '.join(missing)}; found {', '.join(repr(h) for h in header) or 'no header'}",
            line=1, fix="rename the header cells (an attributes table goes to --attributes, not PATH)"))
    return columns
