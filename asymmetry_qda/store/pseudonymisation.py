"""What a pseudonymisation run reads and rewrites in the store.

:func:`asymmetry_qda.anonymise.rewrite.pseudonymise_project` decides what every
text, offset and free-text field becomes; these functions read and write them.
Pseudonymisation is the one writer that changes stored codings and memos in
place, so it lifts the append-only triggers for its transaction
(:func:`lift_append_only`, then :func:`restore_append_only`) and vacuums the
file afterwards, so that no freed page keeps an original.

Each function takes the run's connection: the writes, and the reads their
changes depend on, run inside its one transaction (``with store.transaction()``);
:func:`vacuum` and :func:`checkpoint_wal` run outside any transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from .schema import APPEND_ONLY_TRIGGER_NAMES, APPEND_ONLY_TRIGGERS, statements

__all__ = [
    "SOURCE_NAME_TABLES", "anchored_memos", "checkpoint_wal", "clear_vacuum_pending", "coding_notes",
    "codings_on_text", "dismissals_of", "document_texts", "document_versions", "drop_dismissal",
    "forget_audit_cache", "ingest_details", "lift_append_only", "mark_vacuum_pending", "memo_texts", "move_coding",
    "move_coding_span", "move_dismissal", "move_memo", "move_segment", "participant_attribute_values",
    "participant_functions", "pseudonymisation_runs", "record_run", "rename_speaker", "replace_document_text",
    "replace_version_text", "restore_append_only", "run_options", "run_recorded", "secure_delete", "segment_spans",
    "set_coding_note", "set_ingest_detail", "set_memo_text", "set_participant_attribute",
    "set_participant_function", "set_run_options", "set_source_name", "set_training", "source_names", "speakers",
    "trainings", "vacuum", "vacuum_pending"
]

#: the tables that keep a document's source file name
SOURCE_NAME_TABLES = ("documents", "document_versions")


# -- the run -------------------------------------------------------------------------------------------------


def secure_delete(db: sqlite3.Connection) -> None:
    """Have SQLite overwrite deleted content with zeros on this connection (so a rewrite leaves no original)."""
    db.execute("PRAGMA secure_delete = ON")


def pseudonymisation_runs(db: sqlite3.Connection) -> set[str]:
    """The ids of the pseudonymisation runs the project has committed."""
    return {r[0] for r in db.execute("SELECT run_id FROM runs WHERE kind = 'pseudonymise'")}


def run_recorded(db: sqlite3.Connection, run_id: str) -> bool:
    """Whether the run ``run_id`` is recorded (committed, when asked outside its transaction)."""
    return db.execute("SELECT 1 FROM runs WHERE run_id = ?", (run_id,)).fetchone() is not None


def record_run(db: sqlite3.Connection, run_id: str, *, options: str, n_added: int, started_at: str,
               finished_at: str) -> None:
    """Record a pseudonymisation run: its ``options`` (JSON, counts only) and how many stretches it replaced."""
    db.execute("INSERT INTO runs (run_id, kind, options, n_added, started_at, finished_at) "
               "VALUES (?, 'pseudonymise', ?, ?, ?, ?)", (run_id, options, n_added, started_at, finished_at))


def forget_audit_cache(db: sqlite3.Connection, documents: Iterable[str] = ()) -> None:
    """Drop the cached audit (it quotes the originals) and the entities NER found in ``documents`` (the ones
    rewritten: their offsets and lengths would say where the originals stood and how long they were)."""
    db.execute("DELETE FROM project_info WHERE key = 'audit_cache'")
    db.executemany("DELETE FROM ner_entities WHERE doc_id = ?", [(d,) for d in documents])


def lift_append_only(db: sqlite3.Connection) -> None:
    """Drop the triggers that keep codings and memos append-only, for this transaction only.

    :func:`restore_append_only` puts them back before the commit; a transaction
    that fails rolls the drop back with everything else.
    """
    for name in APPEND_ONLY_TRIGGER_NAMES:
        db.execute(f"DROP TRIGGER {name}")


def restore_append_only(db: sqlite3.Connection) -> None:
    """Create again the triggers :func:`lift_append_only` dropped."""
    for statement in statements(APPEND_ONLY_TRIGGERS):
        db.execute(statement)


# -- compacting the file afterwards ----------------------------------------------------------------------------


def mark_vacuum_pending(db: sqlite3.Connection, value: str) -> None:
    """Note that the file still needs compacting (``value``: the run's id, or ``'checkpoint'``)."""
    db.execute("INSERT OR REPLACE INTO project_info (key, value) VALUES ('vacuum_pending', ?)", (value,))


def vacuum_pending(db: sqlite3.Connection) -> bool:
    """Whether a committed run left the file to be compacted."""
    return db.execute("SELECT 1 FROM project_info WHERE key = 'vacuum_pending'").fetchone() is not None


def clear_vacuum_pending(db: sqlite3.Connection) -> None:
    """Note that the file is compacted."""
    db.execute("DELETE FROM project_info WHERE key = 'vacuum_pending'")


def vacuum(db: sqlite3.Connection) -> None:
    """Rebuild the file without its freed pages (outside any transaction)."""
    db.execute("VACUUM")


def checkpoint_wal(db: sqlite3.Connection) -> int:
    """Copy the WAL into the file and truncate it; non-zero when another connection kept it from finishing."""
    return db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]


# -- documents and their earlier versions ----------------------------------------------------------------------


def document_texts(db: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """``{doc_id: (text, sha256)}`` of every stored document."""
    return {r["doc_id"]: (r["text"], r["sha256"]) for r in db.execute("SELECT doc_id, text, sha256 FROM documents")}


def replace_document_text(db: sqlite3.Connection, doc_id: str, text: str, sha256: str) -> None:
    """Write ``text`` (with its hash and length) over the stored text of ``doc_id``."""
    db.execute("UPDATE documents SET text = ?, sha256 = ?, n_chars = ? WHERE doc_id = ?",
               (text, sha256, len(text), doc_id))


def document_versions(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every earlier version of a document kept for history: ``doc_id, version, sha256, text``."""
    return db.execute("SELECT doc_id, version, sha256, text FROM document_versions").fetchall()


def replace_version_text(db: sqlite3.Connection, doc_id: str, version: int, text: str, sha256: str) -> None:
    """Write ``text`` (with its hash) over the earlier version ``version`` of ``doc_id``."""
    db.execute("UPDATE document_versions SET text = ?, sha256 = ? WHERE doc_id = ? AND version = ?",
               (text, sha256, doc_id, version))


# -- what points into the texts ----------------------------------------------------------------------------


def codings_on_text(db: sqlite3.Connection, doc_id: str, sha256: str) -> list[sqlite3.Row]:
    """The codings made on the text of ``doc_id`` with hash ``sha256``, current or superseded:
    ``coding_id, start, end, code_id, coder_id, evidence``."""
    return db.execute("""SELECT coding_id, start, "end", code_id, coder_id, evidence FROM codings
                         WHERE doc_id = ? AND text_sha256 = ?""", (doc_id, sha256)).fetchall()


def move_coding(db: sqlite3.Connection, coding_id: str, start: int, end: int, sha256: str, evidence: str) -> None:
    """Give a coding new offsets, the hash of its new text and its ``evidence`` (JSON) with new offsets."""
    db.execute("""UPDATE codings SET start = ?, "end" = ?, text_sha256 = ?, evidence = ? WHERE coding_id = ?""",
               (start, end, sha256, evidence, coding_id))


def move_coding_span(db: sqlite3.Connection, coding_id: str, start: int, end: int, sha256: str) -> None:
    """Give a coding new offsets and the hash of its new text."""
    db.execute("""UPDATE codings SET start = ?, "end" = ?, text_sha256 = ? WHERE coding_id = ?""",
               (start, end, sha256, coding_id))


def anchored_memos(db: sqlite3.Connection, doc_id: str) -> list[sqlite3.Row]:
    """The memos on a span of ``doc_id``: ``memo_id, start, end, code_id, author``."""
    return db.execute("""SELECT memo_id, start, "end", code_id, author FROM memos
                         WHERE doc_id = ? AND start IS NOT NULL AND "end" IS NOT NULL""", (doc_id,)).fetchall()


def move_memo(db: sqlite3.Connection, memo_id: str, start: int, end: int) -> None:
    """Give a memo's span new offsets."""
    db.execute("""UPDATE memos SET start = ?, "end" = ? WHERE memo_id = ?""", (start, end, memo_id))


def segment_spans(db: sqlite3.Connection, doc_id: str) -> list[sqlite3.Row]:
    """The segments of ``doc_id``: ``segment_id, start, end`` and their place ``doc_id, turn_index, part``."""
    return db.execute("""SELECT segment_id, start, "end", doc_id, turn_index, part FROM segments WHERE doc_id = ?""",
                      (doc_id,)).fetchall()


def move_segment(db: sqlite3.Connection, segment: sqlite3.Row, start: int, end: int) -> None:
    """Give a segment (a row of :func:`segment_spans`) new offsets."""
    db.execute("""UPDATE segments SET start = ?, "end" = ? WHERE doc_id = ? AND turn_index = ? AND part = ?""",
               (start, end, segment["doc_id"], segment["turn_index"], segment["part"]))


def dismissals_of(db: sqlite3.Connection, doc_id: str) -> list[sqlite3.Row]:
    """The dismissed audit findings in ``doc_id``: ``rowid, start, end``."""
    return db.execute("""SELECT rowid, start, "end" FROM audit_dismissals WHERE doc_id = ?""", (doc_id,)).fetchall()


def drop_dismissal(db: sqlite3.Connection, rowid: int) -> None:
    """Forget a dismissed finding (a replacement touched it)."""
    db.execute("DELETE FROM audit_dismissals WHERE rowid = ?", (rowid,))


def move_dismissal(db: sqlite3.Connection, rowid: int, start: int, end: int) -> None:
    """Give a dismissed finding new offsets."""
    db.execute("""UPDATE audit_dismissals SET start = ?, "end" = ? WHERE rowid = ?""", (start, end, rowid))


# -- free text ----------------------------------------------------------------------------------------------


def memo_texts(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every memo's ``memo_id, text``."""
    return db.execute("SELECT memo_id, text FROM memos").fetchall()


def set_memo_text(db: sqlite3.Connection, memo_id: str, text: str) -> None:
    """Write a memo's text."""
    db.execute("UPDATE memos SET text = ? WHERE memo_id = ?", (text, memo_id))


def coding_notes(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every coding's ``coding_id, note, evidence``."""
    return db.execute("SELECT coding_id, note, evidence FROM codings").fetchall()


def set_coding_note(db: sqlite3.Connection, coding_id: str, note: str | None, evidence: str) -> None:
    """Write a coding's note and its ``evidence`` (JSON)."""
    db.execute("UPDATE codings SET note = ?, evidence = ? WHERE coding_id = ?", (note, evidence, coding_id))


def speakers(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every distinct speaker name of the segments (``speaker``)."""
    return db.execute("SELECT DISTINCT speaker FROM segments WHERE speaker IS NOT NULL").fetchall()


def rename_speaker(db: sqlite3.Connection, old: str, new: str) -> None:
    """Rename the speaker ``old`` to ``new`` in every segment."""
    db.execute("UPDATE segments SET speaker = ? WHERE speaker = ?", (new, old))


def trainings(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every stored suggester's ``model_id, training`` (its training set, JSON)."""
    return db.execute("SELECT model_id, training FROM models").fetchall()


def set_training(db: sqlite3.Connection, model_id: str, training: str) -> None:
    """Write a stored suggester's training set (JSON)."""
    db.execute("UPDATE models SET training = ? WHERE model_id = ?", (training, model_id))


def participant_attribute_values(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every participant's free attribute: ``participant_id, name, value``."""
    return db.execute("SELECT participant_id, name, value FROM participant_attributes").fetchall()


def set_participant_attribute(db: sqlite3.Connection, participant_id: str, name: str, value: str | None) -> None:
    """Write the value of a participant's free attribute."""
    db.execute("UPDATE participant_attributes SET value = ? WHERE participant_id = ? AND name = ?",
               (value, participant_id, name))


def participant_functions(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every participant's ``participant_id, function, attributes_source``."""
    return db.execute("SELECT participant_id, function, attributes_source FROM participants").fetchall()


def set_participant_function(db: sqlite3.Connection, participant_id: str, function: str | None,
                             attributes_source: str | None) -> None:
    """Write a participant's function and the name of the attributes file it came from."""
    db.execute("UPDATE participants SET function = ?, attributes_source = ? WHERE participant_id = ?",
               (function, attributes_source, participant_id))


def ingest_details(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every ingest log line with a detail: ``rowid, detail`` (JSON)."""
    return db.execute("SELECT rowid, detail FROM ingest_log WHERE detail IS NOT NULL").fetchall()


def set_ingest_detail(db: sqlite3.Connection, rowid: int, detail: str) -> None:
    """Write an ingest log line's detail."""
    db.execute("UPDATE ingest_log SET detail = ? WHERE rowid = ?", (detail, rowid))


def source_names(db: sqlite3.Connection, table: str) -> list[sqlite3.Row]:
    """``rowid, source_name`` of every row of ``table`` (one of :data:`SOURCE_NAME_TABLES`) with a source name."""
    _check_source_table(table)
    return db.execute(f"SELECT rowid, source_name FROM {table} WHERE source_name IS NOT NULL").fetchall()


def set_source_name(db: sqlite3.Connection, table: str, rowid: int, name: str) -> None:
    """Write the source name of a row of ``table`` (one of :data:`SOURCE_NAME_TABLES`)."""
    _check_source_table(table)
    db.execute(f"UPDATE {table} SET source_name = ? WHERE rowid = ?", (name, rowid))


def _check_source_table(table: str) -> None:
    if table not in SOURCE_NAME_TABLES:
        raise ValueError(f"{table!r} is not one of {', '.join(SOURCE_NAME_TABLES)}")


def run_options(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every run's ``run_id, options`` (JSON)."""
    return db.execute("SELECT run_id, options FROM runs").fetchall()


def set_run_options(db: sqlite3.Connection, run_id: str, options: str) -> None:
    """Write a run's options (JSON)."""
    db.execute("UPDATE runs SET options = ? WHERE run_id = ?", (options, run_id))
