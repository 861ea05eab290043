"""The pair measures of co-occurrence from a binary unit × code matrix: counts, Jaccard, Dice, lift, Fisher, BH.

The formulas are in the module docstring of ``_cooccurrence``; :data:`MEASURES`
names the measures a table may keep, :data:`PAIR_COLUMNS` the pair table's columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse  # scipy.stats is imported where it is used: it triples the import time of the package

__all__ = ["MEASURES"]

MEASURES = ("jaccard", "dice", "p_b_given_a", "p_a_given_b", "lift", "p_value")
PAIR_COLUMNS = ["code_a", "code_b", "n_units", "n_a", "n_b", "n_ab", "jaccard", "dice", "p_b_given_a", "p_a_given_b",
                "lift", "expected", "p_value", "p_adjusted", "frequency_ratio", "c_caution"]
CAUTION_RATIO = 5.0


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
