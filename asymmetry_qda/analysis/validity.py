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

import bisect
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import QDAWarning
from ..evaluation_corpus import ADJUDICATED, Corpus, code_at, label_matrix

__all__ = ["CATEGORIES", "METRICS", "corpus_errors", "implied_labels", "tag_corpus", "validity", "validity_report"]

CATEGORIES = ("explicit", "implicit", "negated", "hypothetical", "reported")
DISTRACTORS = ("distractor_sense", "distractor_plain")
METRICS = ("precision", "recall", "f1", "macro_f1", "kappa", "distractor_fp_rate", "negated_fp_rate",
           *(f"recall_{c}" for c in CATEGORIES))


def tag_corpus(corpus: Corpus, codebook, *, model: str = "auto", name: str = "rule") -> pd.DataFrame:
    """The rule tagger's sentence labels for every excerpt: ``excerpt_id``, ``sentence``, ``code``, ``coder``."""
    from ..codebook import Codebook, load_codebook
    from ..tagger.run import _judge, _speaker_ok, tag_stream

    if not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook)
    codes = {c.id: c for c in codebook.codes}
    starts = corpus.units.groupby("excerpt_id", sort=False)["start"].apply(list).to_dict()
    items = [(row.text, row.excerpt_id) for row in corpus.excerpts.itertuples(index=False)]
    grouped: dict[tuple[str, int, str], list[dict]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QDAWarning)
        for (_, matches), excerpt_id in tag_stream(items, codebook, model=model):
            for match in matches:
                code = codes[match.code_id]
                if not _speaker_ok(code.speakers, False, False):
                    continue
                sentence = bisect.bisect_right(starts[excerpt_id], match.start)  # 1-based: the one it starts in
                grouped.setdefault((excerpt_id, max(sentence, 1), code.id), []).append(
                    {"rule_id": match.rule_id, "start": match.start, "end": match.end, "weight": match.weight,
                     "context": list(match.context)})
    rows = []
    for (excerpt_id, sentence, code_id), evidence in grouped.items():
        status, *_ = _judge(codes[code_id], evidence)
        if status == "suggested":
            rows.append({"excerpt_id": excerpt_id, "sentence": sentence, "code": code_id, "coder": name})
    return pd.DataFrame(rows, columns=["excerpt_id", "sentence", "code", "coder"])


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
    out["negated_fp_rate"] = suggested / denied if denied else float("nan")
    for category in CATEGORIES:
        mask = np.array([category in cs for cs in cats])
        out[f"recall_{category}"] = _prf(t[mask], g[mask])[1] if mask.any() else float("nan")
    return out


def implied_labels(labels: pd.DataFrame, implications: dict[str, tuple[str, ...]] | None) -> pd.DataFrame:
    """``labels`` plus a row for each code a labelled code implies (the codebook's ``implies``)."""
    if not implications or labels.empty:
        return labels
    extra = [labels[labels["code"] == code].assign(code=target)
             for code, targets in implications.items() for target in targets]
    return pd.concat([labels, *extra], ignore_index=True).drop_duplicates(["excerpt_id", "sentence", "code"])


def validity(corpus: Corpus, labels: pd.DataFrame, *, reference: str = ADJUDICATED, level: str = "theme",
             split: str | None = "test", n_boot: int = 1000, seed: int = 0,
             implications: dict[str, tuple[str, ...]] | None = None) -> pd.Series:
    """Every metric of :data:`METRICS` for ``labels`` against the ``reference`` coder, with bootstrap intervals.

    ``labels`` has the corpus's label columns (``excerpt_id``, ``sentence``, ``code``); ``reference`` is
    a coder of ``corpus.labels`` (``adjudicated``, ``A``, ``B``). The bootstrap resamples excerpts.
    ``implications`` (``codebook.implications``): at ``pole`` and ``theme`` level a code also counts, in
    the reference and the candidate alike, for the codes it implies (``failure.preventable.*`` for
    ``reason.personal_fault``); at ``leaf`` level codes count as assigned.
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
                    rule_labels: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per candidate x level: the rules (``rule``), coders ``A`` and ``B`` against the adjudication,
    and any ``candidates`` given, each scored against the adjudicated labels on ``split``. ``rule_labels``:
    :func:`tag_corpus` of ``codebook`` when the caller already has it (it is not tagged again).
    """
    from ..codebook import Codebook, load_codebook

    if codebook is None:
        from ..datasets import study_codebook_path

        codebook = study_codebook_path()
    if not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook)
    found = {"rule": tag_corpus(corpus, codebook, model=model) if rule_labels is None else rule_labels}
    for coder in ("A", "B"):
        if (corpus.labels["coder"] == coder).any():
            found[f"coder {coder}"] = corpus.labels[corpus.labels["coder"] == coder]
    found.update(candidates or {})
    rows = []
    for name, labels in found.items():
        for level in levels:
            scores = validity(corpus, labels, level=level, split=split, n_boot=n_boot, seed=seed,
                              implications=codebook.implications)
            rows.append({"candidate": name, "level": level, "split": split or "all", **scores.to_dict()})
    return pd.DataFrame(rows)


def corpus_errors(corpus: Corpus, labels: pd.DataFrame, *, reference: str = ADJUDICATED, level: str = "leaf",
                  split: str = "dev") -> pd.DataFrame:
    """Every false positive and false negative of ``labels`` on ``split``, for writing rules against ``dev``.

    One row per (sentence, code) where ``labels`` and the reference differ: ``excerpt_id``, ``sentence``,
    ``code`` (at ``level``), ``error`` (``false positive`` or ``false negative``), ``sentence_text``,
    ``excerpt_text`` and the excerpt's ``categories``. Only the ``dev`` split is allowed: the protocol is
    that nobody reads the test split's errors while changing rules (score ``test`` with :func:`validity`).
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
