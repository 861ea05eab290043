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

from .._keywords import renamed
from ..evaluation_corpus import ADJUDICATED, Corpus, code_at
from ._validity_labels import implied_labels, judge_corpus, model_labels, tag_corpus
from ._validity_scores import CATEGORIES, METRICS, _matrix, _scores
from ._validity_scores import DISTRACTORS as DISTRACTORS  # the old path analysis.validity offered it

__all__ = ["CATEGORIES", "LEARNED", "METRICS", "corpus_errors", "implied_labels", "judge_corpus", "model_labels",
           "tag_corpus", "validity", "validity_report"]

LEARNED = ("model", "rules+model")


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
        Each metric of :data:`METRICS`, each followed by ``<metric>_ci_low`` and ``<metric>_ci_high``, then
        ``n_sentences`` and ``n_excerpts``.

    Notes
    -----
    Unit of analysis: one (sentence, code) decision, over the ``n_sentences`` sentences of ``split`` and
    the codes at ``level`` that the reference or ``labels`` use (a sentence holds a code at ``level`` when
    any label of it does, rolled up with ``code_at``). With tp, fp and fn pooled over every decision:

    - ``precision = tp / (tp + fp)``, ``recall = tp / (tp + fn)``, ``f1 = 2 tp / (2 tp + fp + fn)``
      (NaN when the denominator is 0; NumPy, not scikit-learn);
    - ``macro_f1``: the mean of each code's F1 over the codes the reference gives at least once there;
    - ``kappa``: ``sklearn.metrics.cohen_kappa_score`` of the pooled decisions (NaN when all are equal);
    - ``distractor_fp_rate``: the excerpts with a distractor category on which ``labels`` give any code
      in any sentence, divided by the number of distractor excerpts (an excerpt is the unit here);
    - ``negated_fp_rate``: the (excerpt, code the writer had denied) pairs where ``labels`` give that leaf
      code in any sentence of the excerpt, divided by the number of such pairs (NaN when there is none, or
      when the labels name no leaf code);
    - ``recall_<category>``: recall over the sentences of the excerpts of that category.

    Intervals: ``n_boot`` bootstrap replicates resampling excerpts with replacement (all their sentences
    together; ``numpy.random.default_rng(seed)``), each metric recomputed per replicate; the interval is
    the 2.5th and 97.5th percentile (always 95 %) of the replicates that are not NaN.
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


@renamed(model="pipeline")
def validity_report(corpus: Corpus, *, codebook: str | Path | None = None, pipeline: str = "auto",
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
    pipeline : str, default "auto"
        The spaCy pipeline: ``"auto"`` (the trained English pipeline when installed), ``"blank"`` or a name
        (``model=`` is its old name, deprecated).
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
        One row per (candidate, level), candidates in the order found (``rule``, ``coder A``, ``coder B``,
        the ``candidates``, the learned ones): ``candidate``, ``level``, ``split`` and the entries of
        :func:`validity`.

    Notes
    -----
    Unit of analysis: as in :func:`validity`, one (sentence, code) decision over the sentences of
    ``split`` at each level; every candidate, the corpus's human coders A and B included, is scored
    against the adjudicated labels with :func:`validity` (same ``n_boot`` and ``seed``, the codebook's
    implications at ``pole`` and ``theme`` level), so coders A and B give the human-human ceiling. The
    learned candidates come from :func:`model_labels` (out-of-sample predictions only).
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
        judged = judge_corpus(corpus, codebook, pipeline=pipeline) if judged is None else judged
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
                corpus, codebook, rules=name == "rules+model", semantic=semantic, pipeline=pipeline, judged=judged,
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

    Notes
    -----
    Unit of analysis: one (sentence, code) decision on the ``dev`` sentences, the code rolled up to
    ``level``; a row is a ``false positive`` when only ``labels`` give it, a ``false negative`` when only
    the reference does. Computes no number. Codes are only rolled up (``code_at``): the codebook's
    implications are not applied here, unlike :func:`validity` at ``pole`` and ``theme`` level, so at
    ``leaf`` level the rows are the fp and fn :func:`validity` counts on ``dev``.
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
