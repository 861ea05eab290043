"""Coverage: which documents and participants the denominators count, and the note that says so.

:class:`Coverage` travels in the ``attrs`` of the frames and tables (:func:`coverage_of`,
:func:`with_coverage`); "Coverage" in the module docstring of ``_frame`` says what counts as covered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["Coverage", "coverage_of", "with_coverage"]

#: How many ids a coverage note lists before "and N more".
_LISTED = 10


@dataclass(frozen=True, eq=False)
class Coverage:
    """Which documents and participants the denominators count (see "Coverage" in the module docstring).

    It travels in the ``attrs`` of the frames and tables; a copy of a frame shares it.

    Attributes
    ----------
    option : {"coded", "all"}
        ``option`` is ``"coded"`` (only the covered documents count) or ``"all"``.
    by : str
        ``by`` says who coded (``LT``, ``a human coder``, ``LT or the tagger``).
    n_documents, n_participants : int
        How many documents and participants the project holds.
    covered_documents, uncoded_documents : tuple of str
        The documents the chosen coders coded, and the others.
    covered_participants, uncoded_participants : tuple of str
        The participants with a covered document, and the others.
    tagger : bool
        Whether the documents the tagger ran over count as covered (suggestions were kept).
    note : str
        The sentence every table's note carries.
    uncoded_people : pandas.DataFrame
        ``uncoded_people`` is one row per uncoded participant with their attributes
        (so group tables can count them per group).

    Notes
    -----
    A record, not a statistic: it counts documents and participants (the
    project's, in ``n_documents`` and ``n_participants``, and those covered and
    not) and computes no ratio. A document is covered when a chosen coder made a
    human decision in it (or, with ``tagger``, the tagger ran over it), or when
    it holds a coding kept for analysis; a participant is covered when one of
    their documents is. :func:`load` builds it; every table made from its frames
    carries it in ``attrs["coverage"]``.
    """

    option: str
    by: str
    n_documents: int
    n_participants: int
    covered_documents: tuple[str, ...]
    uncoded_documents: tuple[str, ...]
    covered_participants: tuple[str, ...]
    uncoded_participants: tuple[str, ...]
    tagger: bool
    note: str
    uncoded_people: pd.DataFrame = field(repr=False, default_factory=lambda: pd.DataFrame(columns=["participant_id"]))

    @property
    def restricted(self) -> bool:
        """Whether the denominators leave documents out (``coverage="coded"``)."""
        return self.option == "coded"

    def __deepcopy__(self, memo) -> "Coverage":  # immutable: pandas copies a frame's attrs on every operation
        return self

    def __str__(self) -> str:
        return self.note

    def to_dict(self) -> dict:
        """The coverage as plain data (the export manifest records it)."""
        return {"option": self.option, "note": self.note, "coded_by": self.by, "tagger_counts": self.tagger,
                "documents": self.n_documents, "participants": self.n_participants,
                "covered_documents": list(self.covered_documents), "uncoded_documents": list(self.uncoded_documents),
                "covered_participants": list(self.covered_participants),
                "uncoded_participants": list(self.uncoded_participants)}


def coverage_of(*frames: "pd.DataFrame | None") -> Coverage | None:
    """The :class:`Coverage` in the ``attrs`` of the first of ``frames`` that has one (None: not known).

    Parameters
    ----------
    *frames : pandas.DataFrame or None
        Frames or tables, looked at in order; None is skipped.

    Returns
    -------
    Coverage or None

    Examples
    --------
    >>> coverage_of(pd.DataFrame(), None) is None
    True
    """
    for frame in frames:
        found = getattr(frame, "attrs", {}).get("coverage") if frame is not None else None
        if isinstance(found, Coverage):
            return found
    return None


def with_coverage(table, coverage: Coverage | None):
    """``table`` with ``coverage`` in its ``attrs["coverage"]`` (unchanged when it is None); returns ``table``.

    Parameters
    ----------
    table : pandas.DataFrame or pandas.Series
        The table, changed in place.
    coverage : Coverage or None
        The coverage to record.
    """
    if coverage is not None:
        table.attrs["coverage"] = coverage
    return table


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _all(n: int, noun: str, bare: bool = False) -> str:
    """``all 15 documents``, ``the one document``; ``bare``: ``14 participants``, ``one participant``."""
    if n == 0 and bare:
        return f"no {noun}"
    if n == 1:
        return f"one {noun}" if bare else f"the one {noun}"
    return _count(n, noun) if bare else f"all {_count(n, noun)}"


def _the(n: int, noun: str) -> str:
    return f"the {_count(n, noun)}" if n != 1 else f"the one {noun}"


def _listing(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:_LISTED])
    return shown + (f" and {len(ids) - _LISTED} more" if len(ids) > _LISTED else "")


def _coverage(option: str, documents: pd.DataFrame, people: pd.DataFrame, covered: set[str],
              coders: Sequence[str] | None, tagger: bool) -> Coverage:
    """The :class:`Coverage` of a load: which documents and participants count, and the note saying so."""
    doc_ids = sorted(documents["doc_id"])
    in_docs = sorted(covered & set(doc_ids))
    out_docs = [d for d in doc_ids if d not in covered]
    owner = documents.set_index("doc_id")["participant_id"]
    everyone = sorted(owner.dropna().astype(str).unique())
    in_people = sorted(owner.loc[in_docs].dropna().astype(str).unique())
    out_people = [p for p in everyone if p not in set(in_people)]
    by = ", ".join(coders) if coders is not None else "a human coder"
    if tagger:
        by += " or the tagger"
    if everyone:
        of_all = f" ({_all(len(everyone), 'participant', bare=True)})"
        of_some = f" ({len(in_people)} of {_count(len(everyone), 'participant')})"
    else:  # documents not linked to participants (no attributes table): nothing to say about people
        of_all = of_some = ""
    if not doc_ids:
        note = "Denominators: the project has no document yet."
    elif not out_docs:
        note = (f"Denominators: {_all(len(doc_ids), 'document')}{of_all}, "
                f"{'every one ' if len(doc_ids) > 1 else ''}coded by {by}.")
    elif option == "coded":
        note = (f"Denominators: the {len(in_docs)} of {_count(len(doc_ids), 'document')}{of_some} coded by {by}; "
                f"{_the(len(out_docs), 'document')} not coded ({_listing(out_docs)}) "
                f"{'is' if len(out_docs) == 1 else 'are'} left out (coverage='all' counts them).")
    else:
        note = (f"Denominators: {_all(len(doc_ids), 'document')}{of_all} (coverage='all'), the {len(out_docs)} "
                f"not coded by {by} ({_listing(out_docs)}) included, their units counted as uncoded.")
    if tagger:
        note += " Suggestions are included, so the documents the tagger ran over count as coded."
    uncoded = people[people["participant_id"].astype(str).isin(out_people)]
    return Coverage(option=option, by=by, n_documents=len(doc_ids), n_participants=len(everyone),
                    covered_documents=tuple(in_docs), uncoded_documents=tuple(out_docs),
                    covered_participants=tuple(in_people), uncoded_participants=tuple(out_people), tagger=tagger,
                    note=note, uncoded_people=uncoded.sort_values("participant_id").reset_index(drop=True))
