"""Training sets for the code suggester: sentences with human labels and the tagger's hits as features.

Only human decisions teach the model:

- a sentence is a *positive* for a code when a chosen coder's confirmed coding
  of that code overlaps it (coded by hand, or a suggestion the coder accepted);
- a *hard negative* (``-1``) when a coder rejected a suggestion of that code
  there (and no chosen coder coded it);
- a plain negative (``0``) otherwise, but only in documents those coders
  worked on (a sentence of an uncoded document is not evidence of absence).

Unreviewed suggestions, the model's own included, never enter training.

Features of a sentence: its text, and for every code the strongest confidence
of a rule suggestion overlapping it (``rule:<code>``, whatever was decided on
it) and whether such a match was negated, anticipated or reported
(``context:<flag>``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..analysis._frame import AnalysisData, in_units, unit_keys

__all__ = ["model_version", "sentence_features", "training_set"]

CONTEXT_FLAGS = ("negated", "anticipated", "reported")


def sentence_features(data: AnalysisData, rule_rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per participant sentence: ``doc_id, ordinal, participant_id, unit_key, text`` and the rule features.

    ``rule_rows`` are the tagger's codings (origin ``rule``, any status);
    default: those in ``data.codings``.
    """
    sentences = unit_keys(data.units, "sentence")
    frame = sentences[["doc_id", "ordinal", "start", "end", "participant_id", "unit_key"]].reset_index(drop=True)
    frame["text"] = [data.texts[d][s:e] for d, s, e in zip(frame["doc_id"], frame["start"], frame["end"],
                                                           strict=True)]
    rules = data.codings[data.codings["origin"] == "rule"] if rule_rows is None else rule_rows
    columns: dict[str, np.ndarray] = {}
    if len(rules):
        placed = in_units(rules, "sentence")
        position = pd.Series(np.arange(len(frame)), index=frame["unit_key"].to_numpy())
        placed = placed[placed["unit_key"].isin(position.index)]
        rows = position[placed["unit_key"]].to_numpy()
        confidence = placed["confidence"].fillna(1.0).to_numpy(dtype=float)
        for code in sorted(placed["code_id"].unique()):
            values = np.zeros(len(frame))
            mine = (placed["code_id"] == code).to_numpy()
            np.maximum.at(values, rows[mine], confidence[mine])
            columns[f"rule:{code}"] = values
        if "context" in placed:
            for flag in CONTEXT_FLAGS:
                values = np.zeros(len(frame))
                has = np.array([isinstance(c, list) and flag in c for c in placed["context"]], dtype=bool)
                values[rows[has]] = 1.0
                columns[f"context:{flag}"] = values
    return pd.concat([frame, pd.DataFrame(columns, index=frame.index)], axis=1)


def training_set(
    data: AnalysisData,
    features: pd.DataFrame,
    *,
    coders: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(X, Y)``: the sentences of documents the coders worked on, and their labels (1, 0, -1) per code.

    ``coders`` limits which humans' decisions count (default: every human
    decision in ``data``). ``data`` must hold rejected rows to find hard
    negatives (``load(project, statuses=("confirmed", "suggested", "rejected"))``).
    """
    codings = data.codings
    decided = codings[codings["status"].isin(["confirmed", "rejected"]) & codings["coder_id"].notna()]
    if coders is not None:
        decided = decided[decided["coder_id"].isin(list(coders))]
    documents = sorted(decided["doc_id"].unique())
    X = features[features["doc_id"].isin(documents)].reset_index(drop=True)
    positives = in_units(decided[decided["status"] == "confirmed"], "sentence")
    negatives = in_units(decided[decided["status"] == "rejected"], "sentence")
    codes = sorted(positives["code_id"].unique())
    position = pd.Series(np.arange(len(X)), index=X["unit_key"].to_numpy())
    Y = np.zeros((len(X), len(codes)), dtype=np.int8)
    column = {code: i for i, code in enumerate(codes)}
    for frame, value in ((negatives, -1), (positives, 1)):  # a positive wins over a rejection
        frame = frame[frame["unit_key"].isin(position.index) & frame["code_id"].isin(column)]
        if len(frame):
            Y[position[frame["unit_key"]].to_numpy(dtype=np.int64),
              frame["code_id"].map(column).to_numpy(dtype=np.int64)] = value
    return X, pd.DataFrame(Y, columns=codes)


def model_version(params: dict, X: pd.DataFrame, Y: pd.DataFrame) -> str:
    """sha256 of the parameters and the training set: the same version means the same model."""
    digest = hashlib.sha256()
    digest.update(json.dumps(params, sort_keys=True, default=str).encode("utf-8"))
    digest.update(pd.util.hash_pandas_object(X.drop(columns=["unit_key"], errors="ignore"), index=False).values
                  .tobytes())
    digest.update(json.dumps(list(Y.columns)).encode("utf-8"))
    digest.update(np.ascontiguousarray(Y.to_numpy()).tobytes())
    return digest.hexdigest()
