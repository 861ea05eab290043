"""Writing output files safely: through a temporary file in the same folder, then an atomic rename.

A reader never sees a half-written file, and an error leaves any earlier file untouched.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from .errors import QDAError


def write_atomically(path: str | Path, write: Callable[[IO], None], *, binary: bool = False) -> Path:
    """Call ``write(handle)`` on a temporary file beside ``path``, then rename it to ``path``."""
    path = Path(path)
    if not path.parent.exists():
        raise QDAError(f"{path}: the folder {path.parent} does not exist. Fix: create it first")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        if binary:
            with os.fdopen(fd, "wb") as handle:
                write(handle)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_bytes_atomically(path: str | Path, data: bytes) -> Path:
    return write_atomically(path, lambda handle: handle.write(data), binary=True)


def write_text_atomically(path: str | Path, text: str) -> Path:
    return write_atomically(path, lambda handle: handle.write(text))
