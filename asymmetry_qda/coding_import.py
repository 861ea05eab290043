"""Reading human codings from quote tables: ``doc_id, code, quote, occurrence, memo``.

A coder's work is easiest to write down, review and exchange as quotes, not as
character offsets: each row names a document, a code and the exact text coded
(an exact substring of the stored document text); ``occurrence`` (1-based) says
which one is meant when the quote occurs more than once. Every row is located
before anything is written, and every problem in every file is reported at
once with its file and line.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "LT.csv").write_text("doc_id,code,quote,occurrence,memo\\nINT01,blame,lands on me,,\\n")
>>> [(r.doc_id, r.start, r.end, r.code) for r in locate_quotes(folder / "LT.csv", {"INT01": "It lands on me."})]
[('INT01', 3, 14, 'blame')]
"""

from __future__ import annotations

import csv
from collections.abc import Container, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, Problem

__all__ = ["QUOTE_COLUMNS", "QuotedCoding", "coding_files", "locate_quotes"]

QUOTE_COLUMNS = ("doc_id", "code", "quote", "occurrence", "memo")


@dataclass(frozen=True, slots=True)
class QuotedCoding:
    """One located row: ``texts[doc_id][start:end] == quote``."""

    source: str
    line: int
    doc_id: str
    start: int
    end: int
    code: str
    memo: str | None


def coding_files(path: str | Path) -> list[Path]:
    """``path`` if it is a file, else every ``*.csv`` below it, sorted."""
    path = Path(path)
    if path.is_dir():
        return sorted(path.rglob("*.csv"))
    if not path.exists():
        raise InputError(Problem(str(path), "no such file or folder", fix="check the path"))
    return [path]


def locate_quotes(path: str | Path, texts: Mapping[str, str], *, codes: Container[str] | None = None
                  ) -> list[QuotedCoding]:
    """Locate every row of the quote table(s) at ``path`` in ``texts``; raise one InputError listing every problem.

    ``codes``, when given, is the set of code ids a row may use (the codebook's).
    """
    problems: list[Problem] = []
    located: list[QuotedCoding] = []
    for file in coding_files(path):
        source = str(file)
        try:
            with open(file, encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                missing = [c for c in ("doc_id", "code", "quote") if c not in (reader.fieldnames or [])]
                if missing:
                    problems.append(Problem(source, f"no column {', '.join(missing)}", line=1,
                                            fix=f"use the header {','.join(QUOTE_COLUMNS)}"))
                    continue
                for row in reader:
                    found = _locate(row, texts, codes, source, reader.line_num, problems)
                    if found is not None:
                        located.append(found)
        except UnicodeDecodeError as exc:
            problems.append(Problem(source, f"is not UTF-8 text ({exc.reason})", fix="save it as UTF-8 CSV"))
    if problems:
        raise InputError(problems)
    return located


def _locate(row: dict, texts: Mapping[str, str], codes, source: str, line: int,
            problems: list[Problem]) -> QuotedCoding | None:
    doc_id, code, quote = (row.get("doc_id") or "").strip(), (row.get("code") or "").strip(), row.get("quote") or ""
    if doc_id not in texts:
        problems.append(Problem(source, f"document {doc_id!r} is not in the project", line=line,
                                fix="ingest it first or correct the doc_id"))
        return None
    if not code or (codes is not None and code not in codes):
        problems.append(Problem(source, f"code {code!r} is not in the codebook", line=line,
                                fix="use a code id from the codebook, e.g. response.blame"))
        return None
    if not quote.strip():
        problems.append(Problem(source, "the quote is empty", line=line, fix="copy the coded text into quote"))
        return None
    text = texts[doc_id]
    starts, at = [], text.find(quote)
    while at != -1:
        starts.append(at)
        at = text.find(quote, at + 1)
    occurrence = (row.get("occurrence") or "").strip()
    if not starts:
        problems.append(Problem(source, f"the quote {quote[:50]!r} is not in {doc_id}'s text", line=line,
                                fix="copy it exactly from project.text(doc_id), with its punctuation"))
        return None
    if occurrence:
        if not occurrence.isdigit() or not 1 <= int(occurrence) <= len(starts):
            problems.append(Problem(source, f"occurrence {occurrence!r} is not between 1 and {len(starts)}",
                                    line=line, fix="count the quote's occurrences from the start of the document"))
            return None
        start = starts[int(occurrence) - 1]
    elif len(starts) > 1:
        problems.append(Problem(source, f"the quote {quote[:50]!r} occurs {len(starts)} times in {doc_id}", line=line,
                                fix="give occurrence (1 for the first) or a longer quote"))
        return None
    else:
        start = starts[0]
    memo = (row.get("memo") or "").strip() or None
    return QuotedCoding(source, line, doc_id, start, start + len(quote), code, memo)
