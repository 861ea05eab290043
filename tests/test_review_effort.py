"""Review effort: the continuous-active-learning simulation against document and random order."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from asymmetry_qda.analysis import review_effort, summarise_effort
from asymmetry_qda.analysis._review_effort import corpus_review_effort
from asymmetry_qda.errors import ArgumentError

from .conftest import REPO

BLAME = ["They blamed me for the pursuit.", "I got the blame for the raid.", "Blamed again for the crash.",
         "The blame landed on me for the search.", "Everyone blamed me for the arrest."]
OTHER = ["The canteen shut at six.", "We moved stations in spring.", "Parking is a nightmare.",
         "The radio was upgraded.", "My shift pattern is four on.", "I started on response.",
         "The van needed fuel.", "It rained all week.", "The new chairs arrived.", "We had a quiz night."]


def pool():
    # instances at the end of the documents: document order reads nearly everything to find them
    texts = OTHER * 3 + BLAME
    truth = pd.DataFrame({"response.blame": [0] * 30 + [1] * 5})
    return texts, truth


def test_document_and_random_order_are_computed_exactly():
    texts, truth = pool()
    table = review_effort(texts, truth, batch_size=5).set_index("code")
    row = table.loc["response.blame"]
    assert (row["n_units"], row["n_positives"]) == (35, 5)
    assert row["document_0.8"] == 34 and row["document_0.9"] == 35  # the 4th and the 5th instance
    assert row["random_0.8"] == pytest.approx(round(4 * 36 / 6, 1))
    assert row["cal_0.8"] % 5 == 0 and row["cal_0.8"] <= 35
    assert row["saved_0.8"] == pytest.approx(round(1 - row["cal_0.8"] / 34, 3))


def test_cal_finds_instances_sooner_once_it_has_one_of_each():
    texts, truth = pool()
    evidence = pd.DataFrame({"rule:response.blame": [0.0] * 30 + [0.9, 0, 0, 0, 0]})  # the rules find one
    table = review_effort(texts, truth, evidence=evidence, batch_size=5).set_index("code")
    assert table.at["response.blame", "cal_0.9"] < table.at["response.blame", "document_0.9"]
    summary = summarise_effort(table.reset_index())
    assert summary["codes"] == 1 and summary["cal_fewer_0.9"] == 1.0


def test_rare_codes_are_left_out_and_bad_input_is_reported():
    texts, truth = pool()
    truth["response.praise"] = [0] * 34 + [1]
    assert review_effort(texts, truth, batch_size=5)["code"].tolist() == ["response.blame"]
    with pytest.raises(ArgumentError, match="34 rows for 35 texts"):
        review_effort(texts, truth.iloc[:34])
    with pytest.raises(ArgumentError, match="batch_size"):
        review_effort(texts, truth, batch_size=0)


def test_on_the_corpus_with_seed_data(tmp_path):
    from .test_evaluation_corpus import _corpus

    reference = [("E001", 1, "agency.responsibility"), ("E001", 2, "agency.control"),
                 ("E002", 2, "remedy.retraining")]
    corpus = _corpus(tmp_path, reference, reference, reference)
    table = corpus_review_effort(corpus, REPO / "codebooks" / "asymmetries.yaml", pipeline="blank", batch_size=1,
                                 min_positives=1)
    assert set(table["code"]) == {"agency.responsibility", "agency.control", "remedy.retraining"}
    assert (table["n_units"] == 5).all() and (table["cal_0.8"] <= 5).all()
    assert math.isclose(table["random_0.8"].iloc[0], 1 * 6 / 2)
