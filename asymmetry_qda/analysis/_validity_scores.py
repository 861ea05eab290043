"""The metrics of :func:`asymmetry_qda.analysis.validity`: labels scored against the reference, sentence by sentence.

The module docstring of ``_validity`` defines each metric; :data:`METRICS` names them in the order the
tables give them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..evaluation_corpus import label_matrix

__all__ = ["CATEGORIES", "METRICS"]

CATEGORIES = ("explicit", "implicit", "negated", "hypothetical", "reported")
DISTRACTORS = ("distractor_sense", "distractor_plain")
METRICS = ("precision", "recall", "f1", "macro_f1", "kappa", "distractor_fp_rate", "negated_fp_rate",
           *(f"recall_{c}" for c in CATEGORIES))


def _matrix(labels: pd.DataFrame, units: pd.DataFrame, level: str, codes: list[str]) -> np.ndarray:
    return label_matrix(labels, units, level=level, codes=codes).to_numpy()


def _prf(truth: np.ndarray, guess: np.ndarray) -> tuple[float, float, float]:
    tp = float((truth & guess).sum())
    fp, fn = float((~truth & guess).sum()), float((truth & ~guess).sum())
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
    return precision, recall, f1


def _scores(truth: np.ndarray, guess: np.ndarray, rows: np.ndarray, units: pd.DataFrame,
            excerpts: pd.DataFrame, codes: list[str], leaf_guess: np.ndarray, leaf_codes: list[str],
            ) -> dict[str, float]:
    """Every metric on the sentences ``rows`` (indices into ``units``)."""
    from sklearn.metrics import cohen_kappa_score

    t, g = truth[rows], guess[rows]
    precision, recall, f1 = _prf(t, g)
    per_code = [_prf(t[:, j], g[:, j])[2] for j in range(len(codes)) if t[:, j].any()]
    flat_t, flat_g = t.ravel(), g.ravel()
    kappa = float(cohen_kappa_score(flat_t, flat_g)) if len(set(flat_t) | set(flat_g)) > 1 else float("nan")
    out = {"precision": precision, "recall": recall, "f1": f1,
           "macro_f1": float(np.nanmean(per_code)) if per_code else float("nan"), "kappa": kappa}
    chosen = units.iloc[rows]
    by_excerpt = excerpts.set_index("excerpt_id")
    cats = by_excerpt.loc[chosen["excerpt_id"], "categories"].to_list()
    guessed_any = g.any(axis=1)
    distractor = np.array([any(c in DISTRACTORS for c in cs) for cs in cats])
    ids = chosen["excerpt_id"].to_numpy()
    if distractor.any():
        hit = pd.Series(guessed_any[distractor]).groupby(ids[distractor]).any()
        out["distractor_fp_rate"] = float(hit.mean())
    else:
        out["distractor_fp_rate"] = float("nan")
    column = {c: j for j, c in enumerate(leaf_codes)}  # a denial is of one code: judged at the leaf, whatever
    denied, suggested = 0, 0                           # the level (its theme may rightly be there anyway)
    lg = leaf_guess[rows]
    for excerpt_id in pd.unique(ids):
        mask = ids == excerpt_id
        for code in set(by_excerpt.at[excerpt_id, "writer_negated"]):
            denied += 1
            suggested += bool(code in column and lg[mask, column[code]].any())
    out["negated_fp_rate"] = suggested / denied if denied and leaf_codes else float("nan")
    for category in CATEGORIES:
        mask = np.array([category in cs for cs in cats])
        out[f"recall_{category}"] = _prf(t[mask], g[mask])[1] if mask.any() else float("nan")
    return out
