"""The agreement statistics of a coders × units matrix of yes/no decisions (NaN = missing).

Percent agreement, Cohen's kappa and Krippendorff's nominal alpha, and their
bootstrap intervals, for :func:`asymmetry_qda.analysis.agreement` (whose module
docstring gives the formulas).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

__all__ = ["nominal_alpha"]


def _percent(matrix: np.ndarray) -> tuple[float, float, int, int]:
    """(percent, percent on coded units, units, coded units) over units every coder decided."""
    complete = matrix[:, ~np.isnan(matrix).any(axis=0)]
    if complete.shape[1] == 0:
        return np.nan, np.nan, 0, 0
    agree = (complete == complete[0]).all(axis=0)
    coded = complete.any(axis=0)
    return (float(agree.mean()), float(agree[coded].mean()) if coded.any() else np.nan,
            int(complete.shape[1]), int(coded.sum()))


def _kappa(matrix: np.ndarray) -> float:
    from sklearn.metrics import cohen_kappa_score

    complete = matrix[:, ~np.isnan(matrix).any(axis=0)]
    if matrix.shape[0] != 2 or complete.shape[1] == 0:
        return np.nan
    from sklearn.exceptions import UndefinedMetricWarning

    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UndefinedMetricWarning)  # no variation: kappa is undefined, NaN below
        value = cohen_kappa_score(complete[0], complete[1], labels=[0, 1])
    return float(value) if np.isfinite(value) else np.nan


def _kappa_from_tables(tables: np.ndarray) -> np.ndarray:
    """Cohen's kappa of many 2×2 tables at once (rows: n00, n01, n10, n11); equals sklearn's (tested)."""
    n = tables.sum(axis=1).astype(float)
    p_o = (tables[:, 0] + tables[:, 3]) / n
    a_yes, b_yes = (tables[:, 2] + tables[:, 3]) / n, (tables[:, 1] + tables[:, 3]) / n
    p_e = a_yes * b_yes + (1 - a_yes) * (1 - b_yes)
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = (p_o - p_e) / (1 - p_e)
    return np.where(np.isfinite(kappa), kappa, np.nan)


def nominal_alpha(reliability_data, *, value_domain: Sequence | None = None) -> float:
    """Krippendorff's nominal alpha of a coders × units array (NaN = missing), via the ``krippendorff`` package.

    NaN when no unit has two values or every value is the same (alpha is
    undefined without variation).

    Parameters
    ----------
    reliability_data : array_like
        Coders × units values, NaN where a coder gave none.
    value_domain : sequence, optional
        The values a unit can take (default: those seen).

    Returns
    -------
    float

    Examples
    --------
    Krippendorff's canonical example (3 coders,
    15 units, values 1-5 with gaps) gives 0.691:

    >>> nan = float("nan")
    >>> data = [[nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
    ...         [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
    ...         [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4]]
    >>> round(nominal_alpha(data), 3)
    0.691
    """
    import krippendorff

    matrix = np.asarray(reliability_data, dtype=float)
    pairable = (~np.isnan(matrix)).sum(axis=0) >= 2
    data = matrix[:, pairable]
    if data.shape[1] == 0 or len(np.unique(data[~np.isnan(data)])) < 2:
        return np.nan  # no variation: alpha is undefined
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal",
                                    value_domain=value_domain))


def _alpha(matrix: np.ndarray) -> float:
    return nominal_alpha(matrix, value_domain=[0, 1])


def _alpha_from_type_counts(counts: np.ndarray, n0: np.ndarray, n1: np.ndarray) -> np.ndarray:
    """Nominal alpha of binary data for many resamples at once, from how many units of each type each holds.

    A unit type has ``n0`` zeros and ``n1`` ones among its coders. With the
    coincidences ``o_ck = sum over units of pairs(c, k) / (m_u - 1)``, ``m_u = n0 + n1 >= 2``,
    alpha = 1 - (n - 1) o_01 / (n_0 n_1) (Krippendorff 2011, nominal, two values).
    Used only for bootstrap replicates; equals ``krippendorff.alpha`` (tested).
    """
    m = n0 + n1
    weight = np.where(m >= 2, 1.0 / np.maximum(m - 1, 1), 0.0)
    o01 = counts @ (n0 * n1 * weight)
    n_zero = counts @ (n0 * (n0 - 1) * weight) + o01
    n_one = counts @ (n1 * (n1 - 1) * weight) + o01
    total = n_zero + n_one
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1 - (total - 1) * o01 / (n_zero * n_one)
    return np.where(np.isfinite(alpha), alpha, np.nan)


def _bootstrap(matrix: np.ndarray, n_boot: int, seed: int, confidence: float) -> dict[str, float]:
    """Percentile intervals over units resampled with replacement (the same resamples for kappa and alpha).

    Resampling units with replacement is drawing, for each replicate, how many
    units of each *type* (the coders' values on it) it holds from a multinomial
    with the observed type shares; both statistics then follow from those
    counts, so 1,000 replicates cost little even over many thousand units.
    """
    out = {"kappa_ci_low": np.nan, "kappa_ci_high": np.nan, "alpha_ci_low": np.nan, "alpha_ci_high": np.nan}
    n_coders, n_units = matrix.shape
    if n_boot <= 0 or n_units < 2:
        return out
    values = np.where(np.isnan(matrix), 2, matrix).astype(np.int64)  # 2 = missing
    keys = (values * (3 ** np.arange(n_coders))[:, None]).sum(axis=0)
    _, first, freq = np.unique(keys, return_index=True, return_counts=True)
    types = values[:, first]
    counts = np.random.default_rng(seed).multinomial(n_units, freq / n_units, size=n_boot)
    tail = (1 - confidence) / 2 * 100
    if n_coders == 2:
        complete = (types < 2).all(axis=0)
        cell = types[0] * 2 + types[1]
        tables = np.stack([counts[:, complete & (cell == k)].sum(axis=1) for k in range(4)], axis=1)
        kappas = _kappa_from_tables(tables)
        if np.isfinite(kappas).any():
            out["kappa_ci_low"], out["kappa_ci_high"] = np.nanpercentile(kappas, [tail, 100 - tail])
    alphas = _alpha_from_type_counts(counts, (types == 0).sum(axis=0), (types == 1).sum(axis=0))
    if np.isfinite(alphas).any():
        out["alpha_ci_low"], out["alpha_ci_high"] = np.nanpercentile(alphas, [tail, 100 - tail])
    return {k: float(v) for k, v in out.items()}
