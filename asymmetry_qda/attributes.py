"""The participant attributes table: one CSV row per document.

Required columns: ``doc_id``, ``pseudonym``, ``rank``, ``function``,
``data_type`` (``interview`` or ``fieldnote``). Optional: ``participant_id``
(defaults to the pseudonym, so two documents of one person share it) and
``leader`` (``yes``/``no``; blank means derived from the rank: inspector and
above). Every other column is kept as a free attribute (text).

A blank rank, or ``mixed``/``unknown``/``n/a`` (for example a group field
note), gives an unknown rank. Column names are compared without case.

Every problem in the table is reported at once, each with its line number.

Examples
--------
>>> import io
>>> table = parse_attributes(io.StringIO(
...     "doc_id,pseudonym,rank,function,data_type,leader\\n"
...     "INT02,Sgt D,Sergeant,response,interview,yes\\n"), source="participants.csv")
>>> p = table.participants["Sgt D"]
>>> (p.rank, p.rank_level, p.leader, p.leader_source)
('sergeant', 2, True, 'table')
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .errors import InputError, Problem
from .ranks import UnknownRankError, known_ranks, normalise_rank
from .records import DOCUMENT_KINDS, Participant
from .textio import decode_text

REQUIRED_COLUMNS: tuple[str, ...] = ("doc_id", "pseudonym", "rank", "function", "data_type")
_RESERVED = frozenset(REQUIRED_COLUMNS) | {"participant_id", "leader"}
_TRUE = frozenset({"yes", "y", "true", "t", "1"})
_FALSE = frozenset({"no", "n", "false", "f", "0"})
_KIND_ALIASES = {"interview": "interview", "interviews": "interview", "fieldnote": "fieldnote",
                 "fieldnotes": "fieldnote", "field note": "fieldnote", "field notes": "fieldnote",
                 "field-note": "fieldnote", "field_note": "fieldnote"}


@dataclass
class AttributeTable:
    """A validated attributes table."""

    source: str
    participants: dict[str, Participant] = field(default_factory=dict)
    doc_participant: dict[str, str] = field(default_factory=dict)
    doc_kind: dict[str, str] = field(default_factory=dict)
    doc_line: dict[str, int] = field(default_factory=dict)

    def unknown_documents(self, known: set[str]) -> list[Problem]:
        """A problem for each row whose ``doc_id`` is not in ``known``."""
        problems = []
        for doc_id, line in self.doc_line.items():
            if doc_id not in known:
                hint = ", ".join(sorted(known)[:8]) + (" ..." if len(known) > 8 else "")
                problems.append(Problem(
                    self.source, f"unknown document id {doc_id!r}", line=line,
                    fix=f"use the id of an ingested or ingesting document ({hint or 'none yet'}), "
                        "or remove the row"))
        return problems


def read_attributes(path: str | Path) -> AttributeTable:
    """Read and validate an attributes CSV file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(Problem(str(path), "the attributes file does not exist", fix="check the path"))
    decoded = decode_text(path.read_bytes(), source=path.name)
    return parse_attributes(io.StringIO(decoded.text, newline=""), source=path.name)


def parse_attributes(handle: TextIO, *, source: str) -> AttributeTable:
    """Validate an attributes table from an open text handle."""
    reader = csv.reader(handle)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InputError(Problem(source, f"the CSV cannot be parsed ({exc})", line=reader.line_num,
                                 fix="check the quoting around that line")) from None
    return _table(rows, source)


def attributes_from_records(records: Iterable[Mapping[str, str]], *, source: str,
                            columns: Sequence[str] | None = None) -> AttributeTable:
    """Validate an attributes table given as records in memory, as :func:`parse_attributes` validates a CSV.

    Parameters
    ----------
    records
        One mapping per row, from column name to cell text (a missing column is a blank cell).
    source
        What to call the table in messages (there is no file, so no line but the row's, counted as in a CSV
        with a header row).
    columns
        The header, in order; by default the records' keys in the order they first appear.

    Raises
    ------
    InputError
        Every problem of the table at once, as :func:`parse_attributes` reports them.

    Examples
    --------
    >>> table = attributes_from_records([{"doc_id": "INT02", "pseudonym": "Sgt D", "rank": "Sergeant",
    ...                                   "function": "response", "data_type": "interview"}], source="cases")
    >>> table.doc_participant, table.participants["Sgt D"].rank
    ({'INT02': 'Sgt D'}, 'sergeant')
    """
    records = list(records)
    header = list(columns) if columns is not None else list(dict.fromkeys(k for r in records for k in r))
    return _table([header] + [[r.get(c, "") for c in header] for r in records], source)


def _table(rows: list[list[str]], source: str) -> AttributeTable:
    """Validate a table of text cells whose first row is the header (``rows[k]`` is on line ``k + 1``, plus the
    line breaks inside the cells above it)."""
    if not rows:
        raise InputError(Problem(source, "the attributes table is empty",
                                 fix=f"add a header row with {', '.join(REQUIRED_COLUMNS)}"))
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    keys = [h.lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in keys]
    duplicated = sorted({k for k in keys if keys.count(k) > 1 and k})
    if missing or duplicated:
        parts = []
        if missing:
            parts.append(f"missing required column(s) {', '.join(missing)}")
        if duplicated:
            parts.append(f"duplicated column(s) {', '.join(duplicated)}")
        raise InputError(Problem(source, "; ".join(parts) + f" (found: {', '.join(header)})", line=1,
                                 fix=f"the header must name {', '.join(REQUIRED_COLUMNS)}; "
                                     "optional: participant_id, leader, any other attribute"))
    table = AttributeTable(source)
    problems: list[Problem] = []
    first_line_of: dict[str, int] = {}
    line = 2
    for row in rows[1:]:
        this_line = line
        line += 1 + sum(c.count("\n") for c in row)
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(header):
            problems.append(Problem(source, f"the row has {len(row)} cells but the header has {len(header)}",
                                    line=this_line, fix="quote cells that contain commas"))
            continue
        record = {k: (row[i].strip() if i < len(row) else "") for i, k in enumerate(keys)}
        original_names = dict(zip(keys, header, strict=True))
        problems.extend(_add_row(table, record, original_names, this_line, first_line_of))
    if problems:
        raise InputError(problems)
    return table


def _add_row(table: AttributeTable, record: dict[str, str], names: dict[str, str], line: int,
             first_line_of: dict[str, int]) -> list[Problem]:
    source = table.source
    doc_id = record["doc_id"]
    if not doc_id:
        return [Problem(source, "doc_id is empty", line=line, fix="fill in the document id")]
    if doc_id in first_line_of:
        return [Problem(source, f"duplicate row for document {doc_id!r} (first on line {first_line_of[doc_id]})",
                        line=line, fix="keep one row per document")]
    first_line_of[doc_id] = line
    participant, problems = _participant(record, names, source, line, f" for document {doc_id!r}")
    kind = _KIND_ALIASES.get(record["data_type"].lower())
    if kind is None:
        problems.append(Problem(source, f"data_type {record['data_type']!r} is not one of "
                                f"{', '.join(DOCUMENT_KINDS)}", line=line,
                                fix="write interview or fieldnote"))
    if problems or participant is None:
        return problems
    problems = _keep(table, participant, line)
    if not problems:
        table.doc_participant[doc_id] = participant.participant_id
        table.doc_kind[doc_id] = kind
        table.doc_line[doc_id] = line
    return problems


def add_participant(table: AttributeTable, record: dict[str, str], *, line: int | None = None) -> list[Problem]:
    """Add a participant with no document to ``table`` (a case that another program exported without its
    sources): ``record`` has the table's columns, lower-cased, without ``doc_id`` and ``data_type``.

    Examples
    --------
    >>> table = AttributeTable("cases")
    >>> add_participant(table, {"pseudonym": "Sam", "rank": "PS", "function": "custody"})
    []
    >>> table.participants["Sam"].rank, table.doc_participant
    ('sergeant', {})
    """
    record = {k: v for k, v in record.items() if k not in ("doc_id", "data_type")}
    record.setdefault("rank", "")
    record.setdefault("function", "")
    participant, problems = _participant(record, {k: k for k in record}, table.source, line,
                                         f" for participant {record.get('participant_id') or ''!r}")
    if problems or participant is None:
        return problems
    return _keep(table, participant, line)


def _participant(record: dict[str, str], names: dict[str, str], source: str, line: int | None,
                 where: str) -> tuple[Participant | None, list[Problem]]:
    problems: list[Problem] = []
    pseudonym = record.get("pseudonym", "")
    if not pseudonym:
        problems.append(Problem(source, f"pseudonym is empty{where}", line=line,
                                fix="give every document's participant a pseudonym"))
    try:
        rank = normalise_rank(record.get("rank", ""))
    except UnknownRankError:
        problems.append(Problem(source, f"rank {record['rank']!r} is not a known UK police rank", line=line,
                                fix=f"use one of: {', '.join(known_ranks())} (abbreviations such as "
                                    "PC, DS, Insp, DCI, Ch Supt are understood), or leave it blank"))
        rank = None
    leader_text = record.get("leader", "").lower()
    if leader_text and leader_text not in _TRUE | _FALSE:
        problems.append(Problem(source, f"leader {record.get('leader')!r} is not yes or no", line=line,
                                fix="write yes or no, or leave it blank to derive it from the rank"))
    if problems or rank is None:  # rank is None only when a problem was recorded
        return None, problems
    if leader_text:
        leader, leader_source = leader_text in _TRUE, "table"
    else:
        leader, leader_source = rank.leader, ("derived" if rank.leader is not None else None)
    participant_id = record.get("participant_id") or pseudonym
    extra = {names[k]: v for k, v in record.items() if k not in _RESERVED and v != ""}
    return Participant(
        participant_id=participant_id, pseudonym=pseudonym, rank=rank.rank, rank_raw=rank.raw or None,
        rank_level=rank.level, rank_band=rank.band, track=rank.track, acting=rank.acting,
        leader=leader, leader_source=leader_source, function=record.get("function") or None,
        attributes=extra), []


def _keep(table: AttributeTable, participant: Participant, line: int | None) -> list[Problem]:
    previous = table.participants.get(participant.participant_id)
    if previous is not None and _identity(previous) != _identity(participant):
        return [Problem(table.source, f"participant {participant.participant_id!r} has different attributes here "
                        "than on an earlier row", line=line,
                        fix="give one person the same pseudonym, rank, function, leader and other "
                            "attributes on every row, or different participant_ids")]
    table.participants[participant.participant_id] = participant
    return []


def _identity(p: Participant) -> tuple:
    return (p.pseudonym, p.rank, p.rank_raw, p.leader, p.function, tuple(sorted(p.attributes.items())))
