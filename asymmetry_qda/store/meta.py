"""What the store keeps about the work: codebooks, memos, the audit's lists, cache and dismissals, the project id,
and the one-line summary of a project.

Functions that write take an open connection inside a transaction; readers take any connection.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

import pandas as pd

from .codings import CURRENT

#: every stored codebook's hash (to list them when an unknown one is asked for)
KNOWN_CODEBOOKS = "SELECT codebook_hash FROM codebooks"

__all__ = ["KNOWN_CODEBOOKS", "add_codebook", "audit_cache", "audit_lists", "codebook_rows", "codebooks", "dismissals",
           "latest_codebook_hash", "memos", "ner_entities", "project_id", "record_dismissals", "set_audit_cache",
           "set_audit_lists", "set_ner_entities", "summary"]


def summary(db: sqlite3.Connection) -> dict:
    """Counts for a project's one-line summary: documents by kind, participants, human coders who coded,
    current codings by status."""
    return {
        "kinds": dict(db.execute("SELECT kind, COUNT(*) FROM documents GROUP BY kind").fetchall()),
        "participants": db.execute("SELECT COUNT(*) FROM participants").fetchone()[0],
        "coders": [r[0] for r in db.execute("SELECT coder_id FROM coders WHERE kind = 'human' AND coder_id IN "
                                            "(SELECT coder_id FROM codings) ORDER BY coder_id")],
        "statuses": [tuple(r) for r in db.execute(
            f"SELECT c.status, COUNT(*) FROM codings c JOIN documents d ON d.doc_id = c.doc_id WHERE {CURRENT} "
            "GROUP BY c.status ORDER BY c.status")],
    }


# -- codebooks ------------------------------------------------------------------------------------------------


def add_codebook(db: sqlite3.Connection, *, content_hash: str, name: str | None, version: str | None, content: str,
                 now: str) -> None:
    """Store a codebook's exact text once per content hash."""
    db.execute("INSERT OR IGNORE INTO codebooks (codebook_hash, name, version, content, added_at) "
               "VALUES (?, ?, ?, ?, ?)", (content_hash, name, version, content, now))


def codebooks(db: sqlite3.Connection) -> pd.DataFrame:
    """Stored codebooks: hash, name, version and when each was first stored."""
    return pd.read_sql_query("SELECT codebook_hash, name, version, added_at FROM codebooks ORDER BY added_at, "
                             "codebook_hash", db)


def codebook_rows(db: sqlite3.Connection, prefix: str) -> list[tuple[str, str]]:
    """``(hash, content)`` of every stored codebook whose hash starts with ``prefix``."""
    return [(r[0], r[1]) for r in db.execute("SELECT codebook_hash, content FROM codebooks WHERE codebook_hash "
                                             "LIKE ?", (prefix + "%",))]


def latest_codebook_hash(db: sqlite3.Connection) -> str | None:
    """The hash of the codebook stored most recently, or ``None``."""
    row = db.execute("SELECT codebook_hash FROM codebooks ORDER BY added_at DESC, rowid DESC LIMIT 1").fetchone()
    return row[0] if row else None


# -- memos --------------------------------------------------------------------------------------------------


def memos(db: sqlite3.Connection) -> pd.DataFrame:
    """Memos: on codings (with the decision they explain), spans or codes, oldest first."""
    return pd.read_sql_query(
        """SELECT memo_id, coding_id, doc_id, start, "end", code_id, author, text, supersedes, created_at
           FROM memos ORDER BY created_at, memo_id""", db)


# -- project info and the audit's state ------------------------------------------------------------------------


def project_id(db: sqlite3.Connection) -> str:
    """The project's random id (it ties a pseudonym key file to its project)."""
    return db.execute("SELECT value FROM project_info WHERE key = 'project_id'").fetchone()[0]


def audit_lists(db: sqlite3.Connection) -> dict[str, list[str]]:
    """The audit's ``allow`` list (never flagged) and ``deny`` list (always flagged)."""
    rows = dict(db.execute("SELECT key, value FROM project_info WHERE key IN ('audit_allow', 'audit_deny')")
                .fetchall())
    return {"allow": json.loads(rows.get("audit_allow", "[]")), "deny": json.loads(rows.get("audit_deny", "[]"))}


def set_audit_lists(db: sqlite3.Connection, *, allow: Sequence[str] | None = None,
                    deny: Sequence[str] | None = None) -> None:
    """Replace the allow list and/or the deny list (stripped, without duplicates, sorted)."""
    for key, values in (("audit_allow", allow), ("audit_deny", deny)):
        if values is not None:
            clean = sorted({v.strip() for v in values if isinstance(v, str) and v.strip()})
            db.execute("INSERT OR REPLACE INTO project_info (key, value) VALUES (?, ?)", (key, json.dumps(clean)))


def audit_cache(db: sqlite3.Connection) -> dict | None:
    """The cached whole-project audit (``fingerprint``, ``columns``, ``findings``), or ``None``."""
    row = db.execute("SELECT value FROM project_info WHERE key = 'audit_cache'").fetchone()
    return None if row is None else json.loads(row[0])


def set_audit_cache(db: sqlite3.Connection, fingerprint: str, frame: pd.DataFrame) -> None:
    """Cache the whole-project audit ``frame`` under ``fingerprint``."""
    db.execute("INSERT OR REPLACE INTO project_info (key, value) VALUES ('audit_cache', ?)",
               (json.dumps({"fingerprint": fingerprint, "columns": list(frame.columns),
                            "findings": frame.values.tolist()}, default=int),))


def ner_entities(db: sqlite3.Connection, pipeline: str) -> dict[str, tuple[str, list[tuple[str, int, int]]]]:
    """Document id to ``(sha256, entities)``: what NER found with ``pipeline`` (its name and versions) in the text
    of that SHA-256 (see :class:`~asymmetry_qda.anonymise.audit.EntityMemo`)."""
    return {doc_id: (sha, [tuple(e) for e in json.loads(found)]) for doc_id, sha, found in db.execute(
        "SELECT doc_id, input_sha256, entities FROM ner_entities WHERE pipeline = ?", (pipeline,))}


def set_ner_entities(db: sqlite3.Connection, pipeline: str,
                     new: dict[str, tuple[str, list[tuple[str, int, int]]]], *,
                     documents: Iterable[str] | None = None) -> None:
    """Keep the ``new`` entities NER found with ``pipeline`` (document id to ``(sha256, entities)``).

    ``documents`` (from an audit of the whole project: every document there is) drops the entries of any other
    document.
    """
    if documents is not None:
        present = set(documents)
        gone = [d for (d,) in db.execute("SELECT doc_id FROM ner_entities") if d not in present]
        db.executemany("DELETE FROM ner_entities WHERE doc_id = ?", [(d,) for d in gone])
    db.executemany("INSERT OR REPLACE INTO ner_entities (doc_id, pipeline, input_sha256, entities) "
                   "VALUES (?, ?, ?, ?)", [(doc_id, pipeline, sha, json.dumps([list(e) for e in found]))
                                           for doc_id, (sha, found) in sorted(new.items())])


def record_dismissals(db: sqlite3.Connection, rows: Iterable[tuple], *, by: str, reason: str, now: str) -> None:
    """Record findings ``(doc_id, start, end, text, kind)`` as dismissed by ``by`` for ``reason``."""
    db.executemany("""INSERT OR REPLACE INTO audit_dismissals (doc_id, start, "end", text, kind, decided_by,
                          reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                   [(*r, by, reason, now) for r in rows])


def dismissals(db: sqlite3.Connection) -> pd.DataFrame:
    """Dismissed audit findings whose text is unchanged: who dismissed each, why and when."""
    # substr counts characters (code points), as Python offsets do; only the dismissed stretches are read
    return pd.read_sql_query("""SELECT a.doc_id, a.start, a."end", a.text, a.kind, a.decided_by, a.reason,
                                       a.created_at
                                FROM audit_dismissals a JOIN documents d ON d.doc_id = a.doc_id
                                WHERE substr(d.text, a.start + 1, a."end" - a.start) = a.text
                                ORDER BY a.doc_id, a.start""", db)
