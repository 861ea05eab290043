"""Table One alignment: is a failure answered with the response that suits its reason?

The study's Table One pairs each type of failure with the organisational
response that suits it: deviation with discipline, inattention with retraining,
lack of skill with a capability review, task complexity with acknowledging that
failure cannot be ruled out, and a failed innovation with a culture of
promising practice. The asymmetry of reason shows when the pairing breaks, for
example when task complexity is answered by discipline. The codebook holds the
pairing as data: each response code (``remedy.*``) lists the failure codes it
``fits``.

Unit of analysis: a unit (turn by default; or sentence or document) that
overlaps at least one *reason* coding (a code under ``failure``) and at least
one *response* coding (a code with ``fits``, or under one). Every (reason,
response) pair found in the same unit counts once for that unit.

- ``n_units``: units holding both; ``n_participants``: distinct participants
  among them.
- ``aligned``: True when the response fits the reason: one of its ``fits`` is
  the reason code, an ancestor of it, or a sub-code of it
  (``failure.preventable`` is a fit for ``failure.preventable.deviation`` and
  the other way round); False otherwise, and the cell is ``flagged``; NA when
  the response code has no ``fits`` (the bare ``remedy`` code).

There is no denominator: the counts come from the codings alone, which lie in
the documents the chosen coders coded (see
:func:`~asymmetry_qda.analysis.load`); the tables carry the codings'
coverage in ``attrs["coverage"]``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..errors import ArgumentError, check_option
from ._counts import status_label
from ._frame import coverage_of, in_units, with_coverage

__all__ = ["alignment_quotes", "failure_alignment", "response_fits"]

REASON_THEME = "failure"


def response_fits(codebook) -> dict[str, tuple[str, ...]]:
    """``{response code: fits}`` for every code that declares ``fits``, and its sub-codes (which inherit them).

    Parameters
    ----------
    codebook : Codebook
        The codebook (its codes' ``fits``).

    Returns
    -------
    dict of str to tuple of str
        ``{response code id: the failure code ids it fits}``.

    Notes
    -----
    Computes no number: it reads each code's ``fits`` from the codebook; a code
    without ``fits`` inherits those of its nearest ancestor that declares them,
    and codes with neither are left out.
    """
    fits = {code.id: tuple(code.fits) for code in codebook.codes if code.fits}
    for code in codebook.codes:
        if code.id not in fits:
            parents = [p for p in fits if code.id.startswith(p + ".")]
            if parents:
                fits[code.id] = fits[max(parents, key=len)]
    return fits


def _related(reason: str, fit: str) -> bool:
    return reason == fit or reason.startswith(fit + ".") or fit.startswith(reason + ".")


def _pairs(codings: pd.DataFrame, fits: Mapping[str, tuple[str, ...]], unit: str) -> pd.DataFrame:
    """One row per (unit, reason coding, response coding) in the same unit."""
    check_option("unit", unit, ("turn", "sentence", "document"))
    response_roots = sorted({c.split(".")[0] for c in fits})
    is_reason = (codings["code_id"] == REASON_THEME) | codings["code_id"].str.startswith(REASON_THEME + ".")
    is_response = codings["code_id"].isin(list(fits)) | codings["code_id"].isin(response_roots)
    keep = ["coding_id", "doc_id", "participant_id", "code_id", "start", "end", "text", "unit_key", "unit_ordinal"]
    reasons = in_units(codings[is_reason], unit)
    responses = in_units(codings[is_response], unit)
    for frame in (reasons, responses):
        if "unit_ordinal" not in frame:
            frame["unit_ordinal"] = 0
    return reasons[[c for c in keep if c in reasons]].merge(
        responses[["unit_key", "coding_id", "code_id", "start", "end", "text"]], on="unit_key",
        suffixes=("_reason", "_response"))


def failure_alignment(
    codings: pd.DataFrame,
    *,
    codebook=None,
    fits: Mapping[str, tuple[str, ...]] | None = None,
    unit: str = "turn",
) -> pd.DataFrame:
    """Reason × response counts in the same unit, with the cells where the response does not fit flagged.

    One row per
    (reason, response) pair seen; see the module docstring for the unit and
    rules. Sorted with flagged cells first, then by count.

    Parameters
    ----------
    codings : pandas.DataFrame
        The codings frame (``data.codings`` of :func:`~asymmetry_qda.analysis.load`).
    codebook : Codebook, optional
        Give the ``codebook`` (its ``fits``) or ``fits`` directly.
    fits : mapping of str to tuple of str, optional
        ``{response code: failure codes it fits}``, as :func:`response_fits` gives.
    unit : {"turn", "sentence", "document"}, default "turn"
        The unit a reason and a response must share.

    Returns
    -------
    pandas.DataFrame
        One row per (reason, response) pair seen in a unit: ``reason``,
        ``response``, ``n_units``, ``n_participants``, ``fits``, ``aligned``,
        ``flagged``, ``unit`` and ``status``; ``attrs["coverage"]`` carries the
        codings' coverage.

    Notes
    -----
    Unit of analysis: a unit of kind ``unit`` (a turn by default, or a sentence
    or a document) overlapping both a reason coding (a code under ``failure``)
    and a response coding (a code of ``fits``, or the bare root of one such as
    ``remedy``). ``n_units`` counts the distinct units holding the pair, however
    many codings of either; ``n_participants`` the distinct participants of the
    reason codings in them.

    There is no ratio and no denominator: the counts come from the codings
    alone (of the documents the chosen coders coded), and a pair never seen has
    no row. ``aligned`` is True when one of the response's ``fits`` is the
    reason, an ancestor or a sub-code of it, NA when the response has no
    ``fits``; ``flagged`` is ``aligned == False``. Computed with pandas.

    Examples
    --------
    >>> codings = pd.DataFrame({
    ...     "coding_id": ["c1", "c2", "c3", "c4"], "doc_id": "D1", "participant_id": "P1",
    ...     "code_id": ["failure.tolerable.complexity", "remedy.discipline", "failure.preventable.deviation",
    ...                 "remedy.discipline"], "status": "confirmed", "start": [0, 10, 40, 50], "end": [9, 20, 49, 60],
    ...     "text": "...", "turn": [0, 0, 1, 1], "turn_last": [0, 0, 1, 1], "sentence": 0, "sentence_last": 0})
    >>> fits = {"remedy.discipline": ("failure.preventable.deviation",)}
    >>> failure_alignment(codings, fits=fits)[["reason", "response", "n_units", "aligned", "flagged"]]
                              reason           response  n_units  aligned  flagged
    0   failure.tolerable.complexity  remedy.discipline        1    False     True
    1  failure.preventable.deviation  remedy.discipline        1     True    False
    """
    fits = _fits(codebook, fits)
    pairs = _pairs(codings, fits, unit)
    columns = ["reason", "response", "n_units", "n_participants", "fits", "aligned", "flagged", "unit", "status"]
    if pairs.empty:
        return with_coverage(pd.DataFrame(columns=columns), coverage_of(codings))
    pairs = pairs.rename(columns={"code_id_reason": "reason", "code_id_response": "response"})
    table = pairs.groupby(["reason", "response"], sort=False).agg(
        n_units=("unit_key", "nunique"), n_participants=("participant_id", "nunique")).reset_index()
    table["fits"] = [";".join(fits.get(r, ())) for r in table["response"]]
    table["aligned"] = pd.array([None if r not in fits else any(_related(reason, f) for f in fits[r])
                                 for reason, r in zip(table["reason"], table["response"], strict=True)],
                                dtype="boolean")
    table["flagged"] = (table["aligned"] == False).fillna(False).astype(bool)  # noqa: E712 (nullable)
    table["unit"] = unit
    table["status"] = status_label(codings)
    table = table.sort_values(["flagged", "n_units", "reason", "response"], ascending=[False, False, True, True],
                              kind="stable")
    return with_coverage(table[columns].reset_index(drop=True), coverage_of(codings))


def alignment_quotes(
    codings: pd.DataFrame,
    *,
    codebook=None,
    fits: Mapping[str, tuple[str, ...]] | None = None,
    unit: str = "turn",
    units: pd.DataFrame | None = None,
    texts: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The quotes behind each flagged cell: one row per (unit, reason coding, response coding) that does not fit.

    Parameters
    ----------
    codings : pandas.DataFrame
        The codings frame (``data.codings`` of :func:`~asymmetry_qda.analysis.load`).
    codebook : Codebook, optional
        The codebook (its ``fits``), or give ``fits`` directly.
    fits : mapping of str to tuple of str, optional
        ``{response code: failure codes it fits}``, as :func:`response_fits` gives.
    unit : {"turn", "sentence", "document"}, default "turn"
        The unit a reason and a response must share.
    units : pandas.DataFrame, optional
        The units frame (``data.units``), for the whole unit's text.
    texts : mapping of str to str, optional
        The documents' stored texts (``data.texts``), for the whole unit's text.

    Returns
    -------
    pandas.DataFrame
        Columns: ``reason, response, doc_id, participant_id, unit_ordinal,
        reason_text, response_text`` and, with ``units`` and ``texts``, the whole
        ``unit_text`` with its ``unit_start``/``unit_end`` offsets.
        ``attrs["coverage"]`` carries the coverage.

    Notes
    -----
    Unit of analysis: one (unit, reason coding, response coding) triple, the
    unit of kind ``unit`` (a turn by default) holding both codings, listed only
    when the cell is flagged in :func:`failure_alignment` (the response declares
    ``fits`` and none of them is related to the reason). Computes no number: a
    flagged cell's ``n_units`` is the number of distinct units among its rows.
    ``unit_text`` (turns and sentences only) is the unit's span of ``texts``.
    """
    fits = _fits(codebook, fits)
    pairs = _pairs(codings, fits, unit).rename(columns={
        "code_id_reason": "reason", "code_id_response": "response", "text_reason": "reason_text",
        "text_response": "response_text"})
    flagged = [r in fits and not any(_related(reason, f) for f in fits[r])
               for reason, r in zip(pairs["reason"], pairs["response"], strict=True)]
    quotes = pairs[pd.Series(flagged, index=pairs.index, dtype=bool)].copy()
    columns = ["reason", "response", "doc_id", "participant_id", "unit_ordinal", "reason_text", "response_text"]
    if units is not None and texts is not None and unit in ("turn", "sentence") and not quotes.empty:
        spans = units[units["unit"] == unit][["doc_id", "ordinal", "start", "end"]].rename(
            columns={"ordinal": "unit_ordinal", "start": "unit_start", "end": "unit_end"})
        quotes = quotes.merge(spans, on=["doc_id", "unit_ordinal"], how="left")
        quotes["unit_text"] = [texts[d][s:e] for d, s, e in
                               zip(quotes["doc_id"], quotes["unit_start"], quotes["unit_end"], strict=True)]
        columns += ["unit_start", "unit_end", "unit_text"]
    quotes = quotes.sort_values(["reason", "response", "doc_id", "unit_ordinal", "start_reason", "start_response"],
                                kind="stable") if not quotes.empty else quotes
    return with_coverage(quotes.reindex(columns=columns).reset_index(drop=True), coverage_of(units, codings))


def _fits(codebook, fits):
    if fits is None:
        if codebook is None:
            raise ArgumentError("give codebook= (whose response codes declare `fits`) or fits={response: (...)}")
        fits = response_fits(codebook)
    if not fits:
        raise ArgumentError("no response code declares `fits`; add `fits: [failure code, ...]` to the remedy codes "
                            "in the codebook")
    return dict(fits)
