"""Frequencies, matrices, asymmetry balance and Table One alignment on small hand-computed examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from asymmetry_qda.analysis import (
    alignment_quotes,
    code_frequencies,
    code_matrix,
    failure_alignment,
    group_balance,
    participant_balance,
    response_fits,
)
from asymmetry_qda.analysis._frame import in_units, rolled_up
from asymmetry_qda.errors import ArgumentError

# Two interviews. D1 (P1, leader) has 4 sentences in 2 turns; D2 (P2, not a leader) has 2 sentences in 1 turn.
UNITS = pd.DataFrame(
    [("D1", "turn", 0, 0, 40, "P1", True), ("D1", "turn", 1, 41, 80, "P1", True),
     ("D1", "sentence", 0, 0, 20, "P1", True), ("D1", "sentence", 1, 21, 40, "P1", True),
     ("D1", "sentence", 2, 41, 60, "P1", True), ("D1", "sentence", 3, 61, 80, "P1", True),
     ("D2", "turn", 0, 0, 30, "P2", False),
     ("D2", "sentence", 0, 0, 15, "P2", False), ("D2", "sentence", 1, 16, 30, "P2", False)],
    columns=["doc_id", "unit", "ordinal", "start", "end", "participant_id", "leader"])


def coding(cid, doc, code, sentence, sentence_last, turn, participant, leader, start=0, end=5):
    return {"coding_id": cid, "doc_id": doc, "code_id": code, "sentence": sentence, "sentence_last": sentence_last,
            "turn": turn, "turn_last": turn, "participant_id": participant, "leader": leader, "status": "confirmed",
            "start": start, "end": end, "text": f"text of {cid}"}


CODINGS = pd.DataFrame([
    coding("c1", "D1", "response.blame", 0, 1, 0, "P1", True),            # spans sentences 0-1
    coding("c2", "D1", "response.blame.hindsight", 1, 1, 0, "P1", True),  # same sentence 1 again
    coding("c3", "D1", "response.praise", 3, 3, 1, "P1", True),
    coding("c4", "D2", "response.blame", 0, 0, 0, "P2", False),
])


def test_frequencies_count_units_once_and_use_all_units_as_denominator():
    table = code_frequencies(CODINGS, units=UNITS).set_index("code_id")
    # response.blame: c1 covers D1 sentences 0,1; c4 covers D2 sentence 0 -> 3 units of 6; 2 of 2 participants
    assert table.loc["response.blame", ["n_codings", "n_units", "units_total", "n_participants"]].tolist() == \
        [2, 3, 6, 2]
    assert table.loc["response.blame", "pct_units"] == pytest.approx(50.0)
    assert table.loc["response.blame", "pct_participants"] == pytest.approx(100.0)
    assert table.loc["response.praise", "pct_units"] == pytest.approx(100 / 6)


def test_roll_up_counts_a_sub_code_for_its_parent_without_double_counting_units():
    table = code_frequencies(CODINGS, units=UNITS, roll_up=True).set_index("code_id")
    # blame rolled up: c1 (D1 s0, s1), c2 (D1 s1, already counted), c4 (D2 s0) -> 3 units, 3 codings
    assert table.loc["response.blame", ["n_codings", "n_units"]].tolist() == [3, 3]
    # theme "response": every coding -> D1 s0, s1, s3 and D2 s0
    assert table.loc["response", "n_units"] == 4


def test_frequencies_by_group_use_the_group_as_denominator_and_list_every_code():
    table = code_frequencies(CODINGS, units=UNITS, by="leader").set_index(["leader", "code_id"])
    assert table.loc[("True", "response.blame"), ["n_units", "units_total", "pct_units"]].tolist() == [2, 4, 50.0]
    assert table.loc[("False", "response.blame"), ["n_units", "units_total", "pct_units"]].tolist() == [1, 2, 50.0]
    assert table.loc[("False", "response.praise"), "n_units"] == 0  # zero rows are present, not missing


def test_turn_unit_and_without_units_frame_says_only_coded_units_are_known():
    table = code_frequencies(CODINGS, unit="turn").set_index("code_id")
    assert table.loc["response.blame", "n_units"] == 2  # D1 turn 0 and D2 turn 0
    assert table.loc["response.blame", "units_total"] == 3  # coded turns only: D1 t0, D1 t1, D2 t0
    assert table["denominator"].iloc[0].startswith("coded units only")


def test_code_matrix_by_document():
    matrix = code_matrix(CODINGS, units=UNITS, columns="doc_id")
    assert matrix.loc["response.blame"].tolist() == [2, 1]
    assert matrix.loc["response.praise"].tolist() == [1, 0]
    with pytest.raises(ArgumentError, match="value: 'share'"):
        code_matrix(CODINGS, value="share")


def test_bad_unit_and_bad_group_name_the_allowed_values():
    with pytest.raises(ArgumentError, match="unit: 'paragraph' is not one of: sentence, turn"):
        code_frequencies(CODINGS, unit="paragraph")
    with pytest.raises(ArgumentError, match="by='rank': no column rank"):
        code_frequencies(CODINGS, by="rank")


def test_in_units_expands_multi_sentence_codings_and_rolled_up_adds_ancestors():
    assert in_units(CODINGS)["unit_key"].tolist() == ["D1:0", "D1:1", "D1:1", "D1:3", "D2:0"]
    assert rolled_up(CODINGS.iloc[[1]])["code_id"].tolist() == [
        "response.blame.hindsight", "response.blame", "response"]


POLES = {"response": ("response.blame", "response.praise")}


def test_participant_balance_by_hand_and_participants_without_codings_are_listed():
    units = pd.concat([UNITS, pd.DataFrame([("D3", "sentence", 0, 0, 9, "P3", False),
                                            ("D3", "turn", 0, 0, 9, "P3", False)], columns=UNITS.columns)])
    table = participant_balance(CODINGS, poles=POLES, units=units).set_index("participant_id")
    # P1: heavy = sentences 0, 1 (blame, hindsight) = 2; light = sentence 3 = 1 -> (2 - 1) / 3
    assert table.loc["P1", ["heavy", "light"]].tolist() == [2, 1]
    assert table.loc["P1", "balance"] == pytest.approx(1 / 3)
    assert table.loc["P2", "balance"] == 1.0 and table.loc["P2", "leaning"] == "heavy"
    assert np.isnan(table.loc["P3", "balance"]) and table.loc["P3", "leaning"] == "no coded units"


def test_group_balance_mean_share_and_a_reproducible_bootstrap_interval():
    table = pd.DataFrame({"theme": "response", "participant_id": ["P1", "P2", "P3", "P4", "P5"],
                          "balance": [1.0, 0.5, -0.5, 0.0, np.nan], "unit": "sentence", "status": "confirmed"})
    first = group_balance(table, seed=3).iloc[0]
    again = group_balance(table, seed=3).iloc[0]
    assert first["mean_balance"] == pytest.approx(0.25)  # (1 + 0.5 - 0.5 + 0) / 4
    assert first["share_heavy"] == pytest.approx(0.5)  # 2 of the 4 with coded units lean heavy
    assert (first["n_participants"], first["n_without"]) == (4, 1)
    assert first["ci_low"] == again["ci_low"] and first["ci_high"] == again["ci_high"]
    # a percentile interval of the mean lies within the range of the data and around the mean
    assert -0.5 <= first["ci_low"] < 0.25 < first["ci_high"] <= 1.0


def test_group_balance_by_attribute_and_too_few_participants_give_no_interval():
    table = pd.DataFrame({"theme": "response", "participant_id": ["P1", "P2", "P3"], "leader": [True, True, False],
                          "balance": [1.0, 0.0, -1.0], "unit": "sentence", "status": "confirmed"})
    groups = group_balance(table, by="leader").set_index("group")
    assert groups.loc["leader=True", "mean_balance"] == pytest.approx(0.5)
    assert np.isnan(groups.loc["leader=False", "ci_low"])  # one participant: no interval


FITS = {"remedy.discipline": ("failure.preventable.deviation",),
        "remedy.acknowledge_complexity": ("failure.tolerable.complexity",)}


def test_alignment_flags_complexity_answered_by_discipline_and_keeps_its_quotes():
    codings = pd.DataFrame([
        coding("r1", "D1", "failure.tolerable.complexity", 0, 0, 0, "P1", True, 0, 10),
        coding("m1", "D1", "remedy.discipline", 1, 1, 0, "P1", True, 21, 30),
        coding("r2", "D1", "failure.preventable.deviation", 2, 2, 1, "P1", True, 41, 50),
        coding("m2", "D1", "remedy.discipline", 3, 3, 1, "P1", True, 61, 70),
        coding("r3", "D2", "failure.tolerable.complexity", 0, 0, 0, "P2", False, 0, 10),
        coding("m3", "D2", "remedy.discipline", 1, 1, 0, "P2", False, 16, 25),
        coding("m4", "D2", "remedy", 1, 1, 0, "P2", False, 16, 25),  # no fits: neither aligned nor flagged
    ])
    table = failure_alignment(codings, fits=FITS).set_index(["reason", "response"])
    cell = table.loc[("failure.tolerable.complexity", "remedy.discipline")]
    assert (cell["n_units"], cell["n_participants"], bool(cell["flagged"])) == (2, 2, True)
    assert bool(table.loc[("failure.preventable.deviation", "remedy.discipline"), "aligned"])
    assert pd.isna(table.loc[("failure.tolerable.complexity", "remedy"), "aligned"])
    texts = {"D1": "x" * 80, "D2": "y" * 30}
    quotes = alignment_quotes(codings, fits=FITS, units=UNITS, texts=texts)
    assert quotes[["doc_id", "reason_text", "response_text"]].values.tolist() == [
        ["D1", "text of r1", "text of m1"], ["D2", "text of r3", "text of m3"]]
    assert quotes["unit_text"].tolist() == ["x" * 40, "y" * 30]
    # at sentence level the reason and the response are in different sentences: nothing pairs
    assert failure_alignment(codings, fits=FITS, unit="sentence").empty


def test_fits_are_inherited_by_sub_codes_and_ancestors_count_as_fitting():
    from asymmetry_qda.codebook import parse_codebook

    codebook = parse_codebook("""
codebook: {name: T, version: "1"}
codes:
  - {id: failure, label: F, definition: Failure.}
  - {id: failure.preventable, label: P, definition: Preventable.}
  - {id: failure.preventable.deviation, label: D, definition: Deviation.}
  - {id: remedy, label: R, definition: Remedy.}
  - {id: remedy.discipline, label: Di, definition: Discipline., fits: [failure.preventable.deviation]}
  - {id: remedy.discipline.hearing, label: H, definition: Hearing.}
""")
    fits = response_fits(codebook)
    assert fits["remedy.discipline.hearing"] == ("failure.preventable.deviation",)
    codings = pd.DataFrame([coding("r", "D1", "failure.preventable", 0, 0, 0, "P1", True),
                            coding("m", "D1", "remedy.discipline.hearing", 1, 1, 0, "P1", True)])
    assert failure_alignment(codings, codebook=codebook)["aligned"].tolist() == [True]
