"""Codebooks kept in a project: read back exactly as they were stored.

Every coding run stores the exact text of its codebook (once per content hash, see
:func:`asymmetry_qda.store.meta.add_codebook`); these functions parse it back.
"""

from __future__ import annotations

import sqlite3

from ..store import codebook_versions as stored_versions
from ..store import meta as stored_meta
from .loader import parse_codebook
from .model import Codebook

__all__ = ["latest_codebook", "stored_codebook"]


def stored_codebook(db: sqlite3.Connection, codebook_hash: str) -> Codebook | None:
    """The stored codebook whose hash starts with ``codebook_hash``, or ``None`` unless exactly one does."""
    rows = stored_meta.codebook_rows(db, codebook_hash)
    if len(rows) != 1:
        return None
    found, content = rows[0]
    return parse_codebook(content, source=f"codebook {found[:12]}")


def latest_codebook(db: sqlite3.Connection) -> Codebook | None:
    """The project's codebook as it stands, or ``None``: the newest of its versions (see
    :mod:`asymmetry_qda.code_changes`), else the codebook stored most recently (the one the last coding run used).
    """
    version = stored_versions.latest(db)
    if version is not None:
        return parse_codebook(version["content"], source=f"codebook version {version['version']}")
    latest = stored_meta.latest_codebook_hash(db)
    return None if latest is None else stored_codebook(db, latest)
