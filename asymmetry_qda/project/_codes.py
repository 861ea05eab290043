"""Refining a project's codes: codes made while coding, and rename, move, merge, split, retire, undo."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .. import code_changes as _changes
from ._base import ProjectBase

__all__ = ["Codes"]


class Codes(ProjectBase):
    """The project's own, versioned codebook (see :mod:`asymmetry_qda.code_changes`).

    Each operation is one transaction and a new codebook version with who (``by``), when and why
    (``reason``); the codings of the codes it changes follow them, each by a new row that supersedes the
    old one, and the operation returns a frame of those rows (``attrs["version"]`` is the new version).
    """

    # -- refining codes ------------------------------------------------------
    def create_code(self, code: str, *, label: str, definition: str, by: str, reason: str | None = None,
                    **fields) -> pd.DataFrame:
        """Add ``code`` (a dotted id under an existing parent) with its ``label`` and ``definition``.

        ``fields`` are other keys of a code: ``include``, ``exclude``, ``examples``, ``colour``, ``memo``...
        """
        return _changes.create_code(self._store, code, label=label, definition=definition, by=by, reason=reason,
                                    **fields)

    def rename_code(self, code: str, new_code: str, *, by: str, reason: str | None = None,
                    label: str | None = None) -> pd.DataFrame:
        """Rename ``code`` and its sub-codes (same parent; see :meth:`move_code`); their codings follow.

        The codes that name it (``poles``, ``fits``, ``implies``) name the new id; its rules go with it, so
        the tagger's next suggestions use the new id. ``label`` also gives it a new label.
        """
        return _changes.rename_code(self._store, code, new_code, by=by, reason=reason, label=label)

    def move_code(self, code: str, parent: str | None, *, by: str, reason: str | None = None) -> pd.DataFrame:
        """Put ``code`` and its sub-codes under ``parent`` (``None``: the top level); their codings follow."""
        return _changes.move_code(self._store, code, parent, by=by, reason=reason)

    def merge_codes(self, codes: str | Sequence[str], into: str, *, by: str, reason: str | None = None
                    ) -> pd.DataFrame:
        """Merge ``codes`` into ``into``: their codings, rules, examples and counter-examples go to it."""
        return _changes.merge_codes(self._store, codes, into, by=by, reason=reason)

    def split_code(self, code: str, codings: str | Sequence[str], new_code: str, *, label: str, definition: str,
                   by: str, reason: str | None = None) -> pd.DataFrame:
        """Create ``new_code`` and move the chosen current ``codings`` (ids) of ``code`` to it."""
        return _changes.split_code(self._store, code, codings, new_code, label=label, definition=definition, by=by,
                                   reason=reason)

    def retire_code(self, code: str, *, by: str, reason: str | None = None) -> pd.DataFrame:
        """Take ``code`` out of the codebook: its codings are withdrawn, their history kept (undo restores them)."""
        return _changes.retire_code(self._store, code, by=by, reason=reason)

    def undo_code_change(self, *, by: str, reason: str | None = None) -> pd.DataFrame:
        """Take back the newest code operation not yet undone: its codebook and every coding it carried."""
        return _changes.undo(self._store, by=by, reason=reason)

    def code_in_vivo(self, doc_id: str, start: int, end: int, *, coder: str, parent: str | None = None,
                     definition: str | None = None, memo: str | None = None) -> str:
        """Code ``text[start:end]`` with a new code named by those very words (an in-vivo code); returns its id."""
        return _changes.code_in_vivo(self._store, doc_id, start, end, coder=coder, parent=parent,
                                     definition=definition, memo=memo)

    # -- reading the codebook's history --------------------------------------
    def codebook_versions(self) -> pd.DataFrame:
        """The project's codebook versions, oldest first, with who, when, why and a ``diff`` from the one before."""
        return _changes.versions(self._store)

    def coding_story(self, coding_id: str) -> str:
        """One coding's history in words, oldest first (coded, decided, renamed, merged... by whom and when)."""
        return _changes.history(self._store, coding_id)

    def export_codebook(self, path: str | Path) -> Path:
        """Write the codebook as it stands to a ``.yaml`` file (its exact text) or a REFI-QDA ``.qdc`` file."""
        return _changes.export_codebook(self._store, path)
