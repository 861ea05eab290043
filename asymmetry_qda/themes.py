"""Themes built from codes: a named group of codes with a definition and a status.

In thematic analysis codes are grouped into candidate themes, which are reviewed, named and defined, and
written up as final. A theme here is that: an id, a label, a definition, its codes (a code counts with its
sub-codes) and a status, ``candidate``, ``reviewed`` or ``final`` (``dropped`` when set aside). A code may
sit in several candidate or reviewed themes, and in one final theme at most. Every change is a new row
that supersedes the last, with who made it and why (:func:`theme_history`), and the themes follow the code
operations of :mod:`asymmetry_qda.code_changes`: a renamed, moved or merged code keeps its themes, a
retired code leaves them, and undoing the operation restores them.

:func:`asymmetry_qda.analysis.theme_codings` turns codings into codings of themes, so every table and
figure that takes codes takes themes too.
"""

from __future__ import annotations

import dataclasses
import difflib
import sqlite3
import uuid
from collections.abc import Sequence

import pandas as pd

from .codebook.loader import ID_PATTERN
from .decisions import check_coder
from .errors import InputError, NotFoundError, Problem
from .store import codings as stored_codings
from .store import themes as stored_themes
from .store.sqlite import HasStore, Store, store_of, utc_now

__all__ = ["THEME_COLUMNS", "THEME_STATUSES", "create_theme", "drop_theme", "follow_codes", "restore_themes",
           "theme_history", "themes", "update_theme"]

#: a theme's statuses, from first grouping to write-up
THEME_STATUSES: tuple[str, ...] = ("candidate", "reviewed", "final")
THEME_COLUMNS = ["theme_id", "label", "definition", "status", "codes", "n_codes", "author", "reason", "created_at"]


def _known_codes(db: sqlite3.Connection) -> set[str]:
    from .codebook.stored import latest_codebook

    book = latest_codebook(db)
    return {c.id for c in book.codes} if book is not None else stored_codings.distinct(db, "code_id")


def _check(db: sqlite3.Connection, theme_id: str, label: str, definition: str, codes: Sequence[str], status: str,
           others: list[stored_themes.ThemeRow]) -> tuple[str, ...]:
    problems = []
    known = _known_codes(db)
    if not isinstance(theme_id, str) or not ID_PATTERN.match(theme_id):
        problems.append(Problem("theme", f"{theme_id!r} is not a theme id", fix="use lower-case letters, digits and _ "
                                "(dots between parts), e.g. blame_without_control"))
    elif theme_id in known:
        problems.append(Problem("theme", f"{theme_id!r} is a code id", fix="give the theme an id of its own, so "
                                "tables can tell the two apart"))
    for name, value in (("label", label), ("definition", definition)):
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(name, f"a theme needs a {name}", fix=f"pass {name}='...'"))
    if status not in (*THEME_STATUSES, "dropped"):
        problems.append(Problem("status", f"{status!r} is not a theme status",
                                fix=f"use one of {', '.join(THEME_STATUSES)}"))
    codes = tuple(dict.fromkeys([codes] if isinstance(codes, str) else codes))
    for code in codes:
        if code not in known:
            near = difflib.get_close_matches(code, sorted(known), n=3)
            problems.append(Problem("codes", f"{code!r} is not a code of the project",
                                    fix=f"did you mean {', '.join(near)}?" if near else "name codes of the codebook"))
    if status == "final":
        for other in others:
            shared = sorted(set(codes) & set(other.codes))
            if other.theme_id != theme_id and other.status == "final" and shared:
                problems.append(Problem("codes", f"{', '.join(shared)} already in the final theme {other.theme_id!r}",
                                        fix="a code sits in one final theme at most: take it out of one of them"))
    if problems:
        raise InputError(problems)
    return codes


def themes(project: HasStore | Store, *, include_dropped: bool = False) -> pd.DataFrame:
    """The project's themes as they stand, in the order they were made (columns :data:`THEME_COLUMNS`)."""
    rows = stored_themes.current(store_of(project).connection, include_dropped=include_dropped)
    return pd.DataFrame([{"theme_id": r.theme_id, "label": r.label, "definition": r.definition, "status": r.status,
                          "codes": list(r.codes), "n_codes": len(r.codes), "author": r.author, "reason": r.reason,
                          "created_at": r.created_at} for r in rows], columns=THEME_COLUMNS)


def theme_history(project: HasStore | Store, theme_id: str) -> pd.DataFrame:
    """Every version of ``theme_id``, oldest first: when, who, why, status, label, definition and codes."""
    rows = stored_themes.history(store_of(project).connection, theme_id)
    if not rows:
        raise NotFoundError(f"{theme_id!r} is not a theme of the project. Fix: see project.themes()")
    return pd.DataFrame([dataclasses.asdict(r) | {"codes": list(r.codes)} for r in rows])


def _current(db: sqlite3.Connection, theme_id: str) -> stored_themes.ThemeRow | None:
    return next((r for r in stored_themes.current(db, include_dropped=True) if r.theme_id == theme_id), None)


def create_theme(project: HasStore | Store, theme_id: str, *, label: str, definition: str, codes: Sequence[str],
                 by: str, status: str = "candidate", reason: str | None = None) -> pd.DataFrame:
    """Make a theme of ``codes``; returns :func:`themes`. A dropped theme's id may be used again."""
    check_coder(by)
    store = store_of(project)
    with store.transaction() as db:
        before = _current(db, theme_id)
        if before is not None and before.status != "dropped":
            raise InputError(Problem("theme", f"{theme_id!r} already exists",
                                     fix="choose another id, or change it with update_theme"))
        others = stored_themes.current(db)
        codes = _check(db, theme_id, label, definition, codes, status, others)
        stored_themes.insert(db, stored_themes.ThemeRow(uuid.uuid4().hex, theme_id, label, definition, status, codes,
                                                        by, reason, before.row_id if before else None, None,
                                                        utc_now()))
    return themes(store)


def update_theme(project: HasStore | Store, theme_id: str, *, by: str, reason: str | None = None,
                 label: str | None = None, definition: str | None = None, codes: Sequence[str] | None = None,
                 add: Sequence[str] = (), remove: Sequence[str] = (), status: str | None = None) -> pd.DataFrame:
    """Change a theme: its label, definition or status, its codes (``codes`` replaces them; ``add`` and
    ``remove`` change them). One new row; returns :func:`themes`."""
    check_coder(by)
    store = store_of(project)
    with store.transaction() as db:
        row = _current(db, theme_id)
        if row is None or row.status == "dropped":
            raise NotFoundError(f"{theme_id!r} is not a theme of the project. Fix: see project.themes(), or "
                                "create it with create_theme")
        members = list(row.codes if codes is None else codes)
        members += [c for c in ([add] if isinstance(add, str) else add) if c not in members]
        gone = {remove} if isinstance(remove, str) else set(remove)
        members = [c for c in members if c not in gone]
        new = dataclasses.replace(row, label=label or row.label, definition=definition or row.definition,
                                  status=status or row.status, codes=tuple(members))
        checked = _check(db, theme_id, new.label, new.definition, new.codes, new.status, stored_themes.current(db))
        stored_themes.insert(db, dataclasses.replace(new, codes=checked, row_id=uuid.uuid4().hex, author=by,
                                                     reason=reason, supersedes=row.row_id, run_id=None,
                                                     created_at=utc_now()))
    return themes(store)


def drop_theme(project: HasStore | Store, theme_id: str, *, by: str, reason: str | None = None) -> pd.DataFrame:
    """Set a theme aside (status ``dropped``; its history is kept and its id can be used again)."""
    return update_theme(project, theme_id, by=by, reason=reason, status="dropped")


def follow_codes(db: sqlite3.Connection, mapping: dict[str, str], retired: Sequence[str], *, by: str, run_id: str,
                 note: str, now: str) -> int:
    """Make the current themes follow a code operation (inside its transaction); returns the themes changed."""
    changed = 0
    for row in stored_themes.current(db, include_dropped=True):
        codes = tuple(dict.fromkeys(mapping.get(c, c) for c in row.codes if c not in retired))
        if codes != row.codes:
            stored_themes.insert(db, dataclasses.replace(row, row_id=uuid.uuid4().hex, codes=codes, author=by,
                                                         reason=note, supersedes=row.row_id, run_id=run_id,
                                                         created_at=now))
            changed += 1
    return changed


def restore_themes(db: sqlite3.Connection, undone_run: str, *, by: str, run_id: str, note: str, now: str) -> int:
    """Undo :func:`follow_codes` of the run ``undone_run``: each theme it changed gets its codes back."""
    restored = 0
    current = {r.theme_id: r for r in stored_themes.current(db, include_dropped=True)}
    for written in stored_themes.written_by(db, undone_run):
        earlier = next(r for r in stored_themes.history(db, written.theme_id) if r.row_id == written.supersedes)
        now_row = current[written.theme_id]
        if now_row.codes != written.codes:
            continue  # the theme's codes were changed since: that change stands
        stored_themes.insert(db, dataclasses.replace(now_row, row_id=uuid.uuid4().hex, codes=earlier.codes,
                                                     author=by, reason=note, supersedes=now_row.row_id,
                                                     run_id=run_id, created_at=now))
        restored += 1
    return restored
