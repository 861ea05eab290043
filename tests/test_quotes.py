"""quotes(): boolean code queries per unit, merged into passages, with clean context; Project.quotes; rendering."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from asymmetry_qda import Project
from asymmetry_qda.analysis import display_text, load, quotes, to_html, to_markdown
from asymmetry_qda.analysis._quotes import QUOTE_COLUMNS, styled
from asymmetry_qda.errors import ArgumentError, IdentifiersFound, InputError, QDAWarning

# D1: turn 0 = sentences 0-2, turn 1 = sentences 3-4. D2: turn 0 = sentences 0-1, turn 1 = sentence 2.
# D3: turn 0 = sentences 0-4 (a paragraph break after sentence 2), turn 1 = sentences 5-6.
# D4: two turns with nothing but a line break between them (no speaker labels, as in captions).
D1 = ("P1: We missed the alarm. Nobody checked it. Then the boss blamed us.\n"
      "P1: It was hindsight. We had no support.\n")
D2 = "P2: The press praised us. We made an error.\nP2: The boss blamed nobody.\n"
D3 = "P3: We were alone. Nobody came. It was late.\n\nI waited there. Then I called.\nP3: Next answer. Still alone.\n"
D4 = "It was late. Nobody came.\nIt was dark. I left.\n"
TEXTS = {"D1": D1, "D2": D2, "D3": D3, "D4": D4}
SENTENCES = {
    "D1": ["We missed the alarm.", "Nobody checked it.", "Then the boss blamed us.", "It was hindsight.",
           "We had no support."],
    "D2": ["The press praised us.", "We made an error.", "The boss blamed nobody."],
    "D3": ["We were alone.", "Nobody came.", "It was late.", "I waited there.", "Then I called.", "Next answer.",
           "Still alone."],
    "D4": ["It was late.", "Nobody came.", "It was dark.", "I left."],
}
TURNS = {"D1": [(0, 2), (3, 4)], "D2": [(0, 1), (2, 2)], "D3": [(0, 4), (5, 6)], "D4": [(0, 1), (2, 3)]}
PEOPLE = {"D1": ("P1", True, "ops"), "D2": ("P2", False, "hr"), "D3": ("P3", True, "ops"), "D4": ("P4", False, "hr")}


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


def _coding(coding_id: str, doc: str, phrase: str, code: str, coder: str = "LT", status: str = "confirmed") -> dict:
    start = TEXTS[doc].index(phrase)
    end = start + len(phrase)
    spans = _sentence_spans(doc)
    sentences = [i for i, (s, e) in enumerate(spans) if s < end and start < e]
    turns = [i for i, (a, b) in enumerate(TURNS[doc]) if a <= sentences[-1] and sentences[0] <= b]
    participant, leader, function = PEOPLE[doc]
    return {"coding_id": coding_id, "doc_id": doc, "kind": "interview", "participant_id": participant,
            "speaker": participant, "start": start, "end": end, "code_id": code, "theme": code.split(".")[0],
            "status": status, "coder_id": coder, "text": TEXTS[doc][start:end], "turn": turns[0],
            "turn_last": turns[-1], "sentence": sentences[0], "sentence_last": sentences[-1], "leader": leader,
            "function": function}


def frame_of(*codings: dict) -> pd.DataFrame:
    return pd.DataFrame(list(codings)).astype({"leader": "boolean"})


CODINGS = frame_of(
    _coding("c1", "D1", "missed the alarm", "error"),  # D1 s0, t0
    _coding("c2", "D1", "Then the boss blamed us.", "blame"),  # D1 s2, t0
    _coding("c3", "D1", "It was hindsight.", "blame.hindsight"),  # D1 s3, t1
    _coding("c4", "D1", "Nobody checked it. Then the boss", "error"),  # D1 s1-s2, t0
    _coding("c5", "D1", "no support", "praise"),  # D1 s4, t1
    _coding("c6", "D2", "The press praised us.", "praise"),  # D2 s0, t0
    _coding("c7", "D2", "made an error", "error"),  # D2 s1, t0
    _coding("c8", "D2", "The boss blamed nobody.", "blame"),  # D2 s2, t1
)
UNITS = _units()
#: the columns after the attribute columns, in order
TAIL = ["status", "left_context", "right_context", "start", "end", "n_codings", "coding_ids", "participant_id",
        "unit", "unit_ordinal"]


def ids(frame: pd.DataFrame) -> list[str]:
    return [coding_id for passage in frame["coding_ids"] for coding_id in passage]


def lonely(*codings: dict, **options) -> pd.DataFrame:
    """quotes() of code "lonely" over hand-built codings, with the texts and units."""
    return quotes(frame_of(*codings), code="lonely", units=UNITS, texts=TEXTS, **options)


def rows(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    return [tuple(r) for r in frame[list(columns)].itertuples(index=False)]


# --- the boolean query ----------------------------------------------------------------------------
def test_hand_built_frame_is_consistent():
    assert CODINGS[["sentence", "sentence_last", "turn", "turn_last"]].values.tolist()[3] == [1, 2, 0, 0]
    assert CODINGS[["sentence", "turn"]].values.tolist()[4] == [4, 1]
    assert [TEXTS[d][s:e] for d, s, e in _units()[["doc_id", "start", "end"]].values][-1] == "It was dark. I left."


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
    assert found.set_index("text").loc["Nobody checked it. Then the boss", "unit_ordinal"] == 1


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


def test_where_is_applied_before_the_query_and_knows_the_result_names():
    assert ids(quotes(CODINGS, code="blame", where="leader == True")) == ["c2", "c3"]
    assert ids(quotes(CODINGS, code="blame", where="leader == True and kind == 'interview'")) == ["c2", "c3"]
    # error codings dropped by where no longer exclude D1 sentence 2
    assert ids(quotes(CODINGS, code="blame", none_of=["error"], where="code_id != 'error'")) == ["c2", "c3", "c8"]
    assert ids(quotes(CODINGS, code="blame", none_of=["error"], where="code != 'error'")) == ["c2", "c3", "c8"]
    two = pd.concat([CODINGS, frame_of(_coding("m1", "D2", "The boss blamed nobody.", "blame", coder="MK"))])
    assert ids(quotes(two, code="blame", where="coder == 'MK'")) == ["m1"]
    with pytest.raises(ArgumentError, match="where="):
        quotes(CODINGS, code="blame", where="no_such_column == 1")


def test_columns_in_reading_order_and_text_without_texts():
    found = quotes(CODINGS, code="praise")
    assert list(found.columns) == [*QUOTE_COLUMNS[:7], "leader", "function", *TAIL]
    assert QUOTE_COLUMNS[:7] == ["text", "coder", "code", "doc_id", "kind", "speaker", "pseudonym"]
    row = found.iloc[0]
    assert row["text"] == "no support" and row["left_context"] == "" and row["right_context"] == ""
    assert (row["coder"], row["code"], row["doc_id"], row["participant_id"], row["speaker"], row["status"]) == \
        ("LT", "praise", "D1", "P1", "P1", "confirmed")
    assert row["leader"] and row["function"] == "ops" and row["coding_ids"] == ("c5",) and row["n_codings"] == 1
    assert pd.isna(row["pseudonym"])  # no participants= given


def test_no_duplicates_when_a_coding_spans_matching_units():
    found = quotes(CODINGS, code="error", unit="sentence")
    assert ids(found) == ["c1", "c4", "c7"]
    assert found["unit_ordinal"].tolist() == [0, 1, 1]  # c4: the first matching sentence


def test_text_is_taken_from_texts():
    stale = CODINGS.assign(text="stale")
    found = quotes(stale, code="praise", units=UNITS, texts=TEXTS)
    assert found["text"].tolist() == ["no support", "The press praised us."]


def test_errors():
    with pytest.raises(ArgumentError, match="at least one"):
        quotes(CODINGS)
    with pytest.raises(ArgumentError, match="at least one"):
        quotes(CODINGS, all_of=[], none_of=[])
    with pytest.raises(ArgumentError, match="unit: 'paragraph'.*sentence, turn, document"):
        quotes(CODINGS, code="blame", unit="paragraph")
    with pytest.raises(ArgumentError, match="context_unit: 'words'.*sentence, chars"):
        quotes(CODINGS, code="blame", context_unit="words")
    with pytest.raises(ArgumentError, match="context=-1"):
        quotes(CODINGS, code="blame", context=-1)
    with pytest.raises(ArgumentError, match="limit=-2"):
        quotes(CODINGS, code="blame", limit=-2)
    with pytest.raises(ArgumentError, match="needs units="):
        quotes(CODINGS, code="blame", texts=TEXTS)
    with pytest.raises(ArgumentError, match="status: 'accepted'.*confirmed, suggested"):
        quotes(CODINGS, code="blame", status="accepted")
    with pytest.raises(ArgumentError, match="coder= or coders=, not both"):
        quotes(CODINGS, code="blame", coder="LT", coders=["MK"])
    with pytest.raises(ArgumentError, match="spread="):
        quotes(CODINGS, code="blame", spread="yes")


def test_unknown_code_or_coder_warns_and_query_continues():
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
    with pytest.warns(QDAWarning, match=r"no coding by coder 'TL'.*\(coders: LT\)"):
        assert quotes(CODINGS, code="praise", coder="TL").empty


def test_empty_result_has_the_columns():
    found = quotes(CODINGS, all_of=["praise", "error"], units=UNITS, texts=TEXTS)
    assert len(found) == 0 and list(found.columns) == [*QUOTE_COLUMNS[:7], "leader", "function", *TAIL]


# --- passages -------------------------------------------------------------------------------------
def test_a_coding_of_two_sentences_is_one_row_with_its_whole_text():
    found = lonely(_coding("a", "D3", "Nobody came. It was late.", "lonely"))
    assert rows(found, "text", "n_codings", "coding_ids", "left_context", "right_context") == [
        ("Nobody came. It was late.", 1, ("a",), "We were alone.", "I waited there.")]
    # the text is the stored text, line breaks and all (only contexts and renderings tidy white space)
    found = lonely(_coding("a", "D3", "It was late.\n\nI waited there.", "lonely"))
    assert found["text"].tolist() == ["It was late.\n\nI waited there."] == [D3[found["start"][0]:found["end"][0]]]


def test_touching_or_overlapping_codings_of_one_coder_and_code_are_one_passage():
    found = lonely(_coding("a", "D3", "We were alone.", "lonely"),
                   _coding("b", "D3", "Nobody came.", "lonely"),  # only a space after a: touches it
                   _coding("c", "D3", "alone. Nobody", "lonely"),  # overlaps a and b
                   _coding("d", "D3", "It was late", "lonely"),  # a space after b
                   _coding("e", "D3", "Then I called.", "lonely"))  # "I waited there." between: not touching
    assert rows(found, "text", "n_codings", "coding_ids") == [
        ("We were alone. Nobody came. It was late", 4, ("a", "c", "b", "d")),
        ("Then I called.", 1, ("e",))]
    first = found.iloc[0]
    assert first["text"] == D3[first["start"]:first["end"]] and (first["start"], first["end"]) == (4, 43)
    # one row per coding on request
    assert lonely(_coding("a", "D3", "We were alone.", "lonely"), _coding("b", "D3", "Nobody came.", "lonely"),
                  merge=False)["text"].tolist() == ["We were alone.", "Nobody came."]


def test_passages_are_never_merged_across_coders_codes_statuses_or_turns():
    found = lonely(_coding("l1", "D3", "We were alone.", "lonely"),
                   _coding("m1", "D3", "We were alone.", "lonely", coder="MK"),
                   _coding("m2", "D3", "Nobody came.", "lonely", coder="MK"),
                   _coding("r1", "D3", "We were alone.", "lonely", coder="RS"))
    assert rows(found, "coder", "text", "n_codings") == [
        ("LT", "We were alone.", 1), ("RS", "We were alone.", 1), ("MK", "We were alone. Nobody came.", 2)]
    assert rows(lonely(_coding("a", "D3", "We were alone.", "lonely"),
                       _coding("b", "D3", "Nobody came.", "lonely.night")), "code", "n_codings") == [
        ("lonely", 1), ("lonely.night", 1)]
    assert rows(lonely(_coding("a", "D3", "We were alone.", "lonely"),
                       _coding("b", "D3", "Nobody came.", "lonely", status="suggested")), "status") == [
        ("confirmed",), ("suggested",)]
    # D4: only a line break between the two turns, but a passage stays in its turn
    assert lonely(_coding("a", "D4", "Nobody came.", "lonely"),
                  _coding("b", "D4", "It was dark.", "lonely"))["text"].tolist() == ["Nobody came.", "It was dark."]


def test_coder_filters():
    codings = (_coding("l1", "D3", "We were alone.", "lonely"), _coding("m1", "D3", "Nobody came.", "lonely", "MK"),
               _coding("r1", "D3", "It was late.", "lonely", "RS"))
    assert lonely(*codings, coder="MK")["coder"].tolist() == ["MK"]
    assert lonely(*codings, coders=["RS", "LT"])["coder"].tolist() == ["LT", "RS"]
    assert lonely(*codings, coder=["LT"], status="suggested").empty


def test_context_stays_in_the_turn_is_on_one_line_and_never_holds_the_quote():
    found = lonely(_coding("a", "D3", "Then I called.", "lonely"), _coding("b", "D3", "Next answer.", "lonely", "MK"),
                   _coding("c", "D3", "I waited there.", "lonely", "RS"), context=2)
    assert rows(found, "coder", "left_context", "text", "right_context") == [
        ("RS", "Nobody came. It was late.", "I waited there.", "Then I called."),  # the break at the edge: gone
        ("LT", "It was late. ¶ I waited there.", "Then I called.", ""),  # the turn ends: no "P3: Next answer."
        ("MK", "", "Next answer.", "Still alone."),  # the turn starts after its speaker label
    ]
    for row in found.itertuples():
        assert "\n" not in row.left_context + row.right_context
        assert row.text not in row.left_context and row.text not in row.right_context
    # context=0: the rest of the passage's own sentences
    assert rows(lonely(_coding("a", "D3", "came", "lonely"), context=0), "left_context", "right_context") == [
        ("Nobody", ".")]


def test_chars_context_keeps_whole_words_and_stays_in_the_turn():
    found = lonely(_coding("a", "D3", "Nobody came.", "lonely"), context=9, context_unit="chars")
    assert rows(found, "left_context", "right_context") == [("alone.", "It was")]  # not "e alone." nor "It was l"
    found = lonely(_coding("a", "D3", "We were alone.", "lonely"), context=100, context_unit="chars")
    assert found["left_context"].tolist() == [""]  # never the "P3:" label
    assert found["right_context"].tolist() == ["Nobody came. It was late. ¶ I waited there. Then I called."]


def test_consecutive_rows_of_one_coder_and_code_show_the_words_between_once():
    alone, late = _coding("a", "D3", "We were alone.", "lonely"), _coding("b", "D3", "It was late.", "lonely")
    assert rows(lonely(alone, late), "left_context", "text", "right_context") == [
        ("", "We were alone.", ""), ("Nobody came.", "It was late.", "I waited there.")]
    # not consecutive (MK's row in between): each reads whole, but never reaches into the other one's text
    between = _coding("m", "D3", "Nobody came.", "lonely", coder="MK")
    assert rows(lonely(alone, late, between, context=3), "coder", "left_context", "right_context") == [
        ("LT", "", "Nobody came."), ("MK", "We were alone.", "It was late. ¶ I waited there. Then I called."),
        ("LT", "Nobody came.", "I waited there. Then I called.")]


def test_spread_picks_round_robin_over_participants_deterministically():
    codings = [_coding("p1a", "D1", "We missed the alarm.", "lonely"), _coding("p1b", "D1", "Then the boss", "lonely"),
               _coding("p1c", "D1", "We had no support.", "lonely"),
               _coding("p2a", "D2", "We made an error.", "lonely"),
               _coding("p3a", "D3", "Nobody came.", "lonely"), _coding("p3b", "D3", "Still alone.", "lonely")]
    assert lonely(*codings, limit=3)["participant_id"].tolist() == ["P1", "P1", "P1"]
    spread = lonely(*codings, limit=3, spread=True)
    assert spread["participant_id"].tolist() == ["P1", "P2", "P3"]
    assert ids(spread) == ["p1a", "p2a", "p3a"]
    assert ids(lonely(*codings, spread=True)) == ["p1a", "p2a", "p3a", "p1b", "p3b", "p1c"]
    shuffled = codings[:]
    random.Random(4).shuffle(shuffled)
    pd.testing.assert_frame_equal(lonely(*shuffled, limit=3, spread=True), spread)
    assert len(lonely(*codings, limit=0)) == 0


def test_display_text():
    assert display_text("a\n\n\nb\nc\r\n\r\nd \t e\u2029f") == "a ¶ b c ¶ d e ¶ f"
    assert display_text("\n\nEdge.\n\n") == "Edge."


# --- rendering ------------------------------------------------------------------------------------
HOSTILE = pd.DataFrame({
    "text": ["<script>alert('x')</script> it *all*\n\nlands [here](http://x) on_me", "# Not a heading & fine"],
    "coder": ["LT", "MK"], "code": ["agency.responsibility", "response.blame"], "doc_id": ["INT01", "INT02"],
    "kind": ["interview"] * 2, "speaker": ["P01", "Sgt. D"], "pseudonym": ["Ash", pd.NA],
    "rank": ["sergeant", "inspector"], "leader": pd.array([True, pd.NA], dtype="boolean"),
    "status": ["confirmed", "suggested"], "left_context": ["Before <b>it</b>.", ""], "right_context": ["", "After."],
    "start": [10, 0], "end": [72, 22], "n_codings": [2, 1], "coding_ids": [("a", "b"), ("c",)],
    "participant_id": ["P01", "P02"], "unit": ["sentence"] * 2, "unit_ordinal": [0, 0],
})


def test_to_markdown_escapes_and_attributes_each_quote():
    assert to_markdown(HOSTILE) == (
        "> &lt;script&gt;alert('x')&lt;/script&gt; it \\*all\\* ¶ lands \\[here\\](http://x) on_me\n"
        ">\n"
        "> — Ash (rank: sergeant; leader: yes), INT01 [10:72], agency.responsibility, coded by LT\n"
        "\n"
        "> \\# Not a heading &amp; fine\n"
        ">\n"
        "> — Sgt. D (rank: inspector), INT02 [0:22], response.blame, coded by MK, suggested\n")
    assert to_markdown(HOSTILE, attributes=[]).splitlines()[2] == \
        "> — Ash, INT01 [10:72], agency.responsibility, coded by LT"
    with_context = to_markdown(HOSTILE, context=True).splitlines()
    assert with_context[0].startswith("> Before &lt;b&gt;it&lt;/b&gt;. **&lt;script&gt;")
    assert with_context[4] == "> **\\# Not a heading &amp; fine** After."
    assert to_markdown(HOSTILE) == to_markdown(HOSTILE.copy())  # deterministic
    assert to_markdown(HOSTILE.iloc[:0]) == ""


def test_to_html_escapes_and_attributes_each_quote():
    page = to_html(HOSTILE)
    assert page.splitlines()[:5] == [
        '<div class="quotes">',
        '<figure class="quote">',
        '<blockquote data-doc-id="INT01" data-start="10" data-end="72"><p>&lt;script&gt;alert(&#x27;x&#x27;)'
        '&lt;/script&gt; it *all* ¶ lands [here](http://x) on_me</p></blockquote>',
        "<figcaption>— Ash (rank: sergeant; leader: yes), INT01 [10:72], agency.responsibility, coded by "
        "LT</figcaption>",
        "</figure>"]
    assert "<script>" not in page and "<b>" not in to_html(HOSTILE, context=True)
    assert '<span class="context">Before &lt;b&gt;it&lt;/b&gt;.</span> <strong>' in to_html(HOSTILE, context=True)
    assert page == to_html(HOSTILE.copy()) and page.endswith("</div>\n")


def test_styled_shows_every_quote_whole_and_escaped():
    long = HOSTILE.assign(text=["word " * 60 + "<script>x</script>", "short"])
    before = pd.get_option("display.max_colwidth")
    page = styled(long).to_html()
    assert ("word " * 59 + "word &lt;script&gt;x&lt;/script&gt;") in page and "<script>" not in page
    assert "coding_ids" not in page and "white-space: normal" in page
    assert pd.get_option("display.max_colwidth") == before  # no global option changed
    assert long["text"].iloc[0].endswith("<script>x</script>")  # the frame is unchanged


# --- on a project ---------------------------------------------------------------------------------
INT01 = ("Interviewer: How was it?\n\n"
         "P01: I was on my own. Nobody to ask.\nThe sergeants were out.\n\n"
         "It was four in the morning, <script>alert(1)</script> honestly.\n\n"
         "Interviewer: And then?\n\n"
         "P01: I made the call. It was lonely.\n")
INT02 = "Interviewer: Any support?\n\nP02: None at all. I sat there alone. Then the phone rang.\n"
ATTRIBUTES = ("doc_id,participant_id,pseudonym,rank,function,data_type,leader\n"
              "INT01,P01,Ash,Sergeant,response,interview,yes\n"
              "INT02,P02,Dev,Inspector,custody,interview,no\n")


def _code(project, doc_id, quote, code="experience.loneliness", coder="LT"):
    start = project.text(doc_id).index(quote)
    return project.code_span(doc_id, start, start + len(quote), code, coder=coder)


@pytest.fixture
def coded(tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "INT01.txt").write_text(INT01, encoding="utf-8")
    (folder / "INT02.txt").write_text(INT02, encoding="utf-8")
    (folder / "participants.csv").write_text(ATTRIBUTES, encoding="utf-8")
    (tmp_path / "project").mkdir()
    with Project.create(tmp_path / "project" / "p.qda") as project:
        project.ingest([folder / "INT01.txt", folder / "INT02.txt"], attributes=folder / "participants.csv",
                       pipeline="blank")
        _code(project, "INT01", "The sergeants were out.")
        _code(project, "INT01", "It was four in the morning, <script>alert(1)</script> honestly.")
        _code(project, "INT01", "Nobody to ask.", coder="MK")
        _code(project, "INT01", "How was it?", coder="MK")  # the interviewer's question
        _code(project, "INT02", "I sat there alone.")
        _code(project, "INT02", "Then the phone rang.", code="agency.responsibility")
        yield project


def test_project_quotes(coded):
    found = coded.quotes("experience", coder="LT")
    assert list(found.columns)[:9] == ["text", "coder", "code", "doc_id", "kind", "speaker", "pseudonym", "rank",
                                       "rank_band"]
    assert list(found.columns)[-len(TAIL):] == TAIL
    assert rows(found, "pseudonym", "rank", "leader", "coder", "code", "n_codings", "left_context",
                "right_context") == [
        ("Ash", "sergeant", True, "LT", "experience.loneliness", 2, "Nobody to ask.", ""),
        ("Dev", "inspector", False, "LT", "experience.loneliness", 1, "None at all.", "Then the phone rang.")]
    assert found.attrs["source"] == str(coded.path)
    assert coded.quotes("experience", coder="LT", status="suggested").empty
    spread = coded.quotes("experience", coders=["LT", "MK"], limit=2, spread=True)
    assert rows(spread, "coder", "doc_id") == [("MK", "INT01"), ("LT", "INT02")]


def test_text_is_exactly_the_stored_text_and_contexts_are_clean(coded):
    found = coded.quotes("experience")
    assert len(found) == 3  # MK's and LT's passages in INT01, LT's in INT02; not the interviewer's question
    for row in found.itertuples():
        assert row.text == coded.text(row.doc_id)[row.start:row.end]
        for context in (row.left_context, row.right_context):
            assert "\n" not in context and row.text not in context
            assert "Interviewer" not in context and "P01:" not in context and "How was it" not in context
    passage = found[found["coder"] == "LT"].iloc[0]
    assert passage["text"] == ("The sergeants were out.\n\nIt was four in the morning, <script>alert(1)</script> "
                               "honestly.")


def test_interviewer_talk_only_when_asked(coded):
    assert "How was it?" not in coded.quotes("experience", coder="MK")["text"].tolist()
    asked = coded.quotes("experience", coder="MK", include_interviewer=True)
    assert asked["text"].tolist() == ["How was it?", "Nobody to ask."]
    assert asked["speaker"].tolist() == ["Interviewer", "P01"]


def test_the_call_of_notebook_01_keeps_working(coded):
    data = load(coded, include_suggestions=True)
    found = quotes(data.codings, code="experience.loneliness", context=1, units=data.units, texts=data.texts)
    shown = found[["doc_id", "speaker", "status", "left_context", "text", "right_context"]].head(8)
    assert shown.values.tolist() == [
        ["INT01", "P01", "confirmed", "I was on my own.", "Nobody to ask.", "The sergeants were out."],
        ["INT01", "P01", "confirmed", "Nobody to ask.",
         "The sergeants were out.\n\nIt was four in the morning, <script>alert(1)</script> honestly.", ""],
        ["INT02", "P02", "confirmed", "None at all.", "I sat there alone.", "Then the phone rang."]]
    assert found["coder"].tolist() == ["MK", "LT", "LT"]
    assert found.attrs["source"] is None  # codings alone do not say which project they came from
    pd.testing.assert_frame_equal(quotes(data, code="experience.loneliness").drop(columns=["pseudonym"]),
                                  found.drop(columns=["pseudonym"]))


def test_markdown_and_html_of_a_project_escape_the_quote(coded):
    found = coded.quotes("experience", coder="LT", limit=1)
    markdown, page = to_markdown(found, attributes=["rank"]), to_html(found, attributes=["rank"])
    assert markdown.splitlines()[0] == ("> The sergeants were out. ¶ It was four in the morning, "
                                        "&lt;script&gt;alert(1)&lt;/script&gt; honestly.")
    assert markdown.splitlines()[2] == f"> — Ash (rank: sergeant), INT01 [{found['start'][0]}:{found['end'][0]}], " \
                                       "experience.loneliness, coded by LT"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in markdown + page


def test_writing_quotes_goes_through_the_export_guard(coded, tmp_path):
    found = coded.quotes("experience", coder="LT")
    out = tmp_path / "quotes.md"
    assert to_markdown(found[found["doc_id"] == "INT01"], out) == out.read_text(encoding="utf-8")  # attrs kept
    page = tmp_path / "quotes.html"
    fragment = to_html(found, page, title="<Loneliness>")
    written = page.read_text(encoding="utf-8")
    assert written.startswith("<!DOCTYPE html>") and fragment in written and "<title>&lt;Loneliness&gt;" in written
    # quotes of data.codings do not name their project: say which, or the file is not written
    data = load(coded)
    bare = quotes(data.codings, code="experience", units=data.units, texts=data.texts)
    with pytest.raises(ArgumentError, match="pass project="):
        to_markdown(bare, tmp_path / "bare.md")
    assert not (tmp_path / "bare.md").exists()
    to_markdown(bare, tmp_path / "bare.md", project=coded)
    # quotes made before a text changed are out of date
    stale = found.copy()
    stale.attrs["texts_sha256"] = {**found.attrs["texts_sha256"], "INT01": "0" * 64}
    with pytest.raises(InputError, match="made before INT01 changed"):
        to_markdown(stale, tmp_path / "stale.md")
    with pytest.raises(InputError, match="made before INT02 changed"):
        to_html(found.assign(text=found["text"].str.replace("alone", "Walsh")), tmp_path / "stale.html")
    assert not (tmp_path / "stale.md").exists() and not (tmp_path / "stale.html").exists()


def test_quotes_are_not_written_while_the_audit_has_findings(tmp_path):
    source = tmp_path / "INT09.txt"
    source.write_text("Interviewer: Who decided?\n\nP09: I rang Sergeant Okafor first. DCI Walsh would decide, "
                      "and it was lonely.\n", encoding="utf-8")
    (tmp_path / "project").mkdir()
    with Project.create(tmp_path / "project" / "p.qda") as project:
        project.ingest(source, pipeline="blank")
        _code(project, "INT09", "DCI Walsh would decide, and it was lonely.")
        found = project.quotes("experience")
        assert not project.unresolved_findings().empty
    with pytest.raises(IdentifiersFound, match="refusing to write quotes to"):
        to_markdown(found, tmp_path / "q.md")
    with pytest.raises(IdentifiersFound):
        to_html(found, tmp_path / "q.html")
    assert not (tmp_path / "q.md").exists() and not (tmp_path / "q.html").exists()
    assert "Walsh" in to_markdown(found)  # a string for the notebook is not an export
    with pytest.warns(QDAWarning, match="keep this export with the team"):
        to_markdown(found, tmp_path / "q.md", allow_identifiers=True)
    assert "Walsh" in (tmp_path / "q.md").read_text(encoding="utf-8")
