"""The groups of co-occurrence's ``by=``: each unit's group labels, the rows of each group, a group's key columns.

Helpers of :func:`asymmetry_qda.analysis.cooccurrence`, on either backend.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import ArgumentError
from ._cooccurrence_units import _MISSING


def _by_columns(by: str | Sequence[str] | None, rows: pd.DataFrame, unit: str) -> list[str]:
    columns = [] if by is None else [by] if isinstance(by, str) else list(by)
    missing = [c for c in columns if c not in rows.columns]
    if missing:
        hint = " (a by column must be constant within each unit)" if unit in ("document", "participant",
                                                                               "overlap") else ""
        raise ArgumentError(f"by={by!r}: the {unit} units have no column {', '.join(missing)}{hint}; "
                            f"choose from: {', '.join(rows.columns)}")
    return columns


def _labels(rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The group columns of the rows as text, a missing value ``(missing)``."""
    if len(set(columns)) < len(columns):  # a column named twice: two columns of one name
        labels = rows[columns].copy()
        for column in columns:
            labels[column] = _text(labels[column])
        return labels
    labels = pd.DataFrame(index=rows.index)
    for column in columns:
        found, text = _label_codes(rows[column])
        labels[column] = text.take(found).set_axis(rows.index)
    return labels


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), _MISSING).astype(str)


def _label_codes(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Each value's label (:func:`_labels`) as a position in the distinct labels (a Series of text).

    A column whose equal values always read alike (bool, integers, text, categories) is factorized and only its
    distinct values are written as text; any other (floats: 0.0 and -0.0; objects of mixed types) row by row.
    """
    if _exact(values):
        found, distinct = pd.factorize(values, use_na_sentinel=False)
        text = _text(pd.Series(distinct))
    else:
        found, text = np.arange(len(values)), _text(values.reset_index(drop=True))
    same, labels = pd.factorize(text)  # distinct values may read alike (e.g. True and "True")
    return same[found], pd.Series(labels, dtype=text.dtype)


def _exact(values: pd.Series) -> bool:
    dtype = values.dtype
    if isinstance(dtype, (pd.CategoricalDtype, pd.StringDtype)) or dtype.kind in "biu":
        return True
    return (pd.api.types.is_object_dtype(dtype)
            and pd.api.types.infer_dtype(values, skipna=True) in ("string", "boolean", "empty"))


def _members(labels: pd.DataFrame, columns: list[str]) -> list[np.ndarray]:
    """The positions of each group's rows (in row order), groups in sorted order (``labels`` not empty)."""
    if len(set(columns)) < len(columns):
        return _split(labels.groupby(columns, sort=True).ngroup().to_numpy())
    return _split(_sorted_groups([_label_codes(labels[column]) for column in columns]))


def _sorted_groups(coded: list[tuple[np.ndarray, pd.Series]]) -> np.ndarray:
    """Each row's group, numbered in the sorted order of the label tuples (``groupby(sort=True).ngroup()``)."""
    group = None
    for found, text in coded:
        rank = np.empty(len(text), np.int64)
        rank[np.argsort(np.asarray(text, dtype=object), kind="stable")] = np.arange(len(text))
        if group is None:  # every distinct label is some row's: the ranks are the groups
            group = rank[found]
        else:
            group = np.unique(group * len(text) + rank[found], return_inverse=True)[1].astype(np.int64).ravel()
    return group


def _split(group: np.ndarray) -> list[np.ndarray]:
    order = np.argsort(group, kind="stable")
    bounds = np.cumsum(np.bincount(group))
    return np.split(order, bounds[:-1])


def _groups(rows: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, list[np.ndarray]]:
    """The labels of each group (one row per group, :func:`_labels`) and its members (:func:`_members`)."""
    if len(set(columns)) < len(columns):
        labels = _labels(rows, columns)
        members = _members(labels, columns)
        return labels.iloc[[m[0] for m in members]].reset_index(drop=True), members
    coded = [_label_codes(rows[column]) for column in columns]
    members = _split(_sorted_groups(coded))
    firsts = np.array([m[0] for m in members], np.int64)
    labels = pd.DataFrame({column: text.take(found[firsts]).reset_index(drop=True)
                           for column, (found, text) in zip(columns, coded)})
    return labels, members


def _keyed(labels: pd.DataFrame, first: int, part: pd.DataFrame) -> pd.DataFrame:
    """A group's pair table with its group columns first."""
    key = labels.iloc[np.repeat(first, len(part))].reset_index(drop=True)
    return pd.concat([key, part], axis=1)
