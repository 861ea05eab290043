"""Which project files this process has open.

SQLite keeps its locks on a file as POSIX locks, which belong to the process:
closing *any* descriptor of the file drops them all. So nothing may open a
project file, or its ``-wal`` or ``-shm`` file, by other means while this
process holds a connection to it (SQLite, *How To Corrupt An SQLite Database
File*, section 2.2). Every :class:`~asymmetry_qda.store.sqlite.Store` counts
itself here (:func:`register`), by the file's identity, and
:func:`is_live_project` lets writers of output files refuse such a path.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

__all__ = ["SIDE_FILES", "identity", "is_live_project", "register"]

#: the files SQLite keeps beside a project file
SIDE_FILES = ("-wal", "-shm", "-journal")

# (st_dev, st_ino) of every project file this process has open, with how many connections
_LIVE: dict[tuple[int, int], int] = {}
_LIVE_LOCK = threading.Lock()


def identity(path: Path) -> tuple[int, int] | None:
    """The file's ``(st_dev, st_ino)``, or ``None`` when it cannot be read."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def is_live_project(path: str | Path) -> bool:
    """Whether ``path`` is a project file (or one of its ``-wal``/``-shm`` files) this process has open.

    Found by the file's identity (device and inode), so another name for the
    same file (a symlink, a relative path) is recognised too. Nothing is
    opened.

    Examples
    --------
    >>> is_live_project("no-such-file.qda")
    False
    """
    path = Path(path)
    candidates = [path]
    for suffix in SIDE_FILES:
        if path.name.endswith(suffix):
            candidates.append(path.with_name(path.name[: -len(suffix)]))
    with _LIVE_LOCK:
        return any((ident := identity(p)) is not None and ident in _LIVE for p in candidates)


def register(ident: tuple[int, int] | None, delta: int) -> None:
    """Count one connection more (``delta=+1``) or one fewer (``-1``) to the file of identity ``ident``."""
    if ident is None:
        return
    with _LIVE_LOCK:
        count = _LIVE.get(ident, 0) + delta
        if count > 0:
            _LIVE[ident] = count
        else:
            _LIVE.pop(ident, None)
