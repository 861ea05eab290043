"""Training, storing, applying and discarding code suggesters for a project (the layer behind ``Project``).

A model is stored as its parameters and the exact training set it learned
from, never as a pickled object; :func:`fitted_model` refits it from those
(scikit-learn with a fixed ``random_state`` is deterministic), so a stored
version always reproduces the same suggestions and loading a project never
runs code from the file.
"""

from __future__ import annotations

import json
import uuid
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._keywords import renamed
from ..decisions import decide
from ..errors import InputError, NotFoundError, Problem, QDAWarning
from ..records import Coding, Origin, Status
from ..store import codings as stored_codings
from ..store import runs as stored_runs
from ..store import suggesters as stored_suggesters
from ..store.sqlite import HasStore, Store, store_of, utc_now
from .training import model_version, sentence_features, training_set

MODEL_CODER = "model"
_FEATURE_PREFIXES = ("rule:", "context:")
_NAMESPACE = uuid.UUID("6f1f3c52-1a8e-4f0e-9a59-2c7f6f1d5a11")


def model_input(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The estimator's input: ``text`` and the rule/context feature columns (missing ones as 0, in order)."""
    if columns is None:
        columns = ["text", *sorted(c for c in frame.columns if c.startswith(_FEATURE_PREFIXES))]
    out = pd.DataFrame(index=frame.index)
    for column in columns:
        out[column] = frame[column] if column in frame else 0.0
    return out


def _decisions(project: "HasStore | Store"):
    from ..analysis._frame import load

    # every document: the suggester learns from the coded ones and predicts on the others (coverage is for tables)
    return load(project, statuses=("confirmed", "suggested", "rejected", "suppressed"), coverage="all")


@dataclass(frozen=True)
class TrainedModel:
    """What :meth:`Project.train_suggester` made: the version, the codes learned and the codes skipped."""

    version: str
    codes: tuple[str, ...]
    skipped: dict[str, int]
    n_units: int
    already_stored: bool

    def __str__(self) -> str:
        skipped = f"; skipped (too few examples): {', '.join(self.skipped)}" if self.skipped else ""
        again = " (already stored)" if self.already_stored else ""
        return (f"model {self.version[:12]}{again}: {len(self.codes)} codes learned from {self.n_units} sentences"
                f"{skipped}")


@renamed(seed_model="seed_pipeline")
def train(project: "HasStore | Store", *, coders: Sequence[str] | None = None, seed=None, seed_pipeline: str = "auto",
          progress: bool | None = None, **params) -> TrainedModel:
    """Fit a :class:`CodeSuggester` on the project's human decisions and store it (see :mod:`.training`).

    ``seed``: a codebook (or its YAML path) whose examples and counter-examples join the training set as
    seed data (:func:`~asymmetry_qda.suggester.seeds.codebook_seed`, tagged with ``seed_pipeline`` for their
    rule evidence); they are stored with the training set, so the model version covers them. ``progress``: a
    bar with one step per code fitted (``None``: on a terminal or in Jupyter).
    """
    from . import CodeSuggester

    data = _decisions(project)
    features = sentence_features(data)
    X, Y = training_set(data, features, coders=coders)
    inputs = model_input(X)
    if seed is not None:
        from ..codebook import Codebook, load_codebook
        from .seeds import codebook_seed

        book = seed if isinstance(seed, Codebook) else load_codebook(seed)
        seed_X, seed_Y = codebook_seed(book, pipeline=seed_pipeline)
        seed_X = seed_X.drop(columns=["code", "kind"])
        columns = ["text", *sorted({*inputs.columns[1:], *seed_X.columns[1:]})]
        inputs = pd.concat([model_input(inputs, columns), model_input(seed_X, columns)], ignore_index=True)
        Y = pd.concat([Y.astype(float), seed_Y], ignore_index=True)[sorted({*Y.columns, *seed_Y.columns})]
        Y.iloc[:len(X)] = Y.iloc[:len(X)].fillna(0.0)  # a human-coded sentence without a code is a negative;
        # a seed text says nothing about a code without examples (it stays missing)
    estimator = CodeSuggester(**params)
    estimator.fit(inputs, Y, progress=progress)
    full_params = estimator.get_params()
    version = model_version(full_params, inputs, Y)
    skipped = {k: int(v) for k, v in estimator.skipped_codes_.items()}
    db = store_of(project).connection
    stored = stored_suggesters.has_suggester(db, version)
    if not stored:
        training = {"columns": list(inputs.columns), "X": inputs.to_dict("list"), "Y": Y.to_dict("list"),
                    "coders": None if coders is None else list(coders)}
        with store_of(project).transaction() as write:
            stored_suggesters.add_suggester(
                write, version=version, params=json.dumps(full_params, sort_keys=True, default=list),
                codes=json.dumps(list(estimator.classes_)), skipped=json.dumps(skipped),
                training=json.dumps(training), n_units=len(inputs), now=utc_now())
    _FITTED.put((str(store_of(project).path), version), estimator)
    return TrainedModel(version, tuple(estimator.classes_), skipped, len(inputs), stored)


class _Fitted:
    """The fitted suggesters of this process, by (project file, version): the ``maxsize`` used last.

    A stored suggester is refitted from its training set when it is needed (no pickle is ever stored); this
    keeps the few a session works with, and forgets the oldest beyond ``maxsize``, so memory does not grow
    with every model a long notebook session trains.
    """

    def __init__(self, maxsize: int = 4):
        self.maxsize = maxsize
        self._items: OrderedDict[tuple[str, str], object] = OrderedDict()

    def get(self, key: tuple[str, str]):
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: tuple[str, str], estimator) -> None:
        self._items[key] = estimator
        self._items.move_to_end(key)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)

    def pop(self, key: tuple[str, str]) -> None:
        self._items.pop(key, None)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


_FITTED = _Fitted()


def models(project: "HasStore | Store") -> pd.DataFrame:
    """Stored models: version, codes learned, codes skipped, training size, when made and discarded."""
    frame = stored_suggesters.suggesters(store_of(project).connection)
    frame["codes"] = [json.loads(c) for c in frame["codes"]]
    frame["skipped"] = [json.loads(c) for c in frame["skipped"]]
    return frame


def _record(project: "HasStore | Store", version: str | None):
    db = store_of(project).connection
    if version is None:
        row = stored_suggesters.newest_suggester(db)
        if row is None:
            raise NotFoundError("the project has no trained model. Fix: call project.train_suggester() first")
        return row
    rows = stored_suggesters.suggesters_like(db, version)
    if len(rows) != 1:
        known = ", ".join(r[:12] for r in stored_suggesters.suggester_ids(db)) or "none"
        raise NotFoundError(f"no {'unique ' if rows else ''}model {version!r}; stored models: {known}")
    return rows[0]


def fitted_model(project: "HasStore | Store", version: str | None = None):
    """The stored model ``version`` (default: the newest not discarded), refitted from its training set."""
    from . import CodeSuggester

    record = _record(project, version)
    key = (str(store_of(project).path), record["model_id"])
    estimator = _FITTED.get(key)
    if estimator is None:
        training = json.loads(record["training"])
        X = pd.DataFrame(training["X"])[training["columns"]]
        Y = pd.DataFrame(training["Y"])
        params = json.loads(record["params"])
        params = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
        with warnings.catch_warnings():  # codes skipped for too few examples were reported when it was trained
            warnings.simplefilter("ignore", QDAWarning)
            estimator = CodeSuggester(**params).fit(X, Y)
        _FITTED.put(key, estimator)
    return estimator, record


def suggest(project: "HasStore | Store", *, version: str | None = None, threshold: float | None = None) -> pd.DataFrame:
    """Store the model's suggestions (``origin='model'``) for every participant sentence, once.

    A sentence gets a suggestion of a code when the model's probability is at
    least ``threshold`` (default: the model's own, per code: ``thresholds_``) and the sentence holds no current
    coding of that code (suggested, decided or by hand). Returns the new rows.
    """
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (int, float))
                                  or not 0.0 <= threshold <= 1.0):
        raise InputError(Problem("threshold", f"{threshold!r} is not a probability between 0 and 1",
                                 fix="pass e.g. threshold=0.5, or leave it out to use the model's own"))
    estimator, record = fitted_model(project, version)
    if record["discarded_at"] is not None:
        raise NotFoundError(f"model {record['model_id'][:12]} was discarded; train a new one")
    cut = (np.array([estimator.thresholds_[code] for code in estimator.classes_], dtype=float)
           if threshold is None else np.full(len(estimator.classes_), float(threshold)))
    data = _decisions(project)
    features = sentence_features(data)
    training = json.loads(record["training"])
    probabilities = estimator.predict_proba(model_input(features, training["columns"]))
    taken = _taken(data)
    rows, now = [], utc_now()
    label = f"CodeSuggester {record['model_id'][:12]}"
    shas = stored_runs.document_hashes(store_of(project).connection)
    for i, j in zip(*np.nonzero(probabilities >= cut), strict=True):
        unit, code = features.iloc[i], estimator.classes_[j]
        if (unit["unit_key"], code) in taken:
            continue
        coding_id = uuid.uuid5(_NAMESPACE, f"{shas[unit['doc_id']]}:{unit['start']}:{unit['end']}:{code}:"
                                           f"{record['model_id']}").hex
        rows.append((coding_id, unit["doc_id"], shas[unit["doc_id"]], int(unit["start"]), int(unit["end"]), code,
                     float(probabilities[i, j]), label, json.dumps({"model": record["model_id"],
                                                                     "probability": float(probabilities[i, j])})))
    run_id = uuid.uuid4().hex
    with store_of(project).transaction() as db:
        stored_codings.register_coder(db, MODEL_CODER, kind="model", name="asymmetry_qda code suggester", now=now)
        stored_suggesters.start_suggest_run(
            db, run_id=run_id, pipeline=label, now=now, options=json.dumps({
                "threshold": threshold if threshold is not None else dict(zip(
                    map(str, estimator.classes_), map(float, cut), strict=True)), "model": record["model_id"]}))
        added = 0
        for coding_id, doc_id, sha, start, end, code, confidence, pipeline, evidence in rows:
            if stored_suggesters.has_coding(db, coding_id):
                continue
            segment = stored_suggesters.sentence_segment(db, doc_id, start)
            stored_codings.insert(db, Coding(
                coding_id, doc_id, sha, start, end, code, Origin.MODEL, Status.SUGGESTED, MODEL_CODER,
                confidence=confidence, evidence=evidence, segment_id=segment,
                pipeline=pipeline, run_id=run_id, created_at=now))
            added += 1
        stored_suggesters.set_run_added(db, run_id, added)
    return pd.DataFrame(rows, columns=["coding_id", "doc_id", "text_sha256", "start", "end", "code_id",
                                       "confidence", "pipeline", "evidence"])


def _taken(data) -> set[tuple[str, str]]:
    """(sentence key, code) pairs that already hold a current coding of any origin and status."""
    from ..analysis._frame import in_units

    placed = in_units(data.codings, "sentence")
    return set(zip(placed["unit_key"], placed["code_id"], strict=True))


def discard(project: "HasStore | Store", version: str, *, coder: str) -> int:
    """Mark a model discarded and withdraw its undecided suggestions (decided ones stay). Returns how many."""
    record = _record(project, version)
    store = store_of(project)
    with store.transaction() as db:  # one user action, one transaction: the model and its pending suggestions
        stored_suggesters.discard_suggester(db, record["model_id"], now=utc_now())
        pending = stored_codings.frame(db)
        pending = pending[(pending["origin"] == "model") & (pending["status"] == "suggested")
                          & pending["pipeline"].eq(f"CodeSuggester {record['model_id'][:12]}")]
        if len(pending):
            decide(store, list(pending["coding_id"]), Status.WITHDRAWN, coder,
                   f"model {record['model_id'][:12]} discarded")
    _FITTED.pop((str(store.path), record["model_id"]))
    return len(pending)


def _with_probabilities(project: "HasStore | Store", items: pd.DataFrame, version: str | None):
    """``items`` with ``model_probability`` (the model's probability of each item's code on its sentence,
    NaN where the model has not learned the code) and the codings' located rows."""
    estimator, record = fitted_model(project, version)
    data = _decisions(project)
    features = sentence_features(data)
    training = json.loads(record["training"])
    probabilities = pd.DataFrame(estimator.predict_proba(model_input(features, training["columns"])),
                                 columns=estimator.classes_, index=features["unit_key"])
    located = data.codings.set_index("coding_id")
    sentence = items["coding_id"].map(located["sentence"]).astype("Int64").astype(str)
    keys = items["doc_id"].astype(str) + ":" + sentence
    p = [probabilities.at[k, c] if k in probabilities.index and c in probabilities.columns else np.nan
         for k, c in zip(keys, items["code_id"], strict=True)]
    return items.assign(model_probability=p), located


def likelihood_order(project: "HasStore | Store", items: pd.DataFrame, *, version: str | None = None) -> pd.DataFrame:
    """``items`` (suggestions) ordered most likely first: by the model's probability of the item's code on its
    sentence, highest first (ties and unlearned codes in document order, last).

    This is the ranking of continuous active learning: reviewing in this order finds a code's instances
    sooner than reading in document order (``benchmarks/bench_review_effort.py`` measures how much);
    retrain after a batch of decisions and queue again to keep the ranking current.
    """
    if items.empty:
        return items
    keyed, _ = _with_probabilities(project, items, version)
    return keyed.sort_values(["model_probability", "doc_id", "start"], ascending=[False, True, True],
                             na_position="last", kind="stable").reset_index(drop=True)


def uncertainty_order(project: "HasStore | Store", items: pd.DataFrame, *, version: str | None = None) -> pd.DataFrame:
    """``items`` (suggestions) ordered so the first decisions teach the model most.

    Uncertainty sampling: a suggestion's uncertainty is ``1 - |2p - 1|`` for the
    model's probability ``p`` of its code on its sentence (1 = the model cannot
    tell). Diversity: participants take turns (round robin, each in order of
    uncertainty), so the first decisions are not all about one person's talk;
    ``diversity_group`` is the participant, else the speaker label, else the
    document.
    """
    if items.empty:
        return items
    keyed, located = _with_probabilities(project, items, version)
    keyed["uncertainty"] = 1 - np.abs(2 * keyed["model_probability"] - 1)
    who = located["participant_id"].fillna(located["speaker"]).fillna(located["doc_id"])
    keyed["diversity_group"] = keyed["coding_id"].map(who).fillna(keyed["doc_id"]).astype(str)
    keyed = keyed.sort_values(["uncertainty", "doc_id", "start"], ascending=[False, True, True], na_position="last",
                              kind="stable")
    keyed["turn_of_participant"] = keyed.groupby("diversity_group").cumcount()
    keyed = keyed.sort_values(["turn_of_participant", "uncertainty"], ascending=[True, False], na_position="last",
                              kind="stable")
    return keyed.drop(columns=["turn_of_participant"]).reset_index(drop=True)
