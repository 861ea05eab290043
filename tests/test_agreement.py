"""Intercoder agreement, disagreements, adjudication, importing coders and scoring the tagger.

Published reference values are pinned: Krippendorff's canonical reliability example
(nominal alpha 0.691) and NVivo's worked kappa example (1,000 characters, 90 %, 0.444).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from asymmetry_qda import InputError, QDAWarning
from asymmetry_qda.analysis import agreement, disagreements, evaluate, evaluation_errors, load, pairwise_agreement
from asymmetry_qda.analysis._agreement_statistics import _kappa_from_tables, nominal_alpha
from asymmetry_qda.errors import ArgumentError

NAN = np.nan


def test_krippendorffs_canonical_example_gives_nominal_alpha_0_691():
    data = [[NAN, NAN, NAN, NAN, NAN, 3, 4, 1, 2, 1, 1, 3, 3, NAN, 3],
            [1, NAN, 2, 1, 3, 3, 4, 3, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
            [NAN, NAN, 2, 1, 3, 4, 4, NAN, 2, 1, 1, 3, 3, NAN, 4]]
    assert nominal_alpha(data) == pytest.approx(0.691, abs=5e-4)


def character_frame(spans: dict[str, list[tuple[int, int]]], length: int = 1000):
    units = pd.DataFrame({"doc_id": ["D"], "unit": ["turn"], "ordinal": [0], "start": [0], "end": [length],
                          "participant_id": ["P1"]})
    rows = [{"coding_id": f"{coder}{i}", "doc_id": "D", "code_id": "blame", "coder_id": coder,
             "status": "confirmed", "origin": "human", "start": s, "end": e, "turn": 0, "turn_last": 0,
             "sentence": 0, "sentence_last": 0, "participant_id": "P1", "text": "", "memo": None}
            for coder, pieces in spans.items() for i, (s, e) in enumerate(pieces)]
    return pd.DataFrame(rows), units, {"D": "x" * length}


def test_nvivos_worked_example_1000_characters_90_percent_kappa_0_444():
    # each coder codes 100 of 1,000 characters, 50 of them in common
    codings, units, texts = character_frame({"A": [(0, 100)], "B": [(50, 150)]})
    row = agreement(codings, coders=["A", "B"], unit="character", units=units, texts=texts, n_boot=0).iloc[0]
    assert (row["n_units"], row["n_A"], row["n_B"], row["n_all"], row["n_coded_units"]) == (1000, 100, 100, 50, 150)
    assert row["percent"] == pytest.approx(0.90)
    assert row["cohen_kappa"] == pytest.approx(0.444, abs=5e-4)  # (0.90 - 0.82) / (1 - 0.82)
    assert row["percent_coded_only"] == pytest.approx(50 / 150)  # what the uncoded 850 characters hide


def test_kappa_is_cohens_not_qualcoders_and_the_vectorised_form_equals_sklearn():
    rng = np.random.default_rng(1)
    tables, expected = [], []
    for _ in range(50):
        a = (rng.random(80) < rng.uniform(0.05, 0.6)).astype(int)
        b = np.where(rng.random(80) < 0.8, a, 1 - a)
        tables.append([((a == i) & (b == j)).sum() for i in (0, 1) for j in (0, 1)])
        expected.append(cohen_kappa_score(a, b, labels=[0, 1]))
    np.testing.assert_allclose(_kappa_from_tables(np.array(tables)), expected, rtol=1e-12)
    # QualCoder's formula multiplies the chance terms; Cohen adds them: on the NVivo example that would not be 0.444
    p_o, p_yes = 0.9, 0.1
    assert (p_o - (p_yes * p_yes + (1 - p_yes) * (1 - p_yes))) / (1 - 0.82) == pytest.approx(0.4444, abs=1e-4)


SENTENCES = pd.DataFrame({"doc_id": ["D1"] * 6 + ["D2"] * 4, "unit": "sentence",
                          "ordinal": [*range(6), *range(4)], "start": [*range(0, 60, 10), *range(0, 40, 10)],
                          "end": [*range(9, 69, 10), *range(9, 49, 10)], "participant_id": ["P1"] * 6 + ["P2"] * 4})


def sentence_codings(table: list[tuple[str, str, str, int]]):
    return pd.DataFrame([{"coding_id": f"c{i}", "doc_id": doc, "code_id": code, "coder_id": coder,
                          "status": "confirmed", "origin": "human", "start": s * 10, "end": s * 10 + 9,
                          "sentence": s, "sentence_last": s, "turn": 0, "turn_last": 0, "participant_id": "P1",
                          "text": f"{doc} sentence {s}", "memo": "unsure" if coder == "C" else None}
                         for i, (coder, doc, code, s) in enumerate(table)])


def test_sentence_agreement_per_code_and_pooled_by_hand_with_reproducible_intervals():
    codings = sentence_codings([("A", "D1", "blame", 0), ("B", "D1", "blame", 0), ("A", "D1", "blame", 3),
                                ("A", "D2", "praise", 1), ("B", "D2", "praise", 1), ("B", "D2", "blame", 2)])
    table = agreement(codings, coders=["A", "B"], units=SENTENCES, n_boot=200, seed=4).set_index("code_id")
    # blame over 10 sentences: both on D1:0, only A on D1:3, only B on D2:2 -> 8/10 agree
    assert table.loc["blame", "percent"] == pytest.approx(0.8)
    assert table.loc["blame", "percent_coded_only"] == pytest.approx(1 / 3)
    # kappa: p_o = 0.8, A yes 0.2, B yes 0.2 -> p_e = 0.04 + 0.64 = 0.68 -> 0.12 / 0.32
    assert table.loc["blame", "cohen_kappa"] == pytest.approx(0.375)
    assert table.loc["praise", "cohen_kappa"] == pytest.approx(1.0)
    pooled = table.loc["(pooled)"]
    assert (pooled["n_units"], pooled["n_all"]) == (20, 2) and pooled["percent"] == pytest.approx(0.9)
    again = agreement(codings, coders=["A", "B"], units=SENTENCES, n_boot=200, seed=4).set_index("code_id")
    assert table.loc["blame", "alpha_ci_low"] == again.loc["blame", "alpha_ci_low"]
    assert table.loc["blame", "kappa_ci_low"] <= table.loc["blame", "cohen_kappa"] <= \
        table.loc["blame", "kappa_ci_high"]
    assert table["unit"].iloc[0] == "sentence" and table["n_documents"].iloc[0] == 2


def test_three_coders_alpha_with_a_coder_missing_a_document_and_pairwise_kappa():
    codings = sentence_codings([("A", "D1", "blame", 0), ("B", "D1", "blame", 0), ("C", "D1", "blame", 0),
                                ("A", "D2", "blame", 1), ("B", "D2", "blame", 1), ("A", "D1", "blame", 4)])
    # C never coded D2: C is missing there, not "absent"
    table = agreement(codings, coders=["A", "B", "C"], units=SENTENCES, documents=["D1", "D2"], n_boot=0)
    blame = table.set_index("code_id").loc["blame"]
    assert np.isnan(blame["cohen_kappa"])  # kappa is for two coders
    expected = nominal_alpha(np.array([[1, 0, 0, 0, 1, 0, 0, 1, 0, 0], [1, 0, 0, 0, 0, 0, 0, 1, 0, 0],
                                       [1, 0, 0, 0, 0, 0, NAN, NAN, NAN, NAN]], dtype=float))
    assert blame["krippendorff_alpha"] == pytest.approx(expected)
    assert blame["n_units"] == 6  # percent and the counts use units every coder decided
    pairs = pairwise_agreement(codings, coders=["A", "B", "C"], units=SENTENCES, n_boot=0)
    assert sorted(pairs["pair"].unique()) == ["A+B", "A+C", "B+C"]


def test_prevalence_paradox_is_flagged_and_warned():
    codings = sentence_codings([("A", "D1", "blame", 0), ("A", "D2", "praise", 1), ("B", "D2", "praise", 1),
                                ("B", "D1", "praise", 1), ("A", "D1", "praise", 1)])
    with pytest.warns(QDAWarning, match=r"prevalence paradox\): blame;"):
        table = agreement(codings, coders=["A", "B"], units=SENTENCES, n_boot=0)
    blame = table.set_index("code_id").loc["blame"]
    # one disagreement in 10 sentences: 90 % agreement, but B never codes blame, so kappa is 0
    assert blame["percent"] == pytest.approx(0.9) and blame["cohen_kappa"] == 0 and blame["prevalence_paradox"]
    assert not table.set_index("code_id").loc["praise", "prevalence_paradox"]


def test_bad_arguments_name_what_is_allowed():
    codings = sentence_codings([("A", "D1", "blame", 0), ("B", "D1", "blame", 0)])
    with pytest.raises(ArgumentError, match="unit: 'word' is not one of: character, sentence, turn, document"):
        agreement(codings, coders=["A", "B"], unit="word", units=SENTENCES)
    with pytest.raises(ArgumentError, match="coder 'Z' has no confirmed codings"):
        agreement(codings, coders=["A", "Z"], units=SENTENCES)
    with pytest.raises(ArgumentError, match="units= is required"):
        agreement(codings, coders=["A", "B"])


def test_disagreements_list_each_unit_with_text_coders_and_memos():
    codings = sentence_codings([("A", "D1", "blame", 0), ("C", "D1", "blame", 0), ("A", "D1", "blame", 2),
                                ("C", "D1", "praise", 2)])
    texts = {"D1": "".join(f"sentence{i}." for i in range(6)).ljust(70), "D2": " " * 50}
    table = disagreements(codings, coders=["A", "C"], units=SENTENCES, texts=texts)
    assert table[["ordinal", "code_id", "coded_by", "not_coded_by"]].values.tolist() == [
        [2, "blame", "A", "C"], [2, "praise", "C", "A"]]
    assert table["C_memo"].tolist() == ["", "unsure"] and table["A_text"].iloc[0] == "D1 sentence 2"
    assert table["unit_text"].iloc[0] == texts["D1"][20:29]


def test_evaluate_scores_the_tagger_and_lists_its_errors_with_the_rule():
    codings = sentence_codings([("LT", "D1", "blame", 0), ("LT", "D1", "blame", 3), ("LT", "D1", "praise", 5)])
    tagger = pd.DataFrame([{"coding_id": f"t{s}", "doc_id": "D1", "code_id": code, "coder_id": "tagger",
                            "status": "suggested", "origin": "rule", "rule_id": rule, "start": s * 10,
                            "end": s * 10 + 9, "sentence": s, "sentence_last": s, "turn": 0, "turn_last": 0,
                            "participant_id": "P1", "text": f"tagged {s}", "memo": None}
                           for code, s, rule in [("blame", 0, "blame.r1"), ("blame", 1, "blame.r2"),
                                                 ("praise", 5, "praise.r1")]])
    both = pd.concat([codings, tagger], ignore_index=True)
    table = evaluate(both, reference="LT", units=SENTENCES).set_index("code_id")
    assert table.loc["blame", ["tp", "fp", "fn"]].tolist() == [1, 1, 1]
    assert table.loc["blame", "precision"] == pytest.approx(0.5) and table.loc["blame", "recall"] == 0.5
    assert table.loc["(micro)", ["tp", "fp", "fn"]].tolist() == [2, 1, 1]
    assert table.loc["(micro)", "f1"] == pytest.approx(2 / 3)
    assert table["n_documents"].iloc[0] == 1  # only what the reference coded is scored
    errors = evaluation_errors(both, reference="LT", units=SENTENCES)
    assert errors[["kind", "ordinal", "rule_id"]].values.tolist() == [["false_positive", 1, "blame.r2"],
                                                                      ["false_negative", 3, ""]]


def test_import_codings_reports_every_problem_then_imports_once_and_adjudication_keeps_originals(project, write):
    from .conftest import INTERVIEW

    project.ingest(write("INT07.txt", INTERVIEW), pipeline="blank")
    bad = write("MK.csv", "doc_id,code,quote,occurrence,memo\n"
                          "INT07,agency.responsibility,lands at my door,,\n"
                          "INT07,response.blame,not in the text,,\n"
                          "INT99,response.blame,x,,\n")
    with pytest.raises(InputError) as caught:
        project.import_codings(bad, coder="MK")
    message = str(caught.value)
    assert "MK.csv line 3: the quote 'not in the text' is not in INT07's text" in message
    assert "MK.csv line 4: document 'INT99' is not in the project" in message
    assert project.codings().empty  # nothing written when anything is wrong
    good = write("LT.csv", "doc_id,code,quote,occurrence,memo\n"
                           "INT07,agency.responsibility,everything on the borough lands at my door,,clear\n"
                           "INT07,response.blame,it'll be me in front of the IOPC,,\n")
    report = project.import_codings(good, coder="LT")
    assert report.to_dict("records") == [{"coder": "LT", "added": 2, "already_present": 0}]
    assert project.import_codings(good, coder="LT")["already_present"].tolist() == [2]
    text = project.text("INT07")
    start = text.index("it'll be me")
    consensus = project.adjudicate("INT07", start, start + 31, "response.blame", decided_by="LT+MK", memo="agreed")
    current = project.codings()
    assert set(current["coder_id"]) == {"LT", "consensus"} and len(current) == 3
    assert project.memos().set_index("coding_id").loc[consensus, "text"] == "consensus of LT+MK: agreed"
    data = load(project)
    assert data.codings.set_index("code_id").loc["agency.responsibility", "memo"] == "clear"


def test_the_bootstrap_shortcut_for_alpha_equals_the_krippendorff_package():
    from asymmetry_qda.analysis._agreement_statistics import _alpha_from_type_counts

    rng = np.random.default_rng(7)
    for _ in range(20):
        matrix = (rng.random((3, 60)) < rng.uniform(0.1, 0.5)).astype(float)
        matrix[rng.random(matrix.shape) < 0.15] = np.nan
        values = np.where(np.isnan(matrix), 2, matrix).astype(int)
        keys = (values * np.array([[1], [3], [9]])).sum(axis=0)
        _, first, freq = np.unique(keys, return_index=True, return_counts=True)
        types = values[:, first]
        shortcut = _alpha_from_type_counts(freq[None, :], (types == 0).sum(axis=0), (types == 1).sum(axis=0))[0]
        assert shortcut == pytest.approx(nominal_alpha(matrix, value_domain=[0, 1]), rel=1e-9)


def test_scoring_the_model_on_its_own_training_documents_warns_to_cross_validate():
    codings = sentence_codings([("LT", "D1", "blame", 0)])
    model = codings.assign(coding_id="m1", coder_id="model", origin="model", status="suggested", doc_id="D2")
    both = pd.concat([codings, model], ignore_index=True)
    with pytest.warns(QDAWarning, match="cross-validation"):
        table = evaluate(both, reference="LT", candidate="model", units=SENTENCES)
    blame = table.set_index("code_id").loc["blame"]
    assert (blame["tp"], blame["fn"], blame["n_units"]) == (0, 1, 6)  # silence in D1 is a "no", not missing
