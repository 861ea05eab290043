"""Does the model help? Cross-validation grouped by participant, against rules alone and rules + model.

Unit of analysis: sentences of the documents the reference coder coded. The
reference's labels are the truth (1 where the coder coded the code, else 0).
The folds are grouped by participant (``LeaveOneGroupOut``, or
``GroupKFold(n_splits)``): no participant's talk is both learned from and
scored, so the figures say how the model does on a new person's interview.

Each sentence is predicted once, by the model trained on the other
participants' sentences. Three candidates are scored on the same sentences:

- ``rules``: the tagger's suggestions (not the suppressed ones), whatever was
  decided on them;
- ``model``: probability >= the model's threshold;
- ``rules+model``: either.

Per code and micro-averaged: ``tp, fp, fn, precision, recall, f1`` from
``sklearn.metrics.precision_recall_fscore_support`` (0 where undefined).
The learning curve refits on a seeded share of each training fold's
sentences and reports micro precision, recall and F1 against the mean number
of training sentences and of human labels (positive or rejected code × sentence
pairs) per fold.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..analysis._frame import AnalysisData, in_units
from ..errors import ArgumentError, QDAWarning
from .service import model_input
from .training import sentence_features, training_set

__all__ = ["cross_validate"]

CANDIDATES = ("rules", "model", "rules+model")


def _folds(groups: np.ndarray, n_splits: int | None):
    from sklearn.model_selection import GroupKFold, LeaveOneGroupOut

    if len(np.unique(groups)) < 2:
        raise ArgumentError("cross-validation needs the reference coder's codings from two or more participants")
    splitter = LeaveOneGroupOut() if n_splits is None else GroupKFold(n_splits=n_splits)
    return list(splitter.split(np.zeros(len(groups)), groups=groups))


def _fit_predict(train_X, train_Y, test_X, params) -> pd.DataFrame:
    from . import CodeSuggester

    estimator = CodeSuggester(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QDAWarning)  # codes too rare in this fold are reported by support
        try:
            estimator.fit(train_X, train_Y)
        except ArgumentError:
            return pd.DataFrame(0, index=test_X.index, columns=train_Y.columns)
    predicted = pd.DataFrame(estimator.predict(test_X), index=test_X.index, columns=estimator.classes_)
    return predicted.reindex(columns=train_Y.columns, fill_value=0)


def _scores(truth: pd.DataFrame, guess: pd.DataFrame, candidate: str) -> list[dict]:
    from sklearn.metrics import precision_recall_fscore_support

    rows = []
    for code in [*truth.columns, "(micro)"]:
        t = truth.to_numpy().ravel() if code == "(micro)" else truth[code].to_numpy()
        g = guess.to_numpy().ravel() if code == "(micro)" else guess[code].to_numpy()
        p, r, f, _ = precision_recall_fscore_support(t, g, average="binary", zero_division=0)
        rows.append({"code_id": code, "candidate": candidate, "support": int(t.sum()),
                     "tp": int((t & g).sum()), "fp": int(((1 - t) & g).sum()), "fn": int((t & (1 - g)).sum()),
                     "precision": float(p), "recall": float(r), "f1": float(f)})
    return rows


def cross_validate(
    data: AnalysisData,
    *,
    reference: str,
    n_splits: int | None = None,
    fractions: Sequence[float] = (0.25, 0.5, 0.75, 1.0),
    seed: int = 0,
    **params,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(scores, learning_curve)``: per-code and micro scores of rules, model and both; micro F1 by training size.

    ``data`` must hold the tagger's suggestions and the reference's decisions
    (``load(project, statuses=("confirmed", "suggested", "rejected", "suppressed"))``).
    ``params`` go to :class:`~asymmetry_qda.suggester.CodeSuggester`.
    """
    features = sentence_features(data)
    X, Y = training_set(data, features, coders=[reference])
    if X.empty or Y.empty:
        raise ArgumentError(f"coder {reference!r} has no confirmed codings to learn from or score against")
    inputs = model_input(X)
    truth = (Y == 1).astype(int)
    groups = X["participant_id"].fillna(X["doc_id"]).astype(str).to_numpy()
    folds = _folds(groups, n_splits)
    model = pd.DataFrame(0, index=X.index, columns=Y.columns)
    for train, test in folds:
        model.iloc[test] = _fit_predict(inputs.iloc[train], Y.iloc[train], inputs.iloc[test], params).to_numpy()
    rules = _rule_predictions(data, X, list(Y.columns))
    scores = pd.DataFrame(_scores(truth, rules, "rules") + _scores(truth, model, "model")
                          + _scores(truth, (rules | model).astype(int), "rules+model"))
    scores["reference"], scores["n_units"], scores["n_folds"] = reference, len(X), len(folds)
    rng = np.random.default_rng(seed)
    curve = []
    for fraction in fractions:
        if not 0 < fraction <= 1:
            raise ArgumentError(f"fractions: {fraction!r} is not in (0, 1]")
        guess, seen, labelled = pd.DataFrame(0, index=X.index, columns=Y.columns), [], []
        for train, test in folds:
            keep = np.sort(rng.choice(train, size=max(1, int(round(fraction * len(train)))), replace=False))
            seen.append(len(keep))
            labelled.append(int((Y.iloc[keep] != 0).to_numpy().sum()))
            guess.iloc[test] = _fit_predict(inputs.iloc[keep], Y.iloc[keep], inputs.iloc[test], params).to_numpy()
        micro = _scores(truth, guess, "model")[-1]
        curve.append({"fraction": fraction, "training_units": float(np.mean(seen)),
                      "human_labels": float(np.mean(labelled)), "precision": micro["precision"],
                      "recall": micro["recall"], "f1": micro["f1"]})
    return scores, pd.DataFrame(curve)


def _rule_predictions(data: AnalysisData, X: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    rules = data.codings[(data.codings["origin"] == "rule") & (data.codings["status"] != "suppressed")]
    values = np.zeros((len(X), len(codes)), dtype=int)
    if rules.empty:
        return pd.DataFrame(values, index=X.index, columns=codes)
    placed = in_units(rules, "sentence")
    position = pd.Series(X.index.to_numpy(), index=X["unit_key"].to_numpy())
    placed = placed[placed["unit_key"].isin(position.index) & placed["code_id"].isin(codes)]
    column = {c: i for i, c in enumerate(codes)}
    if len(placed):
        values[position[placed["unit_key"]].to_numpy(dtype=np.int64),
               placed["code_id"].map(column).to_numpy(dtype=np.int64)] = 1
    return pd.DataFrame(values, index=X.index, columns=codes)
