"""Themes in the store: append-only rows, the current one of each theme being the row nothing supersedes.

The functions that write take the open connection of one transaction; the readers take any connection.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

__all__ = ["ThemeRow", "current", "history", "insert", "written_by"]

_COLUMNS = ("row_id", "theme_id", "label", "definition", "status", "codes", "author", "reason", "supersedes",
            "run_id", "created_at")
_CURRENT = "NOT EXISTS (SELECT 1 FROM themes s WHERE s.supersedes = t.row_id)"


@dataclass(frozen=True)
class ThemeRow:
    """One row of a theme's history; ``codes`` in the order the theme lists them."""

    row_id: str
    theme_id: str
    label: str
    definition: str
    status: str
    codes: tuple[str, ...]
    author: str
    reason: str | None
    supersedes: str | None
    run_id: str | None
    created_at: str


def _row(values) -> ThemeRow:
    found = dict(zip(_COLUMNS, values, strict=True))
    found["codes"] = tuple(json.loads(found["codes"]))
    return ThemeRow(**found)


def insert(db: sqlite3.Connection, row: ThemeRow) -> str:
    """Write one row (inside an open transaction); returns its id."""
    values = [json.dumps(list(row.codes)) if name == "codes" else getattr(row, name) for name in _COLUMNS]
    db.execute(f"INSERT INTO themes ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})", values)
    return row.row_id


def current(db: sqlite3.Connection, *, include_dropped: bool = False) -> list[ThemeRow]:
    """The current row of every theme, in the order the themes were first made."""
    dropped = "" if include_dropped else " AND t.status != 'dropped'"
    rows = db.execute(f"""SELECT {', '.join('t.' + c for c in _COLUMNS)} FROM themes t WHERE {_CURRENT}{dropped}
                          ORDER BY (SELECT MIN(f.rowid) FROM themes f WHERE f.theme_id = t.theme_id)""").fetchall()
    return [_row(r) for r in rows]


def history(db: sqlite3.Connection, theme_id: str) -> list[ThemeRow]:
    """Every row of ``theme_id``, oldest first."""
    return [_row(r) for r in db.execute(f"SELECT {', '.join(_COLUMNS)} FROM themes WHERE theme_id = ? ORDER BY rowid",
                                        (theme_id,))]


def written_by(db: sqlite3.Connection, run_id: str) -> list[ThemeRow]:
    """The rows an operation wrote (a code change that the themes followed), in the order written."""
    return [_row(r) for r in db.execute(f"SELECT {', '.join(_COLUMNS)} FROM themes WHERE run_id = ? ORDER BY rowid",
                                        (run_id,))]
