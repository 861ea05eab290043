"""Writing output files safely: through a temporary file in the same folder, then an atomic rename.

A reader never sees a half-written file, and an error leaves any earlier file
untouched. The file is flushed to disk (``fsync``) before the rename and the
folder after it, so a file that has been renamed into place survives a crash
or a power cut.

An output never replaces what it must not: a project file (this process's
open one, or any SQLite database), a SQLite journal (``-wal``, ``-shm``,
``-journal``), a pseudonym key, or a folder. ``--out study.qda`` by mistake is
an error, not a lost project.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_text_atomically(folder / "note.txt", "hello").read_text()
'hello'
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from .errors import QDAError
from .store.sqlite import SIDE_FILES, is_live_project

SQLITE_MAGIC = b"SQLite format 3\x00"
#: the ``format`` of a pseudonym key file (see :mod:`asymmetry_qda.anonymise.rewrite`)
KEY_FORMAT = "asymmetry-qda pseudonym key"
_KEY_SCAN_LIMIT = 512 * 1024 * 1024


def write_atomically(path: str | Path, write: Callable[[IO], None], *, binary: bool = False,
                     key_file: bool = False) -> Path:
    """Call ``write(handle)`` on a temporary file beside ``path``, then rename it to ``path``.

    ``key_file=True`` is for the pseudonym key writer only: it may replace an
    earlier version of the key (every other output refuses to).
    """
    path = Path(path)
    refuse_to_replace(path, key_file=key_file)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise _write_error(path, exc) from exc
    try:
        if binary:
            with os.fdopen(fd, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
        fsync_folder(path.parent)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno in _SITUATIONAL:
            raise _write_error(path, exc) from exc
        raise
    return path


def write_bytes_atomically(path: str | Path, data: bytes) -> Path:
    return write_atomically(path, lambda handle: handle.write(data), binary=True)


def write_text_atomically(path: str | Path, text: str, *, key_file: bool = False) -> Path:
    return write_atomically(path, lambda handle: handle.write(text), key_file=key_file)


def fsync_folder(folder: str | Path) -> None:
    """Flush a folder's entries (a rename into it) to disk, where the system allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def refuse_to_replace(path: str | Path, *, key_file: bool = False) -> None:
    """Raise :class:`QDAError` if an output at ``path`` would destroy something it must not.

    Refused: a folder; a missing folder; a project this process has open (or
    its journal); any SQLite database or journal; a pseudonym key (unless
    ``key_file``). Only files this process has no connection to are read,
    and only their first bytes (a key file is parsed).

    Examples
    --------
    >>> try:
    ...     refuse_to_replace("/")
    ... except QDAError as exc:
    ...     print(exc)
    /: is a folder, not a file. Fix: name a file inside it, e.g. /out.csv
    """
    path = Path(path)
    if path.is_dir():
        raise QDAError(f"{path}: is a folder, not a file. Fix: name a file inside it, e.g. "
                       f"{path / 'out.csv'}")
    if not path.parent.exists():
        raise QDAError(f"{path}: the folder {path.parent} does not exist. Fix: create it first")
    why = _protected(path, key_file=key_file)
    if why:
        raise QDAError(f"{path}: {why}; nothing was written. Fix: give the output another name (a new file)")


def _protected(path: Path, *, key_file: bool) -> str | None:
    if is_live_project(path):
        return "is the project file this command has open (or one of its journal files), and would be destroyed"
    for suffix in SIDE_FILES:
        if path.name.endswith(suffix) and _is_sqlite(path.with_name(path.name[: -len(suffix)])):
            return "is the journal of a SQLite database (a project), and replacing it would damage that project"
    if not path.is_file():
        return None
    if _is_sqlite(path):
        return "is a SQLite database (an asymmetry_qda project?) and would be destroyed"
    if not key_file and path.suffix.lower() == ".json" and _is_key(path):
        return "is a pseudonym key (the only way back to the original names) and would be destroyed"
    return None


def _is_sqlite(path: Path) -> bool:
    if is_live_project(path):
        return True
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def _is_key(path: Path) -> bool:
    try:
        if path.stat().st_size > _KEY_SCAN_LIMIT:
            return False
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(data, dict) and data.get("format") == KEY_FORMAT


_SITUATIONAL = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EISDIR, errno.ENOTDIR,
                errno.EIO, errno.ENAMETOOLONG}


def _write_error(path: Path, exc: OSError) -> QDAError:
    fixes = {errno.ENOSPC: "free some space on that disk and run the command again",
             errno.EDQUOT: "free some of your disk quota and run the command again",
             errno.EROFS: "write the output to a writable disk",
             errno.EACCES: "write the output to a folder you may write to",
             errno.EPERM: "write the output to a folder you may write to"}
    fix = fixes.get(exc.errno, "check the path and the disk, and run the command again")
    return QDAError(f"{path}: cannot be written ({exc.strerror or exc}); nothing was written and any earlier "
                    f"file there is unchanged. Fix: {fix}")
