"""Documents and their segments in the store: the writes ingestion makes.

:mod:`asymmetry_qda.ingest` plans outside the write lock and calls these inside
one transaction: a new document, a new version of a stored one (its old text
kept in ``document_versions``), its segments rebuilt, and a line in the
``ingest_log``. Each function takes the transaction's connection.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

__all__ = ["DocumentRow", "SegmentRow", "existing", "insert_document", "insert_segments", "keep_version",
           "log_ingest", "pseudonymised_documents", "set_participant", "stored_row", "update_document"]

#: The columns a new or updated document is written with, in this order.
DocumentRow = tuple  # (doc_id, kind, text, sha256, n_chars, source_name, source_format, source_sha256, encoding,
#                        segmenter, participant_id)
#: The columns a segment is written with, in this order.
SegmentRow = tuple  # (segment_id, doc_id, unit, start, end, speaker, is_interviewer, turn_index, sentence_index,
#                       timestamp, parent_id)


def existing(db: sqlite3.Connection) -> dict[str, sqlite3.Row]:
    """``{doc_id: row}`` of the stored documents, with ``doc_id, sha256, kind, source_name``."""
    return {row["doc_id"]: row for row in db.execute("SELECT doc_id, sha256, kind, source_name FROM documents")}


def stored_row(db: sqlite3.Connection, doc_id: str) -> sqlite3.Row | None:
    """Every column of the stored document ``doc_id`` (``version``, ``text``, ``sha256``...), or ``None``."""
    return db.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()


def set_participant(db: sqlite3.Connection, doc_id: str, participant_id: str) -> None:
    """Link the stored document ``doc_id`` to ``participant_id``."""
    db.execute("UPDATE documents SET participant_id = ? WHERE doc_id = ?", (participant_id, doc_id))


def insert_document(db: sqlite3.Connection, row: DocumentRow, *, now: str) -> None:
    """Store a new document (version 1)."""
    db.execute(
        """INSERT INTO documents (doc_id, kind, text, sha256, n_chars, source_name, source_format,
               source_sha256, encoding, segmenter, participant_id, version, ingested_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)""", (*row, now))


def keep_version(db: sqlite3.Connection, old: sqlite3.Row, *, now: str) -> None:
    """Keep the stored text of ``old`` (a :func:`stored_row`) in ``document_versions`` before it is replaced."""
    db.execute(
        """INSERT INTO document_versions (doc_id, version, sha256, text, source_name, source_sha256,
               replaced_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
        (old["doc_id"], old["version"], old["sha256"], old["text"], old["source_name"], old["source_sha256"], now))


def update_document(db: sqlite3.Connection, row: DocumentRow, *, version: int, now: str) -> None:
    """Write ``row`` over the stored document as ``version`` (a ``None`` participant keeps the stored one), and
    delete its segments, which are derived from the text."""
    doc_id, *values = row
    db.execute(
        """UPDATE documents SET kind = ?, text = ?, sha256 = ?, n_chars = ?, source_name = ?,
               source_format = ?, source_sha256 = ?, encoding = ?, segmenter = ?,
               participant_id = COALESCE(?, participant_id), version = ?, ingested_at = ?
           WHERE doc_id = ?""", (*values, version, now, doc_id))
    db.execute("DELETE FROM segments WHERE doc_id = ?", (doc_id,))
    db.execute("UPDATE documents SET n_turns = 0, n_participant_turns = 0, n_sentences = 0 WHERE doc_id = ?",
               (doc_id,))


def insert_segments(db: sqlite3.Connection, rows: Iterable[SegmentRow]) -> None:
    """Store segments by their place: document, turn and part of the turn (0 the turn, k its k-th sentence).

    The store computes each segment's id and parent from that place (``DOC#tN``, ``DOC#tN.sK``; schema
    migration 6), so a row whose ``segment_id`` or ``parent_id`` is anything else is a mistake of the caller.
    Each document's segment counts (``n_turns``, ``n_participant_turns``, ``n_sentences``) grow by the rows.
    """
    counts: dict[str, list[int]] = {}

    def placed(row: SegmentRow) -> tuple:
        segment_id, doc_id, unit, start, end, speaker, is_interviewer, turn_index, sentence_index, timestamp, \
            parent_id = row
        part = 0 if unit == "turn" else sentence_index
        turn_id = f"{doc_id}#t{turn_index}"
        if part is None or segment_id != (turn_id if part == 0 else f"{turn_id}.s{part}") or \
                parent_id != (None if part == 0 else turn_id):
            raise ValueError(f"segment {segment_id!r} (parent {parent_id!r}) is not the id its place gives: "
                             f"{unit} of turn {turn_index}, sentence {sentence_index} of {doc_id}")
        count = counts.setdefault(doc_id, [0, 0, 0])
        count[0 if part == 0 else 2] += 1
        count[1] += part == 0 and not is_interviewer
        return doc_id, turn_index, part, start, end, speaker, is_interviewer, timestamp

    db.executemany(
        """INSERT INTO segments (doc_id, turn_index, part, start, "end", speaker, is_interviewer, timestamp)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", (placed(row) for row in rows))
    db.executemany(
        """UPDATE documents SET n_turns = n_turns + ?, n_participant_turns = n_participant_turns + ?,
               n_sentences = n_sentences + ? WHERE doc_id = ?""",
        [(*count, doc_id) for doc_id, count in counts.items()])


def log_ingest(db: sqlite3.Connection, run_id: str, doc_id: str, action: str, detail: dict, *, now: str) -> None:
    """Record what one ingest run did to ``doc_id`` (``added``, ``replaced``, ``unchanged``...)."""
    db.execute("INSERT INTO ingest_log (run_id, doc_id, action, detail, created_at) VALUES (?, ?, ?, ?, ?)",
               (run_id, doc_id, action, json.dumps(detail), now))


def pseudonymised_documents(db: sqlite3.Connection) -> set[str]:
    """The documents a pseudonymisation run has rewritten."""
    done: set[str] = set()
    for (options,) in db.execute("SELECT options FROM runs WHERE kind = 'pseudonymise'"):
        done.update(json.loads(options).get("documents", []))
    return done


