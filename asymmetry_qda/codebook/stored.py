"""Codebooks kept in a project: read back exactly as they were stored.

Every coding run stores the exact text of its codebook (once per content hash, see
:func:`asymmetry_qda.store.meta.add_codebook`); these functions parse it back.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache

from ..store import codebook_versions as stored_versions
from ..store import meta as stored_meta
from .loader import codebook_from_data
from .model import Codebook
from .yamlnodes import load_trusted

__all__ = ["latest_codebook", "stored_codebook"]


def stored_codebook(db: sqlite3.Connection, codebook_hash: str) -> Codebook | None:
    """The stored codebook whose hash starts with ``codebook_hash``, or ``None`` unless exactly one does."""
    rows = stored_meta.codebook_rows(db, codebook_hash)
    if len(rows) != 1:
        return None
    found, content = rows[0]
    return _parsed(content, f"codebook {found[:12]}")


def latest_codebook(db: sqlite3.Connection) -> Codebook | None:
    """The project's codebook as it stands, or ``None``: the newest of its versions (see
    :mod:`asymmetry_qda.code_changes`), else the codebook stored most recently (the one the last coding run used).
    """
    version = stored_versions.latest(db)
    if version is not None:
        return _parsed(version["content"], f"codebook version {version['version']}")
    latest = stored_meta.latest_codebook_hash(db)
    return None if latest is None else stored_codebook(db, latest)


@lru_cache(maxsize=8)
def _parsed(content: str, source: str) -> Codebook:
    """A stored codebook's text as a :class:`Codebook`: checked as every codebook is, but parsed by libyaml
    (:func:`~asymmetry_qda.codebook.yamlnodes.load_trusted`: the text was checked line by line when it was
    stored) without checking its patterns with spaCy again (they were checked before it was stored), and once
    per process for the few texts used last (the views read it on every call)."""
    return codebook_from_data(load_trusted(content), text=content, source=source, patterns_checked=True)
