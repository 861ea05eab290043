"""Export -> import round trip: documents, codes, codings at exact offsets, coders, attributes and memos."""

from __future__ import annotations

from asymmetry_qda import Project

from .conftest import INTERVIEW, IOPC_CODEBOOK, SAMPLES

ATTRS = "doc_id,pseudonym,rank,function,data_type,leader\nINT07,Kit,DI,investigation,interview,yes\n"


def test_round_trip_reproduces_documents_codings_coders_attributes_and_memos(project, write, tmp_path):
    project.ingest([write("INT07.txt", INTERVIEW), SAMPLES / "transcripts" / "FN01.txt"],
                   attributes=write("p.csv", ATTRS), pipeline="blank")
    text = project.text("INT07")
    for quote, code, coder, memo in [
            ("everything on the borough lands at my door", "agency.responsibility", "LT", "core case"),
            ("it'll be me in front of the IOPC", "response.blame.hindsight", "MK", None),
            ("it'll be me in front of the IOPC", "response.blame", "LT", None)]:
        start = text.index(quote)
        project.code_span("INT07", start, start + len(quote), code, coder=coder, memo=memo)
    fieldnote = project.text("FN01")
    project.code_span("FN01", 10, 60, "experience", coder="LT")
    project.export_qdpx(tmp_path / "out.qdpx")

    with Project.create(tmp_path / "back.qda") as back:
        report = back.import_qdpx(tmp_path / "out.qdpx")
        assert report.scheme == "codepoints"
        assert sorted(back.documents()["doc_id"]) == ["FN01", "INT07"]
        assert back.text("INT07") == text and back.text("FN01") == fieldnote
        original = project.codings()[["doc_id", "start", "end", "code_id", "coder_id", "text"]]
        again = back.codings()[["doc_id", "start", "end", "code_id", "coder_id", "text"]]
        key = ["doc_id", "start", "end", "code_id", "coder_id"]
        assert again.sort_values(key).values.tolist() == original.sort_values(key).values.tolist()
        memos = back.memos()
        assert memos["text"].tolist() == ["core case"]
        people = back.participants().set_index("participant_id")
        assert people.loc["Kit", "rank"] == "inspector" and people.loc["Kit", "function"] == "investigation"
        assert not report.skipped or all(item.kind != "coding" for item in report.skipped)


def test_round_trip_keeps_suggestions_as_suggestions_pseudonyms_typed_attributes_and_no_case_codes(
        project, write, tmp_path):
    attrs = ("doc_id,participant_id,pseudonym,rank,function,data_type,years_service,shift\n"
             "INT07,P07,Kit,A/Insp,investigation,interview,12.5,nights\n")
    project.ingest(write("INT07.txt", INTERVIEW), attributes=write("p.csv", attrs), pipeline="blank")
    text = project.text("INT07")
    start = text.index("everything on the borough lands at my door")
    project.code_span("INT07", start, start + 42, "agency.responsibility", coder="LT", memo="core case")
    project.code(IOPC_CODEBOOK, pipeline="blank", progress=False)
    project.export_qdpx(tmp_path / "out.qdpx", include_suggestions=True)

    with Project.create(tmp_path / "back.qda") as back:
        report = back.import_qdpx(tmp_path / "out.qdpx")
        assert report.suggestions == 1 and report.codings == 2 and report.cases == 1
        codings = back.codings().set_index("code_id")
        assert codings.loc["response.blame", "status"] == "suggested"
        assert codings.loc["response.blame", "origin"] == "rule"
        assert codings.loc["response.blame", "rule_id"] == "r.iopc"
        assert codings.loc["response.blame", "coder_id"] == "tagger"
        assert codings.loc["agency.responsibility", "status"] == "confirmed"
        assert len(back.suggestions()) == 1
        assert back.memos()["text"].tolist() == ["core case"]  # read once, from the description and the note
        assert "P07" not in set(back.codings()["code_id"]) and report.codebook is not None
        assert {c["label"] for c in report.codebook.data["codes"]}.isdisjoint({"P07", "Participants (cases)"})
        people = back.participants().set_index("participant_id")
        kit = people.loc["P07"]
        assert kit["pseudonym"] == "Kit" and kit["rank_raw"] == "A/Insp" and bool(kit["acting"])
        assert kit["years_service"] == "12.5" and kit["shift"] == "nights" and kit["function"] == "investigation"
        assert back.documents().set_index("doc_id").loc["INT07", "participant_id"] == "P07"
        assert not [s for s in report.skipped if s.kind in ("coding", "case", "variable")], report.skipped
