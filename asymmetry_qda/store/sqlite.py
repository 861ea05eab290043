"""The project file: one SQLite database (WAL journal, foreign keys on).

Every write goes through :meth:`Store.transaction`, which either commits all
of its statements or none: an import that fails half-way leaves the project
exactly as it was. The transaction starts with ``BEGIN IMMEDIATE``, so a
second writer waits for the first instead of working from what it read
before the first committed; a command reads what its write depends on inside
the transaction. A writer that has to wait says so (a ``logging`` warning)
and gives up after :attr:`Store.lock_timeout` seconds with a
:class:`~asymmetry_qda.errors.ProjectBusy` error. The ``COMMIT`` itself runs
with Ctrl-C held back (:mod:`asymmetry_qda.interrupts`), so it is never cut
in two and the code around it knows whether it happened.

The project file is only ever opened by SQLite while this process may hold a
connection to it: closing any other descriptor of the file would drop this
process's POSIX locks on it, and another process could then checkpoint and
delete the WAL under a live connection (SQLite, *How To Corrupt An SQLite
Database File*, section 2.2).
:func:`~asymmetry_qda.store.open_files.is_live_project` tells whether a path is
a project this process has open, so writers of output files can refuse it.

Opening checks the file: a file cut short, or one that fails ``PRAGMA
quick_check``, is refused with a :class:`~asymmetry_qda.errors.ProjectDamaged`
error that says how to recover; :meth:`Store.integrity_check` runs the full
check on request, and :meth:`Store.backup` copies the project through
SQLite's online backup API.
"""

from __future__ import annotations

import itertools
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from ..errors import (
    ProjectBusy,
    ProjectDamaged,
    ProjectError,
    ProjectReadOnly,
    StoreError,
)
from ..interrupts import deferred_interrupts
from .open_files import SIDE_FILES, identity, is_live_project, register
from .schema import MIGRATIONS, SCHEMA_VERSION, statements

#: The tables (with their indexes) that grow with the corpus: opening a project does not read them whole to check
#: them (see :meth:`Store._check_file`).
CHECKED_WHEN_READ = frozenset({"documents", "document_versions", "segments", "codings", "memos"})

APPLICATION_ID = 0x41514441  # "AQDA": marks a SQLite file as an asymmetry_qda project

log = logging.getLogger("asymmetry_qda")

_SAVEPOINTS = itertools.count()


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string, as stored in every ``*_at`` column."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Store:
    """A connection to one project file."""

    #: how long a writer waits for another process's write to finish before giving up
    #: (``ASYMMETRY_QDA_LOCK_TIMEOUT`` in the environment overrides it, in seconds)
    lock_timeout: float = float(os.environ.get("ASYMMETRY_QDA_LOCK_TIMEOUT", "30"))
    #: transactions committed by this process (the CLI tells from it whether an interrupted command wrote anything)
    commits: int = 0

    def __init__(self, connection: sqlite3.Connection, path: Path, *, read_only: bool = False):
        self.connection = connection
        self.path = path
        self.read_only = read_only
        self._identity = identity(path)
        register(self._identity, +1)

    # -- opening ---------------------------------------------------------
    @classmethod
    def create(cls, path: Path) -> "Store":
        if path.exists():
            raise ProjectError(f"{path}: a file already exists there. Fix: choose a new project path, "
                               "or open the existing project with Project.open")
        if not path.parent.exists():
            raise ProjectError(f"{path}: the folder {path.parent} does not exist. Fix: create it first")
        try:
            connection = _connect(path)
            connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        except sqlite3.Error as exc:
            for leftover in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
                leftover.unlink(missing_ok=True)
            raise translate_sqlite_error(exc, path, "create the project") or exc from exc
        store = cls(connection, path)
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            store._migrate()
        except BaseException as exc:
            store.close()
            for leftover in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
                leftover.unlink(missing_ok=True)
            if isinstance(exc, sqlite3.Error):
                raise translate_sqlite_error(exc, path, "create the project") or exc from exc
            raise
        return store

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @classmethod
    def open(cls, path: Path) -> "Store":
        if not path.is_file():
            raise ProjectError(f"{path}: no project file there. Fix: check the path, or create one with "
                               "'asymmetry-qda init PATH' / Project.create(PATH)")
        if not is_live_project(path):  # no lock of this process can be lost by reading it
            with open(path, "rb") as handle:
                magic = handle.read(16)
            if magic != b"SQLite format 3\x00":
                raise ProjectError(f"{path}: not an asymmetry_qda project (not a SQLite database). "
                                   "Fix: check the path")
        try:
            connection, read_only = _connect_for_reading(path)
        except sqlite3.Error as exc:
            raise translate_sqlite_error(exc, path, "open the project") or exc from exc
        store = cls(connection, path, read_only=read_only)
        try:
            app_id = connection.execute("PRAGMA application_id").fetchone()[0]
            if app_id != APPLICATION_ID:
                raise ProjectError(f"{path}: a SQLite database, but not an asymmetry_qda project. "
                                   "Fix: check the path")
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            _check_version(path, version)
            store._check_file()
            if not read_only:
                connection.execute("PRAGMA journal_mode = WAL")
            if version < SCHEMA_VERSION:
                if read_only:
                    raise ProjectReadOnly(
                        f"{path}: this project needs an upgrade to schema {SCHEMA_VERSION} (it has {version}), "
                        "which cannot be written because the file or its folder is read-only. Fix: copy it "
                        "somewhere writable and open the copy")
                store._migrate()
        except BaseException as exc:
            store.close()
            if isinstance(exc, sqlite3.Error):
                raise translate_sqlite_error(exc, path, "open the project") or exc from exc
            raise
        return store

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called: nothing can be read or written through this store any more."""
        return self.connection is None

    def close(self) -> None:
        if self.connection is None:
            return
        self.connection.close()
        self.connection = None
        register(self._identity, -1)

    # -- checking --------------------------------------------------------
    def _check_file(self) -> None:
        """Refuse a file that is cut short or whose schema or small tables fail ``PRAGMA quick_check``.

        The tables that grow with the corpus (:data:`CHECKED_WHEN_READ`: texts, segments, codings, memos) are
        not read whole on open, which would take seconds for a 1,000-interview project: SQLite reports a damaged
        page of theirs when it is read (the toolkit's "damaged" error, in the CLI), and :meth:`integrity_check`
        (``asymmetry-qda check``) reads every page. A file cut short is refused here whatever its size: SQLite
        compares the page count in its header with the file.
        """
        page_size = self.connection.execute("PRAGMA page_size").fetchone()[0]
        size = os.stat(self.path).st_size
        if page_size and size % page_size:
            raise ProjectDamaged(_damaged(self.path, f"its size ({size} bytes) is not a whole number of "
                                                     f"{page_size}-byte pages: the file was cut short"))
        self.connection.execute("PRAGMA page_count").fetchone()
        tables = [row[0] for row in self.connection.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")]
        for table in tables:
            if table in CHECKED_WHEN_READ:
                continue
            problems = [row[0] for row in self.connection.execute(f'PRAGMA quick_check("{table}")')]
            if problems != ["ok"]:
                raise ProjectDamaged(_damaged(self.path, "; ".join(problems[:5])))

    def integrity_check(self) -> list[str]:
        """Every problem ``PRAGMA integrity_check`` finds (indexes against tables too); ``[]`` when sound."""
        try:
            problems = [row[0] for row in self.connection.execute("PRAGMA integrity_check")]
            problems += [f"foreign key: {tuple(row)}" for row in self.connection.execute("PRAGMA foreign_key_check")]
        except sqlite3.DatabaseError as exc:  # damage so deep that SQLite stops the check itself
            return [f"SQLite could not read the file to the end of its check: {exc}"]
        return [] if problems == ["ok"] else [p for p in problems if p != "ok"]

    def backup(self, destination: Path) -> Path:
        """Copy the project to ``destination`` (a new file) through SQLite's online backup API.

        The copy is consistent even while other processes write, is written
        to a temporary file beside ``destination`` and renamed into place,
        and is checked before the rename.
        """
        destination = Path(destination)
        if destination.exists():
            raise ProjectError(f"{destination}: a file already exists there. Fix: choose a new name for the backup")
        if not destination.parent.is_dir():
            raise ProjectError(f"{destination}: the folder {destination.parent} does not exist. Fix: create it first")
        partial = destination.with_name(f".{destination.name}.partial-{os.getpid()}")
        try:
            target = sqlite3.connect(partial, isolation_level=None)
            try:
                self.connection.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")
                ok = target.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                target.close()
            if ok != "ok":
                raise ProjectDamaged(_damaged(destination, f"the copy failed its check ({ok})"))
            with open(partial, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(partial, destination)
        except sqlite3.Error as exc:
            raise translate_sqlite_error(exc, destination, "write the backup") or exc from exc
        finally:
            for leftover in (partial, *(partial.with_name(partial.name + s) for s in SIDE_FILES)):
                leftover.unlink(missing_ok=True)
        return destination

    # -- writing ---------------------------------------------------------
    @contextmanager
    def transaction(self, *, wait: float | None = None) -> Iterator[sqlite3.Connection]:
        """One all-or-nothing write. Nested use is a savepoint inside the outer transaction.

        ``wait`` is how long to wait for another process's write (default
        :attr:`lock_timeout`).

        Starts with ``BEGIN IMMEDIATE`` (so what is read inside is what the
        write changes), commits with Ctrl-C held back, and turns the
        situations a user can meet (another writer, a full disk, a read-only
        or damaged file) into :class:`~asymmetry_qda.errors.QDAError` messages.
        """
        connection = self.connection
        if connection.in_transaction:  # nested: a savepoint, so a failed inner step undoes only itself
            name = f"qda_{next(_SAVEPOINTS)}"
            connection.execute(f"SAVEPOINT {name}")
            try:
                yield connection
            except BaseException:
                if connection.in_transaction:
                    connection.execute(f"ROLLBACK TO {name}")
                    connection.execute(f"RELEASE {name}")
                raise
            connection.execute(f"RELEASE {name}")
            return
        if self.read_only:
            raise ProjectReadOnly(_read_only(self.path))
        self._begin(self.lock_timeout if wait is None else wait)
        try:
            yield connection
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.Error):
                translated = translate_sqlite_error(exc, self.path, "write")
                if translated is not None:
                    raise translated from exc
            raise
        with deferred_interrupts():
            try:
                connection.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise (translate_sqlite_error(exc, self.path, "commit the write")
                       or StoreError(f"{self.path}: the write could not be committed ({exc}); nothing was changed")
                       ) from exc
            Store.commits += 1

    def _begin(self, timeout: float) -> None:
        connection = self.connection
        try:
            connection.execute(f"PRAGMA busy_timeout = {min(200, int(timeout * 1000))}")
            try:
                connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not _busy(exc):
                    raise translate_sqlite_error(exc, self.path, "start a write") or exc from exc
            if timeout > 2:
                log.warning("%s: another process is writing to this project; waiting up to %.0f s for it to "
                            "finish", self.path, timeout)
            started = time.monotonic()
            connection.execute(f"PRAGMA busy_timeout = {max(int(timeout * 1000) - 200, 0)}")
            try:
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if _busy(exc):
                    raise ProjectBusy(_busy_message(self.path, time.monotonic() - started + 0.2)) from exc
                raise translate_sqlite_error(exc, self.path, "start a write") or exc from exc
        finally:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _rollback(self) -> None:
        """Roll back if a transaction is still open (SQLite may have rolled back by itself, e.g. on a full disk)."""
        if self.connection.in_transaction:
            try:
                self.connection.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def _migrate(self) -> None:
        with self.transaction() as connection:
            version = connection.execute("PRAGMA user_version").fetchone()[0]  # again, under the write lock
            _check_version(self.path, version)
            pending = [(v, sql) for v, sql in MIGRATIONS if v > version]
            if not pending:
                return
            for number, sql in pending:
                for statement in statements(sql):
                    try:
                        connection.execute(statement)
                    except sqlite3.IntegrityError as exc:  # a migration's own check (a named CHECK constraint)
                        if "cannot be upgraded" not in str(exc):
                            raise
                        reason = str(exc).removeprefix("CHECK constraint failed: ")
                        raise ProjectError(
                            f"{self.path}: {reason} to schema {number} by this version; nothing was changed (the "
                            f"file stays at schema {version}). Fix: keep using the release that made it, and report "
                            "this to the asymmetry_qda developers") from exc
                connection.execute(f"PRAGMA user_version = {number}")
            connection.execute(
                "INSERT OR REPLACE INTO project_info (key, value) VALUES ('schema_migrated_at', ?)", (utc_now(),))


BUSY_TIMEOUT_MS = 30000
_BUSY, _LOCKED, _PERM, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 3, 8, 10, 11, 13, 14, 26


def _busy(exc: sqlite3.Error) -> bool:
    return (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in (_BUSY, _LOCKED) or "database is locked" in str(exc)


def _busy_message(path: Path, waited: float) -> str:
    return (f"{path}: another process has been writing to this project for {waited:.0f} s (an ingest, code, "
            "import or pseudonymise, or a notebook in the middle of a write); nothing was changed. Fix: wait for "
            "it to finish and run this again (ASYMMETRY_QDA_LOCK_TIMEOUT=SECONDS waits longer)")


def _read_only(path: Path) -> str:
    return (f"{path}: the project is read-only here (the file or its folder cannot be written), so it can be "
            "read and exported but not changed; nothing was changed. Fix: make a writable copy with "
            f"'asymmetry-qda backup {path} COPY.qda', or change the permissions")


def _damaged(path: Path, what: str) -> str:
    return (f"{path}: the project file is damaged ({what}); nothing was written to it. Fix: restore it from a "
            "backup ('asymmetry-qda backup PROJECT COPY.qda' makes one); 'asymmetry-qda check PROJECT' lists every "
            "problem, and SQLite's '.recover' command may rescue data from a copy")


def translate_sqlite_error(exc: sqlite3.Error, path: Path | str, doing: str) -> Exception | None:
    """The toolkit's own error for a SQLite error a user can meet, or ``None`` for anything else (a bug).

    Examples
    --------
    >>> exc = sqlite3.OperationalError("database or disk is full")
    >>> print(translate_sqlite_error(exc, "study.qda", "write"))  # doctest: +ELLIPSIS
    study.qda: the disk is full, so SQLite could not write; nothing was changed. Fix: ...
    """
    path = Path(path)
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    text = str(exc)
    if _busy(exc):
        return ProjectBusy(_busy_message(path, Store.lock_timeout))
    if code == _FULL or "disk is full" in text or (code in (_IOERR, _CANTOPEN) and _nearly_full(path)):
        return StoreError(f"{path}: the disk is full, so SQLite could not {doing}; nothing was changed. "
                          "Fix: free some space on that disk and run the command again")
    if code in (_READONLY, _PERM) or "readonly database" in text:
        return ProjectReadOnly(_read_only(path))
    if code == _CANTOPEN or "unable to open database file" in text:
        return ProjectReadOnly(f"{path}: SQLite cannot open the project file or create its journal beside it "
                               "(is the folder read-only or full?); nothing was changed. Fix: check the folder's "
                               "permissions and free space, or copy the project somewhere writable")
    if code in (_CORRUPT, _NOTADB) or "malformed" in text or "not a database" in text:
        return ProjectDamaged(_damaged(path, text))
    if code == _IOERR or "disk I/O error" in text:
        return StoreError(f"{path}: the disk reported an input/output error while SQLite tried to {doing} ({text}); "
                          "SQLite rolled the write back. Fix: check the disk (free space, a removed drive, a "
                          "network share that dropped) and run the command again")
    return None


def _nearly_full(path: Path) -> bool:
    """Whether the disk holding ``path`` has (almost) no space left: SQLite then often reports an I/O error."""
    import shutil

    try:
        return shutil.disk_usage(path.resolve().parent).free < 256 * 1024
    except OSError:
        return False


def _check_version(path: Path, version: int) -> None:
    if version < 0:
        raise ProjectDamaged(_damaged(path, f"its schema version is {version}, which no release writes"))
    if version > SCHEMA_VERSION:
        raise ProjectError(
            f"{path}: made by a newer asymmetry_qda (project schema {version}, this release reads "
            f"up to {SCHEMA_VERSION}). Fix: upgrade asymmetry_qda")


def _connect(path: Path | str, *, uri: bool = False) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, uri=uri)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return connection


def _connect_for_reading(path: Path) -> tuple[sqlite3.Connection, bool]:
    """A read-write connection, or a read-only one where the file or its folder cannot be written."""
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    if writable:
        connection = _connect(path)
        try:
            connection.execute("PRAGMA schema_version").fetchone()
            return connection, False
        except sqlite3.Error as exc:
            connection.close()
            if not isinstance(translate_sqlite_error(exc, path, "open"), ProjectReadOnly):
                raise
    base = "file:" + _uri_path(path)
    failure: sqlite3.Error | None = None
    for query in ("?mode=ro", "?mode=ro&immutable=1"):  # immutable: no -shm can be made in a read-only folder
        connection = _connect(base + query, uri=True)
        try:
            connection.execute("PRAGMA schema_version").fetchone()
            return connection, True
        except sqlite3.Error as exc:
            connection.close()
            failure = exc
    raise failure


def _uri_path(path: Path) -> str:
    from urllib.parse import quote

    return quote(str(path.resolve()))


#: the old name of :func:`asymmetry_qda.store.schema.statements` (a private one: use that)
_statements = statements


class HasStore(Protocol):
    """Anything that holds an open :class:`Store` (a :class:`~asymmetry_qda.project.Project` does).

    Services are functions of a store; those a user calls with a project (``load(project)``) accept either, through
    :func:`store_of`, so nothing inside the package needs to import ``Project``.
    """

    @property
    def store(self) -> Store: ...


def store_of(source: "Store | HasStore") -> Store:
    """The :class:`Store` of ``source``: a store itself, or the ``store`` of a project.

    Examples
    --------
    >>> store_of(object())
    Traceback (most recent call last):
    ...
    TypeError: expected a Project or a Store, got object
    """
    if isinstance(source, Store):
        return source
    held = getattr(source, "store", None)
    if isinstance(held, Store):
        return held
    raise TypeError(f"expected a Project or a Store, got {type(source).__name__}")
