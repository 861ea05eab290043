"""Code co-occurrence: hand-computed tables for every unit and measure, and a naive reference on random matrices.

The hand example (``_codings`` / ``_units``): four documents, sentence i of a
document spans characters [10 i, 10 i + 10).

    doc  participant  sentences  turns            codings (code, chars -> sentences, turn)
    D1   P1 (leader)  s0..s3     t0=s0-1 t1=s2-3  a [0,15) s0-1 t0 | b [12,18) s1 t0 | c [25,35) s2-3 t1
    D2   P2           s0..s2     t0=s0-1 t1=s2    a [0,5) s0 t0   | c [5,10) s0 t0   | b [20,28) s2 t1
    D3   P1 (leader)  s0..s1     t0=s0-1          a [0,20) s0-1 t0 | b [3,8) s0 t0   | c [15,19) s1 t0
    D4   P3           s0         t0=s0            (no coding)
"""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from scipy import sparse, stats

from asymmetry_qda.analysis import cooccurrence, cooccurrence_from_matrix, unit_matrix
from asymmetry_qda.analysis._cooccurrence import MEASURES, PAIR_COLUMNS, UNITS
from asymmetry_qda.errors import ArgumentError, QDAWarning

PARTICIPANT = {"D1": "P1", "D2": "P2", "D3": "P1", "D4": "P3"}
LEADER = {"P1": True, "P2": False, "P3": False}
SENTENCES = {"D1": 4, "D2": 3, "D3": 2, "D4": 1}
TURNS = {"D1": [(0, 1), (2, 3)], "D2": [(0, 1), (2, 2)], "D3": [(0, 1)], "D4": [(0, 0)]}
#: doc, code, start, end, sentence, sentence_last, turn, turn_last
CODINGS = [("D1", "a", 0, 15, 0, 1, 0, 0), ("D1", "b", 12, 18, 1, 1, 0, 0), ("D1", "c", 25, 35, 2, 3, 1, 1),
           ("D2", "a", 0, 5, 0, 0, 0, 0), ("D2", "c", 5, 10, 0, 0, 0, 0), ("D2", "b", 20, 28, 2, 2, 1, 1),
           ("D3", "a", 0, 20, 0, 1, 0, 0), ("D3", "b", 3, 8, 0, 0, 0, 0), ("D3", "c", 15, 19, 1, 1, 0, 0)]


def _codings(rows=CODINGS, status="confirmed") -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["doc_id", "code_id", "start", "end", "sentence", "sentence_last", "turn",
                                        "turn_last"])
    frame.insert(0, "coding_id", [f"k{i}" for i in range(len(frame))])
    frame["kind"] = "interview"
    frame["participant_id"] = frame["doc_id"].map(PARTICIPANT)
    frame["speaker"] = frame["participant_id"]
    frame["theme"] = frame["code_id"]
    frame["status"] = status
    frame["origin"] = "human"
    frame["coder_id"] = "ana"
    frame["confidence"] = np.nan
    frame["text"] = "x"
    frame["leader"] = frame["participant_id"].map(LEADER).astype("boolean")
    return frame


def _units() -> pd.DataFrame:
    rows = []
    for doc, n in SENTENCES.items():
        rows += [(doc, "sentence", i, 10 * i, 10 * i + 10) for i in range(n)]
        rows += [(doc, "turn", i, 10 * s, 10 * e + 10) for i, (s, e) in enumerate(TURNS[doc])]
    frame = pd.DataFrame(rows, columns=["doc_id", "unit", "ordinal", "start", "end"])
    frame["participant_id"] = frame["doc_id"].map(PARTICIPANT)
    frame["speaker"] = frame["participant_id"]
    frame["is_interviewer"] = False
    frame["kind"] = "interview"
    frame["leader"] = frame["participant_id"].map(LEADER).astype("boolean")
    return frame


def _pairs(table: pd.DataFrame) -> dict[tuple[str, str], dict]:
    return {(r["code_a"], r["code_b"]): r for r in table.to_dict("records")}


def _check(table: pd.DataFrame, n: int, expected: dict) -> None:
    """``expected[(a, b)] = (n_a, n_b, n_ab, jaccard, dice, p_b_given_a, p_a_given_b, expected, lift, p_value)``."""
    rows = _pairs(table)
    assert list(rows) == list(expected)
    names = ["n_a", "n_b", "n_ab", "jaccard", "dice", "p_b_given_a", "p_a_given_b", "expected", "lift", "p_value"]
    for pair, values in expected.items():
        row = rows[pair]
        assert row["n_units"] == n
        for name, value in zip(names, values, strict=True):
            assert row[name] == pytest.approx(float(value), rel=1e-12, abs=0), (pair, name)
        fisher = stats.fisher_exact([[row["n_ab"], row["n_a"] - row["n_ab"]],
                                     [row["n_b"] - row["n_ab"], n - row["n_a"] - row["n_b"] + row["n_ab"]]],
                                    alternative="greater").pvalue
        assert row["p_value"] == pytest.approx(fisher, rel=1e-12)


F = Fraction


# ---------------------------------------------------------------------------------------------- every unit by hand


def test_sentence_unit_by_hand():
    # N = 10 sentences (D2 s1 and D4 s0 uncoded). a: D1s0 D1s1 D2s0 D3s0 D3s1 (5); b: D1s1 D2s2 D3s0 (3);
    # c: D1s2 D1s3 D2s0 D3s1 (4). ab: D1s1 D3s0 (2); ac: D2s0 D3s1 (2); bc: none.
    # Fisher ab: P(X>=2), X~H(10, 5, 3) = (C(5,2)C(5,1) + C(5,3)) / C(10,3) = 60/120.
    # Fisher ac: 1 - (C(5,0)C(5,4) + C(5,1)C(5,3)) / C(10,4) = 1 - 55/210 = 31/42.
    table = cooccurrence(_codings(), units=_units())
    _check(table, 10, {
        ("a", "b"): (5, 3, 2, F(2, 6), F(4, 8), F(2, 5), F(2, 3), F(15, 10), F(4, 3), F(1, 2)),
        ("a", "c"): (5, 4, 2, F(2, 7), F(4, 9), F(2, 5), F(2, 4), F(20, 10), 1, F(31, 42)),
        ("b", "c"): (3, 4, 0, 0, 0, 0, 0, F(12, 10), 0, 1),
    })
    # BH over (1/2, 31/42, 1): 1; min(31/42 * 3/2, 1) = 1; min(1/2 * 3, 1) = 1.
    assert table["p_adjusted"].tolist() == [1.0, 1.0, 1.0]
    assert set(table["unit"]) == {"sentence"} and set(table["status"]) == {"confirmed"}


def test_turn_unit_by_hand():
    # N = 6 turns. D1t0: a b; D1t1: c; D2t0: a c; D2t1: b; D3t0: a b c; D4t0: -.
    # Fisher ab, ac: P(X>=2), X~H(6, 3, 3) = (C(3,2)C(3,1) + 1) / C(6,3) = 10/20; bc: 1 - 1/20.
    table = cooccurrence(_codings(), unit="turn", units=_units())
    _check(table, 6, {
        ("a", "b"): (3, 3, 2, F(2, 4), F(4, 6), F(2, 3), F(2, 3), F(9, 6), F(4, 3), F(1, 2)),
        ("a", "c"): (3, 3, 2, F(2, 4), F(4, 6), F(2, 3), F(2, 3), F(9, 6), F(4, 3), F(1, 2)),
        ("b", "c"): (3, 3, 1, F(1, 5), F(2, 6), F(1, 3), F(1, 3), F(9, 6), F(2, 3), F(19, 20)),
    })


def test_window_unit_by_hand():
    # k = 1: a coding on [s, e] is in the windows starting at max(0, s-1)..e; N = 10 windows (one per sentence).
    # D1 w0: a b, w1: a b c, w2: c, w3: c. D2 w0: a c, w1: b, w2: b. D3 w0: a b c, w1: a c. D4 w0: -.
    # a: 5, b: 5, c: 6; ab: D1w0 D1w1 D3w0 = 3; ac: D1w1 D2w0 D3w0 D3w1 = 4; bc: D1w1 D3w0 = 2.
    table = cooccurrence(_codings(), unit="window", window=1, units=_units())
    p = {pair: stats.hypergeom.sf(n_ab - 1, 10, n_a, n_b) for pair, (n_a, n_b, n_ab) in
         {("a", "b"): (5, 5, 3), ("a", "c"): (5, 6, 4), ("b", "c"): (5, 6, 2)}.items()}
    _check(table, 10, {
        ("a", "b"): (5, 5, 3, F(3, 7), F(6, 10), F(3, 5), F(3, 5), F(25, 10), F(6, 5), p[("a", "b")]),
        ("a", "c"): (5, 6, 4, F(4, 7), F(8, 11), F(4, 5), F(4, 6), F(30, 10), F(4, 3), p[("a", "c")]),
        ("b", "c"): (5, 6, 2, F(2, 9), F(4, 11), F(2, 5), F(2, 6), F(30, 10), F(2, 3), p[("b", "c")]),
    })
    assert set(table["window"]) == {1}
    # Fisher ab by hand: X~H(10, 5, 5), P(X>=3) = (C(5,3)C(5,2) + C(5,4)C(5,1) + 1) / C(10,5) = 126/252.
    assert p[("a", "b")] == pytest.approx(0.5, rel=1e-12)


def test_window_zero_is_the_sentence_table():
    window = cooccurrence(_codings(), unit="window", window=0, units=_units()).drop(columns=["unit", "window"])
    sentence = cooccurrence(_codings(), units=_units()).drop(columns=["unit"])
    pd.testing.assert_frame_equal(window, sentence)


def test_document_unit_by_hand():
    # N = 4 documents (D4 uncoded); a, b and c are each in D1, D2, D3: n = 3, n_ab = 3 for every pair.
    # Fisher: X~H(4, 3, 3), P(X>=3) = 1 / C(4,3) = 1/4. BH: 1/4 * 3/3 for all three.
    table = cooccurrence(_codings(), unit="document", units=_units())
    row = (3, 3, 3, 1, 1, 1, 1, F(9, 4), F(4, 3), F(1, 4))
    _check(table, 4, {("a", "b"): row, ("a", "c"): row, ("b", "c"): row})
    assert table["p_adjusted"].tolist() == pytest.approx([0.25] * 3)


def test_participant_unit_by_hand():
    # N = 3 participants: P1 (D1 + D3): a b c; P2 (D2): a b c; P3 (D4): none. n = 2, n_ab = 2.
    # Fisher: X~H(3, 2, 2), P(X>=2) = 1 / C(3,2) = 1/3.
    table = cooccurrence(_codings(), unit="participant", units=_units())
    row = (2, 2, 2, 1, 1, 1, 1, F(4, 3), F(3, 2), F(1, 3))
    _check(table, 3, {("a", "b"): row, ("a", "c"): row, ("b", "c"): row})
    X, rows, codes = unit_matrix(_codings(), unit="participant", units=_units())
    assert rows["participant_id"].tolist() == ["P1", "P2", "P3"]
    assert rows["leader"].tolist() == [True, False, False]
    assert "speaker" not in rows  # participant rows carry only columns constant within a participant


def test_overlap_unit_by_hand():
    # Clusters: D1 {a [0,15), b [12,18)}, {c [25,35)}; D2 {a [0,5)}, {c [5,10)} (touching is not overlap), {b};
    # D3 {a [0,20), b [3,8) nested, c [15,19)}: b and c do not overlap but are chained through a. N = 6.
    # a: 3, b: 3, c: 3; ab: D1, D3 = 2; ac: D3 = 1; bc: D3 = 1.
    # Fisher ab: X~H(6, 3, 3), P(X>=2) = 10/20; ac, bc: P(X>=1) = 1 - 1/20.
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no units= warning: the clusters are the universe
        table = cooccurrence(_codings(), unit="overlap")
    _check(table, 6, {
        ("a", "b"): (3, 3, 2, F(2, 4), F(4, 6), F(2, 3), F(2, 3), F(9, 6), F(4, 3), F(1, 2)),
        ("a", "c"): (3, 3, 1, F(1, 5), F(2, 6), F(1, 3), F(1, 3), F(9, 6), F(2, 3), F(19, 20)),
        ("b", "c"): (3, 3, 1, F(1, 5), F(2, 6), F(1, 3), F(1, 3), F(9, 6), F(2, 3), F(19, 20)),
    })
    # BH over (1/2, 19/20, 19/20): min(19/20, ...) = 19/20 twice; min(1/2 * 3, 19/20) = 19/20.
    assert table["p_adjusted"].tolist() == pytest.approx([0.95] * 3, rel=1e-12)


def test_benjamini_hochberg_by_hand():
    # 20 units: a on 0-5 (6), b on 0-4 (5), c on 4-11 (8). ab = 5, ac = 2 (units 4, 5), bc = 1 (unit 4).
    # Fisher ab: C(6,5) / C(20,5) = 6/15504 = 1/2584; ac: 1 - (C(14,8) + 6 C(14,7)) / C(20,8) = 102375/125970;
    # bc: 1 - C(15,8) / C(20,8) = 119535/125970.
    # BH, sorted p1 < p2 < p3: adj3 = p3; adj2 = min(3/2 p2, adj3) = p3; adj1 = min(3 p1, adj2) = 3/2584.
    dense = np.zeros((20, 3), int)
    dense[0:6, 0] = dense[0:5, 1] = dense[4:12, 2] = 1
    table = cooccurrence_from_matrix(sparse.csr_array(dense), ["a", "b", "c"])
    p1, p2, p3 = 1 / 2584, 102375 / 125970, 119535 / 125970
    np.testing.assert_allclose(table["p_value"], [p1, p2, p3], rtol=1e-12)
    np.testing.assert_allclose(table["p_adjusted"], [3 * p1, p3, p3], rtol=1e-12)


# ---------------------------------------------------------------------------------------------- units and windows


def _doc_codings(rows):
    """Codings on whole sentences: (doc, code, sentence, sentence_last)."""
    return _codings([(d, c, 10 * s, 10 * e + 10, s, e, 0, 0) for d, c, s, e in rows])


def test_window_pair_at_distance_k_cooccurs_and_at_k_plus_1_not():
    # a on s0, b on s2 (distance 2): a is in window {0}, b in windows max(0, 2-k)..2; together iff k >= 2,
    # and then only in the window starting at s0.
    units = _units()
    for rows in ([("D1", "a", 0, 0), ("D1", "b", 2, 2)], [("D1", "b", 0, 0), ("D1", "a", 2, 2)]):
        codings = _doc_codings(rows)
        for k, together in [(0, 0), (1, 0), (2, 1), (3, 1)]:
            table = cooccurrence(codings, unit="window", window=k, units=units)
            assert table["n_ab"].tolist() == [together], (rows, k)
    X, rows, codes = unit_matrix(_doc_codings([("D1", "a", 0, 0), ("D1", "b", 2, 2)]), unit="window", window=2,
                                 units=units)
    d1 = rows["doc_id"].eq("D1").to_numpy()
    assert rows.loc[d1, "ordinal"].tolist() == [0, 1, 2, 3]  # windows start at each sentence
    assert X.toarray()[d1].tolist() == [[1, 1], [0, 1], [0, 1], [0, 0]]


def test_windows_never_cross_documents():
    # a on the last sentence of D1, b on the first of D2: adjacent in the file order, never in one window.
    codings = _doc_codings([("D1", "a", 3, 3), ("D2", "b", 0, 0)])
    for k in (0, 1, 5, 50):
        table = cooccurrence(codings, unit="window", window=k, units=_units())
        assert table["n_ab"].tolist() == [0]
        assert table["n_units"].tolist() == [10]  # one window per sentence
    X, rows, _ = unit_matrix(codings, unit="window", window=5, units=_units())
    assert X.toarray()[rows["doc_id"].eq("D2").to_numpy()].tolist() == [[0, 1], [0, 0], [0, 0]]


def test_window_rejects_a_negative_window():
    with pytest.raises(ArgumentError, match="window=-1"):
        unit_matrix(_codings(), unit="window", window=-1, units=_units())


def _spans(spans):
    """Codings of one document from (code, start, end)."""
    return _codings([("D1", c, s, e, 0, 0, 0, 0) for c, s, e in spans])


@pytest.mark.parametrize(("spans", "clusters"), [
    ([("a", 0, 10), ("b", 5, 15)], [[1, 1]]),  # overlapping
    ([("a", 0, 20), ("b", 5, 8)], [[1, 1]]),  # nested
    ([("a", 0, 10), ("b", 10, 15)], [[1, 0], [0, 1]]),  # touching: end == start is not overlap
    ([("a", 0, 10), ("c", 8, 22), ("b", 20, 30)], [[1, 1, 1]]),  # chained: a-c-b joins a and b
    ([("b", 50, 60), ("a", 0, 10), ("a", 2, 4)], [[1, 0], [0, 1]]),  # unsorted input, one code twice -> 1
])
def test_overlap_clusters(spans, clusters):
    X, rows, codes = unit_matrix(_spans(spans), unit="overlap")
    assert X.toarray().tolist() == clusters
    assert set(np.unique(X.data)) <= {1}


def test_overlap_rows_describe_each_cluster():
    codings = pd.concat([_spans([("a", 0, 10), ("c", 8, 22), ("b", 30, 40)]),
                         _codings([("D2", "a", 30, 40, 0, 0, 0, 0)])])
    X, rows, codes = unit_matrix(codings, unit="overlap")
    assert rows[["doc_id", "cluster", "start", "end"]].values.tolist() == [
        ["D1", 0, 0, 22], ["D1", 1, 30, 40], ["D2", 0, 30, 40]]
    assert rows["participant_id"].tolist() == ["P1", "P1", "P2"]


def test_uncoded_units_count_in_n_with_units():
    X, rows, _ = unit_matrix(_codings(), units=_units())
    assert X.shape == (10, 3)
    uncoded = rows.loc[np.asarray(X.sum(axis=1)) == 0, ["doc_id", "ordinal"]].values.tolist()
    assert uncoded == [["D2", 1], ["D4", 0]]
    assert rows.columns[:2].tolist() == ["doc_id", "ordinal"]
    assert {"participant_id", "speaker", "leader", "kind"} <= set(rows.columns)


@pytest.mark.parametrize(("unit", "n"), [("sentence", 8), ("turn", 5), ("document", 3), ("participant", 2)])
def test_without_units_only_coded_units_exist_and_a_warning_says_so(unit, n):
    with pytest.warns(QDAWarning, match="pass units= for the true number of units") as caught:
        table = cooccurrence(_codings(), unit=unit)
    assert len([w for w in caught if issubclass(w.category, QDAWarning)]) == 1
    assert set(table["n_units"]) == {n}


def test_participant_unit_leaves_out_codings_without_a_participant():
    codings = _codings()
    codings.loc[codings["doc_id"] == "D2", "participant_id"] = pd.NA
    with pytest.warns(QDAWarning, match="3 coding"):
        X, rows, _ = unit_matrix(codings, unit="participant", units=_units())
    assert rows["participant_id"].tolist() == ["P1", "P2", "P3"]  # P2 still a unit (from units=), now uncoded
    assert X.toarray().tolist() == [[1, 1, 1], [0, 0, 0], [0, 0, 0]]


def test_codes_choose_and_order_columns_without_changing_rows():
    full = cooccurrence(_codings(), units=_units())
    chosen = cooccurrence(_codings(), units=_units(), codes=["c", "a", "zzz"])
    assert list(zip(chosen["code_a"], chosen["code_b"])) == [("c", "a"), ("c", "zzz"), ("a", "zzz")]
    ca = chosen.iloc[0]
    ac = full[(full["code_a"] == "a") & (full["code_b"] == "c")].iloc[0]
    assert (ca["n_units"], ca["n_a"], ca["n_b"], ca["n_ab"], ca["jaccard"]) == (
        ac["n_units"], ac["n_b"], ac["n_a"], ac["n_ab"], ac["jaccard"])
    assert ca["p_b_given_a"] == ac["p_a_given_b"]
    zero = chosen.iloc[1]
    assert zero["n_b"] == 0 and np.isnan(zero["p_a_given_b"]) and np.isnan(zero["lift"])


def test_a_code_twice_in_one_unit_counts_once():
    codings = _doc_codings([("D1", "a", 0, 1), ("D1", "a", 1, 2), ("D1", "b", 1, 1)])
    X, rows, codes = unit_matrix(codings, units=_units())
    assert X.dtype == np.int32 and X.format == "csr"
    assert X.toarray()[:4].tolist() == [[1, 0], [1, 1], [1, 0], [0, 0]]


def test_suggestions_are_labelled():
    codings = pd.concat([_codings(), _codings(CODINGS[:1], status="suggested")], ignore_index=True)
    table = cooccurrence(codings, units=_units())
    assert set(table["status"]) == {"confirmed+suggested"}


# ---------------------------------------------------------------------------------------------- by=, measure=, errors


@pytest.mark.parametrize("unit", ["sentence", "window", "participant"])
def test_by_gives_each_group_its_own_n_and_the_subset_results(unit):
    table = cooccurrence(_codings(), unit=unit, units=_units(), by="leader")
    assert table.columns[:2].tolist() == ["leader", "unit"]
    assert table["leader"].unique().tolist() == ["False", "True"]
    for value, flag in (("True", True), ("False", False)):
        part = table[table["leader"] == value].drop(columns="leader").reset_index(drop=True)
        codings, units = _codings(), _units()
        alone = cooccurrence(codings[codings["leader"] == flag], unit=unit, codes=["a", "b", "c"],
                             units=units[units["leader"] == flag])
        pd.testing.assert_frame_equal(part, alone)
    n = {"sentence": {"True": 6, "False": 4}, "window": {"True": 6, "False": 4},
         "participant": {"True": 1, "False": 2}}[unit]
    assert table.groupby("leader")["n_units"].first().to_dict() == n


def test_by_must_be_constant_within_a_document():
    with pytest.raises(ArgumentError, match="constant within each unit") as error:
        cooccurrence(_codings(), unit="document", units=_units(), by="speaker")
    assert "leader" in str(error.value) and "participant_id" in str(error.value)


def test_measure_selects_columns():
    table = cooccurrence(_codings(), units=_units(), measure="lift")
    assert table.columns.tolist() == ["unit", "code_a", "code_b", "n_units", "n_a", "n_b", "n_ab", "lift",
                                      "expected", "p_adjusted", "frequency_ratio", "c_caution", "status"]
    both = cooccurrence(_codings(), units=_units(), measure=["dice", "p_value"])
    assert {"dice", "p_value"} <= set(both) and not {"jaccard", "lift"} & set(both)


def test_bad_unit_and_bad_measure_list_the_allowed_values():
    with pytest.raises(ArgumentError) as error:
        cooccurrence(_codings(), unit="paragraph", units=_units())
    assert "paragraph" in str(error.value) and all(u in str(error.value) for u in UNITS)
    with pytest.raises(ArgumentError) as error:
        cooccurrence(_codings(), units=_units(), measure=["lift", "phi"])
    assert "phi" in str(error.value) and all(m in str(error.value) for m in MEASURES)


def test_c_caution_warns_once_for_lopsided_pairs():
    # a on 10 sentences, b on 1, together on 1: frequency ratio 10 > 5 (a-c: 10/3, b-c: 3).
    rows = [("D1", "a", 0, 3), ("D2", "a", 0, 2), ("D3", "a", 0, 1), ("D4", "a", 0, 0), ("D1", "b", 0, 0),
            ("D2", "c", 1, 1), ("D1", "c", 0, 1)]
    codings = _doc_codings(rows)
    with pytest.warns(QDAWarning, match=r"1 co-occurring pair.*a–b.*p_b_given_a") as caught:
        table = cooccurrence(codings, units=_units())
    assert len(caught) == 1
    assert _pairs(table)[("a", "b")]["frequency_ratio"] == 10 / 1  # n_a = 10 sentences, n_b = 1
    assert bool(_pairs(table)[("a", "b")]["c_caution"]) and not _pairs(table)[("a", "c")]["c_caution"]


# ---------------------------------------------------------------------------------------------- naive reference


def _naive(dense: np.ndarray, codes: list[str]) -> pd.DataFrame:
    """Pure-Python reference: sets of units per code, loops over pairs, scipy's fisher_exact, BH by hand."""
    n = dense.shape[0]
    holders = [set(np.flatnonzero(dense[:, k])) for k in range(dense.shape[1])]

    def ratio(a, b):
        return a / b if b else np.nan

    rows = []
    for i in range(len(codes)):
        for j in range(i + 1, len(codes)):
            n_a, n_b, n_ab = len(holders[i]), len(holders[j]), len(holders[i] & holders[j])
            expected = ratio(n_a * n_b, n)
            table = [[n_ab, n_a - n_ab], [n_b - n_ab, n - n_a - n_b + n_ab]]
            freq = ratio(max(n_a, n_b), min(n_a, n_b))
            rows.append({"code_a": codes[i], "code_b": codes[j], "n_units": n, "n_a": n_a, "n_b": n_b, "n_ab": n_ab,
                         "jaccard": ratio(n_ab, n_a + n_b - n_ab), "dice": ratio(2 * n_ab, n_a + n_b),
                         "p_b_given_a": ratio(n_ab, n_a), "p_a_given_b": ratio(n_ab, n_b),
                         "lift": ratio(n_ab, expected) if expected == expected else np.nan, "expected": expected,
                         "p_value": stats.fisher_exact(table, alternative="greater").pvalue,
                         "frequency_ratio": freq, "c_caution": freq == freq and freq > 5})
    p = [r["p_value"] for r in rows]
    order = sorted(range(len(p)), key=lambda k: p[k])
    adjusted, running = [0.0] * len(p), 1.0
    for rank in range(len(p), 0, -1):  # from the largest p down: running minimum of p * m / rank
        k = order[rank - 1]
        running = min(running, p[k] * len(p) / rank)
        adjusted[k] = running
    for row, value in zip(rows, adjusted, strict=True):
        row["p_adjusted"] = value
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("density", [0.01, 0.05, 0.2, 0.6, 0.95])
def test_matches_a_naive_reference_on_random_matrices(seed, density):
    rng = np.random.default_rng(seed)
    dense = (rng.random((200, 8)) < density).astype(int)
    dense[:, rng.integers(0, 8)] = 0  # an empty column
    codes = [f"code{k}" for k in range(8)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from a zero denominator
        fast = cooccurrence_from_matrix(sparse.csr_array(dense * rng.integers(1, 4, dense.shape)), codes)
    slow = _naive(dense, codes)
    assert fast.columns.tolist() == PAIR_COLUMNS
    for column in PAIR_COLUMNS:
        if column in ("code_a", "code_b", "c_caution"):
            assert fast[column].tolist() == slow[column].tolist(), column
        else:
            np.testing.assert_allclose(fast[column].to_numpy(float), slow[column].to_numpy(float), rtol=1e-12,
                                       err_msg=column)


def test_matrix_formats_and_degenerate_shapes():
    dense = np.array([[1, 0, 1], [1, 1, 0], [0, 0, 0]])
    expected = cooccurrence_from_matrix(sparse.csr_array(dense), ["a", "b", "c"])
    for X in (dense, sparse.csc_array(dense), sparse.coo_array(dense), sparse.csr_matrix(dense.astype(bool))):
        pd.testing.assert_frame_equal(cooccurrence_from_matrix(X, ["a", "b", "c"]), expected)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        empty = cooccurrence_from_matrix(sparse.csr_array((0, 3), dtype=np.int32), ["a", "b", "c"])
        one = cooccurrence_from_matrix(sparse.csr_array((5, 1), dtype=np.int32), ["a"])
    assert len(empty) == 3 and empty[["jaccard", "lift", "expected", "p_value", "p_adjusted"]].isna().all().all()
    assert len(one) == 0 and one.columns.tolist() == PAIR_COLUMNS
    with_n = cooccurrence_from_matrix(sparse.csr_array(dense), ["a", "b", "c"], n_units=30)
    assert with_n["expected"].iloc[0] == pytest.approx(2 * 1 / 30)
    with pytest.raises(ArgumentError, match="codes"):
        cooccurrence_from_matrix(sparse.csr_array(dense), ["a", "b"])


def test_coded_units_missing_from_units_are_added_with_a_warning():
    units = _units()
    units = units[units["doc_id"] != "D3"]
    with pytest.warns(QDAWarning, match="2 coded sentence unit"):
        X, rows, _ = unit_matrix(_codings(), units=units)
    d3 = rows[rows["doc_id"] == "D3"]
    assert d3["ordinal"].tolist() == [0, 1] and d3["participant_id"].tolist() == ["P1", "P1"]  # from the codings
    assert X.shape[0] == 10 - 2 + 2


def _random_frames(seed: int, shuffle: bool) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Random codings (some spanning sentences, some with no sentence), units, and the dense matrix by hand.

    Documents of random length; leader and band per document (band sometimes missing); the dense unit × code
    matrix (rows in document, ordinal order) is built from each coding's sentences, one cell at a time.
    """
    rng = np.random.default_rng(seed)
    docs = [f"D{d:02d}" for d in range(12)]
    lengths = rng.integers(1, 15, len(docs))
    leader = {doc: bool(rng.random() < 0.4) for doc in docs}
    band = {doc: [None, "high", "low"][rng.integers(0, 3)] for doc in docs}
    units = pd.DataFrame([(doc, "sentence", i, 10 * i, 10 * i + 10, leader[doc], band[doc])
                          for doc, n in zip(docs, lengths) for i in range(n)],
                         columns=["doc_id", "unit", "ordinal", "start", "end", "leader", "band"])
    units = pd.concat([units, units.assign(unit="turn")], ignore_index=True)  # turns = sentences here
    codes = [f"code{k}" for k in range(7)]
    rows = []
    for _ in range(150):
        d = int(rng.integers(0, len(docs)))
        first = int(rng.integers(0, lengths[d]))
        last = min(first + int(rng.choice([0, 0, 0, 1, 3])), int(lengths[d]) - 1)
        rows.append((docs[d], str(rng.choice(codes)), 10 * first, 10 * last + 5, first, last, first, last))
    frame = _codings(rows)
    frame["leader"] = frame["doc_id"].map(leader)
    frame["band"] = frame["doc_id"].map(band)
    placed = frame.copy()
    frame[["sentence", "sentence_last"]] = frame[["sentence", "sentence_last"]].astype(float)
    frame.loc[frame.index[::17], ["sentence", "sentence_last"]] = np.nan  # placed in no sentence: left out
    placed = placed.drop(index=frame.index[::17])
    offset = dict(zip(docs, np.concatenate([[0], np.cumsum(lengths)[:-1]]), strict=True))
    dense = np.zeros((int(lengths.sum()), len(codes)), np.int32)
    for doc, code, s, e in placed[["doc_id", "code_id", "sentence", "sentence_last"]].itertuples(index=False):
        for ordinal in range(s, e + 1):
            dense[offset[doc] + ordinal, codes.index(code)] = 1
    if shuffle:
        frame = frame.sample(frac=1, random_state=seed).reset_index(drop=True)
    return frame, units, dense


def _warned(function, *args, **options):
    """``function(...)`` and its warnings' messages (a QDAWarning is an error in the test run)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function(*args, **options)
    return result, [str(w.message) for w in caught]


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("seed", range(3))
def test_tidy_frames_give_the_matrix_path_table_and_groups(seed, shuffle):
    codings, units, dense = _random_frames(seed, shuffle)
    codes = sorted(codings["code_id"].unique())
    labels = ["unit", "status"]
    unplaced = f"co-occurrence by sentence: {len(range(0, 150, 17))} coding(s) have no sentence"
    (X, rows, listed), said = _warned(unit_matrix, codings, units=units)
    assert listed == codes and np.array_equal(X.toarray(), dense) and said[0].startswith(unplaced)
    assert rows["leader"].tolist() == units.loc[units["unit"] == "sentence", "leader"].tolist()
    tidy, said = _warned(cooccurrence, codings, units=units)
    assert said[0].startswith(unplaced)
    pd.testing.assert_frame_equal(tidy.drop(columns=labels), cooccurrence_from_matrix(sparse.csr_array(dense), codes),
                                  check_exact=True)
    grouped, said = _warned(cooccurrence, codings, units=units, by=["leader", "band"])
    assert said[0].startswith(unplaced)
    sentences = units[units["unit"] == "sentence"].reset_index(drop=True)
    keys = sentences[["leader", "band"]].astype(object).fillna("(missing)").astype(str)
    pairs = len(codes) * (len(codes) - 1) // 2
    expected = [pd.concat([pd.DataFrame({"leader": [leader] * pairs, "band": [band] * pairs}),
                           cooccurrence_from_matrix(sparse.csr_array(dense[group.index]), codes)], axis=1)
                for (leader, band), group in keys.groupby(["leader", "band"], sort=True)]
    pd.testing.assert_frame_equal(grouped.drop(columns=labels), pd.concat(expected, ignore_index=True),
                                  check_exact=True, check_dtype=False)
    for unit in ("turn", "window", "document", "overlap"):  # the other units run on the same frames
        assert len(_warned(cooccurrence, codings, unit=unit, units=units)[0]) == pairs
