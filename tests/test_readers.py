"""Each reader: the stored text, the turns and their exact offsets."""

from __future__ import annotations

import docx
import openpyxl
import pytest

from asymmetry_qda.errors import InputError
from asymmetry_qda.readers import LabelConfig, parse_text, read_source

from .conftest import INTERVIEW

LABELS = LabelConfig()


def turns_of(doc):
    return [(doc.text[t.start:t.end], t.speaker, t.is_interviewer, t.timestamp) for t in doc.turns]


def test_plain_text_turns_cover_words_without_labels():
    doc = parse_text(INTERVIEW, doc_id="INT", labels=LABELS)
    assert doc.kind == "interview"
    assert turns_of(doc) == [
        ("Thanks for coming in. How long have you been an inspector?", "Interviewer", True, None),
        ("Six years, nearly. It's- well, everything on the borough lands at my door.\n"
         "Even the stuff I never saw coming.", "P07", False, None),
        ("Mm-hm.", "Interviewer", True, None),
        ("And if it goes wrong, it'll be me in front of the IOPC.", "P07", False, None),
    ]
    assert [t.line for t in doc.turns] == [1, 3, 6, 8]


def test_header_before_first_label_is_not_segmented_and_is_noted():
    text = "# Interview 3\n*recorded [date]*\n\n**Interviewer:** Hello.\n\n**P03:** Hi.\n"
    doc = parse_text(text, doc_id="INT03", labels=LABELS, source_format="md")
    assert turns_of(doc) == [("Hello.", "Interviewer", True, None), ("Hi.", "P03", False, None)]
    assert any("header" in note for note in doc.notes)


def test_timestamp_alone_on_a_line_goes_to_the_next_turn():
    doc = parse_text("[00:01:02]\nInterviewer: Hi.\n\n00:01:09\nP01: Hello.\n", doc_id="X", labels=LABELS)
    assert [t.timestamp for t in doc.turns] == ["00:01:02", "00:01:09"]


def test_text_without_labels_is_a_field_note_of_paragraphs():
    text = "Arrived at [Station B] at six.\nThe briefing ran late.\n\n  \n\nThe inspector said \"it's mine\".\n"
    doc = parse_text(text, doc_id="FN", labels=LABELS)
    assert doc.kind == "fieldnote"
    assert turns_of(doc) == [
        ("Arrived at [Station B] at six.\nThe briefing ran late.", None, False, None),
        ("The inspector said \"it's mine\".", None, False, None),
    ]


def test_declared_field_note_ignores_label_like_lines():
    text = "Note: the meeting started late.\n\nPresent: twelve officers.\n"
    doc = parse_text(text, doc_id="FN", labels=LABELS, kind="fieldnote")
    assert doc.kind == "fieldnote" and all(t.speaker is None for t in doc.turns)
    assert len(doc.turns) == 2


def test_declared_interview_without_labels_is_an_error():
    with pytest.raises(InputError, match="declared an interview but no line starts with a speaker label"):
        parse_text("Just prose.\n", doc_id="X", labels=LABELS, kind="interview")


def test_interviewer_only_transcript_is_an_error():
    with pytest.raises(InputError, match=r"no participant turns: every label \(Interviewer, Q\)"):
        parse_text("Interviewer: Hello?\n\nQ: Anyone?\n", doc_id="X", labels=LABELS)


def test_label_seen_once_among_several_speakers_is_noted():
    text = "Interviewer: a\n\nP01: b\n\nInterviewer: c\n\nP01: d\n\nHonestly: e\n"
    doc = parse_text(text, doc_id="X", labels=LABELS)
    assert any("'Honestly' occurs only once" in note for note in doc.notes)


def test_docx_paragraphs_and_tables(tmp_path):
    path = tmp_path / "INT05.docx"
    d = docx.Document()
    d.add_paragraph("INT: How do you find it?")
    d.add_paragraph("P05: Hard. Really hard.")
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "cell one"
    table.rows[0].cells[1].text = "cell two"
    d.save(str(path))
    [doc] = read_source(path, labels=LABELS)
    assert doc.doc_id == "INT05" and doc.source_format == "docx"
    assert doc.text == "INT: How do you find it?\nP05: Hard. Really hard.\ncell one\tcell two"
    assert turns_of(doc)[0] == ("How do you find it?", "INT", True, None)
    assert turns_of(doc)[1][0] == "Hard. Really hard.\ncell one\tcell two"


def test_docx_that_is_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0 an old Word file")
    with pytest.raises(InputError, match="old.docx: this is not a .docx file"):
        read_source(path, labels=LABELS)


VTT = """WEBVTT

NOTE made by a transcription service

1
00:00:01.200 --> 00:00:06.800
<v Interviewer>Okay, that's recording.

00:00:07.100 --> 00:00:09.000
<v.loud DI K>No problem. I've got
till half past &amp; then a case conference.

00:00:09.500 --> 00:00:12.000
<v DI K><i>Sorry</i>, go on.

00:01:00.000 --> 00:01:02.000
Interviewer: Zoom-style label.
"""


def test_webvtt_voices_merge_consecutive_cues(tmp_path):
    path = tmp_path / "INT07.vtt"
    path.write_text(VTT, encoding="utf-8")
    [doc] = read_source(path, labels=LABELS)
    assert turns_of(doc) == [
        ("Okay, that's recording.", "Interviewer", True, "00:00:01.200"),
        ("No problem. I've got till half past & then a case conference. Sorry, go on.", "DI K", False,
         "00:00:07.100"),
        ("Zoom-style label.", "Interviewer", True, "00:01:00.000"),
    ]
    assert doc.text.startswith("Interviewer: Okay, that's recording.\n\nDI K: No problem.")


def test_srt_with_name_prefixes(tmp_path):
    path = tmp_path / "talk.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nQ: Why?\n\n2\n00:00:02,500 --> 00:00:04,000\n"
                    "P02: Because it's mine.\n", encoding="utf-8")
    [doc] = read_source(path, labels=LABELS)
    assert turns_of(doc) == [("Why?", "Q", True, "00:00:01.000"), ("Because it's mine.", "P02", False, "00:00:02.500")]


def test_vtt_without_header_is_refused(tmp_path):
    path = tmp_path / "x.vtt"
    path.write_text("00:00:01.000 --> 00:00:02.000\nhi\n", encoding="utf-8")
    with pytest.raises(InputError, match="x.vtt line 1: a WebVTT file must start with the line 'WEBVTT'"):
        read_source(path, labels=LABELS)


def test_csv_turn_table_with_two_documents(tmp_path):
    path = tmp_path / "turns.csv"
    path.write_text('document,Speaker,text,time\nA,Interviewer,"Hello, there.",[00:00:01]\n'
                    'A,P01,"Multi\nline",\nB,Interviewer,Hi,\nB,P02,Yes,00:00:09\n', encoding="utf-8")
    docs = read_source(path, labels=LABELS)
    assert [d.doc_id for d in docs] == ["A", "B"]
    assert turns_of(docs[0]) == [("Hello, there.", "Interviewer", True, "00:00:01"), ("Multi\nline", "P01", False, None)]
    assert turns_of(docs[1])[1] == ("Yes", "P02", False, "00:00:09")
    assert [t.line for t in docs[1].turns] == [5, 6]  # the quoted cell on line 3 spans two lines


def test_csv_turn_table_missing_columns_names_them(tmp_path):
    path = tmp_path / "attrs.csv"
    path.write_text("doc_id,pseudonym,rank\nINT01,Ash,PC\n", encoding="utf-8")
    with pytest.raises(InputError, match="attrs.csv line 1: a turn table needs the columns .*missing speaker, text"):
        read_source(path, labels=LABELS)


def test_xlsx_turn_table(tmp_path):
    path = tmp_path / "turns.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["doc_id", "speaker", "text", "timestamp"])
    sheet.append(["INT10", "Interviewer", "First question?", "00:00:03"])
    sheet.append(["INT10", "P10", "An answer.", None])
    book.save(path)
    [doc] = read_source(path, labels=LABELS)
    assert turns_of(doc) == [("First question?", "Interviewer", True, "00:00:03"), ("An answer.", "P10", False, None)]


def test_unknown_extension_is_refused(tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(InputError, match=r"notes.pdf: unknown extension '.pdf'; supported: .txt, .md"):
        read_source(path, labels=LABELS)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_with_doubled_quotes_and_any_common_delimiter(tmp_path, delimiter):
    import csv

    path = tmp_path / "turns.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(["doc_id", "speaker", "text"])
        writer.writerow(["A", "Interviewer", 'He asked "what happened", then; left.'])
        writer.writerow(["A", "P01", "It's mine,\teverything."])
    [doc] = read_source(path, labels=LABELS)
    assert [doc.text[t.start:t.end] for t in doc.turns] == ['He asked "what happened", then; left.',
                                                           "It's mine,\teverything."]


TURN_HEADERS = [
    ("Otter", "Emma  0:00  \nHello and welcome.\n\nKelly  0:34  \nThanks, Emma.\nGlad to be here.\n\nEmma  1:02  \nSo.\n",
     [("Emma", "00:00:00", "Hello and welcome."), ("Kelly", "00:00:34", "Thanks, Emma.\nGlad to be here."),
      ("Emma", "00:01:02", "So.")]),
    ("Zoom saved transcript", "[Sam] 19:00:25\nHello! Um, so\u2026\n\n[Sam] 19:00:28\nWe wait.\n\n[G3P1] 19:00:41\nOk.\n",
     [("Sam", "19:00:25", "Hello! Um, so\u2026"), ("Sam", "19:00:28", "We wait."), ("G3P1", "19:00:41", "Ok.")]),
    ("podcast notes", "**Emma** [0:00] Today, side projects.\n\n**Ali** [2:47]All the things.\n",
     [("Emma", "00:00:00", "Today, side projects."), ("Ali", "00:02:47", "All the things.")]),
]


@pytest.mark.parametrize(("layout", "text", "expected"), TURN_HEADERS, ids=[t[0] for t in TURN_HEADERS])
def test_turn_headers_start_turns_with_their_times_and_no_header_inside_a_turn(layout, text, expected):
    from asymmetry_qda.readers import LabelConfig, parse_text

    doc = parse_text(text, doc_id="X", labels=LabelConfig())
    assert doc.kind == "interview"
    assert [(t.speaker, t.timestamp, text[t.start:t.end]) for t in doc.turns] == expected


def test_colon_labels_win_over_a_few_header_like_lines_and_talk_is_not_a_header():
    from asymmetry_qda.readers import LabelConfig, parse_text

    text = ("Interviewer: When?\n\nP01: Monday.\nMeeting 10:30\nwas moved.\n\nInterviewer: And?\n\nP01: Then.\n"
            "Shift 11:00\n")
    doc = parse_text(text, doc_id="X", labels=LabelConfig())
    assert [t.speaker for t in doc.turns] == ["Interviewer", "P01", "Interviewer", "P01"]
    assert "Meeting 10:30\nwas moved." in text[doc.turns[1].start:doc.turns[1].end]
