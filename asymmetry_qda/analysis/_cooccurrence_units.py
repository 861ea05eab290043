"""The units co-occurrence counts in: the binary unit × code matrix of sentences, turns, windows, documents,
participants or clusters of overlapping codings, with each unit's attributes.

Helpers of :func:`asymmetry_qda.analysis.unit_matrix` and :func:`asymmetry_qda.analysis.cooccurrence`.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import sparse  # scipy.stats is imported where it is used: it triples the import time of the package

from ..errors import ArgumentError, QDAWarning, check_option
from ._frame import CODING_COLUMNS

__all__ = ["UNITS"]

UNITS = ("sentence", "turn", "window", "document", "participant", "overlap")

_MISSING = "(missing)"
#: Columns of the codings frame that describe one coding, not its document.
_PER_CODING = set(CODING_COLUMNS) - {"kind", "participant_id"}
#: Columns of the units frame that describe one unit's place, not its document.
_UNIT_PLACE = {"doc_id", "unit", "ordinal", "start", "end"}
_PER_UNIT = {"speaker", "is_interviewer"}


def _check_unit(unit: str, window) -> None:
    check_option("unit", unit, UNITS)
    if unit == "window" and (isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 0):
        raise ArgumentError(f"window={window!r} must be a whole number of sentences >= 0, e.g. 1")


def _without_units(unit: str) -> str:
    return (f"co-occurrence by {unit}: without units= only the {unit}s that hold a coding are counted; "
            f"pass units= for the true number of units (N, the denominator of lift and Fisher's test)")


def _attributes(codings: pd.DataFrame, units: pd.DataFrame | None, unit: str) -> "pd.DataFrame | Callable":
    """:func:`_key_attributes` of :func:`_doc_attributes`; for the parts of documents (sentences, turns, windows,
    clusters) a function giving them, called only if some row needs its document's columns (without ``units``,
    or for a unit missing from them): each unit listed in ``units`` reads its own."""
    if unit in ("document", "participant"):
        return _key_attributes(_doc_attributes(codings, units), unit)
    return functools.partial(_doc_attributes, codings, units)


def _key_attributes(doc_attr: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The attributes of a row's key: per document (indexed by doc_id), as a doc_id column, or per participant."""
    if unit == "document":
        return doc_attr.reset_index()
    if unit == "participant":
        return _participant_attributes(doc_attr)
    return doc_attr


def _matrix(codings: pd.DataFrame, units: pd.DataFrame | None, unit: str, window: int, codes: list[str],
            attributes: pd.DataFrame, notes: dict | None = None,
            column: np.ndarray | None = None) -> tuple[sparse.csr_array, pd.DataFrame]:
    """X and its rows, given the code list and the key attributes (:func:`_key_attributes`).

    ``column``: each coding's position in ``codes`` when known (:func:`_prepared_columns`).

    With ``notes`` (a dict) nothing warns: the number of coded units missing from ``units`` (``missing``) and of
    participant rows without attributes (``unmatched``) are written there, with ``widened_rows``: a function
    returning the rows as they would be if some other unit were missing or unmatched (the Dask backend's
    partitions see part of the data; the whole decides).
    """
    if unit in ("sentence", "turn", "window"):
        level = "sentence" if unit == "window" else unit
        rows, row, coding = _ordinal_rows(codings, units, _Documents(codings, units), attributes, level,
                                          window if unit == "window" else 0, notes)
    elif unit in ("document", "participant"):
        rows, row, coding = _keyed_rows(codings, units, "doc_id" if unit == "document" else "participant_id",
                                        attributes, notes)
    else:
        rows, row, coding = _overlap_rows(codings, _Documents(codings, units), attributes)
    if column is None:
        column = _indexer(pd.Index(codes, dtype=object), *pd.factorize(codings["code_id"]))
    return _binary_matrix(row, column[coding], len(rows), len(codes)), rows


def _code_list(codings: pd.DataFrame, codes: Sequence[str] | None) -> list[str]:
    if codes is None:
        return _present(pd.unique(codings["code_id"]))
    return list(dict.fromkeys([codes] if isinstance(codes, str) else codes))


def _present(distinct) -> list[str]:
    """The codes present (the distinct ``code_id`` values but a missing one), sorted."""
    return sorted(code for code in pd.Series(distinct).tolist() if not pd.isna(code))


def _with_participant(codings: pd.DataFrame, stacklevel: int = 3) -> pd.DataFrame:
    missing = int(codings["participant_id"].isna().sum())
    if missing:
        warnings.warn(f"co-occurrence by participant: {missing} coding(s) have no participant_id (e.g. fieldnotes "
                      f"not linked to a participant) and are left out", QDAWarning, stacklevel=stacklevel)
        codings = codings[codings["participant_id"].notna()]
    return codings


def _placed(codings: pd.DataFrame, unit: str, stacklevel: int = 3) -> pd.DataFrame:
    """The codings placed in sentences (turns): one with no ``sentence``/``sentence_last`` (it overlaps none) is left
    out, with a warning (:func:`~asymmetry_qda.analysis.load` leaves such codings out already)."""
    level = "sentence" if unit == "window" else unit
    unplaced = (codings[level].isna() | codings[f"{level}_last"].isna()).to_numpy(bool)
    if unplaced.any():
        warnings.warn(f"co-occurrence by {unit}: {int(unplaced.sum())} coding(s) have no {level} (they overlap "
                      f"no {level} unit) and are left out", QDAWarning, stacklevel=stacklevel)
        codings = codings[~unplaced]
    return codings


class _Documents:
    """Every document id, sorted (``ids``: the row order of every unit), and where each coding's and unit's is.

    Each ``doc_id`` column is factorized once; its distinct values are looked up in ``ids``.
    """

    def __init__(self, codings: pd.DataFrame, units: pd.DataFrame | None):
        frames = [codings] + ([units] if units is not None else [])
        factorized = [_factorize(frame["doc_id"]) for frame in frames]
        distinct = [np.asarray(values, dtype=object) for _, values in factorized]
        self.ids = np.sort(pd.unique(np.concatenate(distinct).astype(object)).astype(str)).astype(object)
        index = pd.Index(self.ids)
        self.codings, *listed = [index.get_indexer(pd.Index(values, dtype=object)).astype(np.int64)[found]
                                 for (found, _), values in zip(factorized, distinct)]
        self.units = listed[0] if listed else None


def _factorize(values: pd.Series) -> tuple[np.ndarray, object]:
    """``pd.factorize(values, use_na_sentinel=False)``, by runs of equal values for a text column sorted by them.

    :func:`~asymmetry_qda.analysis.load` sorts both frames by ``doc_id``: comparing neighbours finds the runs
    (cheaper than hashing every value) and only the first value of each run is factorized; the codes and the
    distinct values are the same (the runs come in the order their values first appear).
    """
    if isinstance(values.dtype, pd.StringDtype) and len(values) > 1:
        array = values.array
        change = array[1:] != array[:-1]  # a missing value starts a run of its own
        change = np.asarray(change.fillna(True) if hasattr(change, "fillna") else change, dtype=bool)
        starts = np.flatnonzero(np.r_[True, change])
        if 4 * len(starts) <= len(values):
            found, distinct = pd.factorize(values.iloc[starts], use_na_sentinel=False)
            return np.repeat(found, np.diff(np.r_[starts, len(values)])), distinct
    return pd.factorize(values, use_na_sentinel=False)


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


def _without_attributes() -> pd.DataFrame:
    """Per document, no column: what :func:`_doc_attributes` gives the rows when they need only their keys."""
    return pd.DataFrame(index=pd.Index([], dtype=object, name="doc_id"))


def _participant_attributes(doc_attr: pd.DataFrame) -> pd.DataFrame:
    frame = doc_attr.reset_index()
    if "participant_id" not in frame:
        return pd.DataFrame(columns=["participant_id"])
    return _constant(frame, "participant_id", [c for c in frame.columns if c not in ("doc_id", "participant_id")]
                     ).reset_index()


def _expand(first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges first..last (inclusive): the range each item comes from, and the items."""
    if np.array_equal(first, last):  # every range one item long (codings within one sentence)
        return np.arange(len(first)), first
    span = np.maximum(last - first + 1, 0)
    entry = np.repeat(np.arange(len(first)), span)
    offsets = np.arange(len(entry)) - np.repeat(np.cumsum(span) - span, span)
    return entry, first[entry] + offsets


def _ordinal_rows(codings: pd.DataFrame, units: pd.DataFrame | None, documents: _Documents, doc_attr: pd.DataFrame,
                  level: str, back: int, notes: dict | None = None) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Rows = (doc, ordinal) of sentences or turns, or windows starting there when ``back`` = k > 0."""
    docs, doc_code = documents.ids, documents.codings
    first = codings[level].to_numpy(np.int64)
    last = codings[f"{level}_last"].to_numpy(np.int64)
    listed, of_level = _of_unit(units, level)
    unit_doc = documents.units[of_level] if listed is not None else np.zeros(0, np.int64)
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
    located = _locate(row_keys, keys, len(docs) * size)
    if listed is not None:
        found = located >= 0
        if not found.all():
            missing = len(_sorted_unique(keys[~found]))
            if notes is None:
                warnings.warn(_missing_units(missing, level), QDAWarning, stacklevel=5)
            else:
                notes["missing"] = missing
            row_keys = _sorted_unique(np.concatenate([row_keys, keys]))
            located = _locate(row_keys, keys, len(docs) * size)
    rows = pd.DataFrame({"doc_id": _taken(docs, row_keys // size), "ordinal": row_keys % size})
    per_unit = None
    if listed is not None:
        carried = [c for c in listed.columns if c not in _UNIT_PLACE and not (back and c in _PER_UNIT)]
        if _increasing(unit_keys):  # each unit listed once, in row order (load's units): no duplicate to drop
            at = np.arange(len(row_keys)) if len(row_keys) == len(unit_keys) else _locate(row_keys, unit_keys,
                                                                                            len(docs) * size)
            per_unit = listed[carried].set_axis(at)
        else:
            first_seen = ~pd.Series(unit_keys).duplicated().to_numpy()
            per_unit = listed.loc[first_seen, carried].set_axis(np.searchsorted(row_keys, unit_keys[first_seen]))
        if notes is not None:
            base = rows
            notes["widened_rows"] = lambda: _attach(base, per_unit, doc_attr, widen=True)
    rows = _attach(rows, per_unit, doc_attr)
    return rows, located, entry


def _missing_units(count: int, level: str) -> str:
    return (f"{count} coded {level} unit(s) are missing from units=; "
            f"they are added as rows (pass the units frame of the same data)")


def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    """``np.unique`` for int keys, by a sort (faster here than numpy's hash-based unique; free when sorted)."""
    if not _increasing(keys):
        keys = np.sort(keys)
        keys = keys[np.r_[True, keys[1:] != keys[:-1]]]
    return keys


def _increasing(keys: np.ndarray) -> bool:
    """Whether ``keys`` are strictly increasing (sorted, no duplicate)."""
    return len(keys) < 2 or bool(np.all(keys[1:] > keys[:-1]))


def _of_unit(units: pd.DataFrame | None, level: str) -> tuple[pd.DataFrame | None, np.ndarray | slice]:
    """The rows of ``units`` of one unit kind (the frame itself, not a copy, when it holds no other), and which."""
    if units is None:
        return None, slice(None)
    mask = (units["unit"] == level).to_numpy(bool)
    return (units, slice(None)) if mask.all() else (units.loc[mask], mask)


def _positions(sorted_values: np.ndarray, values: pd.Series) -> np.ndarray:
    """Index of each of ``values`` in ``sorted_values`` (which holds them all)."""
    return _indexer(pd.Index(sorted_values), *pd.factorize(values))


def _indexer(index: pd.Index, found: np.ndarray, distinct) -> np.ndarray:
    """``index.get_indexer(values.astype(object))`` as int64 (-1: not there) for ``pd.factorize(values)``.

    Only the distinct values are looked up (the factorization is one pass over the column, without turning
    text into Python objects): the same positions, at a fraction of the cost on a long column.
    """
    # a missing value is -1 in ``found``: it is looked up as NaN, last
    where = index.get_indexer(pd.Index(np.asarray(distinct, dtype=object), dtype=object))
    where = np.append(where, index.get_indexer(pd.Index([np.nan], dtype=object))).astype(np.int64)
    return where[found]


def _locate(sorted_keys: np.ndarray, keys: np.ndarray, bound: int) -> np.ndarray:
    """The position of each of ``keys`` in ``sorted_keys`` (unique), -1 for a key not there; keys in [0, bound).

    By a lookup table over [0, bound) when that is not much longer than the keys (sentences and turns of
    documents numbered from 0), else by binary search.
    """
    small = bound <= 2 * (len(keys) + len(sorted_keys)) + 4096
    if small and (not len(keys) or keys.min() >= 0) and (not len(sorted_keys) or sorted_keys[0] >= 0):
        table = np.full(bound, -1, np.int64)
        table[sorted_keys] = np.arange(len(sorted_keys))
        return table[keys]
    where = np.minimum(np.searchsorted(sorted_keys, keys), max(len(sorted_keys) - 1, 0))
    found = sorted_keys[where] == keys if len(sorted_keys) else np.zeros(len(keys), bool)
    return np.where(found, where, -1).astype(np.int64)


def _taken(values: np.ndarray, at: np.ndarray) -> pd.Series:
    """The column ``values[at]`` as pandas would type it, built from the few ``values`` (no per-row inference)."""
    return pd.Series(values).take(at).reset_index(drop=True)


def _attach(rows: pd.DataFrame, per_unit: pd.DataFrame | None, doc_attr: "pd.DataFrame | Callable",
            widen: bool = False) -> pd.DataFrame:
    """Add each row's unit columns (from the units frame) and, where a unit was not listed, its document's.

    ``widen``: as if some unit were not listed (columns that cannot hold a missing value widen, e.g. int to float).
    """
    n = len(rows)
    if per_unit is not None and len(per_unit) == n and not widen:
        return pd.concat([rows, per_unit.sort_index().reset_index(drop=True)], axis=1)
    if callable(doc_attr):  # (:func:`_attributes`)
        doc_attr = doc_attr()
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


def _overlap_rows(codings: pd.DataFrame, documents: _Documents,
                  doc_attr: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Rows = clusters of codings whose spans overlap, joined transitively, within one document."""
    docs, doc_code = documents.ids, documents.codings
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
    rows = pd.DataFrame({"doc_id": _taken(docs, head_doc), "cluster": np.arange(len(heads)) - first_of_doc,
                         "start": start[order][heads], "end": reach[tails] - head_doc * offset})
    entry_row = np.empty(len(s), np.int64)
    entry_row[order] = cluster
    return _attach(rows, None, doc_attr), entry_row, np.arange(len(codings))


def _binary_matrix(row: np.ndarray, column: np.ndarray, n_rows: int, n_codes: int) -> sparse.csr_array:
    """0/1 csr matrix from (row, column) pairs (column -1: a code not asked for); a pair found twice is still 1."""
    keep = column >= 0
    if not keep.all():
        row, column = row[keep], column[keep]
    key = _sorted_unique(row * n_codes + column)  # csr order; free when the codings come sorted (load's order)
    row, column = np.divmod(key, max(n_codes, 1))
    index = np.int32 if max(n_rows, n_codes, len(key)) < np.iinfo(np.int32).max else np.int64
    indptr = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=n_rows))]).astype(index)
    matrix = sparse.csr_array((np.ones(len(key), np.int32), column.astype(index), indptr), shape=(n_rows, n_codes))
    matrix.has_canonical_format = True
    return matrix


def _prepared_columns(codings: pd.DataFrame, units: pd.DataFrame | None, unit: str, window: int,
                      codes: Sequence[str] | None, *, stacklevel: int,
                      ) -> tuple[pd.DataFrame, pd.DataFrame | None, list[str], np.ndarray | None]:
    """:func:`_prepared`, and each prepared coding's column in the code list (None when some were left out).

    One factorization of ``code_id`` gives both the codes present and each coding's column.
    """
    _check_unit(unit, window)
    found, distinct = pd.factorize(codings["code_id"])
    prepared, units, codes = _prepared(codings, units, unit, window, _present(distinct) if codes is None else codes,
                                       stacklevel=stacklevel + 1)
    column = _indexer(pd.Index(codes, dtype=object), found, distinct) if prepared is codings else None
    return prepared, units, codes, column


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
    elif unit in ("sentence", "turn", "window"):
        codings = _placed(codings, unit, stacklevel=stacklevel + 1)
    return codings, units, codes
