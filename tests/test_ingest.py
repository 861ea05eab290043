"""Ingesting into a project: what is stored, re-ingestion, replacement, and every bad input."""

from __future__ import annotations

import codecs

import pytest

from asymmetry_qda import InputError, QDAWarning

from .conftest import INTERVIEW, snapshot

ATTRS = ("doc_id,participant_id,pseudonym,rank,function,data_type,leader\n"
         "INT07,P07,Kit,DI,investigation,interview,\n"
         "FN01,G01,Champions,mixed,mixed,fieldnote,\n")
FIELDNOTE = "Arrived at six. The room was double-booked.\n\nThe inspector said \"it all lands on me\".\n"


def test_ingest_stores_documents_segments_and_participants(project, write):
    report = project.ingest([write("INT07.txt", INTERVIEW), write("FN01.txt", FIELDNOTE)],
                            attributes=write("participants.csv", ATTRS), pipeline="blank")
    assert report.documents.set_index("doc_id")["action"].to_dict() == {"INT07": "added", "FN01": "added"}
    docs = project.documents().set_index("doc_id")
    assert docs.loc["INT07", "kind"] == "interview" and docs.loc["FN01", "kind"] == "fieldnote"
    assert docs.loc["INT07", "participant_id"] == "P07"
    assert (docs.loc["INT07", "turns"], docs.loc["INT07", "participant_turns"]) == (4, 2)
    segments = project.segments()
    for row in segments.itertuples():
        assert project.text(row.doc_id)[row.start:row.end] == row.text
    sentences = project.segments(unit="sentence", doc_id="INT07", include_interviewer=False)
    assert sentences["text"].tolist() == [
        "Six years, nearly.", "It's- well, everything on the borough lands at my door.",
        "Even the stuff I never saw coming.", "And if it goes wrong, it'll be me in front of the IOPC."]
    assert sentences["parent_id"].tolist() == ["INT07#t2"] * 3 + ["INT07#t4"]
    assert sentences["segment_id"].tolist() == ["INT07#t2.s1", "INT07#t2.s2", "INT07#t2.s3", "INT07#t4.s1"]
    people = project.participants().set_index("participant_id")
    assert people.loc["P07", "rank"] == "inspector" and bool(people.loc["P07", "leader"]) is True
    info = project.info()
    assert info.loc["total", "documents"] == 2 and info.loc["interview", "participant_turns"] == 2


def test_reingesting_the_same_file_is_a_no_op(project, write):
    path = write("INT07.txt", INTERVIEW)
    project.ingest(path, pipeline="blank")
    before = snapshot(project)
    report = project.ingest(path, pipeline="blank")
    assert report.documents["action"].tolist() == ["unchanged"]
    after = snapshot(project)
    # only the ingest log gains a line
    assert [line for line in after.splitlines() if "ingest_log" not in line] == \
           [line for line in before.splitlines() if "ingest_log" not in line]


def test_same_text_with_crlf_and_bom_is_the_same_document(project, write):
    project.ingest(write("INT07.txt", INTERVIEW), pipeline="blank")
    again = write("copy/INT07.txt".replace("copy/", ""), codecs.BOM_UTF8 + INTERVIEW.replace("\n", "\r\n").encode())
    assert project.ingest(again, pipeline="blank").documents["action"].tolist() == ["unchanged"]


def test_replace_keeps_codings_whose_text_is_unchanged_and_reports_the_others(project, write):
    path = write("INT07.txt", INTERVIEW)
    project.ingest(path, pipeline="blank")
    text = project.text("INT07")
    early = text.index("Thanks for coming in")
    late = text.index("in front of the IOPC")
    keep = project.code_span("INT07", early, early + 20, "misc", coder="LT")
    lose = project.code_span("INT07", late, late + 20, "response.blame", coder="LT")
    path.write_text(INTERVIEW.replace("And if it goes wrong", "If it all goes badly wrong"), encoding="utf-8")
    with pytest.warns(QDAWarning, match="1 coding\\(s\\) no longer match"):
        report = project.ingest(path, pipeline="blank", replace=True)
    assert report.documents["action"].tolist() == ["replaced"]
    assert (report.kept_codings, report.dropped_codings["coding_id"].tolist()) == (1, [lose])
    current = project.codings()
    assert current["text"].tolist() == ["Thanks for coming in"]
    assert current["supersedes"].tolist() == [keep]
    history = project.codings(current_only=False).set_index("coding_id")
    assert history.loc[lose, "text"] == "in front of the IOPC"  # still readable against the old text
    assert project.documents().set_index("doc_id").loc["INT07", "version"] == 2
    assert project._db.execute("SELECT COUNT(*) FROM document_versions").fetchone()[0] == 1


def test_replace_with_the_same_text_resegments(project, write):
    path = write("INT07.txt", INTERVIEW)
    project.ingest(path, pipeline="blank")
    report = project.ingest(path, pipeline="blank", replace=True, interviewer_labels=["Nobody"])
    assert report.documents["action"].tolist() == ["resegmented"]
    assert not project.segments(unit="turn")["is_interviewer"].any()


def test_folder_ingest_skips_readmes_hidden_underscored_and_other_extensions(project, write):
    write("INT07.txt", INTERVIEW)
    write("README.md", "# About these files\n")
    write(".hidden.txt", "P01: secret\n")
    write("notes.pdf", b"%PDF")
    attributes = write("participants.csv", ATTRS.replace("FN01,G01,Champions,mixed,mixed,fieldnote,\n", ""))
    folder = attributes.parent
    report = project.ingest(folder, attributes=attributes, pipeline="blank")
    assert report.documents["doc_id"].tolist() == ["INT07"]
    assert any("README.md" in s for s in report.skipped_files)
    assert any("notes.pdf (unsupported extension .pdf)" in s for s in report.skipped_files)
    assert any("participants.csv (not a transcript)" in s for s in report.skipped_files)


def test_attributes_alone_update_participants_of_stored_documents(project, write):
    project.ingest(write("INT07.txt", INTERVIEW), pipeline="blank")
    report = project.import_attributes(write("participants.csv", ATTRS.splitlines()[0] + "\n" + ATTRS.splitlines()[1] + "\n"))
    assert report.participants_added == ["P07"]
    assert project.documents().set_index("doc_id").loc["INT07", "participant_id"] == "P07"
    changed = ATTRS.splitlines()[0] + "\nINT07,P07,Kit,DCI,investigation,interview,\n"
    report = project.import_attributes(write("participants2.csv", changed))
    assert report.participants_updated == ["P07"]
    assert project.participants().set_index("participant_id").loc["P07", "rank"] == "chief inspector"


def test_attributes_can_declare_a_field_note(project, write):
    text = "Note: we met at [Station B].\n\nPresent: twelve officers.\n\nNote: it ran late.\n"
    attrs = "doc_id,pseudonym,rank,function,data_type\nFN09,Group,mixed,mixed,fieldnote\n"
    project.ingest(write("FN09.txt", text), attributes=write("a.csv", attrs), pipeline="blank")
    turns = project.segments(unit="turn")
    assert turns["speaker"].isna().all() and len(turns) == 3


def test_five_megabyte_transcript_ingests(project, tmp_path):
    turn = ("Interviewer: And what happened next, when the call came in?\n\n"
            "P01: Well, um, I- I went straight there. It's my shift, so it lands on me, doesn't it? "
            "Nobody's ever said well done for that. [laughs] Anyway.\n\n")
    path = tmp_path / "LONG.txt"
    path.write_text(turn * (5_000_000 // len(turn) + 1), encoding="utf-8")
    assert path.stat().st_size >= 5_000_000
    report = project.ingest(path, pipeline="blank")
    row = report.documents.iloc[0]
    assert row["turns"] == 2 * (5_000_000 // len(turn) + 1)
    last = project.segments(unit="sentence").iloc[-1]
    assert last["text"] == "[laughs] Anyway." == project.text("LONG")[last["start"]:last["end"]]


# -- every bad input: a clear message, and the project exactly as it was ----------------------------

BAD_INPUTS = [
    pytest.param({"EMPTY.txt": b""}, None, r"EMPTY.txt: the file is empty \(0 bytes\)", id="empty file"),
    pytest.param({"BIN.txt": b"\x7fELF\x02\x01\x00\x00binary"}, None,
                 r"BIN.txt: this is not a text file: it holds NUL bytes", id="binary file"),
    pytest.param({"notes.rtf": b"{\\rtf1 hello}"}, None, r"notes.rtf: unknown extension '.rtf'", id="unknown extension"),
    pytest.param({"BAD.txt": b"P01: caf\x81\x8d"}, None, r"BAD.txt: the bytes cannot be decoded: byte 8 \(0x81\)",
                 id="undecodable bytes"),
    pytest.param({"INT09.txt": "Interviewer: Hello?\n\nInterviewer 2: Anyone there?\n"}, None,
                 r"INT09.txt: document 'INT09' has no participant turns", id="no participant turns"),
    pytest.param({"a/INT07.txt": INTERVIEW, "b/INT07.md": INTERVIEW.replace("Six", "Seven")}, None,
                 r"INT07.md: duplicate document id 'INT07': .*INT07.txt has the same id", id="duplicate document id"),
    pytest.param({"INT08.txt": INTERVIEW}, "doc_id,pseudonym,rank,function,data_type\nINT99,X,PC,response,interview\n",
                 r"participants.csv line 2: unknown document id 'INT99'", id="attributes unknown id"),
    pytest.param({"INT08.txt": INTERVIEW}, "doc_id,pseudonym,rank,function\nINT08,X,PC,response\n",
                 r"participants.csv line 1: missing required column\(s\) data_type", id="attributes missing column"),
]


@pytest.mark.parametrize(("files", "attributes", "message"), BAD_INPUTS)
def test_bad_input_is_reported_and_nothing_is_written(project, write, files, attributes, message):
    project.ingest(write("INT01.txt", INTERVIEW), pipeline="blank")  # something already stored
    before = snapshot(project)
    paths = []
    for name, content in files.items():
        if "/" in name:
            (write("x", "").parent / name.split("/")[0]).mkdir(exist_ok=True)
        paths.append(write(name, content))
    attrs = write("participants.csv", attributes) if attributes else None
    with pytest.raises(InputError, match=message):
        project.ingest(paths, attributes=attrs, pipeline="blank")
    assert snapshot(project) == before


def test_changed_file_reingested_is_an_error_and_nothing_changes(project, write):
    path = write("INT07.txt", INTERVIEW)
    project.ingest(path, pipeline="blank")
    project.code_span("INT07", 0, 5, "misc", coder="LT")
    before = snapshot(project)
    path.write_text(INTERVIEW + "\nP07: One more thing.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"INT07.txt: document 'INT07' is already in the project \(from INT07.txt\) "
                                         r"with different text. Fix: .*replace=True"):
        project.ingest(path, pipeline="blank")
    assert snapshot(project) == before


def test_all_problems_of_one_import_are_reported_together(project, write):
    with pytest.raises(InputError) as caught:
        project.ingest([write("A.txt", b""), write("B.txt", b"\x00\x01"), write("C.doc", b"x")], pipeline="blank")
    assert str(caught.value).startswith("3 problems; nothing was written:")
    assert project.documents().empty


def test_a_good_file_beside_a_bad_one_is_not_stored_either(project, write):
    with pytest.raises(InputError):
        project.ingest([write("GOOD.txt", INTERVIEW), write("BAD.txt", b"")], pipeline="blank")
    assert project.documents().empty and project.segments().empty
