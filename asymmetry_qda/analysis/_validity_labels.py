"""The labels that :func:`asymmetry_qda.analysis.validity` scores: the rule tagger's on the evaluation corpus
(:func:`judge_corpus`, :func:`tag_corpus`), the learned suggester's (:func:`model_labels`), and the codes
labelled codes imply (:func:`implied_labels`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._keywords import renamed
from ..errors import QDAWarning
from ..evaluation_corpus import ADJUDICATED, Corpus, code_at, label_matrix

__all__ = ["implied_labels", "judge_corpus", "model_labels", "tag_corpus"]


@renamed(model="pipeline")
def judge_corpus(corpus: Corpus, codebook, *, pipeline: str = "auto") -> pd.DataFrame:
    """The rule tagger's judgement of every excerpt, by sentence (:func:`~asymmetry_qda.tagging.evidence.judge_units`):
    ``excerpt_id``, ``sentence``, ``code``, ``status``, ``confidence``, ``context``.

    Parameters
    ----------
    corpus : Corpus
        The evaluation corpus (:func:`~asymmetry_qda.evaluation_corpus.load_corpus`).
    codebook : Codebook or str
        The codebook, or the path of its YAML file.
    pipeline : str, default "auto"
        The spaCy pipeline: ``"auto"`` (the trained English pipeline when installed), ``"blank"`` or a name
        (``model=`` is its old name, deprecated).

    Returns
    -------
    pandas.DataFrame
        One row per (excerpt, sentence, code) the rules matched: ``excerpt_id``, ``sentence`` (1-based),
        ``code``, ``status`` (``suggested`` or ``suppressed``), ``confidence`` and ``context``.

    Notes
    -----
    Unit of analysis: the sentence of an excerpt (the corpus's own sentence split); a match belongs to the
    sentence it starts in, and a sentence with several matches of one code has one row. ``status`` and
    ``confidence`` are the tagger's own judgement (as ``project.code`` makes it); no statistic is computed.
    Codes meant for the interviewer only are left out.
    """
    from ..tagging.evidence import judge_units

    starts = corpus.units.groupby("excerpt_id", sort=False)["start"].apply(list).to_dict()
    items = [(row.excerpt_id, row.text, starts[row.excerpt_id]) for row in corpus.excerpts.itertuples(index=False)]
    return judge_units(items, codebook, pipeline=pipeline).rename(columns={"key": "excerpt_id", "unit": "sentence"})


@renamed(model="pipeline")
def tag_corpus(corpus: Corpus, codebook, *, pipeline: str = "auto", name: str = "rule",
               judged: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rule tagger's sentence labels for every excerpt: ``excerpt_id``, ``sentence``, ``code``, ``coder``.

    A sentence gets a code when a match of it starts there and the code is not suppressed as negated, as
    ``project.code`` decides.

    Parameters
    ----------
    corpus : Corpus
        The evaluation corpus (:func:`~asymmetry_qda.evaluation_corpus.load_corpus`).
    codebook : Codebook or str
        The codebook, or the path of its YAML file.
    pipeline : str, default "auto"
        The spaCy pipeline: ``"auto"`` (the trained English pipeline when installed), ``"blank"`` or a name
        (``model=`` is its old name, deprecated).
    name : str, default "rule"
        The labels' ``coder``.
    judged : pandas.DataFrame, optional
        ``judged``: :func:`judge_corpus` when the caller already has it.

    Returns
    -------
    pandas.DataFrame
        One row per sentence label: ``excerpt_id``, ``sentence``, ``code`` and ``coder`` (``name``).

    Notes
    -----
    Unit of analysis: one (sentence, code) label, a row of :func:`judge_corpus` whose status is
    ``suggested`` (suppressed, e.g. negated, matches give no label). Computes no number.
    """
    judged = judge_corpus(corpus, codebook, pipeline=pipeline) if judged is None else judged
    chosen = judged[judged["status"] == "suggested"]
    return pd.DataFrame({"excerpt_id": chosen["excerpt_id"].to_numpy(), "sentence": chosen["sentence"].to_numpy(),
                         "code": chosen["code"].to_numpy(), "coder": name},
                        columns=["excerpt_id", "sentence", "code", "coder"])


@renamed(model="pipeline")
def model_labels(corpus: Corpus, codebook, *, rules: bool = True, semantic: bool = False, seed: bool = True,
                 pipeline: str = "auto", judged: pd.DataFrame | None = None, train_split: str = "dev",
                 n_folds: int = 5, name: str | None = None, params: dict | None = None,
                 level: str = "leaf", splits: Sequence[str] | None = None, return_probabilities: bool = False):
    """The learned suggester's sentence labels for every excerpt, each predicted by a model that never saw it.

    The suggester (:class:`~asymmetry_qda.suggester.CodeSuggester`, ``threshold="cv"``) learns from the
    adjudicated labels of the ``train_split`` sentences (1 where the code was given, else 0).
    Sentences outside ``train_split`` are predicted by the model trained on all of it; sentences inside it
    out of fold, so a score on either split is on unseen talk.

    Parameters
    ----------
    corpus : Corpus
        The evaluation corpus (:func:`~asymmetry_qda.evaluation_corpus.load_corpus`).
    codebook : Codebook or str
        The codebook, or the path of its YAML file.
    rules : bool, default True
        ``rules``: the tagger's ``rule:``/``context:``
        evidence joins the features (``rules+model``).
    semantic : bool, default False
        ``semantic``: sentence embeddings too (the optional
        extra).
    seed : bool, default True
        With
        ``seed``, the codebook's examples and counter-examples (:func:`~asymmetry_qda.suggester.seeds.codebook_seed`)
        join the training data.
    pipeline : str, default "auto"
        The spaCy pipeline: ``"auto"`` (the trained English pipeline when installed), ``"blank"`` or a name
        (``model=`` is its old name, deprecated).
    judged : pandas.DataFrame, optional
        :func:`judge_corpus` when the caller already has it.
    train_split : str, default "dev"
        The split learned from.
    n_folds : int, default 5
        Sentences inside ``train_split`` are predicted
        by ``n_folds`` models each trained without a fifth of its excerpts (folds grouped by
        excerpt).
    name : str, optional
        The labels' ``coder`` (default ``rules+model``, or ``model`` without ``rules``).
    params : dict, optional
        Further parameters of the suggester.
    level : {"leaf", "pole", "theme"}, default "leaf"
        ``level``: learn the codes as assigned (``leaf``) or rolled up to their ``pole`` or ``theme`` (with
        the codebook's implications), the level the labels are then at.
    splits : sequence of str, optional
        ``splits``: predict only the sentences of
        these splits (default: all; ``["test"]`` needs one model, fitted on the whole ``train_split``).
    return_probabilities : bool, default False
        Also return the probabilities.

    Returns
    -------
    labels : pandas.DataFrame
        Returns labels (``excerpt_id``, ``sentence``, ``code``, ``coder``).
    probabilities : pandas.DataFrame
        With
        ``return_probabilities``, also the probabilities (one row per sentence of ``corpus.units``, one column
        per learned code).

    Notes
    -----
    Unit of analysis: the sentence of an excerpt; one row of ``labels`` is one (sentence, code) the model
    predicts, that is whose predicted probability is at least the code's threshold: with
    ``threshold="cv"`` the threshold maximising F1 on the held-out folds of the suggester's own
    calibration cross-validation, on its training data only (``thresholds_``).

    Every prediction is out of sample: sentences outside ``train_split`` are predicted by one model fitted
    on all of ``train_split`` (and the seed examples); sentences inside it by
    ``sklearn.model_selection.GroupKFold`` with ``min(n_folds, number of excerpts)`` folds grouped by
    excerpt, each fold's sentences predicted by a model fitted on the other folds (and the seed examples),
    so no sentence is predicted by a model that saw its excerpt. The training labels are the adjudicated
    labels at ``level`` (1 where given, else 0). A code a fold's model did not learn has probability 0.
    """
    from sklearn.model_selection import GroupKFold

    from ..codebook import Codebook, load_codebook
    from ..errors import ArgumentError
    from ..suggester import CodeSuggester
    from ..suggester.seeds import codebook_seed
    from ..tagging.evidence import evidence_columns

    if not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook)
    units = corpus.units.reset_index(drop=True)
    index = pd.MultiIndex.from_frame(units[["excerpt_id", "sentence"]])
    X = pd.DataFrame({"text": units["sentence_text"].to_numpy()})
    if rules:
        judged = judge_corpus(corpus, codebook, pipeline=pipeline) if judged is None else judged
        found = evidence_columns(judged.rename(columns={"excerpt_id": "key", "sentence": "unit"}), index)
        X = pd.concat([X, found.reset_index(drop=True)], axis=1)
    reference = corpus.labels[corpus.labels["coder"] == ADJUDICATED]
    if level != "leaf":
        reference = implied_labels(reference, codebook.implications)
    Y = label_matrix(reference, units, level=level).reset_index(drop=True).astype(float)
    if seed:
        seed_X, seed_Y = codebook_seed(codebook, evidence=rules, pipeline=pipeline)
        if level != "leaf":
            seed_Y = _rolled_up_seed(seed_X, codebook, level)
        seed_X = seed_X.drop(columns=["code", "kind"]).reindex(columns=X.columns, fill_value=0.0)
        X = X.reindex(columns=list(dict.fromkeys([*X.columns, *seed_X.columns])), fill_value=0.0)
        seed_X = seed_X.reindex(columns=X.columns, fill_value=0.0)
    codes = sorted(set(Y.columns) | (set(seed_Y.columns) if seed else set()))
    Y = Y.reindex(columns=codes, fill_value=0.0)
    inside = (units["split"] == train_split).to_numpy()
    wanted = np.ones(len(units), bool) if splits is None else units["split"].isin(list(splits)).to_numpy()
    if not inside.any():
        raise ArgumentError(f"the corpus has no {train_split!r} sentences to learn from")
    settings = {"threshold": "cv", "semantic": semantic, **(params or {})}

    def fit_predict(train: np.ndarray, predict: np.ndarray) -> pd.DataFrame:
        tx, ty = X[train], Y[train]
        if seed:
            tx = pd.concat([tx, seed_X], ignore_index=True)
            ty = pd.concat([ty.reset_index(drop=True), seed_Y.reindex(columns=codes)], ignore_index=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", QDAWarning)  # rare codes are skipped; the scores show it
            estimator = CodeSuggester(**settings).fit(tx.reset_index(drop=True), ty)
        chosen = X[predict].reset_index(drop=True)
        probability = pd.DataFrame(estimator.predict_proba(chosen), columns=estimator.classes_,
                                   index=np.flatnonzero(predict))
        cut = pd.Series(estimator.thresholds_)[probability.columns]
        return probability, probability.ge(cut, axis=1)

    probabilities, decisions = [], []
    outside = ~inside & wanted
    if outside.any():
        p, d = fit_predict(inside, outside)
        probabilities.append(p), decisions.append(d)
    rows = np.flatnonzero(inside)
    groups = units["excerpt_id"].to_numpy()[rows]
    folds = GroupKFold(n_splits=min(n_folds, len(set(groups)))).split(rows, groups=groups) \
        if (inside & wanted).any() else []
    for train, held_out in folds:
        train_mask, predict_mask = np.zeros(len(units), bool), np.zeros(len(units), bool)
        train_mask[rows[train]], predict_mask[rows[held_out]] = True, True
        p, d = fit_predict(train_mask, predict_mask)
        probabilities.append(p), decisions.append(d)
    if not probabilities:
        raise ArgumentError(f"the corpus has no sentences of {', '.join(splits or [])} to predict")
    probability = pd.concat(probabilities).sort_index().fillna(0.0)
    decision = pd.concat(decisions).sort_index().fillna(False).astype(bool)
    at = np.nonzero(decision.to_numpy())
    label = name or ("rules+model" if rules else "model")
    labels = pd.DataFrame({"excerpt_id": units["excerpt_id"].to_numpy()[decision.index.to_numpy()[at[0]]],
                           "sentence": units["sentence"].to_numpy()[decision.index.to_numpy()[at[0]]],
                           "code": decision.columns.to_numpy()[at[1]], "coder": label})
    if return_probabilities:
        return labels, probability.reindex(range(len(units)), fill_value=0.0)
    return labels


def _rolled_up_seed(seed_X: pd.DataFrame, codebook, level: str) -> pd.DataFrame:
    """Seed labels at ``level``: an example is a positive of its code's (and its implied codes') pole or theme
    and a negative of the others; a counter-example is unknown at this level (it may be a sibling's talk)."""
    implications = codebook.implications or {}
    targets = sorted({code_at(c.id, level) for c in codebook.codes})
    Y = np.full((len(seed_X), len(targets)), np.nan)
    for i, (code_id, kind) in enumerate(zip(seed_X["code"], seed_X["kind"], strict=True)):
        if kind != "example":
            continue
        Y[i] = 0.0
        for target in {code_at(code_id, level), *(code_at(t, level) for t in implications.get(code_id, ()))}:
            Y[i, targets.index(target)] = 1.0
    return pd.DataFrame(Y, columns=targets)


def implied_labels(labels: pd.DataFrame, implications: dict[str, tuple[str, ...]] | None) -> pd.DataFrame:
    """``labels`` plus a row for each code a labelled code implies (the codebook's ``implies``).

    Parameters
    ----------
    labels : pandas.DataFrame
        Labels with a ``code`` column.
    implications : dict of str to tuple of str, or None
        ``codebook.implications`` (None: nothing is added).

    Returns
    -------
    pandas.DataFrame
        ``labels`` and the implied labels, without repeated (``excerpt_id``, ``sentence``, ``code``).

    Notes
    -----
    Unit of analysis: one (sentence, code) label. For each label whose code implies others (exactly that
    code; sub-codes are not matched), one row per implied code with the same excerpt and sentence; then a
    sentence labelled with a code twice keeps one row. Computes no number.
    """
    if not implications or labels.empty:
        return labels
    extra = [labels[labels["code"] == code].assign(code=target)
             for code, targets in implications.items() for target in targets]
    return pd.concat([labels, *extra], ignore_index=True).drop_duplicates(["excerpt_id", "sentence", "code"])
