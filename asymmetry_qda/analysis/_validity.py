"""How well the auto-coder agrees with people on talk it has never seen: the blind evaluation corpus.

:func:`tag_corpus` runs the rule tagger over every excerpt of a
:class:`~asymmetry_qda.evaluation_corpus.Corpus` and gives its sentence labels in the corpus's own
shape (a sentence gets a code when a match of that code starts in it and the unit is not suppressed
as negated, exactly as ``project.code`` decides). :func:`validity` scores a set of labels against
the adjudicated ones, and :func:`validity_report` puts the rules, the second human coder and the
human-human ceiling side by side.

The unit is the writer's sentence; each figure is over the sentences of the chosen ``split`` (score on
``test``, tune on ``dev``):

- ``precision``, ``recall``, ``f1``: micro-averaged over every code x sentence decision at ``level``
  (``leaf``, ``pole``, ``theme``); ``macro_f1``: the mean of per-code F1 over codes the reference uses;
- at ``pole`` and ``theme`` level a code also counts for the codes it implies (the codebook's
  ``implies``: ``failure.preventable.*`` for ``reason.personal_fault``), in reference and candidate alike;
- ``kappa``: Cohen's kappa over the same pooled decisions (:func:`sklearn.metrics.cohen_kappa_score`);
- ``distractor_fp_rate``: share of distractor excerpts (categories ``distractor_sense`` or
  ``distractor_plain``) on which any code at ``level`` is suggested;
- ``negated_fp_rate``: share of the codes a writer made the speaker deny (``writer_negated``) that are
  suggested anywhere in that excerpt anyway; judged on the denied code itself (leaf) at every level,
  since its theme or pole may rightly be there (denied discipline, asserted retraining: both remedy);
- ``recall_<category>``: recall on the sentences of excerpts of that category (``implicit``,
  ``negated``, ``hypothetical``, ``reported``, ``explicit``);
- ``*_ci_low``/``*_ci_high``: 95 % percentile bootstrap over excerpts (seeded).

Examples
--------
>>> from asymmetry_qda.evaluation_corpus import load_corpus  # doctest: +SKIP
>>> validity_report(load_corpus(), codebook="codebooks/asymmetries.yaml", split="test")  # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import QDAWarning
from ..evaluation_corpus import ADJUDICATED, Corpus, code_at, label_matrix

__all__ = ["CATEGORIES", "LEARNED", "METRICS", "corpus_errors", "implied_labels", "judge_corpus", "model_labels",
           "tag_corpus", "validity", "validity_report"]

CATEGORIES = ("explicit", "implicit", "negated", "hypothetical", "reported")
DISTRACTORS = ("distractor_sense", "distractor_plain")
LEARNED = ("model", "rules+model")
METRICS = ("precision", "recall", "f1", "macro_f1", "kappa", "distractor_fp_rate", "negated_fp_rate",
           *(f"recall_{c}" for c in CATEGORIES))


def judge_corpus(corpus: Corpus, codebook, *, model: str = "auto") -> pd.DataFrame:
    """The rule tagger's judgement of every excerpt, by sentence (:func:`~asymmetry_qda.tagging.evidence.judge_units`):
    ``excerpt_id``, ``sentence``, ``code``, ``status``, ``confidence``, ``context``.

    Parameters
    ----------
    corpus : Corpus
        The evaluation corpus (:func:`~asymmetry_qda.evaluation_corpus.load_corpus`).
    codebook : Codebook or str
        The codebook, or the path of its YAML file.
    model : str, default "auto"
        The spaCy pipeline: ``"auto"`` (the trained English pipeline when installed), ``"blank"`` or a name.

    Returns
    -------
    pandas.DataFrame
    """
    from ..tagging.evidence import judge_units

    starts = corpus.units.groupby("excerpt_id", sort=False)["start"].apply(list).to_dict()
    items = [(row.excerpt_id, row.text, starts[row.excerpt_id]) for row in corpus.excerpts.itertuples(index=False)]
    return judge_units(items, codebook, pipeline=model).rename(columns={"key": "excerpt_id", "unit": "sentence"})


def tag_corpus(corpus: Corpus, codebook, *, model: str = "auto", name: str = "rule",
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
    model : str, default "auto"
        The spaCy pipeline: ``"auto"`` (the trained English pipeline when installed), ``"blank"`` or a name.
    name : str, default "rule"
        The labels' ``coder``.
    judged : pandas.DataFrame, optional
        ``judged``: :func:`judge_corpus` when the caller already has it.

    Returns
    -------
    pandas.DataFrame
    """
    judged = judge_corpus(corpus, codebook, model=model) if judged is None else judged
    chosen = judged[judged["status"] == "suggested"]
    return pd.DataFrame({"excerpt_id": chosen["excerpt_id"].to_numpy(), "sentence": chosen["sentence"].to_numpy(),
                         "code": chosen["code"].to_numpy(), "coder": name},
                        columns=["excerpt_id", "sentence", "code", "coder"])


def model_labels(corpus: Corpus, codebook, *, rules: bool = True, semantic: bool = False, seed: bool = True,
                 model: str = "auto", judged: pd.DataFrame | None = None, train_split: str = "dev",
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
    model : str, default "auto"
        The spaCy pipeline: ``"auto"`` (the trained English pipeline when installed), ``"blank"`` or a name.
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
        judged = judge_corpus(corpus, codebook, model=model) if judged is None else judged
        found = evidence_columns(judged.rename(columns={"excerpt_id": "key", "sentence": "unit"}), index)
        X = pd.concat([X, found.reset_index(drop=True)], axis=1)
    reference = corpus.labels[corpus.labels["coder"] == ADJUDICATED]
    if level != "leaf":
        reference = implied_labels(reference, codebook.implications)
    Y = label_matrix(reference, units, level=level).reset_index(drop=True).astype(float)
    if seed:
        seed_X, seed_Y = codebook_seed(codebook, evidence=rules, pipeline=model)
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
    """
    if not implications or labels.empty:
        return labels
    extra = [labels[labels["code"] == code].assign(code=target)
             for code, targets in implications.items() for target in targets]
    return pd.concat([labels, *extra], ignore_index=True).drop_duplicates(["excerpt_id", "sentence", "code"])


def validity(corpus: Corpus, labels: pd.DataFrame, *, reference: str = ADJUDICATED, level: str = "theme",
             split: str | None = "test", n_boot: int = 1000, seed: int = 0,
             implications: dict[str, tuple[str, ...]] | None = None) -> pd.Series:
    """Every metric of :data:`METRICS` for ``labels`` against the ``reference`` coder, with bootstrap intervals.

    The bootstrap resamples excerpts.

    Parameters
    ----------
    corpus : Corpus
        The evaluation corpus (:func:`~asymmetry_qda.evaluation_corpus.load_corpus`).
    labels : pandas.DataFrame
        ``labels`` has the corpus's label columns (``excerpt_id``, ``sentence``, ``code``).
    reference : str, default "adjudicated"
        ``reference`` is
        a coder of ``corpus.labels`` (``adjudicated``, ``A``, ``B``).
    level : {"leaf", "pole", "theme"}, default "theme"
        The level codes are compared at.
    split : str or None, default "test"
        The split scored (None: the whole corpus).
    n_boot : int, default 1000
        Bootstrap resamples.
    seed : int, default 0
        The bootstrap's seed.
    implications : dict of str to tuple of str, optional
        ``implications`` (``codebook.implications``): at ``pole`` and ``theme`` level a code also counts, in
        the reference and the candidate alike, for the codes it implies (``failure.preventable.*`` for
        ``reason.personal_fault``); at ``leaf`` level codes count as assigned.

    Returns
    -------
    pandas.Series
    """
    units = corpus.units if split is None else corpus.units[corpus.units["split"] == split]
    units = units.reset_index(drop=True)
    ref = corpus.labels[corpus.labels["coder"] == reference]
    if level != "leaf":
        ref, labels = implied_labels(ref, implications), implied_labels(labels, implications)
    codes = sorted({code_at(c, level) for c in pd.concat([ref["code"], labels["code"]])})
    truth = _matrix(ref, units, level, codes).astype(bool)
    guess = _matrix(labels, units, level, codes).astype(bool)
    leaf_codes = sorted(set(labels["code"]))
    if level != "leaf" and all(code_at(c, level) == c for c in leaf_codes):
        leaf_codes = []  # labels learned at this level name no leaf code: a denial cannot be judged (NaN)
    leaf_guess = _matrix(labels, units, "leaf", leaf_codes).astype(bool)
    everything = np.arange(len(units))
    point = _scores(truth, guess, everything, units, corpus.excerpts, codes, leaf_guess, leaf_codes)
    groups = units.groupby("excerpt_id", sort=False).indices
    excerpt_rows = list(groups.values())
    rng = np.random.default_rng(seed)
    draws = {m: [] for m in point}
    for _ in range(n_boot):
        pick = rng.integers(0, len(excerpt_rows), len(excerpt_rows))
        rows = np.concatenate([excerpt_rows[i] for i in pick])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for m, v in _scores(truth, guess, rows, units, corpus.excerpts, codes, leaf_guess, leaf_codes).items():
                draws[m].append(v)
    out = {}
    for m, v in point.items():
        out[m] = v
        values = np.array(draws[m], dtype=float)
        values = values[~np.isnan(values)]
        out[f"{m}_ci_low"] = float(np.percentile(values, 2.5)) if len(values) else float("nan")
        out[f"{m}_ci_high"] = float(np.percentile(values, 97.5)) if len(values) else float("nan")
    out["n_sentences"], out["n_excerpts"] = len(units), len(groups)
    return pd.Series(out)


def validity_report(corpus: Corpus, *, codebook: str | Path | None = None, model: str = "auto",
                    split: str | None = "test", levels: Sequence[str] = ("theme", "pole", "leaf"),
                    n_boot: int = 1000, seed: int = 0, candidates: dict[str, pd.DataFrame] | None = None,
                    rule_labels: pd.DataFrame | None = None, learned: Sequence[str] = (),
                    semantic: bool = False, judged: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per candidate x level: the rules (``rule``), coders ``A`` and ``B`` against the adjudication,
    the learned suggester, and any ``candidates`` given, each scored against the adjudicated labels on
    ``split``.

    Parameters
    ----------
    corpus : Corpus
        The evaluation corpus (:func:`~asymmetry_qda.evaluation_corpus.load_corpus`).
    codebook : Codebook, str or pathlib.Path, optional
        The codebook (default: the study codebook).
    model : str, default "auto"
        The spaCy pipeline: ``"auto"`` (the trained English pipeline when installed), ``"blank"`` or a name.
    split : str or None, default "test"
        The split scored (None: the whole corpus).
    levels : sequence of str, default ("theme", "pole", "leaf")
        The levels scored.
    n_boot : int, default 1000
        Bootstrap resamples.
    seed : int, default 0
        The bootstrap's seed.
    candidates : dict of str to pandas.DataFrame, optional
        Other labels to score, by name.
    rule_labels : pandas.DataFrame, optional
        ``rule_labels``: :func:`tag_corpus` of ``codebook`` when the caller already has it (it is
        not tagged again).
    learned : sequence of str, default ()
        ``learned``: which learned candidates to add, from ``model`` (text n-grams and the codebook's seed
        examples) and ``rules+model`` (the same plus the rules' evidence), each trained by
        :func:`model_labels` on the ``dev`` split at the level it is scored at and predicting only unseen
        sentences (``test`` by the model fitted on all of ``dev``, ``dev`` out of fold).
    semantic : bool, default False
        ``semantic``: the
        learned candidates also read sentence embeddings (the optional ``asymmetry_qda[semantic]`` extra)
        and are named ``model+semantic`` and ``rules+model+semantic``.
    judged : pandas.DataFrame, optional
        ``judged``: :func:`judge_corpus` likewise.

    Returns
    -------
    pandas.DataFrame
    """
    from ..codebook import Codebook, load_codebook
    from ..errors import ArgumentError

    if codebook is None:
        from ..datasets import study_codebook_path

        codebook = study_codebook_path()
    if not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook)
    unknown = [name for name in learned if name not in LEARNED]
    if unknown:
        raise ArgumentError(f"unknown learned candidate {', '.join(map(repr, unknown))}; use "
                            f"{' or '.join(map(repr, LEARNED))}")
    if rule_labels is None or (learned and "rules+model" in learned and judged is None):
        judged = judge_corpus(corpus, codebook, model=model) if judged is None else judged
    found = {"rule": tag_corpus(corpus, codebook, judged=judged) if rule_labels is None else rule_labels}
    for coder in ("A", "B"):
        if (corpus.labels["coder"] == coder).any():
            found[f"coder {coder}"] = corpus.labels[corpus.labels["coder"] == coder]
    found.update(candidates or {})
    per_level = {level: dict(found) for level in levels}
    for name in learned:
        label = name + ("+semantic" if semantic else "")
        for level in levels:
            per_level[level][label] = model_labels(
                corpus, codebook, rules=name == "rules+model", semantic=semantic, model=model, judged=judged,
                level=level, splits=None if split is None else [split], name=label)
    rows = []
    for level in levels:
        for name, labels in per_level[level].items():
            scores = validity(corpus, labels, level=level, split=split, n_boot=n_boot, seed=seed,
                              implications=codebook.implications)
            rows.append({"candidate": name, "level": level, "split": split or "all", **scores.to_dict()})
    order = list(dict.fromkeys(r["candidate"] for r in rows))
    return (pd.DataFrame(rows).assign(_o=lambda f: f["candidate"].map(order.index))
            .sort_values(["_o"], kind="stable").drop(columns="_o").reset_index(drop=True))


def corpus_errors(corpus: Corpus, labels: pd.DataFrame, *, reference: str = ADJUDICATED, level: str = "leaf",
                  split: str = "dev") -> pd.DataFrame:
    """Every false positive and false negative of ``labels`` on ``split``, for writing rules against ``dev``.

    Parameters
    ----------
    corpus : Corpus
        The evaluation corpus (:func:`~asymmetry_qda.evaluation_corpus.load_corpus`).
    labels : pandas.DataFrame
        The candidate's labels (``excerpt_id``, ``sentence``, ``code``).
    reference : str, default "adjudicated"
        A coder of ``corpus.labels``.
    level : {"leaf", "pole", "theme"}, default "leaf"
        The level codes are compared at.
    split : str, default "dev"
        Only the ``dev`` split is allowed: the protocol is
        that nobody reads the test split's errors while changing rules (score ``test`` with :func:`validity`).

    Returns
    -------
    pandas.DataFrame
        One row per (sentence, code) where ``labels`` and the reference differ: ``excerpt_id``, ``sentence``,
        ``code`` (at ``level``), ``error`` (``false positive`` or ``false negative``), ``sentence_text``,
        ``excerpt_text`` and the excerpt's ``categories``.
    """
    from ..errors import InputError, Problem

    if split != "dev":
        raise InputError(Problem("split", f"errors of the {split!r} split are not shown",
                                 fix="read the errors of the dev split only; score the test split with "
                                     "validity() / evaluate-corpus, without reading its errors"))
    units = corpus.units[corpus.units["split"] == split]
    keep = set(units["excerpt_id"])
    ref = corpus.labels[(corpus.labels["coder"] == reference) & corpus.labels["excerpt_id"].isin(keep)]
    got = labels[labels["excerpt_id"].isin(keep)]

    def keyed(frame: pd.DataFrame) -> set[tuple[str, int, str]]:
        return {(e, int(n), code_at(c, level)) for e, n, c in zip(frame["excerpt_id"], frame["sentence"],
                                                                   frame["code"], strict=True)}

    truth, guess = keyed(ref), keyed(got)
    rows = [(*k, "false positive") for k in guess - truth] + [(*k, "false negative") for k in truth - guess]
    frame = pd.DataFrame(sorted(rows), columns=["excerpt_id", "sentence", "code", "error"])
    sentences = units.set_index(["excerpt_id", "sentence"])["sentence_text"]
    excerpts = corpus.excerpts.set_index("excerpt_id")
    frame["sentence_text"] = [sentences.get((e, n), "") for e, n in zip(frame["excerpt_id"], frame["sentence"],
                                                                       strict=True)]
    frame["excerpt_text"] = excerpts.loc[frame["excerpt_id"], "text"].to_list() if len(frame) else []
    frame["categories"] = [";".join(c) for c in excerpts.loc[frame["excerpt_id"], "categories"]] if len(frame) \
        else []
    return frame
