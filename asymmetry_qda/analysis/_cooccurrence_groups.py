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
