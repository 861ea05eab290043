"""Review effort: how many sentences a researcher reads to find most of a code's instances.

:func:`review_effort` simulates continuous active learning (CAL) for each code: the researcher reviews
the sentences the model ranks highest, a batch at a time; after each batch the model is refitted on every
decision so far (and on the seed data, if given) and ranks the sentences still unread. The figures are
compared with reading in document order and with the expectation of a random order.

Unit: the sentence; every sentence of the pool is either an instance of the code (``truth`` 1) or not.
For each code and each ``target`` share (0.8 and 0.9 by default), with ``k = ceil(target * positives)``:

- ``cal_<t>``: sentences reviewed under CAL when the ``k``-th instance is found (whole batches: the count
  includes the rest of the batch it was found in);
- ``document_<t>``: the position, in document order, of the ``k``-th instance;
- ``random_<t>``: the expected position of the ``k``-th instance in a random order, ``k (N + 1) / (P + 1)``;
- ``saved_<t>``: ``1 - cal / document``, the share of the document-order reading that CAL spares.

The model ranks with the code suggester's features (word and character TF-IDF fitted on the pool's texts
and the seed data's, which needs no labels, and any ``rule:``/``context:`` columns) and a class-balanced
logistic regression (:class:`sklearn.linear_model.LogisticRegression`); ranking needs only an order, so it
is not calibrated.
Until a batch holds both an instance and a non-instance, the ranking is by the rules' evidence for the
code (``rule:<code>``), else by a model of the seed data, else document order.

Examples
--------
>>> texts = ["I got the blame.", "The canteen shut.", "They blamed me again.", "We moved stations.",
...          "Blamed for the lot.", "Parking was bad."] * 3
>>> truth = pd.DataFrame({"response.blame": [1, 0, 1, 0, 1, 0] * 3})
>>> table = review_effort(texts, truth, batch_size=2)
>>> table[["code", "n_units", "n_positives"]].to_dict("records")
[{'code': 'response.blame', 'n_units': 18, 'n_positives': 9}]
>>> bool(table.loc[0, "cal_0.9"] <= table.loc[0, "document_0.9"])
True
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._keywords import renamed
from ..errors import ArgumentError

__all__ = ["review_effort", "summarise_effort"]


def _features(texts: Sequence[str], evidence: pd.DataFrame | None):
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer

    word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(texts)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                           max_features=20000).fit_transform(texts)
    parts = [word, char]
    if evidence is not None and evidence.shape[1]:
        parts.append(csr_matrix(np.clip(evidence.to_numpy(dtype=float), 0, 1)))
    return hstack(parts).tocsr()


def _first_reached(found: np.ndarray, k: int) -> int:
    """1-based position at which the cumulative count ``found`` first reaches ``k``."""
    return int(np.argmax(np.cumsum(found) >= k)) + 1


def review_effort(texts: Sequence[str], truth: pd.DataFrame, *, evidence: pd.DataFrame | None = None,
                  seed_texts: Sequence[str] | None = None, seed_labels: pd.DataFrame | None = None,
                  batch_size: int = 10, targets: Sequence[float] = (0.8, 0.9), C: float = 1.0,
                  min_positives: int = 3) -> pd.DataFrame:
    """One row per code of ``truth``: the CAL simulation's reviews to reach each target, beside document order.

    Parameters
    ----------
    texts : sequence of str
        The pool's sentences, in document order.
    truth : pandas.DataFrame
        0/1 per sentence (rows, in the order of ``texts``) and code (columns): the human coding.
    evidence : pandas.DataFrame, optional
        Optional numeric features per sentence (the tagger's ``rule:<code>`` and ``context:<flag>``).
    seed_texts, seed_labels : sequence of str and pandas.DataFrame, optional
        Optional seed data (the codebook's examples: :func:`~asymmetry_qda.suggester.seeds.codebook_seed`)
        with 1/0/-1/NaN per code; it trains the model beside the decisions (rule evidence counts as 0 there).
    batch_size : int, default 10
        Sentences reviewed between refits.
    targets : sequence of float, default (0.8, 0.9)
        Shares of a code's instances to find.
    C : float, default 1.0
        The inverse regularisation strength of each code's logistic regression (scikit-learn's ``C``).
    min_positives : int, default 3
        Codes with fewer instances in the pool are left out (the shares mean little).

    Returns
    -------
    pandas.DataFrame
        One row per code of ``truth`` with at least ``min_positives``
        instances: ``code``, ``n_units``, ``n_positives``, then for each target
        ``t`` ``cal_<t>``, ``document_<t>``, ``random_<t>`` and ``saved_<t>``.

    Notes
    -----
    Unit of analysis: the sentence of the pool (one entry of ``texts``);
    ``n_units`` (N) is the pool's size and ``n_positives`` (P) the number of
    sentences ``truth`` marks 1 for the code. For a target share t,
    ``k = ceil(t * P)``:

    - ``cal_<t>``: sentences reviewed when the k-th instance is found under the
      simulated continuous active learning, rounded up to a whole batch
      (``ceil(position / batch_size) * batch_size``, at most N);
    - ``document_<t>``: the 1-based position of the k-th instance in document
      order;
    - ``random_<t>``: ``k (N + 1) / (P + 1)``, the expected position of the
      k-th instance in a random order, rounded to 0.1;
    - ``saved_<t>``: ``1 - cal / document``, a fraction (negative when CAL
      needs more), rounded to 0.001.

    The ranking model: word (1-2 grams) and character (3-5 grams) TF-IDF
    (``sklearn.feature_extraction.text.TfidfVectorizer``, fitted on the pool's
    and the seed data's texts, no labels) plus ``evidence``, and
    ``sklearn.linear_model.LogisticRegression(class_weight="balanced")``
    refitted after each batch on every decision so far and the seed data;
    until those hold both classes the unread sentences are ranked by the
    ``rule:<code>`` evidence (ties, and no evidence, in document order).
    """
    from sklearn.linear_model import LogisticRegression

    texts = [str(t) for t in texts]
    if len(truth) != len(texts):
        raise ArgumentError(f"truth has {len(truth)} rows for {len(texts)} texts; give one row per sentence")
    if batch_size < 1 or not all(0 < t <= 1 for t in targets):
        raise ArgumentError("batch_size must be >= 1 and every target a share in (0, 1]")
    seeded = bool(seed_texts is not None and seed_labels is not None and len(seed_texts))
    all_texts = [*texts, *(map(str, seed_texts) if seeded else [])]
    if evidence is not None:
        evidence = evidence.reset_index(drop=True)
        if len(evidence) != len(texts):
            raise ArgumentError(f"evidence has {len(evidence)} rows for {len(texts)} texts")
    padded = None if evidence is None else evidence.reindex(range(len(all_texts)), fill_value=0.0)
    Z = _features(all_texts, padded)
    pool, seeds = Z[:len(texts)], Z[len(texts):]
    n = len(texts)
    rows = []
    for code in truth.columns:
        y = truth[code].to_numpy(dtype=float).astype(int)
        positives = int(y.sum())
        if positives < min_positives:
            continue
        rule = (evidence[f"rule:{code}"].to_numpy(dtype=float)
                if evidence is not None and f"rule:{code}" in evidence else np.zeros(n))
        seed_y = None
        if seeded and code in seed_labels:
            values = seed_labels[code].to_numpy(dtype=float)
            keep = ~np.isnan(values)
            if keep.any():
                seed_y = (seeds[np.flatnonzero(keep)], (values[keep] == 1).astype(int))
        reviewed = np.zeros(n, dtype=bool)
        order: list[int] = []
        while len(order) < n:
            unread = np.flatnonzero(~reviewed)
            labels = y[reviewed]
            train_X, train_y = pool[reviewed], labels
            if seed_y is not None:
                from scipy.sparse import vstack

                train_X, train_y = vstack([train_X, seed_y[0]]).tocsr(), np.concatenate([labels, seed_y[1]])
            if len(set(train_y)) > 1:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model = LogisticRegression(C=C, class_weight="balanced", max_iter=1000).fit(train_X, train_y)
                score = model.decision_function(pool[unread])
            else:
                score = rule[unread]
            ranked = unread[np.argsort(-score, kind="stable")]  # ties in document order
            batch = ranked[:batch_size]
            reviewed[batch] = True
            order.extend(int(i) for i in batch)
        found = y[np.array(order)]
        row = {"code": code, "n_units": n, "n_positives": positives}
        for target in targets:
            k = max(1, math.ceil(target * positives - 1e-9))
            reached = _first_reached(found, k)
            cal = min(n, math.ceil(reached / batch_size) * batch_size)
            document = _first_reached(y, k)
            row[f"cal_{target:g}"] = cal
            row[f"document_{target:g}"] = document
            row[f"random_{target:g}"] = round(k * (n + 1) / (positives + 1), 1)
            row[f"saved_{target:g}"] = round(1 - cal / document, 3)
        rows.append(row)
    return pd.DataFrame(rows)


def summarise_effort(table: pd.DataFrame, targets: Sequence[float] = (0.8, 0.9)) -> pd.Series:
    """Over the codes of :func:`review_effort`: median sentences reviewed per code under CAL, document and
    random order for each target, and the share of codes for which CAL needs fewer reviews than document order.

    Parameters
    ----------
    table : pandas.DataFrame
        The table of :func:`review_effort`.
    targets : sequence of float, default (0.8, 0.9)
        The targets it was run with.

    Returns
    -------
    pandas.Series
        ``codes``, ``n_units``, then for each target ``t``
        ``median_cal_<t>``, ``median_document_<t>``, ``median_random_<t>`` and
        ``cal_fewer_<t>``.

    Notes
    -----
    Unit of analysis: the code (one row of ``table``). ``codes`` is the number
    of rows and ``n_units`` the largest pool size among them. Each
    ``median_<way>_<t>`` is the median over codes of ``<way>_<t>`` (a number of
    sentences); ``cal_fewer_<t>`` is a fraction (0 to 1), the codes whose
    ``cal_<t>`` is strictly below ``document_<t>`` divided by ``codes``. NaN
    for an empty table. Computed with pandas.
    """
    out = {"codes": len(table), "n_units": int(table["n_units"].max()) if len(table) else 0}
    for target in targets:
        t = f"{target:g}"
        for way in ("cal", "document", "random"):
            out[f"median_{way}_{t}"] = float(table[f"{way}_{t}"].median()) if len(table) else float("nan")
        out[f"cal_fewer_{t}"] = float((table[f"cal_{t}"] < table[f"document_{t}"]).mean()) if len(table) \
            else float("nan")
    return pd.Series(out)


@renamed(model="pipeline")
def corpus_review_effort(corpus, codebook, *, split: str = "dev", level: str = "leaf", rules: bool = True,
                         seed: bool = True, pipeline: str = "auto", judged: pd.DataFrame | None = None,
                         **options) -> pd.DataFrame:
    """:func:`review_effort` on one split of the evaluation corpus against its adjudicated labels.

    The pool is the split's sentences in corpus order (excerpt by excerpt); ``level`` rolls codes up
    (with the codebook's implications above ``leaf``); ``rules`` adds the tagger's evidence, ``seed`` the
    codebook's examples (at ``leaf`` level only). ``options`` go to :func:`review_effort`.
    """
    from ..codebook import Codebook, load_codebook
    from ..evaluation_corpus import ADJUDICATED, label_matrix
    from ._validity import implied_labels, judge_corpus

    if not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook)
    units = corpus.units[corpus.units["split"] == split].reset_index(drop=True)
    reference = corpus.labels[corpus.labels["coder"] == ADJUDICATED]
    if level != "leaf":
        reference = implied_labels(reference, codebook.implications)
    truth = label_matrix(reference, units, level=level).reset_index(drop=True)
    evidence = None
    if rules:
        from ..tagging.evidence import evidence_columns

        judged = judge_corpus(corpus, codebook, pipeline=pipeline) if judged is None else judged
        index = pd.MultiIndex.from_frame(units[["excerpt_id", "sentence"]])
        evidence = evidence_columns(judged.rename(columns={"excerpt_id": "key", "sentence": "unit"}), index)
    seed_texts = seed_labels = None
    if seed and level == "leaf":
        from ..suggester.seeds import codebook_seed

        seed_X, seed_labels = codebook_seed(codebook, evidence=False)
        seed_texts = seed_X["text"].tolist()
    return review_effort(units["sentence_text"].tolist(), truth, evidence=evidence, seed_texts=seed_texts,
                         seed_labels=seed_labels, **options)
