"""Co-occurrence on the Dask backend: each partition's code × code counts, summed, then measured once.

Helpers of :func:`asymmetry_qda.analysis.cooccurrence` with ``backend="dask"``;
the table equals the pandas backend's.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse  # scipy.stats is imported where it is used: it triples the import time of the package

from ..backends import Dask
from ..errors import QDAWarning
from ._cooccurrence_groups import _by_columns, _keyed, _labels, _members
from ._cooccurrence_measures import _gram, _table_from_gram
from ._cooccurrence_units import _doc_attributes, _key_attributes, _matrix, _missing_units, _prepared
from ._partitions import on_dask, only


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
