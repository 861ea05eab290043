"""The learned suggester on the evaluation corpus: seed data from the codebook, the tagger's evidence for loose
texts, and labels predicted only for talk the model never saw."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from asymmetry_qda.analysis import judge_corpus, model_labels, validity, validity_report
from asymmetry_qda.codebook import load_codebook
from asymmetry_qda.errors import ArgumentError
from asymmetry_qda.evaluation_corpus import load_corpus
from asymmetry_qda.suggester.seeds import codebook_seed
from asymmetry_qda.tagging.evidence import evidence_columns, judge_units

from .conftest import REPO, requires_model

STUDY = REPO / "codebooks" / "asymmetries.yaml"


def test_the_study_codebook_seed_labels_each_text_for_its_own_code():
    codebook = load_codebook(STUDY)
    X, Y = codebook_seed(codebook, evidence=False)
    assert len(X) == sum(len(c.examples) + len(c.counter_examples) for c in codebook.codes)
    own = Y.to_numpy()[np.arange(len(X)), [list(Y.columns).index(c) for c in X["code"]]]
    assert ((own == 1) == (X["kind"] == "example").to_numpy()).all()
    assert ((own == -1) == (X["kind"] == "counter_example").to_numpy()).all()
    blame = X.index[(X["code"] == "response.blame.hindsight") & (X["kind"] == "example")][0]
    assert np.isnan(Y.at[blame, "response.blame"])  # an ancestor: unknown, not a negative
    assert Y.at[blame, "response.praise"] == 0.0  # another branch: a negative
    preventable = X.index[(X["code"] == "failure.preventable.deviation") & (X["kind"] == "example")][0]
    assert np.isnan(Y.at[preventable, "reason.personal_fault"])  # an implied code: unknown
    counter = X.index[X["kind"] == "counter_example"][0]
    others = Y.drop(columns=X.at[counter, "code"]).loc[counter]
    assert others.isna().all()


def test_judge_units_and_their_evidence_columns():
    codebook = load_codebook(STUDY)
    text = "We went out for a curry. I got hauled in by professional standards over it."
    judged = judge_units([("k", text, [0, 25])], codebook, pipeline="blank")
    assert set(judged["unit"]) == {2} and (judged["key"] == "k").all()
    index = pd.MultiIndex.from_tuples([("k", 1), ("k", 2)])
    columns = evidence_columns(judged, index)
    rule_columns = [c for c in columns if c.startswith("rule:")]
    assert rule_columns and (columns.loc[("k", 1), rule_columns] == 0).all()
    assert (columns.loc[("k", 2), rule_columns] > 0).any()
    assert evidence_columns(judged.iloc[:0], index).empty


def _tiny(tmp_path):
    from .test_evaluation_corpus import _corpus

    reference = [("E001", 1, "agency.responsibility"), ("E001", 2, "agency.control"),
                 ("E002", 2, "remedy.retraining")]
    return _corpus(tmp_path, reference, reference, reference)


def test_model_labels_are_only_for_unseen_sentences_and_name_learned_codes(tmp_path):
    corpus = _tiny(tmp_path)
    codebook = load_codebook(STUDY)
    labels, probability = model_labels(corpus, codebook, pipeline="blank", level="theme", rules=True,
                                       return_probabilities=True)
    assert list(labels.columns) == ["excerpt_id", "sentence", "code", "coder"]
    assert (labels["coder"] == "rules+model").all()
    assert set(labels["code"]) <= {c.id.split(".")[0] for c in codebook.codes}
    assert probability.shape[0] == len(corpus.units) and probability.to_numpy().max() <= 1.0
    with pytest.raises(ArgumentError, match="no 'test' sentences to learn from"):
        model_labels(corpus, codebook, pipeline="blank", train_split="test")
    # the three dev excerpts are predicted out of fold: the score is defined and on unseen talk
    scores = validity(corpus, labels, level="theme", split="dev", n_boot=0, implications=codebook.implications)
    assert 0.0 <= scores["f1"] <= 1.0 and np.isnan(scores["negated_fp_rate"])  # theme labels name no leaf


def test_validity_report_adds_the_learned_candidates(tmp_path):
    corpus = _tiny(tmp_path)
    table = validity_report(corpus, codebook=STUDY, pipeline="blank", split="dev", levels=("theme",), n_boot=0,
                            learned=("model", "rules+model"))
    assert table["candidate"].tolist() == ["rule", "coder A", "coder B", "model", "rules+model"]
    with pytest.raises(ArgumentError, match="unknown learned candidate 'magic'"):
        validity_report(corpus, codebook=STUDY, pipeline="blank", split="dev", levels=("theme",), n_boot=0,
                        learned=("magic",))


def test_semantic_without_no_learned(tmp_path, capsys):
    from asymmetry_qda.cli import main

    corpus = _tiny(tmp_path)
    assert main(["evaluate-corpus", "--corpus", str(corpus.folder), "--split", "dev", "--boot", "0",
                 "--pipeline", "blank", "--no-learned", "--semantic"]) == 2
    assert "read by the learned suggester only" in capsys.readouterr().err


@requires_model
def test_the_learned_suggester_on_the_test_split_does_not_lose_ground():
    """Floors a little below the figures on the test split when this was written (README, benchmark): the
    suggester trained on the dev split and the codebook's examples, at theme level."""
    corpus = load_corpus()
    codebook = load_codebook(STUDY)
    judged = judge_corpus(corpus, codebook)
    labels = model_labels(corpus, codebook, judged=judged, level="theme", splits=["test"])
    theme = validity(corpus, labels, level="theme", split="test", n_boot=0, implications=codebook.implications)
    assert theme["f1"] >= 0.48 and theme["kappa"] >= 0.41 and theme["precision"] >= 0.66  # 0.515 0.447 0.710
    assert theme["recall"] >= 0.37 and theme["distractor_fp_rate"] <= 0.31  # 0.404 0.273
    assert theme["recall_negated"] >= 0.58  # 0.640
    assert (labels["excerpt_id"].map(corpus.excerpts.set_index("excerpt_id")["split"]) == "test").all()
