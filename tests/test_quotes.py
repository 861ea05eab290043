"""quotes(): boolean code queries (AND/OR/NOT) per unit, with the coded text and its context."""

from __future__ import annotations

import pandas as pd
import pytest

from asymmetry_qda import Project
from asymmetry_qda.analysis.frame import load
from asymmetry_qda.analysis.quotes import QUOTE_COLUMNS, quotes
from asymmetry_qda.errors import ArgumentError, QDAWarning

# Two documents. D1: turn 0 = sentences 0-2, turn 1 = sentences 3-4. D2: turn 0 = sentences 0-1, turn 1 = sentence 2.
D1 = ("P1: We missed the alarm. Nobody checked it. Then the boss blamed us.\n"
      "P1: It was hindsight. We had no support.\n")
D2 = "P2: The press praised us. We made an error.\nP2: The boss blamed nobody.\n"
TEXTS = {"D1": D1, "D2": D2}
SENTENCES = {
    "D1": ["We missed the alarm.", "Nobody checked it.", "Then the boss blamed us.", "It was hindsight.",
           "We had no support."],
    "D2": ["The press praised us.", "We made an error.", "The boss blamed nobody."],
}
TURNS = {"D1": [(0, 2), (3, 4)], "D2": [(0, 1), (2, 2)]}  # first and last sentence of each turn
PEOPLE = {"D1": ("P1", True, "ops"), "D2": ("P2", False, "hr")}


def _sentence_spans(doc: str) -> list[tuple[int, int]]:
    spans, at = [], 0
    for sentence in SENTENCES[doc]:
        start = TEXTS[doc].index(sentence, at)
        spans.append((start, start + len(sentence)))
        at = start + len(sentence)
    return spans


def _units() -> pd.DataFrame:
    rows = []
    for doc in TEXTS:
        spans = _sentence_spans(doc)
        for i, (start, end) in enumerate(spans):
            rows.append((doc, "sentence", i, start, end))
        for i, (first, last) in enumerate(TURNS[doc]):
            rows.append((doc, "turn", i, spans[first][0], spans[last][1]))
    units = pd.DataFrame(rows, columns=["doc_id", "unit", "ordinal", "start", "end"])
    units["participant_id"] = units["doc_id"].map(lambda d: PEOPLE[d][0])
    return units


def _coding(coding_id: str, doc: str, phrase: str, code: str) -> dict:
    start = TEXTS[doc].index(phrase)
    end = start + len(phrase)
    spans = _sentence_spans(doc)
    sentences = [i for i, (s, e) in enumerate(spans) if s < end and start < e]
    turns = [i for i, (a, b) in enumerate(TURNS[doc]) if a <= sentences[-1] and sentences[0] <= b]
    participant, leader, function = PEOPLE[doc]
    return {"coding_id": coding_id, "doc_id": doc, "kind": "interview", "participant_id": participant,
            "speaker": participant, "start": start, "end": end, "code_id": code, "theme": code.split(".")[0],
            "status": "confirmed", "text": TEXTS[doc][start:end], "turn": turns[0], "turn_last": turns[-1],
            "sentence": sentences[0], "sentence_last": sentences[-1], "leader": leader, "function": function}


CODINGS = pd.DataFrame([
    _coding("c1", "D1", "missed the alarm", "error"),  # D1 s0, t0
    _coding("c2", "D1", "Then the boss blamed us.", "blame"),  # D1 s2, t0
    _coding("c3", "D1", "It was hindsight.", "blame.hindsight"),  # D1 s3, t1
    _coding("c4", "D1", "Nobody checked it. Then the boss", "error"),  # D1 s1-s2, t0
    _coding("c5", "D1", "no support", "praise"),  # D1 s4, t1
    _coding("c6", "D2", "The press praised us.", "praise"),  # D2 s0, t0
    _coding("c7", "D2", "made an error", "error"),  # D2 s1, t0
    _coding("c8", "D2", "The boss blamed nobody.", "blame"),  # D2 s2, t1
]).astype({"leader": "boolean"})
UNITS = _units()


def ids(frame: pd.DataFrame) -> list[str]:
    return frame["coding_id"].tolist()


def test_hand_built_frame_is_consistent():
    assert CODINGS[["sentence", "sentence_last", "turn", "turn_last"]].values.tolist()[3] == [1, 2, 0, 0]
    assert CODINGS[["sentence", "turn"]].values.tolist()[4] == [4, 1]


def test_or_and_code_shorthand_in_document_order():
    assert ids(quotes(CODINGS, any_of=["praise", "error"])) == ["c1", "c4", "c5", "c6", "c7"]
    assert ids(quotes(CODINGS, code="praise", any_of=["error"])) == ["c1", "c4", "c5", "c6", "c7"]
    assert ids(quotes(CODINGS, any_of="praise")) == ["c5", "c6"]


def test_and_per_sentence_turn_document():
    assert ids(quotes(CODINGS, all_of=["blame", "error"])) == ["c4", "c2"]  # D1 sentence 2; c4 starts first
    assert ids(quotes(CODINGS, all_of=["blame", "error"], unit="turn")) == ["c1", "c4", "c2"]
    assert ids(quotes(CODINGS, all_of=["blame", "error"], unit="document")) == ["c1", "c4", "c2", "c3", "c7", "c8"]


def test_pair_in_same_turn_but_different_sentences_matches_only_at_turn():
    assert ids(quotes(CODINGS, all_of=["blame.hindsight", "praise"])) == []
    found = quotes(CODINGS, all_of=["blame.hindsight", "praise"], unit="turn")
    assert ids(found) == ["c3", "c5"]
    assert found["unit"].tolist() == ["turn", "turn"] and found["unit_ordinal"].tolist() == [1, 1]


def test_not():
    assert ids(quotes(CODINGS, code="blame", none_of=["error"])) == ["c3", "c8"]
    assert ids(quotes(CODINGS, code="blame", none_of=["error"], unit="turn")) == ["c3", "c8"]
    assert ids(quotes(CODINGS, code="blame", none_of=["error"], unit="document")) == []


def test_not_alone_returns_every_coding_in_units_without_the_code():
    found = quotes(CODINGS, none_of=["blame"])
    # c4 spans sentences 1-2: sentence 2 holds blame, sentence 1 does not, so it is kept at sentence 1.
    assert ids(found) == ["c1", "c4", "c5", "c6", "c7"]
    assert found.set_index("coding_id").loc["c4", "unit_ordinal"] == 1


def test_combined_query():
    query = {"all_of": ["blame"], "any_of": ["error", "praise"], "none_of": ["blame.hindsight"]}
    assert ids(quotes(CODINGS, **query, unit="turn")) == ["c1", "c4", "c2"]
    assert ids(quotes(CODINGS, **query, unit="document")) == ["c6", "c7", "c8"]


def test_subcodes_on_and_off_and_prefix_boundary():
    assert ids(quotes(CODINGS, code="blame")) == ["c2", "c3", "c8"]
    assert ids(quotes(CODINGS, code="blame", subcodes=False)) == ["c2", "c8"]
    assert ids(quotes(CODINGS, code="blame.hindsight")) == ["c3"]  # never the parent
    # with subcodes off, D1 turn 1 holds blame.hindsight, not blame
    assert ids(quotes(CODINGS, all_of=["blame", "praise"], unit="turn")) == ["c3", "c5"]
    assert ids(quotes(CODINGS, all_of=["blame", "praise"], unit="turn", subcodes=False)) == []
    with pytest.warns(QDAWarning, match="'bla'.*check the spelling"):
        assert ids(quotes(CODINGS, code="bla")) == []  # no match across the dot boundary


def test_where_is_applied_before_the_query():
    assert ids(quotes(CODINGS, code="blame", where="leader == True")) == ["c2", "c3"]
    assert ids(quotes(CODINGS, code="blame", where="leader == True and kind == 'interview'")) == ["c2", "c3"]
    # error codings dropped by where no longer exclude D1 sentence 2
    assert ids(quotes(CODINGS, code="blame", none_of=["error"], where="code_id != 'error'")) == ["c2", "c3", "c8"]
    with pytest.raises(ArgumentError, match="where="):
        quotes(CODINGS, code="blame", where="no_such_column == 1")


def test_columns_and_text_without_texts():
    found = quotes(CODINGS, code="praise")
    assert list(found.columns) == [*QUOTE_COLUMNS, "leader", "function"]
    row = found.iloc[0]
    assert row["text"] == "no support" and row["left_context"] == "" and row["right_context"] == ""
    assert (row["doc_id"], row["participant_id"], row["speaker"], row["status"]) == ("D1", "P1", "P1", "confirmed")
    assert row["leader"] and row["function"] == "ops"


def test_no_duplicates_when_a_coding_spans_matching_units():
    found = quotes(CODINGS, code="error", unit="sentence")
    assert ids(found) == ["c1", "c4", "c7"]
    assert found.set_index("coding_id").loc["c4", "unit_ordinal"] == 1  # the first matching sentence


def context_of(coding_id: str, **options) -> tuple[str, str, str]:
    found = quotes(CODINGS, any_of=["error", "blame", "praise"], units=UNITS, texts=TEXTS, **options)
    row = found.set_index("coding_id").loc[coding_id]
    return row["left_context"], row["text"], row["right_context"]


def test_sentence_context_0_1_2():
    assert context_of("c1", context=0) == ("We", "missed the alarm", ".")
    assert context_of("c1", context=1) == ("We", "missed the alarm", ". Nobody checked it.")
    assert context_of("c1", context=2) == ("We", "missed the alarm", ". Nobody checked it. Then the boss blamed us.")
    assert context_of("c5", context=0) == ("We had", "no support", ".")
    assert context_of("c5", context=1) == ("It was hindsight. We had", "no support", ".")
    # the text between sentences (here the next turn's speaker label) is part of the context
    assert context_of("c3", context=1) == ("Then the boss blamed us.\nP1:", "It was hindsight.", "We had no support.")
    assert context_of("c4", context=1) == ("We missed the alarm.", "Nobody checked it. Then the boss",
                                           "blamed us.\nP1: It was hindsight.")


def test_sentence_context_clipped_at_document_edges():
    assert context_of("c1", context=5) == ("We", "missed the alarm",
                                           ". Nobody checked it. Then the boss blamed us.\nP1: It was hindsight. "
                                           "We had no support.")
    assert context_of("c8", context=2) == ("The press praised us. We made an error.\nP2:",
                                           "The boss blamed nobody.", "")
    assert context_of("c6", context=3)[0] == ""  # starts the document's first sentence: not the "P2:" label


def test_chars_context():
    assert context_of("c1", context=5, context_unit="chars") == (": We", "missed the alarm", ". Nob")
    assert context_of("c1", context=100, context_unit="chars") == ("P1: We", "missed the alarm", D1[23:].strip())
    assert context_of("c8", context=4, context_unit="chars") == ("P2:", "The boss blamed nobody.", "")
    assert context_of("c1", context=0, context_unit="chars") == ("", "missed the alarm", "")


def test_text_is_taken_from_texts():
    stale = CODINGS.assign(text="stale")
    found = quotes(stale, code="praise", units=UNITS, texts=TEXTS)
    assert found["text"].tolist() == ["no support", "The press praised us."]


def test_errors():
    with pytest.raises(ArgumentError, match="at least one"):
        quotes(CODINGS)
    with pytest.raises(ArgumentError, match="at least one"):
        quotes(CODINGS, all_of=[], none_of=[])
    with pytest.raises(ArgumentError, match="unit='paragraph'.*sentence, turn, document"):
        quotes(CODINGS, code="blame", unit="paragraph")
    with pytest.raises(ArgumentError, match="context_unit='words'.*sentence, chars"):
        quotes(CODINGS, code="blame", context_unit="words")
    with pytest.raises(ArgumentError, match="context=-1"):
        quotes(CODINGS, code="blame", context=-1)
    with pytest.raises(ArgumentError, match="needs units="):
        quotes(CODINGS, code="blame", texts=TEXTS)


def test_unknown_code_warns_and_query_continues():
    with pytest.warns(QDAWarning, match="no coding has code 'blaem' or a sub-code: check the spelling"):
        found = quotes(CODINGS, any_of=["blaem", "praise"])
    assert ids(found) == ["c5", "c6"]
    with pytest.warns(QDAWarning, match="'nope'"):
        assert ids(quotes(CODINGS, all_of=["blame", "nope"])) == []
    only_child = CODINGS[CODINGS["code_id"] != "blame"]
    assert ids(quotes(only_child, code="blame")) == ["c3"]
    with pytest.warns(QDAWarning, match="'blame' .sub-codes not included: subcodes=False"):
        assert ids(quotes(only_child, code="blame", subcodes=False)) == []
    # the check is on the codings given, before where: a code where filters out does not warn
    assert ids(quotes(CODINGS, code="praise", where="leader == False")) == ["c6"]


def test_empty_result_has_the_columns():
    found = quotes(CODINGS, all_of=["praise", "error"], units=UNITS, texts=TEXTS)
    assert len(found) == 0 and list(found.columns) == [*QUOTE_COLUMNS, "leader", "function"]


def test_on_a_real_project(tmp_path):
    text = ("I: What happened?\nP01: We missed the alarm. Nobody checked it. The boss blamed us.\n"
            "I: And then?\nP01: It was hindsight. We had no support.\n")
    (tmp_path / "INT01.txt").write_text(text, encoding="utf-8")
    with Project.create(tmp_path / "p.qda") as project:
        project.ingest(tmp_path / "INT01.txt", model="blank")
        error = text.index("Nobody checked it")
        blame = text.index("blamed us")
        project.code_span("INT01", error, error + len("Nobody checked it"), "failure.error", coder="ana")
        project.code_span("INT01", blame, blame + len("blamed us"), "response.blame", coder="ana")
        data = load(project)
    found = quotes(data.codings, all_of=["failure", "response.blame"], unit="turn", units=data.units,
                   texts=data.texts)
    assert found["code_id"].tolist() == ["failure.error", "response.blame"]
    for row in found.itertuples():
        assert row.text == data.texts["INT01"][row.start:row.end]
    assert found[["left_context", "right_context"]].values.tolist() == [
        ["We missed the alarm.", ". The boss blamed us."],
        ["Nobody checked it. The boss", ".\nI: And then?\nP01: It was hindsight."],
    ]
    assert quotes(data.codings, all_of=["failure", "response.blame"], units=data.units, texts=data.texts).empty
