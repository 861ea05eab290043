"""Code frequencies and code × group matrices (MAXQDA's Code Matrix Browser, NVivo's matrix coding query).

Unit of analysis: a *coded unit* is a unit (sentence by default; or turn,
document, participant) that overlaps at least one coding of the code; a unit
coded twice with the same code counts once. A participant counts for a code when
any of their units does.

Formulas, per group g (everyone, or the rows sharing a value of ``by``):

- ``n_units``: coded units of the code in g; ``units_total``: all units in g,
  coded or not (from the ``units`` frame; without it, only coded units are
  known and ``denominator`` says so); ``pct_units = 100 * n_units / units_total``.
- ``n_participants``: distinct participants in g with a coded unit;
  ``participants_total``: distinct participants with any unit in g;
  ``pct_participants = 100 * n_participants / participants_total``.
- ``n_codings``: codings of the code in g (one coding spanning two sentences is
  one coding and two coded units).

Coverage: the units frame of :func:`~asymmetry_qda.analysis.load` holds,
by default, only the documents the chosen coders coded, so ``units_total`` and
``participants_total`` count coded documents and participants only (a
participant none of whose documents was coded has no row or column; ``denominator``
reads ``all units of coded documents``). The units frame's coverage
(``units.attrs["coverage"]``, with the note and the uncoded documents and
participants) is carried on to the table's ``attrs["coverage"]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..backends import Dask, Local
from ..errors import check_option
from ._frame import coverage_of, in_units, rolled_up, unit_keys, with_coverage
from ._partitions import check_backend_options, on_dask, only

__all__ = ["code_frequencies", "code_matrix", "status_label"]

_MISSING = "(missing)"


def status_label(codings: pd.DataFrame) -> str:
    """``confirmed``, or ``confirmed+suggested`` when the frame holds suggestions: labels every table.

    Parameters
    ----------
    codings : pandas.DataFrame
        Codings with a ``status`` column.

    Returns
    -------
    str

    Examples
    --------
    >>> status_label(pd.DataFrame({"status": ["suggested", "confirmed"]}))
    'confirmed+suggested'
    """
    present = set(codings["status"].unique()) if "status" in codings else set()
    order = [s for s in ("confirmed", "suggested") if s in present] + sorted(present - {"confirmed", "suggested"})
    return "+".join(order) if order else "confirmed"


def _groups(frame: pd.DataFrame, by: str | Sequence[str] | None) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with the grouping columns filled (missing values become ``(missing)``), and their names."""
    from ..errors import ArgumentError

    columns = [] if by is None else [by] if isinstance(by, str) else list(by)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ArgumentError(f"by={by!r}: no column {', '.join(missing)}; choose from {', '.join(frame.columns)}")
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].astype("object").where(frame[column].notna(), _MISSING).astype(str)
    return frame, columns


def code_frequencies(
    codings: pd.DataFrame,
    *,
    units: pd.DataFrame | None = None,
    unit: str = "sentence",
    by: str | Sequence[str] | None = None,
    roll_up: bool = False,
    codes: Sequence[str] | None = None,
    backend: "Local | Dask | str | None" = None,
    client=None,
    npartitions: int | None = None,
) -> pd.DataFrame:
    """Coded units and participants per code, overall or per group, as counts and percentages.

    See the module docstring for the unit of analysis and formulas. One row per
    (group, code).

    Parameters
    ----------
    codings : pandas.DataFrame
        The codings frame (``data.codings`` of :func:`~asymmetry_qda.analysis.load`).
    units : pandas.DataFrame, optional
        The units frame (``data.units``), so that ``units_total`` and
        ``participants_total`` count uncoded units too; without it, only coded
        units are known and ``denominator`` says so.
    unit : {"sentence", "turn", "document", "participant"}, default "sentence"
        The unit of analysis.
    by : str or sequence of str, optional
        ``by`` is a
        column of the codings and units frames (``doc_id``, ``participant_id``,
        ``kind``, ``rank_band``, ``leader``, ``function``, any attribute).
    roll_up : bool, default False
        With
        ``roll_up`` a coding also counts for every ancestor code.
    codes : sequence of str, optional
        ``codes`` fixes
        the rows and their order (codes with no coding get zeros).
    backend : Local, Dask or str, default Local()
        ``Local()`` (default) counts in this process. ``Dask(...)``
        counts on a Dask cluster: the codings and units frames are split into
        ``npartitions`` partitions (``dask.dataframe``; default one per worker,
        and one per million rows) by participant, a document's rows staying
        together, so that no unit, participant or coding is in two partitions;
        each partition counts its codings, distinct units and participants per
        (group, code) and its units and participants per group, and the client
        adds them up and builds the table with the same code: the result is
        identical to the local one (a ``coding_id`` must name one coding, in one
        document). It pays off for frames of millions of
        codings; for small ones the local backend is faster (scheduling, moving
        the frames to the workers, starting a local cluster).
    client : distributed.Client, str or None
        Deprecated: pass ``backend=Dask(client=...)``, whose ``client`` is a
        :class:`distributed.Client`, a scheduler address, or ``None`` for a local
        cluster started for this call and closed after it (see
        :mod:`asymmetry_qda.backends`); the workers need ``asymmetry_qda`` installed.
        ``backend="dask"`` and ``client=`` still work for this release, with a
        :class:`DeprecationWarning`.
    npartitions : int, optional
        With ``backend="dask"``: the number of partitions (default one per worker,
        and one per million rows).

    Returns
    -------
    pandas.DataFrame
        One row per (group, code): the group columns, ``code_id``, ``n_codings``,
        ``n_units``, ``units_total``, ``pct_units``, ``n_participants``,
        ``participants_total``, ``pct_participants``, ``unit``, ``denominator``
        and ``status``; ``attrs["coverage"]`` carries the units' coverage.

    Notes
    -----
    Unit of analysis: the *coded unit*, a unit of kind ``unit`` (a sentence by
    default; a turn, a document or a participant) that overlaps at least one
    coding of the code. A unit coded twice with the same code counts once;
    ``n_codings`` counts distinct ``coding_id`` values instead.

    Formulas, per (group, code):

    - ``pct_units = 100 * n_units / units_total``. ``units_total`` is the number
      of distinct units of kind ``unit`` in the group in ``units``, coded or not
      (for ``unit="document"`` or ``"participant"``, the documents or
      participants with at least one turn in ``units``). With the units of
      :func:`~asymmetry_qda.analysis.load` (``coverage="coded"``) these are the
      units of the documents the chosen coders coded only, and ``denominator``
      reads ``all units of coded documents``. Without ``units``, ``units_total``
      counts the distinct units holding a coding of any code in the group
      (``denominator`` reads ``coded units only``).
    - ``pct_participants = 100 * n_participants / participants_total``, where
      ``n_participants`` is the number of distinct participants with a coded
      unit of the code in the group and ``participants_total`` the distinct
      participants with any unit in the group (without ``units``: with any
      coded unit). Codings and units without a participant count for no
      participant.
    - A percentage is NaN when its denominator is 0.

    Computed with pandas group-bys (distinct counts); no statistics library is
    involved. ``backend="dask"`` adds up per-partition counts to the same table.

    Examples
    --------
    >>> codings = pd.DataFrame({
    ...     "coding_id": ["c1", "c2", "c3"], "doc_id": ["D1", "D1", "D2"], "participant_id": ["P1", "P1", "P2"],
    ...     "code_id": ["blame", "blame", "praise"], "status": "confirmed",
    ...     "sentence": [0, 0, 1], "sentence_last": [1, 0, 1], "turn": 0, "turn_last": 0})
    >>> units = pd.DataFrame({"doc_id": ["D1", "D1", "D1", "D2", "D2"], "unit": "sentence",
    ...                       "ordinal": [0, 1, 2, 0, 1], "participant_id": ["P1", "P1", "P1", "P2", "P2"]})
    >>> code_frequencies(codings, units=units)[["code_id", "n_codings", "n_units", "pct_units", "n_participants"]]
      code_id  n_codings  n_units  pct_units  n_participants
    0   blame          2        2       40.0               1
    1  praise          1        1       20.0               1
    """
    check_option("unit", unit, ("sentence", "turn", "document", "participant"))
    backend = check_backend_options(backend, client, npartitions)
    status = status_label(codings)
    if isinstance(backend, Dask):
        present, per_code, totals, columns = _dask_counts(codings, units, unit, by, roll_up, backend, npartitions)
    else:
        present, per_code, totals, columns = _counts(codings, units, unit, by, roll_up)
    codes = list(codes) if codes is not None else sorted(present)
    coverage = coverage_of(units, codings)
    if units is None:
        label = "coded units only (pass units= for all units)"
    else:
        label = "all units of coded documents" if coverage is not None and coverage.restricted else "all units"
    return with_coverage(_frequency_table(per_code, totals, columns, codes, unit, label, status), coverage)


def _counts(codings: pd.DataFrame, units: pd.DataFrame | None, unit: str, by,
            roll_up: bool) -> tuple[Any, pd.DataFrame, pd.DataFrame, list[str]]:
    """The integer counts behind :func:`code_frequencies`: the codes coded, ``n_codings``, ``n_units`` and
    ``n_participants`` per (group, code) and ``units_total`` and ``participants_total`` per group."""
    if roll_up:
        codings = rolled_up(codings)
    placed, columns = _groups(in_units(codings, unit), by)
    present = placed["code_id"].unique()
    if units is not None:
        denominators, _ = _groups(unit_keys(units, unit), by)
    else:
        denominators = placed.drop_duplicates("unit_key")
    totals = _totals(denominators, columns)
    per_code = placed.groupby([*columns, "code_id"], sort=False).agg(
        n_codings=("coding_id", "nunique"), n_units=("unit_key", "nunique"),
        n_participants=("participant_id", "nunique")).reset_index()
    return present, per_code, totals, columns


def _frequency_table(per_code: pd.DataFrame, totals: pd.DataFrame, columns: list[str], codes: list[str], unit: str,
                     label: str, status: str) -> pd.DataFrame:
    """The table of :func:`code_frequencies` from the counts of :func:`_counts`."""
    grid = totals[columns].assign(_k=1).merge(pd.DataFrame({"code_id": codes, "_k": 1}), on="_k").drop(columns="_k") \
        if columns else pd.DataFrame({"code_id": codes})
    table = grid.merge(per_code, on=[*columns, "code_id"], how="left").merge(totals, on=columns, how="left") \
        if columns else grid.merge(per_code, on="code_id", how="left").assign(**totals.iloc[0].to_dict())
    for column in ("n_codings", "n_units", "n_participants"):
        table[column] = table[column].fillna(0).astype("int64")
    table["pct_units"] = _percent(table["n_units"], table["units_total"])
    table["pct_participants"] = _percent(table["n_participants"], table["participants_total"])
    table["unit"] = unit
    table["denominator"] = label
    table["status"] = status
    order = {code: i for i, code in enumerate(codes)}
    table = table.sort_values([*columns, "code_id"], key=lambda s: s.map(order) if s.name == "code_id" else s,
                              kind="stable")
    return table[[*columns, "code_id", "n_codings", "n_units", "units_total", "pct_units", "n_participants",
                  "participants_total", "pct_participants", "unit", "denominator", "status"]].reset_index(drop=True)


def _totals(denominators: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    if columns:
        return denominators.groupby(columns, sort=True).agg(
            units_total=("unit_key", "nunique"), participants_total=("participant_id", "nunique")).reset_index()
    return pd.DataFrame({"units_total": [denominators["unit_key"].nunique()],
                         "participants_total": [denominators["participant_id"].nunique()]})


def _percent(part: pd.Series, whole: pd.Series) -> pd.Series:
    whole = whole.astype("float64")
    return pd.Series(np.where(whole > 0, 100.0 * part / whole.where(whole > 0, 1.0), np.nan), index=part.index)


def code_matrix(
    codings: pd.DataFrame,
    *,
    columns: str = "doc_id",
    value: str = "n_units",
    units: pd.DataFrame | None = None,
    unit: str = "sentence",
    roll_up: bool = False,
    codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A code × group matrix: one row per code, one column per value of ``columns``.

    With the units of
    :func:`~asymmetry_qda.analysis.load` (coverage ``"coded"``), a
    participant or document nobody coded has no column (not a column of
    zeros): ``matrix.attrs["coverage"]`` lists them (``uncoded_participants``,
    ``uncoded_documents``).

    Parameters
    ----------
    codings : pandas.DataFrame
        The codings frame (``data.codings`` of :func:`~asymmetry_qda.analysis.load`).
    columns : str, default "doc_id"
        The column of the codings and units frames whose values are the matrix's
        columns (``doc_id``, ``participant_id``, ``kind``, any attribute).
    value : {"n_units", "pct_units", "n_codings", "n_participants", "pct_participants"}, default "n_units"
        ``value`` is one of the counts of :func:`code_frequencies` (``n_units``,
        ``pct_units``, ``n_codings``, ``n_participants``, ``pct_participants``),
        computed within each column's group.
    units : pandas.DataFrame, optional
        The units frame (``data.units``): columns with no coding are kept (all
        zeros) when ``units`` is given.
    unit : {"sentence", "turn", "document", "participant"}, default "sentence"
        The unit of analysis, as in :func:`code_frequencies`.
    roll_up : bool, default False
        A coding also counts for every ancestor code.
    codes : sequence of str, optional
        The rows and their order (codes with no coding get zeros).

    Returns
    -------
    pandas.DataFrame
        One row per code (the index, ``code_id``, in the order of ``codes`` or
        sorted), one column per value of ``columns``; each cell is ``value`` for
        that (code, group). ``attrs["coverage"]`` carries the units' coverage.

    Notes
    -----
    Unit of analysis: as in :func:`code_frequencies`, the coded unit (a unit of
    kind ``unit``, a sentence by default, overlapping a coding of the code; a
    unit counts once per code), or the coding for ``value="n_codings"``, or the
    participant for ``n_participants``.

    Each cell is the row of ``code_frequencies(codings, units=units, unit=unit,
    by=columns, ...)`` for that (code, group), so a percentage's denominator is
    the group of its column: ``pct_units = 100 * n_units / units_total`` with
    ``units_total`` the units of kind ``unit`` of that column's group in
    ``units`` (without ``units``: the group's coded units only), and
    ``pct_participants = 100 * n_participants / participants_total``
    likewise. Computed with pandas (``DataFrame.pivot`` of the long table).

    Examples
    --------
    >>> codings = pd.DataFrame({"coding_id": ["c1", "c2"], "doc_id": ["D1", "D2"], "participant_id": ["P1", "P2"],
    ...                         "code_id": ["blame", "blame"], "status": "confirmed",
    ...                         "sentence": [0, 0], "sentence_last": [1, 0], "turn": 0, "turn_last": 0})
    >>> code_matrix(codings).to_dict("index")
    {'blame': {'D1': 2, 'D2': 1}}
    """
    check_option("value", value, ("n_units", "pct_units", "n_codings", "n_participants", "pct_participants"))
    long = code_frequencies(codings, units=units, unit=unit, by=columns, roll_up=roll_up, codes=codes)
    wide = long.pivot(index="code_id", columns=columns, values=value)
    wide = wide.reindex(list(dict.fromkeys(long["code_id"])))
    wide.columns.name = columns
    return with_coverage(wide, coverage_of(long))


# ---------------------------------------------------------------------------------------------- the Dask backend


def _dask_counts(codings: pd.DataFrame, units: pd.DataFrame | None, unit: str, by, roll_up: bool, backend: Dask,
                 npartitions: int | None) -> tuple[Any, pd.DataFrame, pd.DataFrame, list[str]]:
    """:func:`_counts` on Dask: partitions by participant (a document's rows together), partial counts added up."""

    _groups(in_units(codings.iloc[:0], unit), by)  # a bad by= fails here, as locally, before any work
    if units is not None:
        _groups(unit_keys(units.iloc[:0], unit), by)
    columns = [] if by is None else [by] if isinstance(by, str) else list(by)
    placing = [unit, f"{unit}_last"] if unit in ("sentence", "turn") else []
    frames = [only(codings, ["coding_id", "doc_id", "participant_id", "code_id", *placing, *columns]),
              only(units, ["doc_id", "unit", "ordinal", "participant_id", *columns])]
    with backend.start() as active:
        partials = on_dask(active, frames, ["doc_id", "participant_id"], npartitions, _partial_counts,
                            unit=unit, by=columns, roll_up=roll_up)
    present = pd.unique(pd.concat([pd.Series(p[0]) for p in partials], ignore_index=True))
    per_code = _summed([p[1] for p in partials], [*columns, "code_id"], sort=False)
    totals = _summed([p[2] for p in partials], columns, sort=True)
    return present, per_code, totals, columns


def _partial_counts(codings: pd.DataFrame, units: pd.DataFrame | None, *, unit: str, by: list[str],
                    roll_up: bool) -> tuple[Any, pd.DataFrame, pd.DataFrame]:
    present, per_code, totals, _ = _counts(codings, units, unit, by, roll_up)
    return present, per_code, totals


def _summed(frames: list[pd.DataFrame], keys: list[str], *, sort: bool) -> pd.DataFrame:
    """Partial counts added up per ``keys`` (no keys: one row)."""
    filled = [frame for frame in frames if len(frame)]
    if not keys:
        return pd.DataFrame({column: [sum(int(frame[column].iloc[0]) for frame in frames)]
                             for column in frames[0].columns})
    if not filled:
        return frames[0]
    return pd.concat(filled, ignore_index=True).groupby(keys, sort=sort).sum().reset_index()
