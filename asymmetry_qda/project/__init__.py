"""A coding project: one SQLite file holding documents, segments, participants and codings.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> (folder / "INT01.txt").write_text("Interviewer: How was it?\\n\\nP01: It all lands at my door.\\n")
56
>>> with Project.create(folder / "study.qda") as project:
...     report = project.ingest([folder / "INT01.txt"], pipeline="blank")
...     project.segments(unit="turn")[["segment_id", "speaker", "text"]]
  segment_id      speaker                      text
0   INT01#t1  Interviewer               How was it?
1   INT01#t2          P01  It all lands at my door.
"""


from __future__ import annotations

from pathlib import Path

from ..store import meta as stored_meta
from ..store.sqlite import Store
from ._anonymisation import Anonymisation
from ._codes import Codes
from ._coding import Coding
from ._documents import Documents
from ._exchange import Exchange
from ._report import Reports
from ._themes import Themes
from ._views import Views

__all__ = ["Project"]


class Project(Documents, Coding, Codes, Themes, Anonymisation, Exchange, Views, Reports):
    """A project file opened for reading and writing.

    Create one with :meth:`create`, open one with :meth:`open`; use it as a
    context manager or call :meth:`close`. Every method that writes runs in one
    transaction.
    """

    def __init__(self, store: Store):
        self._store = store

    # -- lifecycle -------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path) -> "Project":
        """Create a new, empty project file at ``path`` (which must not exist)."""
        return cls(Store.create(Path(path)))

    @classmethod
    def open(cls, path: str | Path) -> "Project":
        """Open an existing project, upgrading its schema if it is older than this release."""
        return cls(Store.open(Path(path)))

    @property
    def path(self) -> Path:
        return self._store.path

    @property
    def store(self) -> Store:
        """The project file's :class:`~asymmetry_qda.store.sqlite.Store`: what the services below ``Project`` take
        (``asymmetry_qda.store.codings.frame(project.store.connection)``...)."""
        return self._store

    def close(self) -> None:
        self._store.close()

    @property
    def closed(self) -> bool:
        """Whether the project was closed (reading or writing then needs ``Project.open`` again)."""
        return self._store.closed

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        """What is in the project, in one line: documents, participants, coders, current codings by status.

        >>> import tempfile, pathlib
        >>> with Project.create(pathlib.Path(tempfile.mkdtemp()) / "s.qda") as p:
        ...     print(repr(p).split(": ", 1)[1])
        0 documents, 0 participants, no coders; no codings
        """
        if self.closed:
            return f"Project({str(self.path)!r}, closed)"
        return f"Project({str(self.path)!r}): {_describe(stored_meta.summary(self._db))}"

    def check(self) -> list[str]:
        """Every problem SQLite's full ``integrity_check`` and ``foreign_key_check`` find; ``[]`` if sound.

        Opening a project already refuses a file that is cut short, or whose
        schema or small tables fail the faster ``quick_check``; this reads every
        page of every table (texts, segments and codings too) and checks every
        index against its table. Nothing is written.
        """
        return self._store.integrity_check()

    def backup(self, destination: str | Path) -> Path:
        """Copy the project to ``destination`` (a new file) through SQLite's online backup API.

        Safe while other processes write; the copy is checked and appears only
        once complete. Prefer it to copying the file: a project's ``-wal`` file
        holds its latest writes.
        """
        return self._store.backup(Path(destination))

    def transaction(self):
        """Group several writes into one all-or-nothing transaction (a context manager).

        Every method that writes is already one transaction; inside this block
        they become savepoints of one outer transaction, which commits when the
        block ends and is rolled back whole if it raises (or is interrupted).

        Examples
        --------
        >>> with project.transaction():  # doctest: +SKIP
        ...     project.code_span("INT01", 0, 40, "agency.responsibility", coder="LT")
        ...     project.code_span("INT01", 41, 90, "response.blame", coder="LT")
        """
        return self._store.transaction()


def _describe(counts: dict) -> str:
    """The counts of :func:`asymmetry_qda.store.meta.summary` in words (the second half of ``repr(project)``)."""
    kinds, n_people = counts["kinds"], counts["participants"]
    coders, statuses = counts["coders"], counts["statuses"]
    n_docs = sum(kinds.values())
    docs = f"{n_docs} document{'s' if n_docs != 1 else ''}"
    if kinds:
        docs += " (" + ", ".join(f"{n} {kind}{'s' if n != 1 else ''}".replace("fieldnotes", "field notes")
                                 .replace("fieldnote", "field note") for kind, n in sorted(kinds.items())) + ")"
    who = f"coders {', '.join(coders)}" if coders else "no coders"
    codings = ", ".join(f"{n} {status}" for status, n in statuses) or "no codings"
    pending = dict(statuses).get("suggested", 0)
    tail = f" ({pending} suggestions to review)" if pending else ""
    return (f"{docs}, {n_people} participant{'s' if n_people != 1 else ''}, "
            f"{who}; {'current codings: ' if statuses else ''}{codings}{tail}")
