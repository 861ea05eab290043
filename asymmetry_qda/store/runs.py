"""Tagging runs in the store: the turns a run reads, its ``runs`` row, and the check before a suggestion.

The writers take an open connection inside a transaction (``with store.transaction() as db``); the readers
take any connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from .codings import CURRENT

__all__ = ["count_turns", "document_hashes", "document_text", "finish_run", "has_current_coding", "sentence_rows",
           "start_run", "turn_rows"]


def turn_rows(db: sqlite3.Connection, include_interviewer: bool) -> list[tuple]:
    """``(doc_id, segment_id, start, end, is_interviewer, sha256)`` of every turn, in document order."""
    where = "" if include_interviewer else "AND t.is_interviewer = 0"
    return db.execute(
        f"""SELECT t.doc_id, t.segment_id, t.start, t."end", t.is_interviewer, d.sha256
            FROM segments t JOIN documents d ON d.doc_id = t.doc_id
            WHERE t.unit = 'turn' {where} ORDER BY t.doc_id, t.start""").fetchall()


def count_turns(db: sqlite3.Connection, include_interviewer: bool) -> int:
    """How many turns there are (the participants' only, unless ``include_interviewer``)."""
    return db.execute("SELECT COUNT(*) FROM segments WHERE unit = 'turn'" +
                      ("" if include_interviewer else " AND is_interviewer = 0")).fetchone()[0]


def document_text(db: sqlite3.Connection, doc_id: str) -> str:
    """The stored text of ``doc_id``."""
    return db.execute("SELECT text FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()[0]


def sentence_rows(db: sqlite3.Connection, doc_id: str) -> Iterator[tuple[int, int, str, str | None]]:
    """``(start, end, segment_id, parent_id)`` of the sentences of ``doc_id``, in order."""
    return db.execute("""SELECT start, "end", segment_id, parent_id FROM segments
                         WHERE doc_id = ? AND unit = 'sentence' ORDER BY start""", (doc_id,))


def document_hashes(db: sqlite3.Connection) -> dict[str, str]:
    """Every document's id to the sha256 of its present text."""
    return {row[0]: row[1] for row in db.execute("SELECT doc_id, sha256 FROM documents")}


def has_current_coding(db: sqlite3.Connection, doc_id: str, start: int, end: int, code_id: str) -> bool:
    """Whether a current coding (:data:`~asymmetry_qda.store.codings.CURRENT`) of ``code_id`` covers exactly
    ``[start, end)`` of ``doc_id``."""
    return db.execute(
        f"""SELECT 1 FROM codings c JOIN documents d ON d.doc_id = c.doc_id
            WHERE c.doc_id = ? AND c.start = ? AND c."end" = ? AND c.code_id = ? AND {CURRENT}""",
        (doc_id, start, end, code_id)).fetchone() is not None


def start_run(db: sqlite3.Connection, *, run_id: str, codebook_hash: str, pipeline: str, options: str, now: str,
              finished: bool) -> None:
    """Record a tagging run (``kind='code'``) with no suggestions yet; finished at ``now`` if ``finished``."""
    db.execute("INSERT INTO runs (run_id, kind, codebook_hash, pipeline, options, n_added, started_at, "
               "finished_at) VALUES (?, 'code', ?, ?, ?, 0, ?, ?)",
               (run_id, codebook_hash, pipeline, options, now, None if not finished else now))


def finish_run(db: sqlite3.Connection, run_id: str, *, n_added: int, finished: bool, now: str) -> None:
    """Record the suggestions a run has added so far, and when it finished (``finished``)."""
    db.execute("UPDATE runs SET n_added = ?, finished_at = CASE WHEN ? THEN ? ELSE finished_at END "
               "WHERE run_id = ?", (n_added, finished, now, run_id))
