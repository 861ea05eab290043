"""Scoring the auto-coder like a coder: precision, recall, F1 and agreement against a human reference.

Unit of analysis: as :mod:`.agreement` (``sentence`` by default): a unit is a
yes/no decision per code for the reference coder (their confirmed codings) and
for the candidate (``rule``: everything the tagger suggested that is in the
frame, whatever a reviewer decided on it; ``model``: the classifier's; or
another coder's name). Only the documents the reference coded are scored.

Per code: ``tp`` = units both coded, ``fp`` = units only the candidate coded,
``fn`` = units only the reference coded; ``precision = tp / (tp + fp)``,
``recall = tp / (tp + fn)``, ``f1`` their harmonic mean
(``sklearn.metrics.precision_recall_fscore_support``, 0 where undefined, with
the counts beside them), plus Cohen's kappa and Krippendorff's alpha of the two
as coders. ``(micro)`` pools every code × unit decision.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import QDAWarning
from ._agreement import _coder_rows, coder_decisions
from ._agreement_statistics import _alpha, _kappa
from ._frame import in_units

__all__ = ["evaluate", "evaluation_errors"]


def _scope(codings: pd.DataFrame, reference: str, documents):
    if documents is None:
        documents = sorted(set(_coder_rows(codings, reference)["doc_id"]))
    return list(documents)


def evaluate(
    codings: pd.DataFrame,
    *,
    reference: str,
    candidate: str = "rule",
    unit: str = "sentence",
    codes: Sequence[str] | None = None,
    units: pd.DataFrame | None = None,
    texts=None,
    documents: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per-code precision, recall, F1, kappa and alpha of ``candidate`` against ``reference``, then ``(micro)``.

    Parameters
    ----------
    codings : pandas.DataFrame
        The codings frame (``data.codings`` of :func:`~asymmetry_qda.analysis.load`), loaded with the
        candidate's codings (e.g. ``statuses=("confirmed", "suggested", "rejected")`` for everything the
        tagger suggested).
    reference : str
        The reference coder: their confirmed codings are the truth.
    candidate : str, default "rule"
        ``rule`` (everything the tagger suggested that is in the frame), ``model`` (the
        classifier's), or another coder's name.
    unit : {"character", "sentence", "turn", "document"}, default "sentence"
        The unit of analysis, as in :mod:`.agreement`.
    codes : sequence of str, optional
        ``codes`` defaults to the codes the reference or the candidate used in the
        scored documents.
    units : pandas.DataFrame
        The units frame (``data.units``), required: it lists the units nobody coded.
    texts : mapping of str to str, optional
        The documents' stored texts (``data.texts``): needed for ``character`` units
        and for the units' texts.
    documents : sequence of str, optional
        The documents scored (default: those the reference coded).

    Returns
    -------
    pandas.DataFrame
        One row per code, then ``(micro)``: ``code_id``, ``tp``, ``fp``, ``fn``,
        ``n_units``, ``precision``, ``recall``, ``f1``, ``cohen_kappa``,
        ``krippendorff_alpha``, ``unit``, ``reference``, ``candidate`` and
        ``n_documents``.

    Notes
    -----
    Unit of analysis: one unit of kind ``unit`` (a sentence by default; a
    character, a turn or a document) of the scored documents, with one yes/no
    decision per code for the reference and one for the candidate, decided as
    in :func:`~asymmetry_qda.analysis.agreement`. ``(micro)`` pools every
    (code, unit) decision. ``n_units`` counts every unit of the scored
    documents (by default those the reference coded), coded or not.

    - ``tp``: units both coded; ``fp``: units only the candidate coded;
      ``fn``: units only the reference coded.
    - ``precision = tp / (tp + fp)``, ``recall = tp / (tp + fn)``,
      ``f1 = 2 precision recall / (precision + recall)``, from
      ``sklearn.metrics.precision_recall_fscore_support`` (``average="binary"``,
      ``zero_division=0``: 0 where a denominator is 0).
    - For precision, recall and F1 a missing decision counts as "no": when the
      candidate is another coder, the units of a scored document they did not
      code count as not coded by them (false negatives where the reference
      coded). The tagger (``rule``) and the model read every document.
    - ``cohen_kappa`` (``sklearn.metrics.cohen_kappa_score``) and
      ``krippendorff_alpha`` (``krippendorff.alpha``, nominal) treat the pair
      as two coders, as :func:`~asymmetry_qda.analysis.agreement` does: kappa
      over the units both decided, alpha with missing decisions left out.

    Examples
    --------
    >>> units = pd.DataFrame({"doc_id": "D", "unit": "sentence", "ordinal": range(4), "start": 0, "end": 1,
    ...                       "participant_id": "P1"})
    >>> codings = pd.DataFrame({"coding_id": ["a", "b", "c"], "doc_id": "D", "code_id": "blame",
    ...     "coder_id": ["LT", "tagger", "tagger"], "status": ["confirmed", "suggested", "suggested"],
    ...     "origin": ["human", "rule", "rule"], "sentence": [0, 0, 2], "sentence_last": [0, 0, 2],
    ...     "turn": 0, "turn_last": 0, "participant_id": "P1"})
    >>> evaluate(codings, reference="LT", units=units)[["code_id", "tp", "fp", "fn", "precision", "recall"]]
       code_id  tp  fp  fn  precision  recall
    0    blame   1   1   0        0.5     1.0
    1  (micro)   1   1   0        0.5     1.0
    """
    from sklearn.metrics import precision_recall_fscore_support

    documents = _scope(codings, reference, documents)
    if candidate == "model" and not (_coder_rows(codings, "model")["doc_id"].isin(documents)).any():
        warnings.warn(f"the model made no suggestion in the documents {reference} coded (it never suggests a code "
                      "where one is already coded, and it learned from those documents): score it by "
                      "cross-validation instead (asymmetry-qda evaluate --candidate model, or "
                      "asymmetry_qda.suggester.evaluation.cross_validate)", QDAWarning, stacklevel=2)
    _, decisions = coder_decisions(codings, coders=[reference, candidate], unit=unit, codes=codes, units=units,
                                   texts=texts, documents=documents)
    items = list(decisions.items())
    if items:
        items.append(("(micro)", np.concatenate([m for _, m in items], axis=1)))
    rows = []
    for code, matrix in items:
        truth, guess = np.nan_to_num(matrix[0]).astype(int), np.nan_to_num(matrix[1]).astype(int)
        precision, recall, f1, _ = precision_recall_fscore_support(truth, guess, average="binary", zero_division=0)
        rows.append({"code_id": code, "tp": int((truth & guess).sum()), "fp": int((guess & ~truth & 1).sum()),
                     "fn": int((truth & ~guess & 1).sum()), "n_units": int(matrix.shape[1]),
                     "precision": float(precision), "recall": float(recall), "f1": float(f1),
                     "cohen_kappa": _kappa(matrix), "krippendorff_alpha": _alpha(matrix)})
    table = pd.DataFrame(rows)
    table["unit"], table["reference"], table["candidate"] = unit, reference, candidate
    table["n_documents"] = len(documents)
    return table


def evaluation_errors(
    codings: pd.DataFrame,
    *,
    reference: str,
    candidate: str = "rule",
    unit: str = "sentence",
    codes: Sequence[str] | None = None,
    units: pd.DataFrame | None = None,
    texts=None,
    documents: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every false positive and false negative: the unit, its text, the code, and the rule(s) that fired.

    Parameters
    ----------
    codings : pandas.DataFrame
        The codings frame (``data.codings`` of :func:`~asymmetry_qda.analysis.load`), loaded with the
        candidate's codings (e.g. ``statuses=("confirmed", "suggested", "rejected")`` for everything the
        tagger suggested).
    reference : str
        The reference coder: their confirmed codings are the truth.
    candidate : str, default "rule"
        ``rule`` (everything the tagger suggested that is in the frame), ``model`` (the
        classifier's), or another coder's name.
    unit : {"character", "sentence", "turn", "document"}, default "sentence"
        The unit of analysis, as in :mod:`.agreement`.
    codes : sequence of str, optional
        The codes scored.
    units : pandas.DataFrame
        The units frame (``data.units``), required: it lists the units nobody coded.
    texts : mapping of str to str, optional
        The documents' stored texts (``data.texts``): needed for ``character`` units
        and for the units' texts.
    documents : sequence of str, optional
        The documents scored (default: those the reference coded).

    Returns
    -------
    pandas.DataFrame
        Columns: ``kind`` (``false_positive`` or ``false_negative``), ``code_id,
        doc_id, ordinal, unit_text, candidate_text, rule_id, reference_text``.

    Notes
    -----
    Unit of analysis: one (unit, code) decision where the reference and the
    candidate differ, the unit of kind ``unit`` (a sentence, a turn or a
    document: ``character`` is refused, as by
    :func:`~asymmetry_qda.analysis.disagreements`, which lists them). A
    ``false_positive`` is a unit only the candidate coded, a
    ``false_negative`` one only the reference coded. Computes no number.
    Only units both decided are listed, so when the candidate is another coder,
    the documents they did not code give no row here, while :func:`evaluate`
    counts their units as false negatives.
    """
    from ._agreement import disagreements

    documents = _scope(codings, reference, documents)
    table = disagreements(codings, coders=[reference, candidate], unit=unit, codes=codes, units=units, texts=texts,
                          documents=documents)
    if table.empty:
        return pd.DataFrame(columns=["kind", "code_id", "doc_id", "ordinal", "unit_text", "candidate_text",
                                     "rule_id", "reference_text"])
    table["kind"] = np.where(table["coded_by"] == candidate, "false_positive", "false_negative")
    fired = in_units(_coder_rows(codings, candidate), unit)
    rules = fired.groupby(["unit_key", "code_id"])["rule_id"].agg(
        lambda r: ";".join(sorted({x for x in r if isinstance(x, str)}))) if "rule_id" in fired else None
    keys = list(zip(table["unit_key"], table["code_id"], strict=True))
    table["rule_id"] = [rules.get(k, "") for k in keys] if rules is not None else ""
    table = table.rename(columns={f"{candidate}_text": "candidate_text", f"{reference}_text": "reference_text"})
    if "unit_text" not in table:
        table["unit_text"] = ""
    return table[["kind", "code_id", "doc_id", "ordinal", "unit_text", "candidate_text", "rule_id",
                  "reference_text"]]
