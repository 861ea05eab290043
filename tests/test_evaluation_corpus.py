"""The blind evaluation corpus: loading, the fixed split, human agreement, and scoring labels against it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from asymmetry_qda.analysis import tag_corpus, validity
from asymmetry_qda.errors import InputError
from asymmetry_qda.evaluation_corpus import code_at, human_agreement, load_corpus, split_of

from .conftest import REPO, requires_model

EXCERPTS = [
    {"excerpt_id": "E001", "sentences": ["Whatever happens on the shift lands at my door.", "I can't control it."],
     "split": "dev", "writer": "W1", "target": "agency.control", "categories": ["explicit"],
     "writer_codes": ["agency.control"], "writer_negated": [], "writer_also": [], "note": ""},
    {"excerpt_id": "E002", "sentences": ["It wasn't a discipline matter.", "We sat down and did some retraining."],
     "split": "dev", "writer": "W3", "target": "remedy.retraining", "categories": ["negated"],
     "writer_codes": ["remedy.retraining"], "writer_negated": ["remedy.discipline"], "writer_also": [], "note": ""},
    {"excerpt_id": "E003", "sentences": ["I'm responsible for the rota spreadsheet."], "split": "dev",
     "writer": "W1", "target": "none", "categories": ["distractor_sense"], "writer_codes": [],
     "writer_negated": [], "writer_also": [], "note": ""},
]


def _corpus(tmp_path, a_rows, b_rows, adjudicated_rows):
    folder = tmp_path / "evaluation"
    (folder / "codings").mkdir(parents=True)
    (folder / "excerpts.jsonl").write_text("".join(json.dumps(e) + "\n" for e in EXCERPTS), encoding="utf-8")
    for name, rows in (("A", a_rows), ("B", b_rows), ("adjudicated", adjudicated_rows)):
        pd.DataFrame(rows, columns=["excerpt_id", "sentence", "code"]).to_csv(folder / "codings" / f"{name}.csv",
                                                                              index=False)
    return load_corpus(folder)


def test_the_split_is_fixed_and_about_half():
    ids = [f"E{i:03d}" for i in range(1, 401)]
    splits = [split_of(i) for i in ids]
    assert splits == [split_of(i) for i in ids]  # a pure function of the id
    assert 160 < splits.count("dev") < 240
    assert split_of("E001") == split_of("E001") and {split_of("E001"), split_of("E002")} <= {"dev", "test"}


def test_levels():
    assert code_at("failure.preventable.deviation", "leaf") == "failure.preventable.deviation"
    assert code_at("failure.preventable.deviation", "pole") == "failure.preventable"
    assert code_at("failure.preventable.deviation", "theme") == "failure"
    with pytest.raises(InputError):
        code_at("agency", "sub")


def test_sentences_have_exact_offsets_and_bad_labels_are_reported(tmp_path):
    corpus = _corpus(tmp_path, [("E001", 2, "agency.control")], [], [])
    for unit in corpus.units.itertuples():
        text = corpus.excerpts.set_index("excerpt_id").at[unit.excerpt_id, "text"]
        assert text[unit.start:unit.end] == unit.sentence_text
    pd.DataFrame([("E001", 3, "agency.control")], columns=["excerpt_id", "sentence", "code"]).to_csv(
        corpus.folder / "codings" / "B.csv", index=False)
    with pytest.raises(InputError, match="sentence 3 of E001 does not exist"):
        load_corpus(corpus.folder)


def test_human_agreement_matches_hand_computed_kappa(tmp_path):
    # 5 sentences; A codes agency.control on 2, B on 1 of those and on none else
    corpus = _corpus(tmp_path, [("E001", 2, "agency.control"), ("E002", 2, "agency.control")],
                     [("E001", 2, "agency.control")], [])
    table = human_agreement(corpus).set_index("code")
    row = table.loc["agency.control"]
    # A = [0,1,0,1,0], B = [0,1,0,0,0]: p_o = 4/5; p_e = (3/5)(4/5) + (2/5)(1/5) = 14/25; kappa = (20-14)/(25-14)
    assert row["percent"] == pytest.approx(0.8) and row["cohen_kappa"] == pytest.approx(6 / 11)
    assert (row["n_a"], row["n_b"], row["n_units"]) == (2, 1, 5)
    assert 0 < row["krippendorff_alpha"] < row["cohen_kappa"] + 0.05


def test_validity_scores_a_handmade_candidate(tmp_path):
    reference = [("E001", 1, "agency.responsibility"), ("E001", 2, "agency.control"), ("E002", 2, "remedy.retraining")]
    corpus = _corpus(tmp_path, reference, reference, reference)
    guess = pd.DataFrame([("E001", 2, "agency.control"), ("E002", 1, "remedy.discipline"),
                          ("E003", 1, "agency.responsibility")], columns=["excerpt_id", "sentence", "code"])
    scores = validity(corpus, guess, level="leaf", split="dev", n_boot=50)
    assert scores["precision"] == pytest.approx(1 / 3) and scores["recall"] == pytest.approx(1 / 3)
    assert scores["distractor_fp_rate"] == 1.0  # the one distractor excerpt got a code
    assert scores["negated_fp_rate"] == 1.0  # the denied discipline was suggested
    assert scores["recall_negated"] == 0.0 and scores["recall_explicit"] == pytest.approx(0.5)
    theme = validity(corpus, guess, level="theme", split="dev", n_boot=50)
    # themes: agency on E001/2 is right; remedy on E002/1 and agency on the distractor E003/1 are not
    assert theme["precision"] == pytest.approx(1 / 3) and theme["recall"] == pytest.approx(1 / 3)
    assert scores["precision_ci_low"] <= scores["precision"] <= scores["precision_ci_high"]


def test_tag_corpus_puts_each_match_in_the_sentence_it_starts_in(tmp_path):
    corpus = _corpus(tmp_path, [], [], [])
    labels = tag_corpus(corpus, REPO / "codebooks" / "asymmetries.yaml", pipeline="blank")
    assert set(labels.columns) == {"excerpt_id", "sentence", "code", "coder"}
    assert (labels["coder"] == "rule").all()
    found = set(zip(labels["excerpt_id"], labels["sentence"], labels["code"], strict=True))
    assert ("E002", 2, "remedy.retraining") in found  # the second sentence, not the first
    assert not any(e == "E002" and n == 1 for e, n, _ in found)
    merged = labels.merge(corpus.units, on=["excerpt_id", "sentence"], how="left", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert np.isin(labels["sentence"], [1, 2]).all()


def test_the_evaluate_corpus_command(tmp_path, capsys):
    from asymmetry_qda.cli import main

    reference = [("E001", 2, "agency.control"), ("E002", 2, "remedy.retraining")]
    corpus = _corpus(tmp_path, reference, reference[:1], reference)
    out = tmp_path / "validity.csv"
    status = main(["evaluate-corpus", "--corpus", str(corpus.folder), "--split", "dev", "--boot", "20",
                   "--pipeline", "blank", "--out", str(out), "--no-learned"])
    printed = capsys.readouterr().out
    assert status == 0, printed
    assert "human ceiling" in printed and "theme kappa" in printed
    table = pd.read_csv(out)
    assert set(table["candidate"]) == {"rule", "coder A", "coder B"}
    assert set(table["level"]) == {"theme", "pole", "leaf"}
    coder_a = table[(table["candidate"] == "coder A") & (table["level"] == "leaf")].iloc[0]
    assert coder_a["f1"] == 1.0  # coder A gave exactly the adjudicated labels


# --- the bundled corpus -------------------------------------------------------------------------------
def test_the_bundled_corpus_meets_its_protocol():
    from asymmetry_qda.codebook import load_codebook

    corpus = load_corpus()
    assert len(corpus.excerpts) >= 400
    assert corpus.excerpts["split"].tolist() == [split_of(i) for i in corpus.excerpts["excerpt_id"]]
    categories = corpus.excerpts["categories"]
    share = {c: categories.map(lambda cs, c=c: c in cs).mean() for c in ("implicit", "negated", "hypothetical",
                                                                        "reported")}
    distractors = categories.map(lambda cs: any(c.startswith("distractor") for c in cs)).mean()
    assert share["implicit"] >= 0.30 and share["negated"] >= 0.15 and distractors >= 0.20
    assert share["hypothetical"] >= 0.10 and share["reported"] >= 0.10
    ids = [c.id for c in load_codebook(REPO / "codebooks" / "asymmetries.yaml").codes]
    leaves = [i for i in ids if not any(o.startswith(i + ".") for o in ids)]
    reference = corpus.labels[corpus.labels["coder"] == "adjudicated"]["code"].value_counts()
    assert all(reference.get(leaf, 0) >= 8 for leaf in leaves)
    assert set(corpus.labels["code"]) <= set(ids)
    ceiling = human_agreement(corpus, level="theme").set_index("code").loc["(pooled)"]
    assert ceiling["cohen_kappa"] >= 0.90  # the two coders, pooled (0.932 when the corpus was made)


@requires_model
def test_todays_rules_on_the_test_split_do_not_lose_ground():
    """Floors a little below the rules' figures on the test split when the corpus was made (README): a later
    change to the codebook or tagger cannot silently lose them. Raise them as the rules improve."""
    from asymmetry_qda.codebook import load_codebook

    corpus = load_corpus()
    codebook = load_codebook(REPO / "codebooks" / "asymmetries.yaml")
    labels = tag_corpus(corpus, codebook)
    theme = validity(corpus, labels, level="theme", split="test", n_boot=0, implications=codebook.implications)
    leaf = validity(corpus, labels, level="leaf", split="test", n_boot=0)
    assert theme["precision"] >= 0.78 and theme["recall"] >= 0.25 and theme["f1"] >= 0.38  # 0.819 0.276 0.413
    assert theme["kappa"] >= 0.33 and leaf["f1"] >= 0.37 and leaf["macro_f1"] >= 0.29  # 0.359 0.402 0.319
    assert theme["distractor_fp_rate"] <= 0.26 and theme["negated_fp_rate"] <= 0.26  # 0.227 0.222


def test_implied_codes_count_at_theme_level_only(tmp_path):
    from asymmetry_qda.analysis import implied_labels

    reference = [("E001", 2, "reason.personal_fault")]
    corpus = _corpus(tmp_path, reference, reference, reference)
    guess = pd.DataFrame([("E001", 2, "failure.preventable.deviation")], columns=["excerpt_id", "sentence", "code"])
    implications = {"failure.preventable.deviation": ("reason.personal_fault",)}
    assert set(implied_labels(guess, implications)["code"]) == {"failure.preventable.deviation",
                                                                "reason.personal_fault"}
    with_them = validity(corpus, guess, level="theme", split="dev", n_boot=0, implications=implications)
    without = validity(corpus, guess, level="theme", split="dev", n_boot=0)
    assert with_them["recall"] == 1.0 and without["recall"] == 0.0
    assert validity(corpus, guess, level="leaf", split="dev", n_boot=0, implications=implications)["recall"] == 0.0


def test_errors_are_shown_for_the_dev_split_only(tmp_path, capsys):
    from asymmetry_qda.analysis import corpus_errors
    from asymmetry_qda.cli import main

    reference = [("E001", 2, "agency.control"), ("E002", 2, "remedy.retraining")]
    corpus = _corpus(tmp_path, reference, reference, reference)
    guess = pd.DataFrame([("E002", 2, "remedy.retraining"), ("E003", 1, "agency.responsibility")],
                         columns=["excerpt_id", "sentence", "code"])
    errors = corpus_errors(corpus, guess)
    assert sorted(zip(errors["excerpt_id"], errors["error"], strict=True)) == [
        ("E001", "false negative"), ("E003", "false positive")]
    assert errors.set_index("excerpt_id").at["E001", "sentence_text"] == "I can't control it."
    with pytest.raises(InputError, match="errors of the 'test' split are not shown"):
        corpus_errors(corpus, guess, split="test")
    out = tmp_path / "errors.csv"
    assert main(["evaluate-corpus", "--corpus", str(corpus.folder), "--split", "test", "--errors", str(out),
                 "--boot", "0", "--pipeline", "blank"]) == 2
    assert "only the dev split's errors are shown" in capsys.readouterr().err and not out.exists()
    assert main(["evaluate-corpus", "--corpus", str(corpus.folder), "--split", "dev", "--errors", str(out),
                 "--boot", "0", "--pipeline", "blank", "--no-learned"]) == 0
    assert {"excerpt_id", "sentence", "code", "error", "sentence_text"} <= set(pd.read_csv(out).columns)
