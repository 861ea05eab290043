"""Themes built from a project's codes: make, review, name and set them aside."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .. import themes as _themes
from ._base import ProjectBase

__all__ = ["Themes"]


class Themes(ProjectBase):
    """Themes: named groups of codes with a definition and a status (see :mod:`asymmetry_qda.themes`)."""

    def create_theme(self, theme_id: str, *, label: str, definition: str, codes: Sequence[str], by: str,
                     status: str = "candidate", reason: str | None = None) -> pd.DataFrame:
        """Group ``codes`` (each with its sub-codes) into a theme; returns :meth:`themes`.

        ``status`` is ``candidate`` (the default), ``reviewed`` or ``final``; a code may sit in several
        candidate themes and in one final theme at most.
        """
        return _themes.create_theme(self._store, theme_id, label=label, definition=definition, codes=codes, by=by,
                                    status=status, reason=reason)

    def update_theme(self, theme_id: str, *, by: str, reason: str | None = None, label: str | None = None,
                     definition: str | None = None, codes: Sequence[str] | None = None, add: Sequence[str] = (),
                     remove: Sequence[str] = (), status: str | None = None) -> pd.DataFrame:
        """Rename, redefine or review a theme, or change its codes; the earlier version stays in its history."""
        return _themes.update_theme(self._store, theme_id, by=by, reason=reason, label=label, definition=definition,
                                    codes=codes, add=add, remove=remove, status=status)

    def drop_theme(self, theme_id: str, *, by: str, reason: str | None = None) -> pd.DataFrame:
        """Set a theme aside (it keeps its history; :meth:`themes` leaves it out)."""
        return _themes.drop_theme(self._store, theme_id, by=by, reason=reason)

    def themes(self, *, include_dropped: bool = False) -> pd.DataFrame:
        """The themes as they stand: id, label, definition, status, codes, who and when."""
        return _themes.themes(self._store, include_dropped=include_dropped)

    def theme_history(self, theme_id: str) -> pd.DataFrame:
        """Every version of one theme, oldest first, with who changed it and why."""
        return _themes.theme_history(self._store, theme_id)
