"""The project file: one SQLite database (WAL journal, foreign keys on).

Every write goes through :meth:`Store.transaction`, which either commits all
of its statements or none: an import that fails half-way leaves the project
exactly as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ..errors import ProjectError, StoreError
from .schema import MIGRATIONS, SCHEMA_VERSION

APPLICATION_ID = 0x41514441  # "AQDA": marks a SQLite file as an asymmetry_qda project


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string, as stored in every ``*_at`` column."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Store:
    """A connection to one project file."""

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self.connection = connection
        self.path = path

    # -- opening ---------------------------------------------------------
    @classmethod
    def create(cls, path: Path) -> "Store":
        if path.exists():
            raise ProjectError(f"{path}: a file already exists there. Fix: choose a new project path, "
                               "or open the existing project with Project.open")
        if not path.parent.exists():
            raise ProjectError(f"{path}: the folder {path.parent} does not exist. Fix: create it first")
        connection = _connect(path)
        store = cls(connection, path)
        try:
            connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            connection.execute("PRAGMA journal_mode = WAL")
            store._migrate(0)
        except Exception:
            connection.close()
            for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)
            raise
        return store

    @classmethod
    def open(cls, path: Path) -> "Store":
        if not path.is_file():
            raise ProjectError(f"{path}: no project file there. Fix: check the path, or create one with "
                               "'asymmetry-qda init PATH' / Project.create(PATH)")
        with open(path, "rb") as handle:
            magic = handle.read(16)
        if magic != b"SQLite format 3\x00":
            raise ProjectError(f"{path}: not an asymmetry_qda project (not a SQLite database). "
                               "Fix: check the path")
        connection = _connect(path)
        try:
            app_id = connection.execute("PRAGMA application_id").fetchone()[0]
            if app_id != APPLICATION_ID:
                raise ProjectError(f"{path}: a SQLite database, but not an asymmetry_qda project. "
                                   "Fix: check the path")
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise ProjectError(
                    f"{path}: made by a newer asymmetry_qda (project schema {version}, this release reads "
                    f"up to {SCHEMA_VERSION}). Fix: upgrade asymmetry_qda")
            connection.execute("PRAGMA journal_mode = WAL")
            store = cls(connection, path)
            store._migrate(version)
        except BaseException:
            connection.close()
            raise
        return store

    def close(self) -> None:
        self.connection.close()

    # -- writing ---------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One all-or-nothing write. Nested use joins the outer transaction."""
        connection = self.connection
        if connection.in_transaction:
            yield connection
            return
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        try:
            connection.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            connection.execute("ROLLBACK")
            raise StoreError(f"{self.path}: the write could not be committed ({exc}); nothing was changed") from exc

    def _migrate(self, version: int) -> None:
        pending = [(v, sql) for v, sql in MIGRATIONS if v > version]
        if not pending:
            return
        with self.transaction() as connection:
            for number, sql in pending:
                for statement in _statements(sql):
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {number}")
            connection.execute(
                "INSERT OR REPLACE INTO project_info (key, value) VALUES ('schema_migrated_at', ?)", (utc_now(),))


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, timeout=30.0)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA busy_timeout = 30000")
    return connection


def _statements(sql: str) -> list[str]:
    """Split a migration script into statements, keeping trigger bodies whole."""
    statements, buffer = [], []
    for line in sql.strip().splitlines():
        buffer.append(line)
        candidate = "\n".join(buffer).strip()
        if candidate and sqlite3.complete_statement(candidate):
            statements.append(candidate)
            buffer = []
    if "\n".join(buffer).strip():
        statements.append("\n".join(buffer).strip())
    return statements
