"""Export -> import round trip: documents, codes, codings at exact offsets, coders, attributes and memos."""

from __future__ import annotations

from asymmetry_qda import Project

from .conftest import INTERVIEW, SAMPLES

ATTRS = "doc_id,pseudonym,rank,function,data_type,leader\nINT07,Kit,DI,investigation,interview,yes\n"


def test_round_trip_reproduces_documents_codings_coders_attributes_and_memos(project, write, tmp_path):
    project.ingest([write("INT07.txt", INTERVIEW), SAMPLES / "transcripts" / "FN01.txt"],
                   attributes=write("p.csv", ATTRS), model="blank")
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
