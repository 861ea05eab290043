"""Turn tables as real oral-history exports write them: no doc_id column, ``Name:`` speaker cells, empty speaker
cells that continue a turn, and timestamps in mixed styles (asymmetry_qda/readers/tables.py)."""

from __future__ import annotations

import csv
import datetime as dt
import json

import openpyxl
import pytest

from asymmetry_qda.errors import InputError
from asymmetry_qda.readers import LabelConfig, read_source

from .conftest import REPO

LABELS = LabelConfig()
REAL = REPO / "tests" / "data" / "real_transcripts"


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def segments(doc):
    """(words, speaker, timestamp, line) of each segment, after checking that its offsets hold exactly its words."""
    out = []
    for t in doc.turns:
        words = doc.text[t.start:t.end]
        assert words and words == words.strip()
        out.append((words, t.speaker, t.timestamp, t.line))
    return out


def test_a_table_without_doc_id_is_one_document_named_after_the_file(tmp_path):
    path = write_csv(tmp_path / "becker_2019.csv", [
        ["speaker", "words", "tags", "timestamp"],
        ["Interviewer", "Where did you grow up?", "place", ""],
        ["P01", "In Moscow, Idaho.", "place; family", ""],
    ])
    [doc] = read_source(path, labels=LABELS)
    assert doc.doc_id == "becker_2019"
    assert doc.kind == "interview"
    assert segments(doc) == [("Where did you grow up?", "Interviewer", None, 2), ("In Moscow, Idaho.", "P01", None, 3)]
    assert doc.text == "Interviewer: Where did you grow up?\n\nP01: In Moscow, Idaho.\n"  # the tags are not text


def test_a_colon_ending_the_speaker_cell_is_not_part_of_the_label(tmp_path):
    path = write_csv(tmp_path / "talk.csv", [
        ["speaker", "words"],
        ["Interviewer:", "Please state your name."],
        ["Kasey Mohammad :", "Kasey Silem Mohammad."],
        ["KM:  ", "October 10, 1962."],
    ])
    [doc] = read_source(path, labels=LABELS)
    assert [(t.speaker, t.is_interviewer) for t in doc.turns] == [
        ("Interviewer", True), ("Kasey Mohammad", False), ("KM", False)]
    assert doc.text.startswith("Interviewer: Please state your name.\n\nKasey Mohammad: Kasey Silem Mohammad.")


def test_an_empty_speaker_cell_continues_the_previous_speakers_turn(tmp_path):
    path = write_csv(tmp_path / "mc.csv", [
        ["speaker", "words", "tags", "timestamp"],
        ["DB:", "First question.", "", "0:00:00"],
        ["", "And a second part to it.", "files", ""],
        ["JM:", "An answer.", "", ""],
        ["", "More of the answer.", "", "5:00"],
        ["", "The end of it.", "", ""],
        ["DB:", "Thanks.", "", ""],
    ])
    [doc] = read_source(path, labels=LABELS)
    assert segments(doc) == [  # each row stays its own segment, with the speaker who was talking
        ("First question.", "DB", "00:00:00", 2), ("And a second part to it.", "DB", None, 3),
        ("An answer.", "JM", None, 4), ("More of the answer.", "JM", "00:05:00", 5),
        ("The end of it.", "JM", None, 6), ("Thanks.", "DB", None, 7)]


def test_an_empty_speaker_cell_before_any_named_speaker_stays_speakerless(tmp_path):
    path = write_csv(tmp_path / "pre.csv", [
        ["speaker", "words"],
        ["", "Recorded at the library, 3 May."],
        ["Interviewer", "Shall we start?"],
        ["", "Tell me about your work."],
        ["P02", "Sure."],
    ])
    [doc] = read_source(path, labels=LABELS)
    assert [(w, s) for w, s, _, _ in segments(doc)] == [
        ("Recorded at the library, 3 May.", None), ("Shall we start?", "Interviewer"),
        ("Tell me about your work.", "Interviewer"), ("Sure.", "P02")]


def test_a_table_without_doc_id_and_without_speakers_is_a_field_note(tmp_path):
    path = write_csv(tmp_path / "visit_3.csv", [["speaker", "text"], ["", "Arrived at nine."], ["", "Rain all day."]])
    [doc] = read_source(path, labels=LABELS)
    assert (doc.doc_id, doc.kind) == ("visit_3", "fieldnote")
    assert [(w, s) for w, s, _, _ in segments(doc)] == [("Arrived at nine.", None), ("Rain all day.", None)]


def test_a_speaker_is_carried_only_within_its_document(tmp_path):
    path = write_csv(tmp_path / "mixed.csv", [
        ["doc_id", "speaker", "text"],
        ["INT01", "", "Before anyone speaks."],
        ["INT01", "P01:", "I started in 2004."],
        ["FN01", "", "The office was quiet."],  # a field note: no speaker in its document, none carried in
        ["INT01", "", "Then I moved."],
        ["FN01", "", "Phones rang at noon."],
    ])
    interview, note = read_source(path, labels=LABELS)
    assert [(w, s) for w, s, _, _ in segments(interview)] == [
        ("Before anyone speaks.", None), ("I started in 2004.", "P01"), ("Then I moved.", "P01")]
    assert note.kind == "fieldnote"
    assert [(w, s) for w, s, _, _ in segments(note)] == [
        ("The office was quiet.", None), ("Phones rang at noon.", None)]


def test_a_table_with_doc_id_reads_as_before(tmp_path):
    path = tmp_path / "turns.csv"
    path.write_text('document,Speaker,text,time\nA,Interviewer,"Hello, there.",[00:00:01]\n'
                    'A,P01,"Multi\nline",\n,,,\nB,Interviewer,Hi,\nB,P02,Yes,00:00:09\n', encoding="utf-8")
    first, second = read_source(path, labels=LABELS)
    assert (first.doc_id, second.doc_id) == ("A", "B")
    assert first.text == "Interviewer: Hello, there.\n\nP01: Multi\nline\n"
    assert segments(first) == [("Hello, there.", "Interviewer", "00:00:01", 2), ("Multi\nline", "P01", None, 3)]
    assert segments(second) == [("Hi", "Interviewer", None, 6), ("Yes", "P02", "00:00:09", 7)]
    assert [t.is_interviewer for t in first.turns + second.turns] == [True, False, True, False]


def test_a_row_with_text_but_no_doc_id_is_still_an_error(tmp_path):
    path = write_csv(tmp_path / "gaps.csv", [
        ["doc_id", "speaker", "text"], ["A", "Interviewer", "Hi."], ["", "P01", "Hello."], ["A", "P01", "Yes."],
        ["", "", "Orphan."]])
    with pytest.raises(InputError) as caught:
        read_source(path, labels=LABELS)
    assert [(p.source, p.line, p.message) for p in caught.value.problems] == [
        ("gaps.csv", 3, "the row has text but no doc_id"), ("gaps.csv", 5, "the row has text but no doc_id")]


@pytest.mark.parametrize("cell, expected", [
    ("0:00:00", "00:00:00"), ("5:00", "00:05:00"), ("10:00", "00:10:00"), ("1:00:22", "01:00:22"),
    ("[00:15:00]", "00:15:00"), ("[01:10:00]", "01:10:00"), ("(12:31)", "00:12:31"), ("  0:06:54 ", "00:06:54"),
    ("00:12:31,5", "00:12:31.5"), ("[00:03:43] beginning of interview", "00:03:43"),
    ("0:06:54 - tape 2", "00:06:54"), ("12:31(approx.)", "00:12:31"),
])
def test_a_timestamp_cell_gives_its_leading_time(tmp_path, cell, expected):
    path = write_csv(tmp_path / "ts.csv", [["speaker", "words", "timestamp"], ["DB:", "Go ahead.", cell],
                                           ["JM:", "Well.", ""]])
    [doc] = read_source(path, labels=LABELS)
    assert [t.timestamp for t in doc.turns] == [expected, None]


def test_words_after_the_time_are_dropped_with_a_note(tmp_path):
    path = write_csv(tmp_path / "noted.csv", [
        ["speaker", "words", "timestamp"], ["DB:", "Okay, rolling.", "[00:03:43] beginning of interview"],
        ["JM:", "Good.", "0:04:00"], ["DB:", "Next.", "0:09:10 tape change"]])
    [doc] = read_source(path, labels=LABELS)
    assert [t.timestamp for t in doc.turns] == ["00:03:43", "00:04:00", "00:09:10"]
    assert "beginning of interview" not in doc.text
    assert [n for n in doc.notes if "timestamp" in n] == [
        "2 timestamp cells have words after the time (first at line 2: 'beginning of interview'); "
        "only the time is kept"]


def test_every_unreadable_timestamp_is_reported_with_its_line(tmp_path):
    path = write_csv(tmp_path / "bad_times.csv", [
        ["speaker", "words", "timestamp"],
        ["DB:", "Start.", "beginning of interview"],  # no time at all
        ["JM:", "Fine.", "[00:03:43] ok"],
        ["DB:", "Then?", "about 5 minutes in 00:05:00"],  # a time, but not leading
        ["JM:", "Yes.", "00:00:75"],  # no such time
        ["DB:", "And?", "12"],
    ])
    with pytest.raises(InputError) as caught:
        read_source(path, labels=LABELS)
    problems = caught.value.problems
    assert [(p.source, p.line) for p in problems] == [("bad_times.csv", 2), ("bad_times.csv", 4),
                                                     ("bad_times.csv", 5), ("bad_times.csv", 6)]
    assert str(problems[0]) == ("bad_times.csv line 2: timestamp 'beginning of interview' is not like 00:12:31. "
                                "Fix: use HH:MM:SS, MM:SS or leave the cell empty.")
    assert str(caught.value).startswith("4 problems; nothing was written:")


def test_a_table_needs_speaker_and_text_but_not_doc_id(tmp_path):
    path = write_csv(tmp_path / "attrs.csv", [["pseudonym", "rank"], ["Ash", "PC"]])
    with pytest.raises(InputError, match=r"attrs.csv line 1: a turn table needs the columns speaker, text "
                                         r"\(doc_id and timestamp optional\); missing speaker, text"):
        read_source(path, labels=LABELS)


def test_an_xlsx_export_without_doc_id(tmp_path):
    path = tmp_path / "OH 12.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Speaker", "Words", "Tags", "Timestamp"])
    sheet.append(["Devin Becker:", "Thank you for doing this.", "intro", dt.time(0, 0, 5)])
    sheet.append([None, "We can take breaks.", None, None])
    sheet.append(["James McMichael:", "Happy to.", None, "[00:00:12] laughs"])
    sheet.append([None, None, None, None])
    sheet.append(["JM:", "Where to start&#8212;", None, "1:02:03"])
    book.save(path)
    [doc] = read_source(path, labels=LABELS)
    assert doc.doc_id == "OH 12"
    assert segments(doc) == [
        ("Thank you for doing this.", "Devin Becker", "00:00:05", 2), ("We can take breaks.", "Devin Becker", None, 3),
        ("Happy to.", "James McMichael", "00:00:12", 4), ("Where to start&#8212;", "JM", "01:02:03", 6)]


@pytest.mark.parametrize("entry_id", ["ohd_mohammad_csv", "ohd_mcmichael_csv"])
def test_the_real_oral_history_exports(entry_id):
    entry = next(e for e in json.loads((REAL / "manifest.json").read_text(encoding="utf-8")) if e["id"] == entry_id)
    path = REAL / entry["file"]
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    [doc] = read_source(path, labels=LABELS)
    assert doc.doc_id == path.stem and doc.kind == "interview"
    found = segments(doc)
    assert len(found) == len(rows)  # one segment per row, continuation rows included
    speakers = [s for _, s, _, _ in found]
    assert None not in speakers
    assert sorted(set(speakers)) == sorted(entry["speakers"])
    runs = sum(1 for i, s in enumerate(speakers) if i == 0 or s != speakers[i - 1])
    assert runs == entry["turns"]
    assert sum(ts is not None for _, _, ts, _ in found) == entry["timestamps"]
    assert found[0][0].startswith(entry["first_words"]) and found[-1][0].endswith(entry["last_words"])
    assert [w for w, _, _, _ in found] == [r[1].strip() for r in rows]  # words as in the file, entities kept
