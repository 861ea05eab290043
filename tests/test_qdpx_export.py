"""REFI-QDA .qdpx export: schema-valid, exact positions, deterministic, everything a QDA program needs."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from asymmetry_qda import QDAWarning
from asymmetry_qda.refi.qdpx_export import qdpx_bytes
from asymmetry_qda.refi.xmlutil import local

from .conftest import INTERVIEW, REPO

SHARED = REPO.parent / "shared" / "refi-qda"
if not SHARED.exists():
    SHARED = Path("/work/shared/refi-qda")

ATTRS = "doc_id,pseudonym,rank,function,data_type,leader\nINT07,Kit,DI,investigation,interview,yes\n"


@pytest.fixture
def coded(project, write):
    project.ingest(write("INT07.txt", INTERVIEW), attributes=write("p.csv", ATTRS), model="blank")
    text = project.text("INT07")
    for quote, code, memo in [("everything on the borough lands at my door", "agency.responsibility", "core"),
                              ("it'll be me in front of the IOPC", "response.blame", None)]:
        start = text.index(quote)
        project.code_span("INT07", start, start + len(quote), code, coder="LT", memo=memo)
    return project


def parse(data: bytes):
    from lxml import etree

    archive = zipfile.ZipFile(io.BytesIO(data))
    return archive, etree.fromstring(archive.read("project.qde"))


def elements(root, name):
    return [e for e in root.iter() if isinstance(e.tag, str) and local(e.tag) == name]


def test_export_validates_against_the_official_schema(coded):
    from lxml import etree

    if not (SHARED / "schema" / "Project.xsd").exists():
        pytest.skip("the REFI-QDA schemas in ../shared are not available")
    schema = etree.XMLSchema(etree.parse(str(SHARED / "schema" / "Project.xsd")))
    for suggestions in (False, True):
        _, root = parse(qdpx_bytes(coded, include_suggestions=suggestions))
        assert schema.validate(root), schema.error_log


def test_positions_are_code_points_end_exclusive_on_the_exact_text_written(coded):
    archive, root = parse(qdpx_bytes(coded))
    source = elements(root, "TextSource")[0]
    member = "sources/" + source.get("plainTextPath").removeprefix("internal://")
    raw = archive.read(member)
    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")
    assert text == coded.text("INT07")
    selections = elements(source, "PlainTextSelection")
    assert len(selections) == 2
    for selection in selections:
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
        assert text[start:end] == selection.get("name")
    codes = {e.get("guid"): e.get("name") for e in elements(root, "Code")}
    coded_names = [codes[ref.get("targetGUID")] for ref in elements(source, "CodeRef")]
    assert len(coded_names) == 2 and all(coded_names)


def test_export_is_byte_identical_and_carries_users_cases_variables_memos_and_sets(coded):
    first, second = qdpx_bytes(coded), qdpx_bytes(coded)
    assert first == second
    _, root = parse(first)
    assert [u.get("name") for u in elements(root, "User")] == ["LT"]
    case = elements(root, "Case")[0]
    assert case.get("name") == "Kit"
    variables = {v.get("guid"): v.get("name") for v in elements(root, "Variable")}
    values = {variables[vv[0].get("targetGUID")]: vv[1].text for vv in elements(case, "VariableValue")}
    assert values["rank"] == "inspector" and values["leader"] == "true"
    assert values["function"] == "investigation"
    assert len(elements(case, "SourceRef")) == 1
    notes = elements(root, "Note")
    assert [n[0].text for n in notes] == ["core"] and len(elements(root, "NoteRef")) == 1
    assert {s.get("name") for s in elements(root, "Set")} >= {"theme: agency", "data type: interview"}


def test_suggestions_only_when_asked_under_the_taggers_user(coded):
    from asymmetry_qda.codebook import parse_codebook

    coded.code(parse_codebook("""
codebook: {name: T, version: "1"}
codes:
  - {id: response, label: Response, definition: Response.}
  - id: response.blame
    label: Blame
    definition: Blame.
    rules: [{id: r.iopc, phrase: [front of the iopc]}]
"""), model="blank", progress=False)
    _, root = parse(qdpx_bytes(coded))
    assert len(elements(root, "PlainTextSelection")) == 2
    _, root = parse(qdpx_bytes(coded, include_suggestions=True))
    assert {u.get("name") for u in elements(root, "User")} == {"LT", "tagger"}
    assert any("not yet reviewed" in (d.text or "") for d in elements(root, "Description"))


def test_characters_outside_the_bmp_are_warned_about(project, write):
    project.ingest(write("INT01.txt", "P01: It lands on me \U0001F643 every time.\n"), model="blank")
    with pytest.warns(QDAWarning, match="UTF-16"):
        qdpx_bytes(project)
