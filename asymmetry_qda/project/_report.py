"""The write-up report of a project (see :mod:`asymmetry_qda.writeup`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ._base import ProjectBase

if TYPE_CHECKING:
    from ..writeup import Report

__all__ = ["Reports"]


class Reports(ProjectBase):
    """Write-up reports: themes and codes with their coverage and quotes, tables and a methods paragraph."""

    def report(self, path: str | Path | None = None, *, format: str | None = None,
               coders: Sequence[str] | None = None, by: str | Sequence[str] = ("leader",), quotes_per_code: int = 3,
               include_suggestions: bool = False, allow_identifiers: bool = False, **options) -> "Report":
        """Build the project's write-up report and, with ``path`` (``.md``, ``.html`` or ``.docx``), write it.

        See :func:`asymmetry_qda.writeup.report` and :func:`~asymmetry_qda.writeup.build_report` for the
        options (``statuses``, ``codebook``, ``title``, ``top_pairs``, ``seed``). Writing checks the
        anonymisation audit first, like every export; ``allow_identifiers`` lets it pass with a warning.
        Returns the :class:`~asymmetry_qda.writeup.Report`; ``asymmetry_qda.writeup.render(report, "md")``
        gives its Markdown.
        """
        from .. import writeup

        return writeup.report(self._store, path, format=format, coders=coders, by=by,
                              quotes_per_code=quotes_per_code, include_suggestions=include_suggestions,
                              allow_identifiers=allow_identifiers, **options)
