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

import numpy as np
import pandas as pd
from scipy import sparse  # scipy.stats is imported where it is used: it triples the import time of the package

from ..backends import Dask, Local
from ..errors import ArgumentError, QDAWarning, check_option
from ._counts import status_label
from ._frame import CODING_COLUMNS, coverage_of, with_coverage
from ._partitions import check_backend_options, on_dask, only

__all__ = ["MEASURES", "UNITS", "cooccurrence", "cooccurrence_from_matrix", "unit_matrix"]

UNITS = ("sentence", "turn", "window", "document", "participant", "overlap")
MEASURES = ("jaccard", "dice", "p_b_given_a", "p_a_given_b", "lift", "p_value")
PAIR_COLUMNS = ["code_a", "code_b", "n_units", "n_a", "n_b", "n_ab", "jaccard", "dice", "p_b_given_a", "p_a_given_b",
                "lift", "expected", "p_value", "p_adjusted", "frequency_ratio", "c_caution"]
CAUTION_RATIO = 5.0

_MISSING = "(missing)"
#: Columns of the codings frame that describe one coding, not its document.
_PER_CODING = set(CODING_COLUMNS) - {"kind", "participant_id"}
#: Columns of the units frame that describe one unit's place, not its document.
_UNIT_PLACE = {"doc_id", "unit", "ordinal", "start", "end"}
_PER_UNIT = {"speaker", "is_interviewer"}


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
        overlapping codings).
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
    Unit of analysis: ``unit``, above.

    Formulas: ``X[u, c] = 1`` iff some coding of ``c`` is present in ``u``:
    sentence ``u`` in ``sentence..sentence_last`` (turn: ``turn..turn_last``);
    window starting at ``u`` in ``max(first sentence, sentence - k) ..
    sentence_last``, of the same document; same document; same participant;
    same overlap cluster (a new cluster starts where a coding's start is at or
    after the largest end so far, in document and start order). N = number of
    rows of X; a unit coded twice with one code is still 1.

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
    codings, units, codes = _prepared(codings, units, unit, window, codes, stacklevel=3)
    X, rows = _matrix(codings, units, unit, window, codes, _key_attributes(_doc_attributes(codings, units), unit))
    return X, rows, codes


def _check_unit(unit: str, window) -> None:
    check_option("unit", unit, UNITS)
    if unit == "window" and (isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 0):
        raise ArgumentError(f"window={window!r} must be a whole number of sentences >= 0, e.g. 1")


def _without_units(unit: str) -> str:
    return (f"co-occurrence by {unit}: without units= only the {unit}s that hold a coding are counted; "
            f"pass units= for the true number of units (N, the denominator of lift and Fisher's test)")


def _key_attributes(doc_attr: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The attributes of a row's key: per document (indexed by doc_id), as a doc_id column, or per participant."""
    if unit == "document":
        return doc_attr.reset_index()
    if unit == "participant":
        return _participant_attributes(doc_attr)
    return doc_attr


def _matrix(codings: pd.DataFrame, units: pd.DataFrame | None, unit: str, window: int, codes: list[str],
            attributes: pd.DataFrame, notes: dict | None = None) -> tuple[sparse.csr_array, pd.DataFrame]:
    """X and its rows, given the code list and the key attributes (:func:`_key_attributes`).

    With ``notes`` (a dict) nothing warns: the number of coded units missing from ``units`` (``missing``) and of
    participant rows without attributes (``unmatched``) are written there, with ``widened_rows``: a function
    returning the rows as they would be if some other unit were missing or unmatched (the Dask backend's
    partitions see part of the data; the whole decides).
    """
    if unit in ("sentence", "turn", "window"):
        level = "sentence" if unit == "window" else unit
        rows, row, coding = _ordinal_rows(codings, units, _documents(codings, units), attributes, level,
                                          window if unit == "window" else 0, notes)
    elif unit in ("document", "participant"):
        rows, row, coding = _keyed_rows(codings, units, "doc_id" if unit == "document" else "participant_id",
                                        attributes, notes)
    else:
        rows, row, coding = _overlap_rows(codings, _documents(codings, units), attributes)
    column = pd.Index(codes, dtype=object).get_indexer(codings["code_id"].astype(object)).astype(np.int64)
    return _binary_matrix(row, column[coding], len(rows), len(codes)), rows


def _code_list(codings: pd.DataFrame, codes: Sequence[str] | None) -> list[str]:
    if codes is None:
        return sorted(pd.unique(codings["code_id"].dropna()).tolist())
    return list(dict.fromkeys([codes] if isinstance(codes, str) else codes))


def _with_participant(codings: pd.DataFrame, stacklevel: int = 3) -> pd.DataFrame:
    missing = int(codings["participant_id"].isna().sum())
    if missing:
        warnings.warn(f"co-occurrence by participant: {missing} coding(s) have no participant_id (e.g. fieldnotes "
                      f"not linked to a participant) and are left out", QDAWarning, stacklevel=stacklevel)
        codings = codings[codings["participant_id"].notna()]
    return codings


def _documents(codings: pd.DataFrame, units: pd.DataFrame | None) -> np.ndarray:
    """Every document id, sorted (the row order of every unit)."""
    found = [pd.unique(codings["doc_id"])] + ([pd.unique(units["doc_id"])] if units is not None else [])
    return np.sort(pd.unique(np.concatenate(found).astype(object)).astype(str)).astype(object)


def _constant(frame: pd.DataFrame, key: str, columns: list[str]) -> pd.DataFrame:
    """One row per ``key`` value with the ``columns`` that never vary within it (missing counts as a value)."""
    group, values = pd.factorize(frame[key])
    valid = np.flatnonzero(group >= 0)
    group = group[valid]
    first = np.empty(len(values), np.int64)
    first[group[::-1]] = valid[::-1]  # the first row of each key value (later writes win)
    kept = []
    for column in columns:
        found = pd.factorize(frame[column], use_na_sentinel=False)[0]
        if np.array_equal(found[valid], found[first][group]):
            kept.append(column)
    return frame.iloc[first][[key, *kept]].set_index(key)


def _doc_attributes(codings: pd.DataFrame, units: pd.DataFrame | None) -> pd.DataFrame:
    """Per document, the columns constant within it (kind, participant_id, attributes): units first, then codings."""
    columns = [c for c in codings.columns if c not in _PER_CODING]
    if units is None:
        return _constant(codings, "doc_id", columns).sort_index()
    from_units = _constant(units, "doc_id", [c for c in units.columns if c not in _UNIT_PLACE | _PER_UNIT])
    unlisted = codings[~codings["doc_id"].isin(from_units.index)]
    if not len(unlisted):
        return from_units.sort_index()
    return pd.concat([from_units, _constant(unlisted, "doc_id", columns)]).sort_index()


def _participant_attributes(doc_attr: pd.DataFrame) -> pd.DataFrame:
    frame = doc_attr.reset_index()
    if "participant_id" not in frame:
        return pd.DataFrame(columns=["participant_id"])
    return _constant(frame, "participant_id", [c for c in frame.columns if c not in ("doc_id", "participant_id")]
                     ).reset_index()


def _expand(first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges first..last (inclusive): the range each item comes from, and the items."""
    span = np.maximum(last - first + 1, 0)
    entry = np.repeat(np.arange(len(first)), span)
    offsets = np.arange(len(entry)) - np.repeat(np.cumsum(span) - span, span)
    return entry, first[entry] + offsets


def _ordinal_rows(codings: pd.DataFrame, units: pd.DataFrame | None, docs: np.ndarray, doc_attr: pd.DataFrame,
                  level: str, back: int, notes: dict | None = None) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Rows = (doc, ordinal) of sentences or turns, or windows starting there when ``back`` = k > 0."""
    doc_code = _positions(docs, codings["doc_id"])
    first = codings[level].to_numpy(np.int64)
    last = codings[f"{level}_last"].to_numpy(np.int64)
    listed = units.loc[units["unit"] == level] if units is not None else None
    unit_doc = _positions(docs, listed["doc_id"]) if listed is not None else np.zeros(0, np.int64)
    unit_ord = listed["ordinal"].to_numpy(np.int64) if listed is not None else np.zeros(0, np.int64)
    if back:  # a window starts at each sentence: a coding on [s, e] is in the windows starting s - k .. e
        floor = np.full(len(docs), np.iinfo(np.int64).max)
        np.minimum.at(floor, unit_doc, unit_ord)  # the document's first listed sentence, else 0
        floor[floor == np.iinfo(np.int64).max] = 0
        first = np.maximum(first - back, floor[doc_code])
    entry, ordinal = _expand(first, last)
    size = int(max(ordinal.max(initial=0), unit_ord.max(initial=0))) + 1
    keys = doc_code[entry] * size + ordinal
    unit_keys = unit_doc * size + unit_ord
    row_keys = _sorted_unique(unit_keys if listed is not None else keys)
    if listed is not None:
        found = _found(row_keys, keys)
        if not found.all():
            missing = len(_sorted_unique(keys[~found]))
            if notes is None:
                warnings.warn(_missing_units(missing, level), QDAWarning, stacklevel=5)
            else:
                notes["missing"] = missing
            row_keys = _sorted_unique(np.concatenate([row_keys, keys]))
    rows = pd.DataFrame({"doc_id": docs[row_keys // size], "ordinal": row_keys % size})
    per_unit = None
    if listed is not None:
        carried = [c for c in listed.columns if c not in _UNIT_PLACE and not (back and c in _PER_UNIT)]
        first_seen = ~pd.Series(unit_keys).duplicated().to_numpy()
        per_unit = listed.loc[first_seen, carried].set_axis(np.searchsorted(row_keys, unit_keys[first_seen]))
        if notes is not None:
            base = rows
            notes["widened_rows"] = lambda: _attach(base, per_unit, doc_attr, widen=True)
    rows = _attach(rows, per_unit, doc_attr)
    return rows, np.searchsorted(row_keys, keys), entry


def _missing_units(count: int, level: str) -> str:
    return (f"{count} coded {level} unit(s) are missing from units=; "
            f"they are added as rows (pass the units frame of the same data)")


def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    """``np.unique`` for int keys, by a sort (faster here than numpy's hash-based unique; free when sorted)."""
    if len(keys) and not np.all(keys[1:] > keys[:-1]):
        keys = np.sort(keys)
        keys = keys[np.r_[True, keys[1:] != keys[:-1]]]
    return keys


def _positions(sorted_values: np.ndarray, values: pd.Series) -> np.ndarray:
    """Index of each of ``values`` in ``sorted_values`` (which holds them all)."""
    return pd.Index(sorted_values).get_indexer(values.astype(object)).astype(np.int64)


def _found(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    where = np.minimum(np.searchsorted(sorted_keys, keys), max(len(sorted_keys) - 1, 0))
    return sorted_keys[where] == keys if len(sorted_keys) else np.zeros(len(keys), bool)


def _attach(rows: pd.DataFrame, per_unit: pd.DataFrame | None, doc_attr: pd.DataFrame,
            widen: bool = False) -> pd.DataFrame:
    """Add each row's unit columns (from the units frame) and, where a unit was not listed, its document's.

    ``widen``: as if some unit were not listed (columns that cannot hold a missing value widen, e.g. int to float).
    """
    n = len(rows)
    if per_unit is not None and len(per_unit) == n and not widen:
        return pd.concat([rows, per_unit.sort_index().reset_index(drop=True)], axis=1)
    by_doc = doc_attr.reindex(rows["doc_id"]).reset_index(drop=True)
    if per_unit is None:
        return pd.concat([rows, by_doc], axis=1)
    listed = per_unit.reindex(range(n + 1)).iloc[:n] if widen else per_unit.reindex(range(n))
    for column in by_doc.columns.intersection(listed.columns):
        listed[column] = listed[column].astype(object).where(listed[column].notna(), by_doc[column].astype(object))
    return pd.concat([rows, listed], axis=1)


def _keyed_rows(codings: pd.DataFrame, units: pd.DataFrame | None, key: str, attributes: pd.DataFrame,
                notes: dict | None = None) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Rows = documents or participants: every one in ``units`` (when given) and every one coded."""
    found = [pd.unique(codings[key].dropna())]
    if units is not None:
        found.append(pd.unique(units[key].dropna()))
    values = np.sort(pd.unique(np.concatenate(found).astype(object)).astype(str)).astype(object)
    rows = pd.DataFrame({key: values})
    if len(attributes.columns) > 1:
        table = attributes.drop_duplicates(key).astype({key: object})
        if notes is not None:
            base = rows
            notes["unmatched"] = int((~rows[key].isin(table[key])).sum())
            notes["widened_rows"] = lambda: _merged_widened(base, table, key)
        rows = rows.merge(table, on=key, how="left")
    return rows, _positions(values, codings[key]), np.arange(len(codings))


def _merged_widened(rows: pd.DataFrame, table: pd.DataFrame, key: str) -> pd.DataFrame:
    """``rows`` merged with ``table`` as if some row had no match (columns that cannot hold a missing value widen)."""
    unmatched = pd.DataFrame({key: pd.Series([object()], dtype=object)})
    merged = pd.concat([rows, unmatched], ignore_index=True).merge(table, on=key, how="left")
    return merged.iloc[:len(rows)]


def _overlap_rows(codings: pd.DataFrame, docs: np.ndarray,
                  doc_attr: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Rows = clusters of codings whose spans overlap, joined transitively, within one document."""
    doc_code = _positions(docs, codings["doc_id"])
    start = codings["start"].to_numpy(np.int64)
    end = codings["end"].to_numpy(np.int64)
    order = np.lexsort((end, start, doc_code))
    offset = int(max(end.max(initial=0), start.max(initial=0))) + 1
    s = start[order] + doc_code[order] * offset  # one number line, documents far apart: no cluster crosses them
    e = end[order] + doc_code[order] * offset
    reach = np.maximum.accumulate(e) if len(e) else e
    new = np.ones(len(s), bool)
    new[1:] = s[1:] >= reach[:-1]
    cluster = np.cumsum(new) - 1
    heads = np.flatnonzero(new)
    tails = np.append(heads[1:], len(s)) - 1 if len(heads) else heads  # no coding: no cluster
    head_doc = doc_code[order][heads]
    doc_change = np.ones(len(heads), bool)
    doc_change[1:] = head_doc[1:] != head_doc[:-1]
    first_of_doc = np.maximum.accumulate(np.where(doc_change, np.arange(len(heads)), 0)) if len(heads) else heads
    rows = pd.DataFrame({"doc_id": docs[head_doc], "cluster": np.arange(len(heads)) - first_of_doc,
                         "start": start[order][heads], "end": reach[tails] - head_doc * offset})
    entry_row = np.empty(len(s), np.int64)
    entry_row[order] = cluster
    return _attach(rows, None, doc_attr), entry_row, np.arange(len(codings))


def _binary_matrix(row: np.ndarray, column: np.ndarray, n_rows: int, n_codes: int) -> sparse.csr_array:
    """0/1 csr matrix from (row, column) pairs (column -1: a code not asked for); a pair found twice is still 1."""
    keep = column >= 0
    pairs = sparse.coo_array((np.ones(int(keep.sum()), np.int32), (row[keep], column[keep])),
                             shape=(n_rows, n_codes))
    matrix = pairs.tocsr()
    matrix.sum_duplicates()
    matrix.data[:] = 1
    return matrix


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
    Unit of analysis: the rows of ``X``.

    Formulas: ``n_ab = (XᵀX)[i, j]``; ``n_a``, ``n_b`` = column sums;
    ``jaccard = n_ab / (n_a + n_b - n_ab)`` (ATLAS.ti's c-coefficient);
    ``dice = 2 n_ab / (n_a + n_b)``; ``p_b_given_a = n_ab / n_a``;
    ``p_a_given_b = n_ab / n_b``; ``expected = n_a n_b / N``;
    ``lift = n_ab / expected``; ``p_value = hypergeom.sf(n_ab - 1, N, n_a, n_b)``,
    which equals ``scipy.stats.fisher_exact([[n_ab, n_a - n_ab], [n_b - n_ab,
    N - n_a - n_b + n_ab]], alternative="greater").pvalue`` (one-sided Fisher
    exact test for over-representation); ``p_adjusted``: Benjamini-Hochberg
    over all pairs of the table; ``frequency_ratio = max(n_a, n_b) / min(n_a,
    n_b)``; ``c_caution = frequency_ratio > 5``. A zero denominator gives NaN.

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


def _gram(X, n_codes: int) -> np.ndarray:
    """The dense code × code matrix XᵀX of a binary unit × code matrix."""
    return (X.T @ X).toarray() if n_codes else np.zeros((0, 0), np.int64)


def _table_from_gram(gram: np.ndarray, codes: list[str], n: int) -> pd.DataFrame:
    """The pair table from XᵀX (any integer dtype) and N: what :func:`cooccurrence_from_matrix` returns."""
    counts = np.diagonal(gram).astype(np.int64)  # a binary column's sum is its dot product with itself
    i, j = np.triu_indices(len(codes), k=1)
    n_a, n_b, n_ab = counts[i], counts[j], gram[i, j].astype(np.int64)
    return pd.DataFrame({"code_a": np.array(codes, dtype=object)[i], "code_b": np.array(codes, dtype=object)[j],
                         "n_units": np.full(len(i), n, np.int64), "n_a": n_a, "n_b": n_b, "n_ab": n_ab,
                         **_measures(n, n_a, n_b, n_ab)})


def _binary(X) -> sparse.csr_array | sparse.csc_array:
    """``X`` as a csr/csc array of int32 in canonical form with every stored value 1 (or an explicit 0)."""
    if not sparse.issparse(X):
        X = sparse.csr_array(np.asarray(X))
    if X.format not in ("csr", "csc"):
        X = sparse.csr_array(X)
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    data = X.data
    if data.dtype != np.int32 or not np.all(data == 1):
        data = (data != 0).astype(np.int32)
    array = sparse.csr_array if X.format == "csr" else sparse.csc_array
    return array((data, X.indices, X.indptr), shape=X.shape, copy=False)


def _ratio(numerator, denominator) -> np.ndarray:
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    return np.divide(numerator, denominator, out=np.full(numerator.shape, np.nan), where=denominator != 0)


def _measures(n: int, n_a: np.ndarray, n_b: np.ndarray, n_ab: np.ndarray) -> dict[str, np.ndarray]:
    from scipy import stats

    expected = _ratio(n_a * n_b, np.full(len(n_a), n))
    p_value = np.full(len(n_a), np.nan if n == 0 else 1.0)
    # P(X >= n_ab) is exactly 1 when n_ab is the smallest count possible (0 for most pairs that never co-occur);
    # the rest go to hypergeom.sf, whose cost per pair grows with N up to N = 104,729 (Boost's exact method).
    tested = n_ab > np.maximum(n_a + n_b - n, 0) if n > 0 else np.zeros(len(n_a), bool)
    p_value[tested] = np.clip(stats.hypergeom.sf(n_ab[tested] - 1, n, n_a[tested], n_b[tested]), 0.0, 1.0)
    ratio = _ratio(np.maximum(n_a, n_b), np.minimum(n_a, n_b))
    return {"jaccard": _ratio(n_ab, n_a + n_b - n_ab), "dice": _ratio(2 * n_ab, n_a + n_b),
            "p_b_given_a": _ratio(n_ab, n_a), "p_a_given_b": _ratio(n_ab, n_b), "lift": _ratio(n_ab, expected),
            "expected": expected, "p_value": p_value, "p_adjusted": _bh(p_value), "frequency_ratio": ratio,
            "c_caution": np.nan_to_num(ratio, nan=0.0) > CAUTION_RATIO}


def _bh(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values over the finite ones (NaN stays NaN)."""
    adjusted = np.full(len(p), np.nan)
    finite = np.isfinite(p)
    if finite.any():
        from scipy import stats

        adjusted[finite] = stats.false_discovery_control(p[finite], method="bh")
    return adjusted


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

    Notes
    -----
    Formulas: see :func:`cooccurrence_from_matrix` (Jaccard
    = ATLAS.ti's c, Dice, conditional proportions, lift, one-sided Fisher exact
    p, Benjamini-Hochberg ``p_adjusted`` within each group).

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
        X, rows, codes = unit_matrix(codings, unit=unit, window=window, codes=codes, units=units)
        columns = _by_columns(by, rows, unit)
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


def _by_columns(by: str | Sequence[str] | None, rows: pd.DataFrame, unit: str) -> list[str]:
    columns = [] if by is None else [by] if isinstance(by, str) else list(by)
    missing = [c for c in columns if c not in rows.columns]
    if missing:
        hint = " (a by column must be constant within each unit)" if unit in ("document", "participant",
                                                                               "overlap") else ""
        raise ArgumentError(f"by={by!r}: the {unit} units have no column {', '.join(missing)}{hint}; "
                            f"choose from: {', '.join(rows.columns)}")
    return columns


def _per_group(X: sparse.csr_array, rows: pd.DataFrame, codes: list[str], columns: list[str]) -> pd.DataFrame:
    """The pair table of each group's rows (own N, own BH), group columns first, groups sorted."""
    if not len(rows):
        return pd.concat([rows[columns].iloc[:0], cooccurrence_from_matrix(X, codes).iloc[:0]], axis=1)
    labels = _labels(rows, columns)
    return pd.concat([_keyed(labels, members[0], cooccurrence_from_matrix(X[members], codes))
                      for members in _members(labels, columns)], ignore_index=True)


def _labels(rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The group columns of the rows as text, a missing value ``(missing)``."""
    labels = rows[columns].copy()
    for column in columns:
        labels[column] = labels[column].astype(object).where(labels[column].notna(), _MISSING).astype(str)
    return labels


def _members(labels: pd.DataFrame, columns: list[str]) -> list[np.ndarray]:
    """The positions of each group's rows (in row order), groups in sorted order (``labels`` not empty)."""
    group = labels.groupby(columns, sort=True).ngroup().to_numpy()
    order = np.argsort(group, kind="stable")
    bounds = np.cumsum(np.bincount(group))
    return np.split(order, bounds[:-1])


def _keyed(labels: pd.DataFrame, first: int, part: pd.DataFrame) -> pd.DataFrame:
    """A group's pair table with its group columns first."""
    key = labels.iloc[np.repeat(first, len(part))].reset_index(drop=True)
    return pd.concat([key, part], axis=1)


# ---------------------------------------------------------------------------------------------- the Dask backend


def _prepared(codings: pd.DataFrame, units: pd.DataFrame | None, unit: str, window: int,
              codes: Sequence[str] | None, *, stacklevel: int) -> tuple[pd.DataFrame, pd.DataFrame | None, list[str]]:
    """What both backends decide for the whole frame first: the unit's check, the codes, the warnings."""
    _check_unit(unit, window)
    codes = _code_list(codings, codes)
    if unit == "overlap":
        units = None
    elif units is None:
        warnings.warn(_without_units(unit), QDAWarning, stacklevel=stacklevel)
    if unit == "participant":
        codings = _with_participant(codings, stacklevel=stacklevel + 1)
    return codings, units, codes


def _dask_pairs(codings: pd.DataFrame, units: pd.DataFrame | None, unit: str, window: int,
                codes: Sequence[str] | None, by, backend: Dask, npartitions: int | None,
                ) -> tuple[pd.DataFrame, list[str]]:
    """The pair table (group columns first) and the group columns, computed on Dask (see :func:`cooccurrence`).

    Everything that decides the result for the whole frame is decided here, as :func:`unit_matrix` does: the
    code list, the warnings, which ``by`` columns the rows have and each document's or participant's
    attributes (only for the ``by`` columns). The partitions (:func:`_partial_pairs`) build X_p from their
    rows; X_pᵀX_p and N_p (per group) are added up here and go through :func:`_table_from_gram`.
    """

    codings, units, codes = _prepared(codings, units, unit, window, codes, stacklevel=4)
    columns = [] if by is None else [by] if isinstance(by, str) else list(by)
    key = "participant_id" if unit == "participant" else "doc_id"
    placing = {"sentence": ["sentence", "sentence_last"], "window": ["sentence", "sentence_last"],
               "turn": ["turn", "turn_last"], "overlap": ["start", "end"]}.get(unit, [])
    parts = only(codings, ["doc_id", key, "code_id", *placing])
    listed = only(units, ["doc_id", key, "unit", "ordinal", *columns])
    attributes = template = None
    if columns:  # each key's attributes, from the whole frames (only the by columns: the same values for them)
        described = ["doc_id", *(["participant_id"] if unit == "participant" else []), *columns]
        attributes = _key_attributes(_doc_attributes(only(codings, described), only(units, described)), unit)
        template = _matrix(parts.iloc[:0], None if listed is None else listed.iloc[:0], unit, window, codes,
                           attributes)[1]
        if any(c not in template.columns for c in columns):  # the local error, naming every column of the rows
            whole = _key_attributes(_doc_attributes(codings, units), unit)
            _by_columns(by, _matrix(codings.iloc[:0], None if units is None else units.iloc[:0], unit, window,
                                    codes, whole)[1], unit)
        if unit not in ("document", "participant"):
            attributes = attributes.reset_index()
    with backend.start() as active:
        partials = on_dask(active, [parts, listed, attributes], [key], npartitions, _partial_pairs, unit=unit,
                            window=window, codes=codes, columns=columns, key=key)
    missing = sum(partial["missing"] for partial in partials)
    if missing:
        warnings.warn(_missing_units(missing, "sentence" if unit == "window" else unit), QDAWarning, stacklevel=3)
    if not columns:
        return _table_from_gram(sum(p["gram"] for p in partials), codes, sum(p["n"] for p in partials)), columns
    # A unit missing from units= (or a participant without attributes) anywhere widens the by columns everywhere.
    variant = "widened" if any(p["missing"] or p["unmatched"] for p in partials) else "plain"
    groups = [group for p in partials for group in [p.get(variant, p["plain"])] if len(group["n"])]
    if not groups:
        empty = _table_from_gram(np.zeros((len(codes), len(codes)), np.int64), codes, 0).iloc[:0]
        return pd.concat([template[columns].iloc[:0], empty], axis=1), columns
    labels = pd.concat([group["labels"] for group in groups], ignore_index=True)
    n = np.concatenate([group["n"] for group in groups])
    grams = np.concatenate([group["grams"] for group in groups])
    return pd.concat([_keyed(labels, members[0], _table_from_gram(grams[members].sum(axis=0), codes,
                                                                  int(n[members].sum())))
                      for members in _members(labels, columns)], ignore_index=True), columns


def _partial_pairs(codings: pd.DataFrame, units: pd.DataFrame | None, attributes: pd.DataFrame | None, *,
                   unit: str, window: int, codes: list[str], columns: list[str], key: str) -> dict:
    """One partition's X_pᵀX_p (int64) and N_p, or per group: labels, N_p and X_pᵀX_p of each group.

    With ``by``, when the partition's rows could read differently had another partition a unit missing from
    ``units`` (or a participant without attributes), the groups as they would then read too (``widened``).
    """
    if attributes is None:
        attributes = pd.DataFrame({key: pd.Series([], dtype=object)})
    if unit not in ("document", "participant"):
        attributes = attributes.set_index(key)
    notes: dict = {}
    X, rows = _matrix(codings, units, unit, window, codes, attributes, notes)
    partial = {"n": X.shape[0], "missing": notes.get("missing", 0), "unmatched": notes.get("unmatched", 0)}
    if not columns:
        partial["gram"] = _gram(X, len(codes)).astype(np.int64)
        return partial
    labels = _labels(rows, columns)
    members = _members(labels, columns) if len(rows) else []
    partial["plain"] = _group_grams(X, labels, members, len(codes))
    if "widened_rows" in notes and len(rows) and not (partial["missing"] or partial["unmatched"]):
        wide = _widened_labels(rows, notes["widened_rows"](), columns)
        if wide is not None:
            wide_members = _members(wide, columns)
            if np.array_equal(_group_ids(members, len(rows)), _group_ids(wide_members, len(rows))):
                firsts = [m[0] for m in members]  # the same groups, labelled differently
                partial["widened"] = {**partial["plain"], "labels": wide.iloc[firsts].reset_index(drop=True)}
            else:
                partial["widened"] = _group_grams(X, wide, wide_members, len(codes))
    return partial


def _widened_labels(rows: pd.DataFrame, widened: pd.DataFrame, columns: list[str]) -> pd.DataFrame | None:
    """The group labels of the widened rows, or None when every row reads the same in both.

    A label is a function of the row's value. A numpy bool or integer column (exact distinct values) is
    compared on the first row of each distinct value (bool reads the same as object, int does not as float);
    any other column that changed dtype is taken as reading differently.
    """
    for column in columns:
        if widened[column].dtype == rows[column].dtype:
            continue
        if rows[column].dtype.kind not in "biu":
            return _labels(widened, columns)
        first = np.unique(pd.factorize(rows[column])[0], return_index=True)[1]
        if not np.array_equal(_labels(rows.iloc[first], [column])[column].to_numpy(),
                              _labels(widened.iloc[first], [column])[column].to_numpy()):
            return _labels(widened, columns)
    return None


def _group_grams(X: sparse.csr_array, labels: pd.DataFrame, members: list[np.ndarray], n_codes: int) -> dict:
    firsts = [m[0] for m in members]
    grams = [_gram(X[m], n_codes).astype(np.int64) for m in members]
    return {"labels": labels.iloc[firsts].reset_index(drop=True), "n": np.array([len(m) for m in members], np.int64),
            "grams": np.stack(grams) if grams else np.zeros((0, n_codes, n_codes), np.int64)}


def _group_ids(members: list[np.ndarray], n: int) -> np.ndarray:
    """Each row's group, numbered by first appearance (equal arrays: the same partition into groups)."""
    ids = np.empty(n, np.int64)
    for g, m in enumerate(members):
        ids[m] = g
    return pd.factorize(ids)[0]


def _warn_caution(table: pd.DataFrame) -> None:
    flagged = table[table["c_caution"] & (table["n_ab"] > 0)]
    if len(flagged):
        pairs = (flagged["code_a"] + "–" + flagged["code_b"]).drop_duplicates().tolist()
        shown = ", ".join(pairs[:3]) + (", ..." if len(pairs) > 3 else "")
        unit = f" in {table['unit'].iloc[0]} units" if "unit" in table else ""
        warnings.warn(f"{len(flagged)} co-occurring pair(s){unit} ({shown}) have one code over {CAUTION_RATIO:g} times "
                      f"as frequent as the other: the Jaccard/c coefficient is misleading there; read "
                      f"p_b_given_a and p_a_given_b instead", QDAWarning, stacklevel=3)
