"""Code co-occurrence: which codes are applied to the same units, and how much more often than by chance.

Two codes *co-occur* in a unit when each has at least one coding present in it.
A unit is one of (``unit=``):

``sentence`` / ``turn``
    A coding is present in every sentence (turn) it overlaps,
    ``sentence..sentence_last`` (``turn..turn_last``).
``window``
    Sliding windows of k+1 consecutive sentences (``window=k``), one starting at
    each sentence of a document, the last ones shorter, never crossing
    documents. A coding on sentences [s, e] is present in the windows starting
    at max(first sentence, s - k) .. e, so two codes co-occur in some window iff
    they are coded within k sentences of each other; counts are numbers of
    windows.
``document`` / ``participant``
    A coding is present in its document / its participant (all their documents).
``overlap``
    Clusters of codings in one document whose character spans overlap
    (``start < other.end and other.start < end``; touching spans do not),
    joined transitively. This is ATLAS.ti's and QualCoder's "same or
    overlapping quotations" for the usual case; unlike them, a chain A overlaps
    C overlaps B counts A with B. N is the number of clusters.

Measures, per unordered pair of codes a, b, with N units, n_a and n_b units
holding a and b, n_ab units holding both:

- ``jaccard = n_ab / (n_a + n_b - n_ab)``: ATLAS.ti's c-coefficient (Friese,
  *ATLAS.ti 9 User Manual*, "Code Co-occurrence Table"); misleading when one
  code is far more frequent (``c_caution``: ``frequency_ratio = max(n_a, n_b) /
  min(n_a, n_b) > 5``), read the conditional proportions there;
- ``dice = 2 n_ab / (n_a + n_b)``;
- ``p_b_given_a = n_ab / n_a``, ``p_a_given_b = n_ab / n_b``;
- ``expected = n_a n_b / N`` (units holding both if the codes were independent),
  ``lift = n_ab / expected``;
- ``p_value``: one-sided Fisher exact test for over-representation (Fisher
  1922), ``P(X >= n_ab)`` for X hypergeometric (N, n_a, n_b);
- ``p_adjusted``: Benjamini & Hochberg (1995) false-discovery-rate adjustment
  over all pairs of one table (one group).

A ratio with a zero denominator is NaN. Every pair of distinct codes is listed,
including pairs that never co-occur, so the adjustment covers every test made.

References: Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery
rate. *J. R. Stat. Soc. B* 57(1), 289-300. Fisher, R. A. (1922). On the
interpretation of chi-square from contingency tables. *J. R. Stat. Soc.* 85(1).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np  # noqa: F401 (the examples use it)
import pandas as pd
from scipy import sparse  # scipy.stats is imported where it is used: it triples the import time of the package

from ..backends import Dask, Local
from ..errors import ArgumentError, QDAWarning
from ._cooccurrence_dask import _dask_pairs
from ._cooccurrence_groups import _by_columns, _groups, _keyed
from ._cooccurrence_measures import CAUTION_RATIO, MEASURES, _binary, _gram, _table_from_gram
from ._cooccurrence_measures import PAIR_COLUMNS as PAIR_COLUMNS  # the old path analysis.cooccurrence offered it
from ._cooccurrence_units import (
    UNITS,
    _attributes,
    _doc_attributes,
    _key_attributes,
    _matrix,
    _prepared_columns,
    _without_attributes,
)
from ._counts import status_label
from ._frame import coverage_of, with_coverage
from ._partitions import check_backend_options, only

__all__ = ["MEASURES", "UNITS", "cooccurrence", "cooccurrence_from_matrix", "unit_matrix"]


# ---------------------------------------------------------------------------------------------- unit × code matrix


def unit_matrix(
    codings: pd.DataFrame,
    *,
    unit: str = "sentence",
    window: int = 1,
    codes: Sequence[str] | None = None,
    units: pd.DataFrame | None = None,
) -> tuple[sparse.csr_array, pd.DataFrame, list[str]]:
    """A binary unit × code matrix: ``X[u, c] = 1`` when a coding of code ``c`` is present in unit ``u``.

    Parameters
    ----------
    codings : pandas.DataFrame
        The codings frame (``data.codings`` of :func:`~asymmetry_qda.analysis.load`).
    unit : {"sentence", "turn", "window", "document", "participant", "overlap"}, default "sentence"
        ``unit`` (see the module docstring): ``"sentence"``,
        ``"turn"``, ``"window"`` (k+1 = ``window`` + 1 consecutive sentences; rows
        are windows), ``"document"``, ``"participant"`` (codings without a
        participant are left out, with a warning) or ``"overlap"`` (clusters of
        overlapping codings). For sentences, turns and windows a coding placed in
        none (``sentence``/``sentence_last``, ``turn``/``turn_last`` missing: it
        overlaps no unit; :func:`~asymmetry_qda.analysis.load` leaves such codings
        out) is left out, with a warning.
    window : int, default 1
        k, for ``unit="window"``: windows of k+1 consecutive sentences.
    codes : sequence of str, optional
        The columns: ``codes`` as given (codes without a coding give zero columns), else
        the codes present, sorted. ``codes`` never changes the rows.
    units : pandas.DataFrame, optional
        With ``units`` (the units frame) every unit is a row,
        coded or not (all-zero rows), so N = number of rows is the true number of
        units; without it only units holding a coding exist (a warning says so).
        For ``"overlap"`` N is the number of clusters and ``units`` is not used.

    Returns
    -------
    X : scipy.sparse.csr_array
        Returns ``(X, rows, codes)``: X is a ``scipy.sparse.csr_array`` of int32
        0/1.
    rows : pandas.DataFrame
        ``rows`` describes each row: its key (``doc_id`` + ``ordinal``;
        ``doc_id``; ``participant_id``; ``doc_id`` + ``cluster`` + ``start`` +
        ``end``) and the columns constant within it (``participant_id``, ``kind``,
        attributes, and ``speaker`` for sentences and turns).
    codes : list of str
        ``codes`` are the
        columns.

    Notes
    -----
    Unit of analysis: one row of ``X`` is one unit of kind ``unit`` (a
    sentence, a turn, a window of k+1 sentences, a document, a participant or an
    overlap cluster); one column is one code. No ratio is computed here.

    Formulas: ``X[u, c] = 1`` iff some coding of ``c`` is present in ``u``:
    sentence ``u`` in ``sentence..sentence_last`` (turn: ``turn..turn_last``);
    window starting at ``u`` in ``max(first sentence, sentence - k) ..
    sentence_last``, of the same document; same document; same participant;
    same overlap cluster (a new cluster starts where a coding's start is at or
    after the largest end so far, in document and start order). N = number of
    rows of X; a unit coded twice with one code is still 1. With ``units``, N
    counts every unit of ``units`` (with :func:`~asymmetry_qda.analysis.load`'s
    default ``coverage="coded"``, the units of coded documents only); without
    it, only units holding a coding. Built with ``scipy.sparse`` (int32 index
    arrays when they fit).

    Speed: every text column (``doc_id``, ``code_id``) is factorized once and
    only its distinct values are looked up; rows are found through integer
    keys (document position × ordinal), X is built from its sorted (row, code)
    keys (no sort at all when the codings come in :func:`~asymmetry_qda.analysis.load`'s
    order), and a row reads its document's columns only when the units frame
    does not list it. :func:`cooccurrence` reads only the ``by`` columns.
    Timings on 1.8M codings and 1M sentence units are in the performance guide.

    Examples
    --------
    >>> codings = pd.DataFrame({"doc_id": ["D1", "D1", "D2"], "participant_id": ["P1", "P1", "P2"],
    ...                         "code_id": ["blame", "praise", "blame"], "sentence": [0, 1, 0],
    ...                         "sentence_last": [1, 1, 0], "turn": 0, "turn_last": 0, "start": 0, "end": 1})
    >>> units = pd.DataFrame({"doc_id": ["D1", "D1", "D1", "D2"], "unit": "sentence", "ordinal": [0, 1, 2, 0],
    ...                       "participant_id": ["P1", "P1", "P1", "P2"]})
    >>> X, rows, codes = unit_matrix(codings, units=units)
    >>> codes, X.toarray().tolist(), rows[["doc_id", "ordinal"]].values.tolist()
    (['blame', 'praise'], [[1, 0], [1, 1], [0, 0], [1, 0]], [['D1', 0], ['D1', 1], ['D1', 2], ['D2', 0]])
    """
    codings, units, codes, column = _prepared_columns(codings, units, unit, window, codes, stacklevel=3)
    X, rows = _matrix(codings, units, unit, window, codes, _attributes(codings, units, unit), column=column)
    return X, rows, codes


# ---------------------------------------------------------------------------------------------- pair measures


def cooccurrence_from_matrix(X, codes: Sequence[str], *, n_units: int | None = None) -> pd.DataFrame:
    """Co-occurrence counts, measures and tests for every pair of columns of a binary unit × code matrix.

    Parameters
    ----------
    X : scipy.sparse array or numpy.ndarray
        A unit × code matrix; the rows of ``X`` are the units (any nonzero is 1).
    codes : sequence of str
        One name per column of ``X``.
    n_units : int, optional
        N = ``n_units``, else the number of rows (it cannot be smaller).

    Returns
    -------
    pandas.DataFrame
        One row per pair ``i < j`` of columns (``code_a`` =
        ``codes[i]``, ``code_b`` = ``codes[j]``, in column order), every pair, also
        those never coded together.

    Notes
    -----
    Unit of analysis: one row of ``X``, whatever unit the matrix was built on
    (a sentence, a document...); N, the denominator of ``expected``, is ``n_units`` or the number of rows, so
    all-zero rows (uncoded units) count in N.

    Formulas: ``n_ab = (XᵀX)[i, j]``; ``n_a``, ``n_b`` = column sums;
    ``jaccard = n_ab / (n_a + n_b - n_ab)`` (ATLAS.ti's c-coefficient);
    ``dice = 2 n_ab / (n_a + n_b)``; ``p_b_given_a = n_ab / n_a``;
    ``p_a_given_b = n_ab / n_b``; ``expected = n_a n_b / N``;
    ``lift = n_ab / expected``; ``p_value = hypergeom.sf(n_ab - 1, N, n_a, n_b)``,
    which equals ``scipy.stats.fisher_exact([[n_ab, n_a - n_ab], [n_b - n_ab,
    N - n_a - n_b + n_ab]], alternative="greater").pvalue`` (one-sided Fisher
    exact test for over-representation); ``p_adjusted``: Benjamini-Hochberg
    over all pairs of the table; ``frequency_ratio = max(n_a, n_b) / min(n_a,
    n_b)``; ``c_caution = frequency_ratio > 5``. A zero denominator gives NaN;
    with N = 0 every ``p_value`` is NaN.

    Libraries: ``p_value`` is ``scipy.stats.hypergeom.sf`` (pairs whose ``n_ab``
    is the smallest possible, ``max(0, n_a + n_b - N)``, get exactly 1 without
    the call); ``p_adjusted`` is ``scipy.stats.false_discovery_control(...,
    method="bh")`` over the table's finite p-values; the rest is NumPy.

    Examples
    --------
    >>> X = sparse.csr_array(np.array([[1, 1, 0], [1, 0, 0], [1, 1, 1], [0, 0, 1]]))
    >>> table = cooccurrence_from_matrix(X, ["a", "b", "c"])
    >>> table[["code_a", "code_b", "n_a", "n_b", "n_ab", "jaccard", "lift"]].round(3).values.tolist()
    [['a', 'b', 3, 2, 2, 0.667, 1.333], ['a', 'c', 3, 2, 1, 0.25, 0.667], ['b', 'c', 2, 2, 1, 0.333, 1.0]]
    """
    X = _binary(X)
    codes = list(codes)
    if X.ndim != 2 or X.shape[1] != len(codes):
        raise ArgumentError(f"codes: {len(codes)} names given for a matrix of shape {X.shape}; give one per column")
    n = X.shape[0] if n_units is None else int(n_units)
    if n < X.shape[0]:
        raise ArgumentError(f"n_units={n_units!r} is smaller than the {X.shape[0]} rows of the matrix")
    return _table_from_gram(_gram(X, len(codes)), codes, n)


# ---------------------------------------------------------------------------------------------- tidy table


def cooccurrence(
    codings: pd.DataFrame,
    *,
    unit: str = "sentence",
    measure: str | Sequence[str] | None = None,
    codes: Sequence[str] | None = None,
    by: str | Sequence[str] | None = None,
    window: int = 1,
    units: pd.DataFrame | None = None,
    backend: "Local | Dask | str | None" = None,
    client=None,
    npartitions: int | None = None,
) -> pd.DataFrame:
    """Code co-occurrence table: one row per (group, pair of codes) with counts, measures and tests.

    Columns ``unit`` (and ``window``) and ``status``
    (``confirmed``, or ``confirmed+suggested`` when the codings hold
    suggestions) label the table. Warns once when Jaccard is misleading
    (``c_caution``) for a pair coded together.

    Parameters
    ----------
    codings : pandas.DataFrame
        The codings frame (``data.codings`` of :func:`~asymmetry_qda.analysis.load`).
    unit : {"sentence", "turn", "window", "document", "participant", "overlap"}, default "sentence"
        The unit of analysis: ``unit`` (``"sentence"``, ``"turn"``, ``"window"`` of
        ``window`` + 1 sentences, ``"document"``, ``"participant"``, ``"overlap"``;
        see :func:`unit_matrix`).
    measure : str or sequence of str, optional
        ``measure``: one or more of ``MEASURES`` to keep (default all); the counts,
        ``expected``, ``p_adjusted``, ``frequency_ratio`` and ``c_caution`` are
        always kept.
    codes : sequence of str, optional
        ``codes``: the codes and their order (default: those coded,
        sorted).
    by : str or sequence of str, optional
        ``by``: column(s) of the unit rows (e.g. ``leader``,
        ``rank_band``, ``kind``, ``participant_id``; for document, participant and
        overlap units they must be constant within a unit): one table per group,
        on that group's units only (its own N), group columns first (a missing
        value is ``(missing)``).
    window : int, default 1
        k, for ``unit="window"``: windows of k+1 consecutive sentences.
    units : pandas.DataFrame, optional
        Pass ``units`` (the units frame) so that N counts
        uncoded units too (with :func:`~asymmetry_qda.analysis.load`'s units,
        by default those of the documents the chosen coders coded: N counts no unit
        of a document nobody coded; the table's ``attrs["coverage"]`` says which).
    backend : Local, Dask or str, default Local()
        ``Local()`` (default) computes in this process.
        ``Dask(...)`` computes on a Dask cluster: the codings and units
        frames are split into ``npartitions`` partitions (``dask.dataframe``;
        default one per worker, and one per million rows) so that every unit lies
        wholly in one (by ``doc_id``; by ``participant_id`` for participant
        units); each partition builds its own unit × code matrix X_p on the code
        list chosen up front and returns X_pᵀX_p and its number of units (per
        group with ``by``); the client adds them up (XᵀX = Σ X_pᵀX_p, N = Σ N_p)
        and computes the measures with the same code as the local backend, so the
        table is identical, bit for bit, and warns the same way. It pays off for frames of millions of codings; for
        small ones
        the local backend is faster (scheduling, moving the frames to the workers,
        starting a local cluster).
    client : distributed.Client, str or None
        Deprecated: pass ``backend=Dask(client=...)``, whose ``client`` is a
        :class:`distributed.Client`, a scheduler address, or ``None`` for a local
        cluster started for this call and closed after it (see
        :mod:`asymmetry_qda.backends`); the workers need ``asymmetry_qda``
        installed. ``backend="dask"`` and ``client=`` still work for this
        release, with a :class:`DeprecationWarning`.
    npartitions : int, optional
        With ``backend="dask"``: the number of partitions (default one per worker,
        and one per million rows).

    Returns
    -------
    pandas.DataFrame
        One row per (group, unordered pair of codes), every pair listed: the
        group columns, then the columns of :func:`cooccurrence_from_matrix`
        (measures not asked for left out), ``unit`` (and ``window``) and
        ``status``; ``attrs["coverage"]`` carries the units' coverage.

    Notes
    -----
    Unit of analysis: the unit of kind ``unit``, a sentence by default (or a
    turn, a window of k+1 sentences, a document, a participant or an overlap
    cluster: see :func:`unit_matrix`), and every count (``n_units``, ``n_a``,
    ``n_b``, ``n_ab``) is a number of such units, a unit holding a code twice
    counting once. ``n_units`` (N) is the number of
    units of the group: with ``units``, all its units, coded or not (by default
    those of the documents the chosen coders coded); without ``units``, only
    units holding a coding (a warning says so): N is then smaller, so
    ``expected`` is larger and ``lift`` smaller than with every unit counted.

    Formulas: see :func:`cooccurrence_from_matrix` (Jaccard
    = ATLAS.ti's c, Dice, conditional proportions ``n_ab / n_a`` and
    ``n_ab / n_b``, ``lift = n_ab / (n_a n_b / N)``, one-sided Fisher exact
    p from ``scipy.stats.hypergeom.sf``, Benjamini-Hochberg ``p_adjusted`` from
    ``scipy.stats.false_discovery_control`` within each group).

    Examples
    --------
    >>> codings = pd.DataFrame({"doc_id": ["D1", "D1", "D1", "D2"], "code_id": ["blame", "praise", "blame", "praise"],
    ...                         "sentence": [0, 0, 2, 0], "sentence_last": [0, 0, 2, 0], "status": "confirmed"})
    >>> units = pd.DataFrame({"doc_id": ["D1", "D1", "D1", "D2"], "unit": "sentence", "ordinal": [0, 1, 2, 0]})
    >>> table = cooccurrence(codings, units=units, measure=["jaccard", "p_b_given_a"])
    >>> table[["code_a", "code_b", "n_units", "n_a", "n_b", "n_ab", "jaccard", "p_b_given_a"]].values.tolist()
    [['blame', 'praise', 4, 2, 2, 1, 0.3333333333333333, 0.5]]
    """
    keep = _measure_list(measure)
    backend = check_backend_options(backend, client, npartitions)
    if isinstance(backend, Dask):
        table, columns = _dask_pairs(codings, units, unit, window, codes, by, backend, npartitions)
    else:
        X, rows, codes, columns = _grouped_matrix(codings, unit, window, codes, units, by)
        if columns:
            table = _per_group(X, rows, codes, columns)
        else:
            table = cooccurrence_from_matrix(X, codes)
    table.insert(len(columns), "unit", unit)
    if unit == "window":
        table.insert(len(columns) + 1, "window", int(window))
    table["status"] = status_label(codings)
    _warn_caution(table)
    return with_coverage(table.drop(columns=[m for m in MEASURES if m not in keep]).reset_index(drop=True),
                         coverage_of(units, codings))


def _measure_list(measure: str | Sequence[str] | None) -> list[str]:
    if measure is None:
        return list(MEASURES)
    chosen = [measure] if isinstance(measure, str) else list(measure)
    unknown = [m for m in chosen if m not in MEASURES]
    if unknown:
        raise ArgumentError(f"measure={measure!r}: unknown {', '.join(map(str, unknown))}; "
                            f"choose from: {', '.join(MEASURES)}")
    return chosen


def _grouped_matrix(codings: pd.DataFrame, unit: str, window: int, codes: Sequence[str] | None,
                    units: pd.DataFrame | None, by) -> tuple[sparse.csr_array, pd.DataFrame, list[str], list[str]]:
    """What :func:`unit_matrix` returns, the rows with only their key and ``by`` columns, and the ``by`` columns.

    The frames' other columns are not read: each row's value of a column depends on that column only
    (:func:`_doc_attributes`, :func:`_attach` of ``_cooccurrence_units``), so the ``by`` columns read as in
    :func:`unit_matrix`'s rows. A ``by`` column the rows lack gives :func:`unit_matrix`'s error, naming every
    column its rows have.
    """
    codings, units, codes, column = _prepared_columns(codings, units, unit, window, codes, stacklevel=3)
    wanted = [] if by is None else [by] if isinstance(by, str) else list(by)
    key = ["participant_id"] if unit == "participant" else []
    placing = {"sentence": ["sentence", "sentence_last"], "window": ["sentence", "sentence_last"],
               "turn": ["turn", "turn_last"], "overlap": ["start", "end"]}.get(unit, [])
    some_codings = only(codings, list(dict.fromkeys(["doc_id", *key, "code_id", *placing, *wanted])))
    some_units = only(units, list(dict.fromkeys(["doc_id", *key, "unit", "ordinal", *wanted])))
    if wanted:
        attributes = _attributes(some_codings, some_units, unit)
    else:
        attributes = _key_attributes(_without_attributes(), unit)
    X, rows = _matrix(some_codings, some_units, unit, window, codes, attributes, column=column)
    if any(column not in rows.columns for column in wanted):
        whole = _key_attributes(_doc_attributes(codings, units), unit)
        _by_columns(by, _matrix(codings.iloc[:0], None if units is None else units.iloc[:0], unit, window, codes,
                                whole)[1], unit)
    return X, rows, codes, _by_columns(by, rows, unit)


def _per_group(X: sparse.csr_array, rows: pd.DataFrame, codes: list[str], columns: list[str]) -> pd.DataFrame:
    """The pair table of each group's rows (own N, own BH), group columns first, groups sorted."""
    if not len(rows):
        return pd.concat([rows[columns].iloc[:0], cooccurrence_from_matrix(X, codes).iloc[:0]], axis=1)
    labels, members = _groups(rows, columns)
    return pd.concat([_keyed(labels, group, cooccurrence_from_matrix(X[rows_of], codes))
                      for group, rows_of in enumerate(members)], ignore_index=True)


def _warn_caution(table: pd.DataFrame) -> None:
    flagged = table[table["c_caution"] & (table["n_ab"] > 0)]
    if len(flagged):
        pairs = (flagged["code_a"] + "–" + flagged["code_b"]).drop_duplicates().tolist()
        shown = ", ".join(pairs[:3]) + (", ..." if len(pairs) > 3 else "")
        unit = f" in {table['unit'].iloc[0]} units" if "unit" in table else ""
        warnings.warn(f"{len(flagged)} co-occurring pair(s){unit} ({shown}) have one code over {CAUTION_RATIO:g} times "
                      f"as frequent as the other: the Jaccard/c coefficient is misleading there; read "
                      f"p_b_given_a and p_a_given_b instead", QDAWarning, stacklevel=3)
