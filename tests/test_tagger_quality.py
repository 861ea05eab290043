"""Precision and recall of the tagger's suggestions against hand coding of text the rules never saw.

tests/data/heldout/INT90.txt was written and hand-coded (INT90_codes.csv: quote, code) from
the codebook's definitions alone, without the rules or the tagger, after the rules were
written. Unit of analysis: the sentence; a (sentence, code) pair is in the reference when a
hand-coded quote overlaps the sentence, and predicted when the tagger suggests that code for
it. Micro-averaged precision and recall come from scikit-learn over the sentence x code
indicator matrix. First measurement (codebook 1.0.0): precision 0.82, recall 0.38; the floors
below guard against regressions, they are not targets.
"""

from __future__ import annotations

import csv

import pytest
from sklearn.metrics import precision_recall_fscore_support
from sklearn.preprocessing import MultiLabelBinarizer

from .conftest import REPO, requires_model

HELDOUT = REPO / "tests" / "data" / "heldout"


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    from asymmetry_qda import Project

    with Project.create(tmp_path_factory.mktemp("heldout") / "h.qda") as project:
        project.ingest(HELDOUT / "INT90.txt")
        project.code(REPO / "codebooks" / "asymmetries.yaml", progress=False)
        text = project.text("INT90")
        sentences = project.segments(unit="sentence", include_interviewer=False)
        reference: dict[str, set[str]] = {s: set() for s in sentences["segment_id"]}
        with open(HELDOUT / "INT90_codes.csv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                start = text.index(row["quote"])
                end = start + len(row["quote"])
                for s in sentences.itertuples():
                    if s.start < end and start < s.end:
                        reference[s.segment_id].add(row["code_id"])
        predicted: dict[str, set[str]] = {s: set() for s in reference}
        for s in project.suggestions().itertuples():
            predicted.setdefault(s.segment_id, set()).add(s.code_id)
    units = sorted(reference)
    binarizer = MultiLabelBinarizer().fit([reference[u] | predicted[u] for u in units])
    y_true = binarizer.transform([reference[u] for u in units])
    y_pred = binarizer.transform([predicted[u] for u in units])
    precision, recall, _, _ = precision_recall_fscore_support(y_true, y_pred, average="micro", zero_division=0)
    return precision, recall, int(y_true.sum()), int(y_pred.sum())


@requires_model
def test_suggestions_are_precise_on_unseen_talk(scored):
    precision, recall, n_reference, n_predicted = scored
    assert n_reference == 60
    assert precision >= 0.75, f"precision {precision:.2f} on {n_predicted} suggestions"


@requires_model
def test_recall_on_unseen_talk_does_not_regress(scored):
    precision, recall, n_reference, n_predicted = scored
    assert recall >= 0.35, f"recall {recall:.2f} of {n_reference} hand-coded (sentence, code) pairs"
