"""Codings and memos in the store: the one writer, the one meaning of "current", and the reads.

Every row of ``codings`` is written by :func:`insert` (or :func:`insert_many`),
every memo by :func:`add_memo`, every coder by :func:`register_coder`. The
functions that write take an open connection inside a transaction
(``with store.transaction() as db``), so a user action of many rows stays one
transaction; the readers take any connection.

A coding is *current* when nothing supersedes it and it was made on the
document's present text: :data:`CURRENT`, written once.

Examples
--------
>>> import tempfile, pathlib
>>> from asymmetry_qda.store.sqlite import Store
>>> store = Store.create(pathlib.Path(tempfile.mkdtemp()) / "s.qda")
>>> with store.transaction() as db:
...     _ = db.execute("INSERT INTO documents (doc_id, kind, text, sha256, n_chars, version, ingested_at) "
...                    "VALUES ('D', 'interview', 'It all lands on me.', 'h', 19, 1, 'now')")
...     register_coder(db, "LT", now="now")
...     first = human_coding(db, "D", 0, 6, "response.blame", "LT", memo=None, now="now")
>>> frame(store.connection)[["doc_id", "start", "end", "code_id", "status", "text"]]
  doc_id  start  end         code_id     status    text
0      D      0    6  response.blame  confirmed  It all
>>> store.close()
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import uuid
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ..records import Coding, Memo, Origin, Status
from .documents import SQL_TEXT

__all__ = ["COLUMNS", "CURRENT", "KNOWN_IDS", "add_memo", "covered_documents", "current", "distinct", "frame", "get",
           "has_current_human", "human_coding", "insert", "insert_many", "memo_on", "register_coder", "segment_of",
           "successor"]

#: ``codings c JOIN documents d``: the row is current (nothing supersedes it, made on the document's present text)
CURRENT = "c.text_sha256 = d.sha256 AND NOT EXISTS (SELECT 1 FROM codings s WHERE s.supersedes = c.coding_id)"

#: every coding id (to list some when an unknown one is asked for)
KNOWN_IDS = "SELECT coding_id FROM codings"

#: the columns of the codings table, in the order of :class:`~asymmetry_qda.records.Coding`
COLUMNS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Coding))
_SQL_COLUMNS = ", ".join('"end"' if c == "end" else c for c in COLUMNS)
_INSERT = f"INSERT {{verb}}INTO codings ({_SQL_COLUMNS}) VALUES ({', '.join('?' * len(COLUMNS))})"


def _values(coding: Coding) -> tuple:
    # getattr, not dataclasses.astuple: every field is a str, a number or None, so nothing needs copying
    values = (getattr(coding, name) for name in COLUMNS)
    return tuple(str(v) if isinstance(v, (Status, Origin)) else v for v in values)


def insert(db: sqlite3.Connection, coding: Coding, *, or_ignore: bool = False) -> str:
    """Write one coding (inside an open transaction); returns its id.

    ``or_ignore``: a row whose ``coding_id`` is already stored is left as it is (the deterministic ids of the
    tagger's and the suggester's suggestions make a rerun add nothing).
    """
    db.execute(_INSERT.format(verb="OR IGNORE " if or_ignore else ""), _values(coding))
    return coding.coding_id


def insert_many(db: sqlite3.Connection, codings: Iterable[Coding], *, or_ignore: bool = False) -> None:
    """Write many codings in one statement (inside an open transaction)."""
    db.executemany(_INSERT.format(verb="OR IGNORE " if or_ignore else ""), [_values(c) for c in codings])


def register_coder(db: sqlite3.Connection, coder_id: str, *, kind: str = "human", name: str | None = None,
                   now: str) -> None:
    """Record a coder (a person, the rule tagger or the suggester) the first time it writes."""
    db.execute("INSERT OR IGNORE INTO coders (coder_id, kind, name, created_at) VALUES (?, ?, ?, ?)",
               (coder_id, kind, coder_id if name is None else name, now))


def add_memo(db: sqlite3.Connection, memo: Memo) -> str:
    """Write one memo (inside an open transaction); returns its id."""
    db.execute("""INSERT INTO memos (memo_id, doc_id, start, "end", code_id, coding_id, author, text, supersedes,
                                     created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
               (memo.memo_id, memo.doc_id, memo.start, memo.end, memo.code_id, memo.coding_id, memo.author,
                memo.text, memo.supersedes, memo.created_at))
    return memo.memo_id


def memo_on(coding: Coding, author: str, text: str, now: str) -> Memo:
    """A new memo explaining ``coding`` (on its document, span and code)."""
    return Memo(uuid.uuid4().hex, author, text, now, doc_id=coding.doc_id, start=coding.start, end=coding.end,
                code_id=coding.code_id, coding_id=coding.coding_id)


def segment_of(db: sqlite3.Connection, doc_id: str, start: int, end: int) -> str | None:
    """The sentence (else the turn) that holds ``[start, end)`` of ``doc_id``, or ``None``."""
    segment = db.execute(
        """SELECT segment_id FROM segments WHERE doc_id = ? AND start <= ? AND "end" >= ?
           ORDER BY CASE unit WHEN 'sentence' THEN 0 ELSE 1 END LIMIT 1""", (doc_id, start, end)).fetchone()
    return segment[0] if segment else None


def human_coding(db: sqlite3.Connection, doc_id: str, start: int, end: int, code: str, coder: str, *,
                 memo: str | None, now: str) -> str:
    """Write one confirmed human coding of ``[start, end)`` (and its memo) on the document's present text."""
    sha = db.execute("SELECT sha256 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()[0]
    coding = Coding(uuid.uuid4().hex, doc_id, sha, start, end, code, Origin.HUMAN, Status.CONFIRMED, coder,
                    segment_id=segment_of(db, doc_id, start, end), created_at=now)
    insert(db, coding)
    if memo:
        add_memo(db, memo_on(coding, coder, memo, now))
    return coding.coding_id


def has_current_human(db: sqlite3.Connection, doc_id: str, start: int, end: int, code: str, coder: str) -> bool:
    """Whether ``coder`` already has a current confirmed coding of exactly this span and code."""
    return db.execute(
        f"""SELECT 1 FROM codings c JOIN documents d ON d.doc_id = c.doc_id
            WHERE c.doc_id = ? AND c.start = ? AND c."end" = ? AND c.code_id = ? AND c.coder_id = ?
              AND c.status = 'confirmed' AND {CURRENT}""", (doc_id, start, end, code, coder)).fetchone() is not None


def get(db: sqlite3.Connection, coding_id: str) -> Coding | None:
    """The stored row ``coding_id`` as a :class:`Coding`, or ``None``."""
    row = db.execute(f"SELECT {_SQL_COLUMNS} FROM codings WHERE coding_id = ?", (coding_id,)).fetchone()
    return None if row is None else Coding(*row)


def successor(db: sqlite3.Connection, coding_id: str) -> str | None:
    """The id of the row that supersedes ``coding_id``, or ``None`` while it is the last of its chain."""
    later = db.execute("SELECT coding_id FROM codings WHERE supersedes = ?", (coding_id,)).fetchone()
    return later[0] if later else None


def current(db: sqlite3.Connection, doc_id: str, *, text_sha256: str | None = None) -> list[Coding]:
    """The current codings of ``doc_id`` in offset order (with ``text_sha256``: those not superseded that were
    made on that version of its text, current or not)."""
    columns = ", ".join(f"c.{c}" if c != "end" else 'c."end"' for c in COLUMNS)
    if text_sha256 is None:
        rows = db.execute(f"""SELECT {columns} FROM codings c JOIN documents d ON d.doc_id = c.doc_id
                              WHERE c.doc_id = ? AND {CURRENT} ORDER BY c.start, c."end", c.coding_id""",
                          (doc_id,)).fetchall()
    else:
        rows = db.execute(f"""SELECT {columns} FROM codings c WHERE c.doc_id = ? AND c.text_sha256 = ?
                                  AND NOT EXISTS (SELECT 1 FROM codings s WHERE s.supersedes = c.coding_id)
                              ORDER BY c.start, c."end", c.coding_id""", (doc_id, text_sha256)).fetchall()
    return [Coding(*row) for row in rows]


#: the text columns of :func:`frame`
_TEXT_COLUMNS = ("coding_id", "doc_id", "segment_id", "speaker", "code_id", "origin", "status", "coder_id", "rule_id",
                 "codebook_hash", "pipeline", "run_id", "supersedes", "note", "created_at", "text_sha256",
                 "participant_id")


#: the columns of :func:`frame`, as they are read (``theme`` and ``text`` are added)
_FRAME_COLUMNS = ("coding_id", "doc_id", "segment_id", "start", "end", "speaker", "code_id", "origin", "status",
                  "coder_id", "rule_id", "confidence", "context", "evidence", "codebook_hash", "pipeline", "run_id",
                  "supersedes", "note", "created_at", "text_sha256", "participant_id")
#: the columns ``frame(provenance=False)`` leaves out
PROVENANCE_COLUMNS = ("context", "evidence", "codebook_hash", "pipeline", "run_id", "supersedes", "note",
                      "created_at")


def frame(db: sqlite3.Connection, *, current_only: bool = True, doc_id: str | Sequence[str] | None = None,
          status: Sequence[str] | None = None, origin: Sequence[str] | None = None,
          code: str | Sequence[str] | None = None, subcodes: bool = True, provenance: bool = True) -> pd.DataFrame:
    """Codings with their text, one row each (the tidy frame every table is built from).

    Columns: ``coding_id, doc_id, segment_id, start, end, speaker, code_id, theme, origin, status, coder_id,
    rule_id, confidence, context, evidence, codebook_hash, pipeline, run_id, supersedes, note, created_at,
    text_sha256, participant_id, text``. ``theme`` is the top-level code. With ``current_only``, rows
    superseded by a later row and rows made on an earlier version of a replaced document are left out.
    ``doc_id`` reads only those documents' codings (and texts), ``status`` and ``origin`` only codings of those
    statuses and origins, ``code`` only codings of that code (or of one of those codes) and, with ``subcodes``,
    their sub-codes.
    ``provenance=False`` leaves out the columns of provenance (:data:`PROVENANCE_COLUMNS`: ``context`` and
    ``evidence``, JSON decoded row by row, ``codebook_hash``, ``pipeline``, ``run_id``, ``supersedes``, ``note``,
    ``created_at``), which the analysis frames do not carry, for a faster read.
    """
    clauses, params = ([CURRENT] if current_only else []), []
    if doc_id is not None:
        ids = [doc_id] if isinstance(doc_id, str) else list(doc_id)
        clauses.append(f"c.doc_id IN ({', '.join('?' * len(ids))})")
        params.extend(ids)
    for column, values in (("status", status), ("origin", origin)):
        if values is not None:
            values = list(values)
            clauses.append(f"c.{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
    if code is not None:
        chosen = [_code_clause(c, subcodes=subcodes, column="c.code_id")
                  for c in ([code] if isinstance(code, str) else list(code))]
        clauses.append(f"({' OR '.join(clause for clause, _ in chosen)})" if chosen else "0")
        params += [value for _, values in chosen for value in values]
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    # the speaker is the one of the coding's turn, which its segment id names ("INT01#t2" or "INT01#t2.s1": turn
    # 2); a sentence has its turn's speaker, and the turn is found by its place, the segments' key
    columns = [c for c in _FRAME_COLUMNS if provenance or c not in PROVENANCE_COLUMNS]
    selected = ", ".join("s.speaker" if c == "speaker" else "d.participant_id" if c == "participant_id"
                         else f'c."{c}"' for c in columns)
    result = pd.read_sql_query(
        f"""SELECT {selected}
            FROM codings c JOIN documents d ON d.doc_id = c.doc_id
            LEFT JOIN segments s ON s.doc_id = c.doc_id AND s.part = 0
                AND substr(c.segment_id, 1, length(c.doc_id) + 2) = c.doc_id || '#t'
                AND s.turn_index = CAST(substr(c.segment_id, length(c.doc_id) + 3) AS INTEGER) {where}
            ORDER BY c.doc_id, c.start, c."end", c.code_id, c.created_at, c.coding_id""", db, params=params)
    for column in _TEXT_COLUMNS:  # a text column with no value at all (e.g. rule_id of human codings only) is
        # read as object; give it the dtype the same column has when it holds a value, so frames read with and
        # without a filter have the same dtypes
        if column in result and result[column].dtype == object and result[column].isna().all():
            result[column] = result[column].astype(SQL_TEXT)
    result["confidence"] = result["confidence"].astype("float64")
    # the top-level code of each of the few distinct codes, not of every row
    number, codes = pd.factorize(result["code_id"])
    themes = pd.Series([str(c).split(".")[0] for c in codes] + [None], dtype=object)
    result.insert(result.columns.get_loc("code_id") + 1, "theme",
                  themes.take(np.where(number >= 0, number, len(codes))).reset_index(drop=True))
    if provenance:
        result["context"] = [json.loads(c) for c in result["context"]]
        result["evidence"] = [json.loads(c) for c in result["evidence"]]
    wanted = sorted(result["doc_id"].unique().tolist())
    marks = ", ".join("?" * len(wanted))
    texts = {r[0]: r[1] for r in db.execute(f"SELECT doc_id, text FROM documents WHERE doc_id IN ({marks})",
                                            wanted)}
    old = {(r[0], r[1]): r[2] for r in
           db.execute(f"SELECT doc_id, sha256, text FROM document_versions WHERE doc_id IN ({marks})", wanted)}
    result["text"] = [  # (plain lists: quicker to walk than the frame's columns)
        old.get((d, h), texts[d])[s:e]
        for d, h, s, e in zip(result["doc_id"].tolist(), result["text_sha256"].tolist(), result["start"].tolist(),
                              result["end"].tolist(), strict=True)
    ]
    return result


def distinct(db: sqlite3.Connection, column: str) -> set[str]:
    """Every value of ``column`` (``rule_id`` or ``code_id``) that some coding, current or not, holds."""
    if column not in ("rule_id", "code_id", "coder_id"):
        raise ValueError(f"not a column to list: {column!r}")
    return {r[0] for r in db.execute(f"SELECT DISTINCT {column} FROM codings WHERE {column} IS NOT NULL")}


def _code_clause(code: str, *, subcodes: bool, column: str = "code_id") -> tuple[str, list[str]]:
    """SQL choosing ``code`` (and with ``subcodes`` its descendants: the ids from "a.b." up to, not including,
    "a.b/", as "/" follows "." in every collation, so the index on ``code_id`` is used) and its parameters."""
    if not subcodes:
        return f"{column} = ?", [code]
    return f"({column} = ? OR ({column} >= ? AND {column} < ?))", [code, f"{code}.", f"{code}/"]


def documents_with_codes(db: sqlite3.Connection, codes: Sequence[str], *, subcodes: bool,
                         statuses: Sequence[str]) -> list[str]:
    """The documents holding a coding of ``statuses`` (any row, current or not) of one of ``codes``, or with
    ``subcodes`` of one of their descendants (``a.b`` stands for ``a.b.c``), found through the index on
    ``code_id``; in id order."""
    clauses, params = [], []
    for code in codes:
        clause, values = _code_clause(code, subcodes=subcodes)
        clauses.append(clause)
        params += values
    if not clauses:
        return []
    marks = ", ".join("?" * len(statuses))
    return [r[0] for r in db.execute(
        f"SELECT DISTINCT doc_id FROM codings WHERE ({' OR '.join(clauses)}) AND status IN ({marks}) ORDER BY doc_id",
        [*params, *statuses])]


def known_codes_and_coders(db: sqlite3.Connection) -> tuple[list[str], list[str]]:
    """Every code some coding holds (current or not; through the index on ``code_id``) and every coder of the
    project (the ``coders`` table: whoever wrote a row)."""
    codes = sorted(distinct(db, "code_id"))
    coders = [r[0] for r in db.execute("SELECT coder_id FROM coders ORDER BY coder_id")]
    return codes, coders


def covered_documents(db: sqlite3.Connection, coders: Sequence[str] | None, *, tagger: bool,
                      doc_id: Sequence[str] | None = None) -> set[str]:
    """The documents ``coders`` (any human coder when ``None``) made a human decision in, on their present text;
    with ``tagger``, also those the tagger or a model suggested in, and those a finished coding run read.
    ``doc_id``: only among these documents (their codings are found through the index on ``doc_id``)."""
    among, params = "", []
    if doc_id is not None:
        among = f"AND c.doc_id IN ({', '.join('?' * len(doc_id))})"
        params = list(doc_id)
    decided = db.execute(
        f"""SELECT DISTINCT c.doc_id, c.coder_id FROM codings c
           JOIN documents d ON d.doc_id = c.doc_id AND c.text_sha256 = d.sha256
           JOIN coders k ON k.coder_id = c.coder_id
           WHERE k.kind = 'human' AND c.status != 'withdrawn' {among}""", params).fetchall()
    chosen = None if coders is None else set(coders)
    covered = {doc_id for doc_id, coder in decided if chosen is None or coder in chosen}
    if tagger:
        covered |= {row[0] for row in db.execute(
            f"""SELECT DISTINCT c.doc_id FROM codings c
               JOIN documents d ON d.doc_id = c.doc_id AND c.text_sha256 = d.sha256
               WHERE c.origin IN ('rule', 'model') {among}
               UNION
               SELECT d.doc_id FROM documents d WHERE EXISTS (
                   SELECT 1 FROM runs r WHERE r.kind = 'code' AND r.finished_at IS NOT NULL
                                          AND r.started_at >= d.ingested_at)""", params)}
    return covered
