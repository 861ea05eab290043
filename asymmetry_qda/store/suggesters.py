"""Trained code suggesters in the store (the ``models`` table), and the rows their suggestion runs write.

The writers take an open connection inside a transaction (``with store.transaction() as db``); the readers
take any connection. Values that are JSON in the table come in as the strings to store.
"""

from __future__ import annotations

import sqlite3

import pandas as pd

__all__ = ["add_suggester", "discard_suggester", "has_coding", "has_suggester", "newest_suggester",
           "sentence_segment", "set_run_added", "start_suggest_run", "suggester_ids", "suggesters",
           "suggesters_like"]


def has_suggester(db: sqlite3.Connection, version: str) -> bool:
    """Whether the suggester ``version`` (its full id) is stored."""
    return db.execute("SELECT 1 FROM models WHERE model_id = ?", (version,)).fetchone() is not None


def add_suggester(db: sqlite3.Connection, *, version: str, params: str, codes: str, skipped: str, training: str,
                  n_units: int, now: str) -> None:
    """Store a trained ``CodeSuggester``: its parameters, codes and training set (JSON texts)."""
    db.execute("INSERT INTO models (model_id, kind, params, codes, skipped, training, n_units, created_at) "
               "VALUES (?, 'CodeSuggester', ?, ?, ?, ?, ?, ?)", (version, params, codes, skipped, training, n_units,
                                                               now))


def suggesters(db: sqlite3.Connection) -> pd.DataFrame:
    """The stored suggesters, oldest first: id, kind, codes, skipped, training size, created and discarded (JSON
    columns as stored)."""
    return pd.read_sql_query("SELECT model_id, kind, codes, skipped, n_units, created_at, discarded_at FROM models "
                             "ORDER BY created_at, model_id", db)


def newest_suggester(db: sqlite3.Connection) -> sqlite3.Row | None:
    """The newest suggester not discarded, every column, or None."""
    return db.execute("SELECT * FROM models WHERE discarded_at IS NULL ORDER BY created_at DESC, model_id DESC "
                      "LIMIT 1").fetchone()


def suggesters_like(db: sqlite3.Connection, prefix: str) -> list[sqlite3.Row]:
    """Every stored suggester whose id starts with ``prefix``, every column."""
    return db.execute("SELECT * FROM models WHERE model_id LIKE ?", (prefix + "%",)).fetchall()


def suggester_ids(db: sqlite3.Connection) -> list[str]:
    """The ids of every stored suggester."""
    return [r[0] for r in db.execute("SELECT model_id FROM models")]


def discard_suggester(db: sqlite3.Connection, version: str, *, now: str) -> None:
    """Mark the suggester ``version`` discarded at ``now``."""
    db.execute("UPDATE models SET discarded_at = ? WHERE model_id = ?", (now, version))


def start_suggest_run(db: sqlite3.Connection, *, run_id: str, pipeline: str, options: str, now: str) -> None:
    """Record a suggestion run (``kind='suggest'``), finished at ``now``, with no suggestions yet."""
    db.execute("INSERT INTO runs (run_id, kind, pipeline, options, n_added, started_at, finished_at) "
               "VALUES (?, 'suggest', ?, ?, ?, ?, ?)", (run_id, pipeline, options, 0, now, now))


def set_run_added(db: sqlite3.Connection, run_id: str, n_added: int) -> None:
    """Record how many suggestions a run added."""
    db.execute("UPDATE runs SET n_added = ? WHERE run_id = ?", (n_added, run_id))


def has_coding(db: sqlite3.Connection, coding_id: str) -> bool:
    """Whether a coding ``coding_id`` is stored, in any state."""
    return db.execute("SELECT 1 FROM codings WHERE coding_id = ?", (coding_id,)).fetchone() is not None


def sentence_segment(db: sqlite3.Connection, doc_id: str, start: int) -> str | None:
    """The id of the sentence of ``doc_id`` that starts at ``start``, or None."""
    segment = db.execute("SELECT segment_id FROM segments WHERE doc_id = ? AND unit = 'sentence' AND start = ?",
                         (doc_id, start)).fetchone()
    return segment[0] if segment else None
