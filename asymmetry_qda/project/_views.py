"""Views of a coded project for reading: a document as coded, and quotes to cite."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pandas as pd

from ._base import ProjectBase

__all__ = ["Views"]


class Views(ProjectBase):
    """A document shown as it is coded, and the quotes of a code."""

    # -- views ------------------------------------------------------------

    def show(self, doc_id: str, codes: str | Sequence[str] | None = None, *,
             status: Sequence[str] = ("suggested", "confirmed"), coders: str | Sequence[str] | None = None,
             start: int = 0, end: int | None = None, jupyter: bool | None = None) -> str | None:
        """Show ``doc_id`` (or ``text[start:end]``) as it is coded: the stored text turn by turn, codings under it.

        Each turn is a row with its speaker and timestamp (interviewer turns in grey); each coding is a line
        under its words, stacked where codings overlap, solid when confirmed and dashed when suggested, and
        listed beside the turn with its code, coder (or the rule that suggested it) and first words; a legend
        names the codes, line styles and coders. Colours come from the most recently stored codebook
        (sub-codes take their theme's). The text shown is the stored text exactly (see
        :mod:`asymmetry_qda.display`).

        Parameters
        ----------
        doc_id
            The document.
        codes
            Show only these codes and their sub-codes (default: all).
        status
            Which codings: ``"confirmed"``, ``"suggested"`` or both (the default).
        coders
            Show only confirmed codings by these coders (suggestions, which no coder made, are shown as
            ``status`` says).
        start, end
            The stretch of the text to show.
        jupyter
            Display in the notebook (the default when running in one) and return ``None``; with
            ``jupyter=False`` the HTML is returned instead, e.g. to save it.
        """
        from ..document_view import display_html, document_html, in_notebook

        html = document_html(self._store, doc_id, codes, status=status, coders=coders, start=start, end=end)
        if jupyter is None:
            jupyter = in_notebook()
        if jupyter:
            display_html(html)
            return None
        return html

    def quotes(self, code: str | Sequence[str] | None = None, *, coder: str | Sequence[str] | None = None,
               coders: Sequence[str] | None = None,
               status: Literal["confirmed", "suggested", "suppressed", "rejected"]
               | Sequence[Literal["confirmed", "suggested", "suppressed", "rejected"]] = "confirmed",
               where: str | None = None, context: int = 1, limit: int | None = None, spread: bool = False,
               include_interviewer: bool = False, **query) -> pd.DataFrame:
        """Quotes to cite: one row per coded passage of ``code`` (and its sub-codes), text first, with context.

        Loads the codings of ``status`` and runs
        :func:`asymmetry_qda.analysis.quotes` (see there for the
        columns, passage merging, context, ``spread`` and the ``query``
        options); render with ``to_markdown`` / ``to_html`` / ``styled`` of
        :mod:`asymmetry_qda.analysis`. E.g.
        ``project.quotes("experience.loneliness", coder="LT", limit=5, spread=True)``.
        """
        from ..analysis._quotes import project_quotes

        return project_quotes(self, code, coder=coder, coders=coders, status=status, where=where, context=context,
                              limit=limit, spread=spread, include_interviewer=include_interviewer, **query)
