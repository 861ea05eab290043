"""The project's codebook in the store: its versions, and the codings a change of codes carries.

``codebook_versions`` is append-only: version 1 is the codebook a project was coded with (the file's exact
text), every later version one operation (create, rename, move, merge, split, retire, undo) with who, when
and why. A version's text is a row of ``codebooks`` (by hash). The functions that write take the open
connection of the operation's one transaction; the readers take any connection.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

import pandas as pd

from ..records import Coding
from .codings import COLUMNS, CURRENT

__all__ = ["VERSION_COLUMNS", "add", "current_codings_of", "frame", "get", "latest", "versions", "written_by"]

#: the columns of :func:`versions`
VERSION_COLUMNS = ["version", "operation", "author", "reason", "created_at", "undoes", "codebook_hash", "detail",
                   "run_id"]
_SELECT = ("SELECT v.version, v.operation, v.author, v.reason, v.created_at, v.undoes, v.codebook_hash, v.detail, "
           "v.run_id, c.content FROM codebook_versions v JOIN codebooks c ON c.codebook_hash = v.codebook_hash")
_CODING_COLUMNS = ", ".join(f"c.{c}" if c != "end" else 'c."end"' for c in COLUMNS)


def _row(row) -> dict | None:
    if row is None:
        return None
    found = dict(zip([*VERSION_COLUMNS, "content"], row, strict=True))
    found["detail"] = json.loads(found["detail"])
    return found


def add(db: sqlite3.Connection, *, codebook_hash: str, operation: str, author: str, now: str,
        detail: dict | None = None, reason: str | None = None, undoes: int | None = None,
        run_id: str | None = None) -> int:
    """Append the next version (the codebook's text must be stored already); returns its number."""
    number = db.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM codebook_versions").fetchone()[0]
    db.execute("INSERT INTO codebook_versions (version, codebook_hash, operation, detail, author, reason, undoes, "
               "run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (number, codebook_hash, operation, json.dumps(detail or {}, sort_keys=True), author, reason, undoes,
                run_id, now))
    return number


def latest(db: sqlite3.Connection) -> dict | None:
    """The newest version as a dict (the :data:`VERSION_COLUMNS` and ``content``), or ``None``."""
    return _row(db.execute(f"{_SELECT} ORDER BY v.version DESC LIMIT 1").fetchone())


def get(db: sqlite3.Connection, version: int) -> dict | None:
    """Version ``version`` as a dict (as :func:`latest`), or ``None``."""
    return _row(db.execute(f"{_SELECT} WHERE v.version = ?", (int(version),)).fetchone())


def versions(db: sqlite3.Connection) -> list[dict]:
    """Every version, oldest first (each as :func:`latest`)."""
    return [_row(r) for r in db.execute(f"{_SELECT} ORDER BY v.version")]


def current_codings_of(db: sqlite3.Connection, code_ids: Iterable[str]) -> list[Coding]:
    """The current codings (of any status) of these codes, in document and offset order."""
    ids = sorted(set(code_ids))
    if not ids:
        return []
    rows = db.execute(f"""SELECT {_CODING_COLUMNS} FROM codings c JOIN documents d ON d.doc_id = c.doc_id
                          WHERE c.code_id IN ({', '.join('?' * len(ids))}) AND {CURRENT}
                          ORDER BY c.doc_id, c.start, c."end", c.coding_id""", ids).fetchall()
    return [Coding(*row) for row in rows]


def written_by(db: sqlite3.Connection, run_id: str) -> list[Coding]:
    """The codings a run wrote (an operation's carried rows), current or not, in the order they were written."""
    rows = db.execute(f"SELECT {_CODING_COLUMNS} FROM codings c WHERE c.run_id = ? ORDER BY c.rowid",
                      (run_id,)).fetchall()
    return [Coding(*row) for row in rows]


def frame(db: sqlite3.Connection) -> pd.DataFrame:
    """:func:`versions` as a frame of :data:`VERSION_COLUMNS` (without the texts)."""
    return pd.DataFrame([{k: v for k, v in row.items() if k != "content"} for row in versions(db)],
                        columns=VERSION_COLUMNS)
