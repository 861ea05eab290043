"""REFI-QDA import of what other programs put on sources and cases: document attributes (MAXQDA, QualCoder),
cases without documents, unnamed and Word-only sources, schema checks, writers who count positions
differently, and one transaction with no temporary files."""

from __future__ import annotations

import io
import sqlite3
import tempfile
import warnings

import pytest

import asymmetry_qda.store.codings as codings_module
from asymmetry_qda import Project, QDAWarning
from asymmetry_qda.refi.qdpx_import import import_qdpx

from .conftest import INTERVIEW, IOPC_CODEBOOK, SAMPLES, snapshot
from .test_qdpx_import import BLAME, CODEBOOK, RAW, count, project, qde, qdpx  # noqa: F401 - the fixture

VARIABLES = ('<Variables>'
             '<Variable guid="30000000-0000-0000-0000-000000000001" name="participant" typeOfVariable="Text"/>'
             '<Variable guid="30000000-0000-0000-0000-000000000002" name="pseudonym" typeOfVariable="Text"/>'
             '<Variable guid="30000000-0000-0000-0000-000000000003" name="rank" typeOfVariable="Text"/>'
             '<Variable guid="30000000-0000-0000-0000-000000000004" name="Years" typeOfVariable="Float"/>'
             '<Variable guid="30000000-0000-0000-0000-000000000005" name="data_type" typeOfVariable="Text"/>'
             '<Variable guid="30000000-0000-0000-0000-000000000006" name="rank_band" typeOfVariable="Text"/>'
             '</Variables>')


def value(n: int, text: str, kind: str = "TextValue") -> str:
    return (f'<VariableValue><VariableRef targetGUID="30000000-0000-0000-0000-00000000000{n}"/>'
            f"<{kind}>{text}</{kind}></VariableValue>")


def source(guid: str, name: str | None, path: str, values: str = "", selections: str = "") -> str:
    named = f' name="{name}"' if name else ""
    return f'<TextSource guid="{guid}"{named} plainTextPath="{path}">{selections}{values}</TextSource>'


def test_attributes_on_sources_name_their_participant_and_derived_columns_are_derived_again(project, tmp_path):
    values = value(1, "P05") + value(2, "Sam") + value(3, "A/PS") + value(4, "8.5", "FloatValue") + \
        value(5, "fieldnote") + value(6, "constable")
    body = CODEBOOK + VARIABLES + "<Sources>" + source("40000000-0000-0000-0000-000000000001", "notes.txt",
                                                       "internal://n.txt", values) + "</Sources>"
    report = import_qdpx(project, qdpx(tmp_path / "m.qdpx", qde(body), {"n.txt": b"A quiet shift.\n\nThen not.\n"}))
    assert report.cases == 1
    sam = project.participants().set_index("participant_id").loc["P05"]
    assert (sam["pseudonym"], sam["rank"], bool(sam["acting"]), sam["rank_band"], sam["Years"]) == \
        ("Sam", "sergeant", True, "sergeant", "8.5")  # the band comes from the rank, not from the file
    assert project.document("notes").participant_id == "P05" and project.document("notes").kind == "fieldnote"
    assert any("'rank_band' is derived from the rank" in n for n in report.notes)


def test_a_source_with_attributes_and_no_case_is_its_own_participant(project, tmp_path):
    body = CODEBOOK + VARIABLES + "<Sources>" + source("40000000-0000-0000-0000-000000000001", "INT03.txt",
                                                       "internal://a.txt", value(4, "3", "FloatValue")) + "</Sources>"
    report = import_qdpx(project, qdpx(tmp_path / "m.qdpx", qde(body), {"a.txt": b"P01: fine.\n"}))
    assert project.document("INT03").participant_id == "INT03"
    assert project.participants().set_index("participant_id").loc["INT03", "Years"] == "3"
    assert any("no case" in n for n in report.notes)


def test_a_named_case_without_documents_is_kept_as_a_participant(project, tmp_path):
    cases = ('<Cases><Case guid="d0000000-0000-0000-0000-000000000001" name="Robin">' + value(3, "Ch Insp")
             + "</Case></Cases>")
    body = CODEBOOK + VARIABLES + cases + "<Sources>" + source("40000000-0000-0000-0000-000000000001", "x.txt",
                                                               "internal://a.txt") + "</Sources>"
    report = import_qdpx(project, qdpx(tmp_path / "m.qdpx", qde(body), {"a.txt": b"P01: fine.\n"}))
    robin = project.participants().set_index("participant_id").loc["Robin"]
    assert robin["rank"] == "chief inspector" and bool(robin["leader"])
    assert report.cases == 1 and not report.skipped_of("case")
    assert any("no imported document" in n for n in report.notes)


def test_an_unnamed_source_is_named_after_its_file(project, tmp_path):
    body = CODEBOOK + "<Sources>" + source("40000000-0000-0000-0000-000000000001", None,
                                           "internal://Focus group 2.txt") + "</Sources>"
    report = import_qdpx(project, qdpx(tmp_path / "m.qdpx", qde(body), {"Focus group 2.txt": b"P01: fine.\n"}))
    assert report.doc_ids == ["Focus_group_2"]


def _docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in text.split("\n"):
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_source_whose_text_file_is_empty_is_read_from_its_word_file(project, tmp_path):
    text = "P01: They blame me for it.\nP02: Not me."
    start = text.index("blame")
    selection = (f'<PlainTextSelection guid="50000000-0000-0000-0000-000000000001" name="blame" '
                 f'startPosition="{start}" endPosition="{start + 5}"><Coding guid="60000000-0000-0000-0000-'
                 f'000000000001"><CodeRef targetGUID="{BLAME}"/></Coding></PlainTextSelection>')
    body = CODEBOOK + ('<Sources><TextSource guid="40000000-0000-0000-0000-000000000001" name="INT09" '
                       'plainTextPath="internal://i.txt" richTextPath="internal://i.docx">' + selection
                       + "</TextSource></Sources>")
    report = import_qdpx(project, qdpx(tmp_path / "w.qdpx", qde(body), {"i.txt": b"", "i.docx": _docx(text)}))
    assert project.text("INT09") == text
    assert project.codings()["text"].tolist() == ["blame"]
    assert any("taken from internal://i.docx" in n and "is empty" in n for n in report.notes)


def test_a_file_that_is_not_schema_valid_is_read_leniently_and_says_so(project, tmp_path):
    body = ('<CodeBook><Codes><Code guid="c0de0000-0000-0000-0000-000000000002" name="Blame"/></Codes></CodeBook>'
            + "<Sources>" + source("40000000-0000-0000-0000-000000000001", "a.txt", "internal://a.txt")
            + "</Sources>")
    report = import_qdpx(project, qdpx(tmp_path / "bad.qdpx", qde(body), {"a.txt": b"P01: fine.\n"}))
    assert report.documents == 1
    [note] = [n for n in report.notes if "not valid against the REFI-QDA 1.5 schema" in n]
    assert "isCodable" in note and "line 2" in note


def test_our_own_export_is_schema_valid_and_says_nothing_about_it(project, tmp_path, write):
    project.ingest(write("INT01.txt", "P01: They blame me for it.\n"), pipeline="blank")
    project.code_span("INT01", 5, 9, "response.blame", coder="LT")
    project.export_qdpx(tmp_path / "ours.qdpx")
    from asymmetry_qda import Project

    with Project.create(tmp_path / "back.qda") as back:
        report = import_qdpx(back, tmp_path / "ours.qdpx")
    assert not [n for n in report.notes if "schema" in n]


TWO_WRITERS = ("P01: Hello \U0001F600 there, how are you?\n"
               "P01: I am \U0001F355 fine, thanks, and the \U0001F389 end is near.\n")


def _two_writers(tmp_path):
    """NVivo-like 'A' counted UTF-16 units for three selections; 'B' (a code-point program) added one."""
    users = ('<Users><User guid="aaaaaaaa-0000-0000-0000-00000000000a" name="A"/>'
             '<User guid="bbbbbbbb-0000-0000-0000-00000000000b" name="B"/></Users>')
    out = []
    for n, (quote, user, scheme) in enumerate([("there, how are you?", "aaaaaaaa-0000-0000-0000-00000000000a", "utf16"),
                                                ("fine, thanks", "aaaaaaaa-0000-0000-0000-00000000000a", "utf16"),
                                                ("I am", "aaaaaaaa-0000-0000-0000-00000000000a", "utf16"),
                                                ("end is near", "bbbbbbbb-0000-0000-0000-00000000000b",
                                                 "codepoints")], start=1):
        i = TWO_WRITERS.index(quote)
        out.append(f'<PlainTextSelection guid="50000000-0000-0000-0000-{n:012d}" name="{quote}" '
                   f'startPosition="{count(TWO_WRITERS[:i], scheme)}" '
                   f'endPosition="{count(TWO_WRITERS[:i + len(quote)], scheme)}" creatingUser="{user}">'
                   f'<Coding guid="60000000-0000-0000-0000-{n:012d}" creatingUser="{user}">'
                   f'<CodeRef targetGUID="{BLAME}"/></Coding></PlainTextSelection>')
    body = users + CODEBOOK + ('<Sources><TextSource guid="40000000-0000-0000-0000-000000000001" name="INT01" '
                               'plainTextPath="internal://t.txt">' + "".join(out) + "</TextSource></Sources>")
    return qdpx(tmp_path / "two.qdpx", qde(body), {"t.txt": TWO_WRITERS.encode("utf-8")})


def test_a_selection_that_fits_another_way_of_counting_is_noted_by_writer(project, tmp_path):
    report = import_qdpx(project, _two_writers(tmp_path))
    assert report.scheme == "utf16"
    [note] = [n for n in report.notes if "quote their text" in n]
    assert note.startswith("1 selection(s) by B quote their text when counted as codepoints, not utf16")
    assert "per-user" in note


def test_per_user_counts_each_writers_positions_their_own_way(project, tmp_path):
    report = import_qdpx(project, _two_writers(tmp_path), scheme="per-user")
    assert report.scheme_chosen == "per-user"
    assert sorted(project.codings()["text"]) == sorted(["there, how are you?", "fine, thanks", "I am",
                                                        "end is near"])
    assert any("by B are counted as codepoints" in n for n in report.notes)
    assert not [n for n in report.notes if "quote their text" in n]


def test_the_import_writes_no_temporary_file(project, tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the import made a temporary file or folder")

    for name in ("mkdtemp", "mkstemp", "TemporaryDirectory", "NamedTemporaryFile", "TemporaryFile"):
        monkeypatch.setattr(tempfile, name, refuse)
    cases = ('<Cases><Case guid="d0000000-0000-0000-0000-000000000001" name="Dev">' + value(3, "Sergeant")
             + '<SourceRef targetGUID="40000000-0000-0000-0000-000000000001"/></Case></Cases>')
    body = CODEBOOK + VARIABLES + cases + "<Sources>" + source("40000000-0000-0000-0000-000000000001", "x.txt",
                                                               "internal://a.txt") + "</Sources>"
    report = import_qdpx(project, qdpx(tmp_path / "m.qdpx", qde(body), {"a.txt": RAW.encode("utf-8")}))
    assert report.documents == 1 and report.cases == 1


def test_a_case_whose_document_cannot_be_ingested_skips_that_document_not_the_import(project, tmp_path):
    cases = ('<Cases><Case guid="d0000000-0000-0000-0000-000000000001" name="Dev">' + value(3, "Sergeant")
             + '<SourceRef targetGUID="40000000-0000-0000-0000-000000000001"/></Case></Cases>')
    body = CODEBOOK + VARIABLES + cases + "<Sources>" + source("40000000-0000-0000-0000-000000000001", "x.txt",
                                                               "internal://a.txt") \
        + source("40000000-0000-0000-0000-000000000002", "y.txt", "internal://b.txt") + "</Sources>"
    only_interviewer = b"Interviewer: Hello?\n\nInterviewer: Anyone?\n"
    report = import_qdpx(project, qdpx(tmp_path / "m.qdpx", qde(body), {"a.txt": only_interviewer,
                                                                         "b.txt": b"P01: fine.\n"}))
    assert report.doc_ids == ["y"] and "cannot be ingested" in report.skipped_of("source")[0].reason
    assert project.participants().set_index("participant_id").loc["Dev", "rank"] == "sergeant"


# -- atomicity: a failure half-way through the write leaves every table as it was ------------------------

TABLES = ("documents", "segments", "codings", "memos", "participants", "participant_attributes", "coders", "runs",
          "ingest_log")


def _tables(project) -> dict[str, list[tuple]]:
    """Every row of the tables an import writes, read through a connection of its own."""
    connection = sqlite3.connect(project.path)
    try:
        return {t: sorted(map(tuple, connection.execute(f"SELECT * FROM {t}")), key=repr) for t in TABLES}
    finally:
        connection.close()


@pytest.fixture
def busy_project_and_archive(project, write, tmp_path):
    """A project with rows in every table an import writes, and an archive of two other documents with human
    codings (two of them with memos), a suggestion and a case."""
    mine = write("mine.csv", "doc_id,pseudonym,rank,function,data_type,years\n"
                             "INT01,Ash,PC,response,interview,2\nINT02,Dev,Sergeant,response,interview,11\n")
    project.ingest([SAMPLES / "transcripts" / "INT01.txt", SAMPLES / "transcripts" / "INT02.txt"],
                   attributes=mine, pipeline="blank")
    project.code_span("INT01", 0, 40, "agency.responsibility", coder="LT", memo="already here")
    project.code(IOPC_CODEBOOK, pipeline="blank", progress=False)
    with Project.create(tmp_path / "other.qda") as other, warnings.catch_warnings():
        warnings.simplefilter("ignore", QDAWarning)
        attrs = write("p.csv", "doc_id,pseudonym,rank,function,data_type\nINT07,Kit,DI,investigation,interview\n")
        other.ingest([write("INT07.txt", INTERVIEW), SAMPLES / "transcripts" / "FN01.txt"], attributes=attrs,
                     pipeline="blank")
        text = other.text("INT07")
        for quote, code, coder, memo in [
                ("everything on the borough lands at my door", "agency.responsibility", "LT", "core case"),
                ("Even the stuff I never saw coming", "agency.control", "MK", None),
                ("it'll be me in front of the IOPC", "response.blame", "MK", "anticipated"),
                ("Six years, nearly", "experience", "LT", None)]:
            start = text.index(quote)
            other.code_span("INT07", start, start + len(quote), code, coder=coder, memo=memo)
        other.code_span("FN01", 10, 60, "experience", coder="LT")
        other.code(IOPC_CODEBOOK, pipeline="blank", progress=False)
        archive = other.export_qdpx(tmp_path / "other.qdpx", include_suggestions=True, allow_identifiers=True)
    assert all(_tables(project)[t] for t in ("documents", "segments", "codings", "memos", "participants",
                                             "coders", "runs"))
    return project, archive


@pytest.mark.parametrize("where", ["insert", "add_memo"])
def test_a_failure_half_way_through_the_write_leaves_every_table_as_it_was(busy_project_and_archive, monkeypatch,
                                                                          where):
    project, archive = busy_project_and_archive
    before, whole = _tables(project), snapshot(project)
    real = getattr(codings_module, where)
    seen: dict[str, object] = {"calls": 0}

    def fails_on_the_second_call(db, *args, **kwargs):  # a coding (or its memo) written per coding, then a fault
        seen["calls"] += 1
        if seen["calls"] == 2:
            seen["inside"] = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
            seen["outside"] = {t: len(rows) for t, rows in _tables(project).items()}
            raise RuntimeError("disk I/O error, injected")
        return real(db, *args, **kwargs)

    monkeypatch.setattr(codings_module, where, fails_on_the_second_call)
    with pytest.raises(RuntimeError, match="injected"):
        project.import_qdpx(archive)
    # the failure came half-way: the transaction already held the new documents, segments, participants and
    # at least one coding, which no other connection could see
    counted = {t: len(rows) for t, rows in before.items()}
    assert seen["calls"] == 2 and seen["outside"] == counted
    for table in ("documents", "segments", "participants", "codings", "ingest_log"):
        assert seen["inside"][table] > counted[table], table
    # and none of it is left: every table has exactly the rows it had, and nothing else in the file changed
    after = _tables(project)
    assert {t: len(r) for t, r in after.items()} == counted
    assert after == before
    assert snapshot(project) == whole

    monkeypatch.undo()  # the same import, without the fault, writes everything
    report = project.import_qdpx(archive)
    assert report.doc_ids == ["FN01", "INT07"] and report.codings == 6 and report.suggestions == 1
    assert len(_tables(project)["codings"]) == len(before["codings"]) + 6
