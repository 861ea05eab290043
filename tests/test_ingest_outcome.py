"""What the ingest says it made of each file: one line per document, and a warning where a person should look."""

from __future__ import annotations

import json

from asymmetry_qda.cli import main


def test_each_document_gets_one_line_on_kind_speakers_interviewer_and_layout(project, write):
    report = project.ingest([write("INT01.txt", "Interviewer: Why?\n\nP01: Because.\n\nInterviewer: And?\n\n"
                                                "P01: That is all.\n"),
                             write("FN01.txt", "A quiet shift.\n\nThen a call.\n")], pipeline="blank")
    rows = report.documents.set_index("doc_id")
    assert rows.loc["INT01", "outcome"] == ("INT01: interview, 2 speakers, interviewer 'Interviewer' (2 turns), "
                                            "2 participant turns; layout: txt, speaker labels")
    assert rows.loc["FN01", "outcome"] == "FN01: field note, 2 paragraphs; layout: txt"
    assert (rows.loc["INT01", "speakers"], rows.loc["INT01", "interviewer"]) == (2, "Interviewer")
    assert rows.loc["INT01", "outcome"] in report.summary().splitlines()
    assert list(rows["warnings"]) == [[], []]


def test_an_interview_without_an_interviewer_turn_says_which_option_fixes_it(project, write):
    report = project.ingest(write("INT02.txt", "Dave: Why did it go wrong?\n\nP02: The rota.\n\n"
                                               "Dave: And then?\n\nP02: Nobody came.\n"), pipeline="blank")
    [warning] = report.documents["warnings"].iloc[0]
    assert warning.startswith("an interview with no interviewer turn")
    assert "--interviewer-label 'Dave'" in warning
    assert f"warning: INT02: {warning}" in report.summary()


def test_a_transcript_whose_labels_are_not_read_is_flagged_not_silently_a_field_note(project, write):
    text = "".join(f"[00:0{i}:10] Sam\nwords said at minute {i}.\n\n" for i in range(4))
    report = project.ingest(write("Z01.txt", text), pipeline="blank")
    row = report.documents.iloc[0]
    assert row["kind"] == "fieldnote"
    assert row["warnings"] and "looks like a transcript (4 timestamps)" in row["warnings"][0]
    assert "--label-pattern" in row["warnings"][0]


def test_a_file_that_is_mostly_header_is_flagged(project, write):
    header = "Project notes. " * 40 + "\n\n"
    report = project.ingest(write("INT03.txt", header + "Interviewer: Why?\n\nP03: Because.\n"), pipeline="blank")
    assert any(w.startswith("most of the file") for w in report.documents["warnings"].iloc[0])


def test_the_json_report_carries_the_outcome_and_warnings(tmp_path, write, capsys):
    path = write("INT04.txt", "Dave: Why?\n\nP04: Because.\n")
    assert main(["init", str(tmp_path / "s.qda")]) == 0
    capsys.readouterr()
    assert main(["ingest", str(tmp_path / "s.qda"), str(path), "--pipeline", "blank", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    [document] = report["documents"]
    assert document["outcome"].startswith("INT04: interview, 2 speakers, no interviewer turn")
    assert document["warnings"][0].startswith("an interview with no interviewer turn")
