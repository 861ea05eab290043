"""Plain-text layouts of real exports, read by their shape (issue 19). Every text here is invented."""

from __future__ import annotations

import pytest

from asymmetry_qda.readers import LabelConfig, parse_text

LABELS = LabelConfig()


def read(text, **kw):
    doc = parse_text(text, doc_id="D", labels=LABELS, **kw)
    return doc, [(doc.text[t.start:t.end], t.speaker, t.timestamp) for t in doc.turns]


def test_bracketed_labels_without_a_colon_are_speakers_and_notes_are_not():
    doc, turns = read("[id1] hello, I liked the course.\n\n[id2] [laughs] I did not.\n\n"
                      "[id1] Fair enough.\n\n[inaudible] something about slides\n")
    assert [t[:2] for t in turns] == [("hello, I liked the course.", "id1"), ("[laughs] I did not.", "id2"),
                                      ("Fair enough.\n\n[inaudible] something about slides", "id1")]
    assert "bracketed or bold labels" in doc.outcome()


def test_a_few_bracketed_notes_do_not_make_a_field_note_an_interview():
    doc, _ = read("We waited in the yard.\nIt rained for an hour and nobody came out.\nThen the van left.\n"
                  "[redacted] was there too.\n[Name] came later.\nThe shift ended at ten.\nWe went home.\n")
    assert doc.kind == "fieldnote"


def test_recurring_lower_case_labels_are_speakers():
    doc, turns = read("interviewer: How long?\n\nrespondent: Ten years.\n\ninterviewer: And now?\n\n"
                      "respondent: Still here.\n")
    assert doc.kind == "interview"
    assert [t[1] for t in turns] == ["interviewer", "respondent", "interviewer", "respondent"]
    assert [t.is_interviewer for t in doc.turns] == [True, False, True, False]


def test_a_lower_case_word_with_a_colon_in_a_field_note_is_not_a_speaker():
    doc, _ = read("We arrived late.\n\nnote: the custody suite was full.\n\nLater we left.\n\n"
                  "note: the sergeant was annoyed.\n")
    assert doc.kind == "fieldnote"


def test_role_after_the_name_keeps_turns_apart():
    text = "".join(f"Sam Okafor (SL): Point {i}.\n\nInterviewer: And then?\n\n" for i in range(40))
    doc, turns = read(text)
    assert len(turns) == 80 and {t[1] for t in turns} == {"Sam Okafor (SL)", "Interviewer"}


def test_an_indented_label_starts_a_turn():
    _, turns = read("Interviewer: Why?\n  P01: Because.\n")
    assert turns == [("Why?", "Interviewer", None), ("Because.", "P01", None)]


def test_bold_label_alone_then_a_time_in_seconds_on_each_line():
    doc, turns = read("**SPEAKER_00:**\n[2.8s] Okay, recording .\n[2.8s] Hello everybody .\n\n"
                      "**SPEAKER_01:**\n[30.4s] Hi everyone.\n")
    assert turns == [("Okay, recording .", "SPEAKER_00", "00:00:02.8"), ("Hello everybody .", "SPEAKER_00", "00:00:02.8"),
                     ("Hi everyone.", "SPEAKER_01", "00:00:30.4")]
    assert "a time at the start of each line" in doc.outcome()


def test_bold_around_time_and_label():
    _, turns = read("**[00:18] SPEAKER_01:** Can you see us?\n\n**[01:28] SPEAKER_00:** You broke up.\n")
    assert turns == [("Can you see us?", "SPEAKER_01", "00:00:18"), ("You broke up.", "SPEAKER_00", "00:01:28")]


def test_a_field_note_of_timed_lines_has_a_segment_per_line_with_its_time():
    doc, turns = read("Episode notes\n\n00:00:00 Welcome to the show.\n\n00:00:06 Today we talk about\n\n"
                      "00:00:09 custody and what goes wrong.\n")
    assert doc.kind == "fieldnote"
    assert turns == [("Episode notes", None, None), ("Welcome to the show.", None, "00:00:00"),
                     ("Today we talk about", None, "00:00:06"), ("custody and what goes wrong.", None, "00:00:09")]


def test_lines_without_blank_lines_are_joined_into_sentences():
    text = "So we went down to the\nstation, and nobody was there.\nNobody at all.\nAnd then the sergeant rang.\n"
    doc, turns = read(text)
    assert [t[0] for t in turns] == ["So we went down to the\nstation, and nobody was there.", "Nobody at all.",
                                     "And then the sergeant rang."]
    assert "joined into sentences" in doc.outcome()


def test_paragraphs_stay_paragraphs():
    doc, turns = read("One thing\nwrapped here.\n\nAnother paragraph.\n")
    assert [t[0] for t in turns] == ["One thing\nwrapped here.", "Another paragraph."] and doc.layout is None


@pytest.mark.parametrize("text", ["Interviewer: Why?\n\nP01: Because.\n", "**P01:** Bold.\n\n**Q:** Why?\n"])
def test_colon_labels_read_as_before(text):
    doc, turns = read(text)
    assert doc.layout == "speaker labels" and len(turns) == 2


def test_time_first_headers_with_the_words_below():
    _, turns = read("0:00 - Chris Andrade\nRight, shall we start?\n\n0:25 - Nicole Howard (nh@example.org)\n"
                    "Yes. ACTION ITEM: send the rota - WATCH: https://example.org/x\nThat was it.\n\n"
                    "@1:02 - Chris Andrade\nThanks.\n")
    assert turns == [("Right, shall we start?", "Chris Andrade", "00:00:00"),
                     ("Yes. ACTION ITEM: send the rota - WATCH: https://example.org/x\nThat was it.",
                      "Nicole Howard (nh@example.org)", "00:00:25"), ("Thanks.", "Chris Andrade", "00:01:02")]


def test_a_bracketed_name_in_a_header_may_hold_a_comma_or_a_dash():
    _, turns = read("[Birje, Shreya] 10:02:11\nMorning.\n\n[ATL - Room 2] 10:02:15\nMorning all.\n")
    assert [t[1] for t in turns] == ["Birje, Shreya", "ATL - Room 2"]


def test_action_item_lines_are_not_speakers():
    _, turns = read("P01: We agreed.\nACTION ITEM: send the rota\n\nInterviewer: Good.\n")
    assert turns == [("We agreed.\nACTION ITEM: send the rota", "P01", None), ("Good.", "Interviewer", None)]


def test_a_metadata_block_is_a_header_not_turns():
    doc, turns = read("INTERVIEWER: Jane Doe\nNARRATOR: John Smith\nDATE: 3 May 2019\n\n"
                      "DOE: Where were you born?\n\nSMITH: In Leeds.\n\nDOE: And then?\n\nSMITH: Bradford.\n")
    assert [t[1] for t in turns] == ["DOE", "SMITH", "DOE", "SMITH"]
    assert any("header" in note for note in doc.notes)


def test_an_interviewer_label_that_recurs_is_not_metadata():
    _, turns = read("Interviewer: Date?\n\nDate: Yes, my name.\n\nInterviewer: Fine.\n")
    assert [t[1] for t in turns] == ["Interviewer", "Date", "Interviewer"]


def test_the_speaker_who_asks_the_questions_is_offered_as_the_interviewer_never_applied():
    text = "".join(f"DB: Question {i}, why?\n\nKM: Answer {i}.\n\n" for i in range(5))
    doc, _ = read(text)
    assert not any(t.is_interviewer for t in doc.turns)
    [warning] = doc.warnings
    assert "'DB' asks the questions (5 of 5 turns hold a '?', 0% of the others' turns)" in warning
    assert "--interviewer-label 'DB'" in warning
    assert LabelConfig.build(["DB"]).is_interviewer("DB")  # the option the warning names does it


def test_no_asker_is_offered_when_everyone_asks():
    text = "".join(f"A: Why {i}?\n\nB: Why not {i}?\n\n" for i in range(5))
    doc, _ = read(text)
    assert "asks the questions" not in doc.warnings[0]
