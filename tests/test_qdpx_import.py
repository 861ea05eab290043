"""REFI-QDA project import (.qdpx / .qde): real samples, position schemes, hostile files, tolerance."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from asymmetry_qda import Project
from asymmetry_qda.errors import InputError, Problem
from asymmetry_qda.refi import package
from asymmetry_qda.refi.qdpx_import import SCHEMES, PositionMap, import_qdpx

from .conftest import snapshot


def _refi_dir() -> Path:
    beside = Path(__file__).resolve().parents[2] / "shared" / "refi-qda"
    return beside if beside.exists() else Path("/work/shared/refi-qda")


REFI = _refi_dir()
SAMPLES = REFI / "samples"


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.exists():
        pytest.skip("shared/refi-qda is not beside the repository")
    return SAMPLES


@pytest.fixture
def project(tmp_path: Path):
    with Project.create(tmp_path / "p.qda") as p:
        yield p


NS = "urn:QDA-XML:project:1.0"


def qde(body: str, *, ns: str = NS, origin: str = "test") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{ns}" name="t" origin="{origin}">'
            f"{body}</Project>").encode("utf-8")


def qdpx(path: Path, project_xml: bytes, sources: dict[str, bytes] | None = None, *, qde_name: str = "project.qde",
         folder: str = "sources", extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(qde_name, project_xml)
        for name, data in (sources or {}).items():
            archive.writestr(f"{folder}/{name}", data)
        for name, data in (extra or {}).items():
            archive.writestr(zipfile.ZipInfo(name), data)
    return path


CODEBOOK = """<CodeBook><Codes>
  <Code guid="{C0DE0000-0000-0000-0000-000000000001}" name="Response" isCodable="true" color="rgb(1,2,3)">
    <Code guid="C0DE0000-0000-0000-0000-000000000002" name="Blame" isCodable="true" color="not a colour"/>
    <Code guid="C0DE0000-0000-0000-0000-000000000003" name="Praise" isCodable="true"/>
  </Code>
</Codes></CodeBook>"""
BLAME = "c0de0000-0000-0000-0000-000000000002"


# -- the real samples ----------------------------------------------------------------------------

def _check_hand_authored(project: Project, report) -> None:
    assert (report.documents, report.codes, report.selections, report.codings, report.coders, report.cases) == \
        (2, 4, 2, 4, 2, 1)
    assert report.doc_ids == ["Interview_1", "doc"]
    assert report.scheme == "codepoints"
    assert report.evidence["codepoints"] == {"quote": 1, "boundary": 1}
    assert report.code_ids["20000000-0000-0000-0000-000000000003"] == "topics.health.diet"
    rows = {(r.doc_id, r.start, r.end, r.code_id, r.coder_id): r.text for r in project.codings().itertuples()}
    assert rows == {
        ("Interview_1", 0, 15, "topics.health", "Researcher A"): "Diet and health",  # NOTES.md: 0..15
        ("Interview_1", 9, 23, "topics.health.diet", "Researcher A"): "health are clo",  # the positions as written
        ("Interview_1", 0, 20, "topics.health.diet", "imported"): "Diet and health are ",  # transcript sync points
        ("doc", 12, 27, "topics.health", "imported"): "diet and health",  # PDF selection found in its representation
    }
    participant = project.participants().set_index("participant_id").loc["Participant 1"]
    assert (participant["pseudonym"], participant["Age"], participant["Consented"]) == ("Participant 1", "34", "true")
    assert project.document("Interview_1").participant_id == "Participant 1"
    skipped = {(s.kind, s.name) for s in report.skipped}
    assert {("source", "photo.jpg"), ("source", "interview.m4a"), ("source", "clip.mp4"), ("set", "Diet-related"),
            ("memo", "Research memo"), ("graph", "Model")} <= skipped
    assert "photo.jpg" in str(report) and "codepoints" in str(report)


def test_hand_authored_sample_as_a_bare_qde_with_sources_beside(samples, project):
    report = import_qdpx(project, samples / "hand-authored_qdpx-toolkit" / "project.qde")
    _check_hand_authored(project, report)


def test_hand_authored_sample_as_a_qdpx(samples, project, tmp_path):
    folder = samples / "hand-authored_qdpx-toolkit"
    sources = {p.name: p.read_bytes() for p in (folder / "sources").iterdir()}
    path = qdpx(tmp_path / "hand.qdpx", (folder / "project.qde").read_bytes(), sources)
    _check_hand_authored(project, import_qdpx(project, path))


def test_atlas_ti_8_4_sample_without_its_source_files(samples, project):
    report = import_qdpx(project, samples / "atlasti-8.4_refi-standard-project" / "Project.qde")
    assert (report.documents, report.codes, report.selections, report.codings, report.cases) == (0, 14, 8, 0, 0)
    assert report.code_ids["85d17f60-7bb0-481e-b742-b4861dd669df"] == "happiness"
    assert report.code_ids["d299efae-5779-46dc-9827-a3d1a5d544bc"] == "coke_diet_coke"
    assert len(report.skipped_of("source")) == 15  # 6 texts, 2 PDFs, 1 picture, 1 audio, 2 videos, 3 transcripts
    assert len(report.skipped_of("set")) == 16
    assert {s.name for s in report.skipped_of("memo")} == {"Research Plan", "My favorite Coke ad"}
    assert "no sources/ folder" in str(report)
    assert project.documents().empty


@pytest.mark.parametrize("name", ["blank-atlas-project.qdpx", "blank-atlas-project.project.qde"])
def test_atlas_ti_23_blank_sample(samples, project, name):
    report = import_qdpx(project, samples / "atlasti-23_ponte" / name)
    assert (report.documents, report.codes, report.codings, report.skipped) == (0, 0, 0, [])
    assert report.origin.startswith("ATLAS.ti for Windows 23")


@pytest.mark.parametrize("name", ["target-atlas-project.qdpx", "target-atlas-project.project.qde"])
def test_atlas_ti_23_target_sample(samples, project, name):
    report = import_qdpx(project, samples / "atlasti-23_ponte" / name)
    assert (report.documents, report.codes, report.codings) == (0, 3, 0)
    assert report.code_ids == {
        "a182cd3a-d83c-4d8c-bc80-26d9103ec6d6": "commits",
        "2d2466f0-d77f-4f8c-bdf9-628966b6b74d": "commits.c_2022_05_10t02_05_59z_19e4dce",
        "086ac733-7b1c-4749-a138-d7182f63a5c9": "commits.c_2022_02_11t10_39_25z_cdbfd92",
    }
    assert {c.id: c.label for c in report.codebook.codebook.codes}["commits"] == "Commits"


# -- positions -------------------------------------------------------------------------------------

RAW = ("Interviewer: Hello \U0001F600 there, how are you?\r\n"
       "P01: I am \U0001F355 fine, thanks.\r\n"
       "P01: The \U0001F389 end is near, I think.\r\n")
QUOTES = ["there, how are you?", "I am", "fine, thanks.", "end is near"]


def count(prefix: str, scheme: str) -> int:
    if scheme.endswith("crlf1"):
        prefix = prefix.replace("\r\n", "\n")
    return len(prefix.encode("utf-16-le")) // 2 if scheme.startswith("utf16") else len(prefix)


def selections(raw: str, quotes: list[str], scheme: str, *, names: list[str] | None = None) -> str:
    out = []
    for n, (quote, name) in enumerate(zip(quotes, names or quotes, strict=True), start=1):
        i = raw.index(quote)
        out.append(f'<PlainTextSelection guid="50000000-0000-0000-0000-{n:012d}" name="{name}" '
                   f'startPosition="{count(raw[:i], scheme)}" endPosition="{count(raw[:i + len(quote)], scheme)}">'
                   f'<Coding guid="60000000-0000-0000-0000-{n:012d}"><CodeRef targetGUID="{BLAME}"/></Coding>'
                   "</PlainTextSelection>")
    return "".join(out)


def text_project(raw: str, quotes: list[str], scheme: str, *, names: list[str] | None = None,
                 origin: str = "test") -> bytes:
    return qde(CODEBOOK + '<Sources><TextSource guid="40000000-0000-0000-0000-000000000001" name="INT01.txt" '
               'plainTextPath="internal://40000000-0000-0000-0000-000000000001.txt">'
               + selections(raw, quotes, scheme, names=names) + "</TextSource></Sources>", origin=origin)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_scheme_is_detected_from_selection_names(project, tmp_path, scheme):
    path = qdpx(tmp_path / "s.qdpx", text_project(RAW, QUOTES, scheme),
                {"40000000-0000-0000-0000-000000000001.txt": b"\xef\xbb\xbf" + RAW.encode("utf-8")})
    report = import_qdpx(project, path)
    assert report.scheme == scheme and report.scheme_chosen == "auto"
    assert report.evidence[scheme]["quote"] == 4
    assert all(e["quote"] < 4 for s, e in report.evidence.items() if s != scheme)
    assert project.text("INT01") == RAW.replace("\r\n", "\n")
    assert sorted(project.codings()["text"]) == sorted(QUOTES)


def test_nvivo_style_utf16_offsets_give_the_quoted_text(project, tmp_path):
    path = qdpx(tmp_path / "nvivo.qdpx", text_project(RAW, QUOTES, "utf16", origin="NVivo 12.6"),
                {"40000000-0000-0000-0000-000000000001.txt": b"\xef\xbb\xbf" + RAW.encode("utf-8")})
    report = import_qdpx(project, path)
    assert report.scheme == "utf16"
    text = project.text("INT01")
    assert [text[r.start:r.end] for r in project.codings().sort_values("start").itertuples()] == QUOTES


def test_atlas_style_truncated_names_and_crlf_as_one(project, tmp_path):
    long_quote = "fine, thanks.\r\nP01: The \U0001F389 end is near"
    names = ["there, how are you?", "fine, thanks. P01: The\u2026"]
    path = qdpx(tmp_path / "atlas.qdpx",
                text_project(RAW, ["there, how are you?", long_quote], "codepoints-crlf1", names=names),
                {"40000000-0000-0000-0000-000000000001.txt": RAW.encode("utf-8")})
    report = import_qdpx(project, path)
    assert report.scheme == "codepoints-crlf1"
    assert sorted(project.codings()["text"]) == sorted(["there, how are you?", long_quote.replace("\r\n", "\n")])


def test_ties_fall_back_to_code_points_and_a_scheme_can_be_forced(project, tmp_path):
    raw = "P01: plain ascii text with no line breaks at all"
    body = text_project(raw, ["plain ascii", "line breaks"], "codepoints", names=["x", "y"])
    path = qdpx(tmp_path / "t.qdpx", body, {"40000000-0000-0000-0000-000000000001.txt": raw.encode()})
    report = import_qdpx(project, path)
    assert report.scheme == "codepoints" and report.evidence["utf16"] == report.evidence["codepoints"]
    with Project.create(tmp_path / "forced.qda") as other:
        forced = import_qdpx(other, path, scheme="utf16-crlf1")
        assert forced.scheme == "utf16-crlf1" and forced.scheme_chosen == "forced"
    with pytest.raises(InputError, match="scheme"):
        import_qdpx(project, path, scheme="bytes")


def test_position_map_round_trips_every_boundary():
    pm = PositionMap(RAW)
    for scheme in SCHEMES:
        for index in range(len(RAW) + 1):
            if RAW[index - 1:index + 1] == "\r\n" and scheme.endswith("crlf1"):
                continue  # inside a CRLF counted as one character
            assert pm.to_index(pm.position(index, scheme), scheme) == index
        assert pm.length(scheme) == count(RAW, scheme)
    assert pm.exact_index(count("Interviewer: Hello ", "utf16") + 1, "utf16") is None  # inside the surrogate pair
    assert pm.stored_text[pm.stored_offset(RAW.index("P01")):].startswith("P01: I am")


# -- hostile files -------------------------------------------------------------------------------

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&xxe;"/>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol3;"/>"""
GOOD_SOURCE = {"40000000-0000-0000-0000-000000000001.txt": RAW.encode("utf-8")}


def _refused(project: Project, path: Path, match: str) -> None:
    before = snapshot(project)
    with pytest.raises(InputError, match=match) as info:
        import_qdpx(project, path)
    assert isinstance(info.value.problems[0], Problem) and info.value.problems[0].fix
    assert snapshot(project) == before
    assert project.documents().empty


@pytest.mark.parametrize("xml", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_dtds_and_entities_are_refused(project, tmp_path, xml):
    _refused(project, qdpx(tmp_path / "x.qdpx", xml), "DTD")
    bare = tmp_path / "bare" / "project.qde"
    bare.parent.mkdir()
    bare.write_bytes(xml)
    _refused(project, bare, "DTD")


@pytest.mark.parametrize("member", ["../evil.txt", "sources/../../evil.txt", "/etc/evil.txt", "C:/evil.txt"])
def test_zip_slip_members_are_refused(project, tmp_path, member):
    path = qdpx(tmp_path / "slip.qdpx", text_project(RAW, QUOTES, "utf16"), GOOD_SOURCE, extra={member: b"x"})
    _refused(project, path, "zip slip|absolute path")


def test_a_zip_bomb_is_refused_from_its_headers(project, tmp_path):
    path = qdpx(tmp_path / "bomb.qdpx", text_project(RAW, QUOTES, "utf16"),
                {**GOOD_SOURCE, "bomb.txt": bytes(8 * 1024 * 1024)})
    _refused(project, path, "zip bomb")


def test_lying_headers_are_caught_while_reading(project, tmp_path, monkeypatch):
    monkeypatch.setattr(package, "_check_zip_headers", lambda infos, source: None)
    monkeypatch.setattr(package, "READ_CHUNK", 64 * 1024)
    big = {"40000000-0000-0000-0000-000000000001.txt": RAW.encode() + bytes(4 * 1024 * 1024)}
    _refused(project, qdpx(tmp_path / "bomb.qdpx", text_project(RAW, QUOTES, "utf16"), big), "expands beyond")
    monkeypatch.setattr(package, "MAX_TOTAL_UNCOMPRESSED", 500)
    _refused(project, qdpx(tmp_path / "big.qdpx", text_project(RAW, QUOTES, "utf16"), GOOD_SOURCE), "cap")


def test_the_total_size_cap_is_checked_from_the_headers(project, tmp_path, monkeypatch):
    monkeypatch.setattr(package, "MAX_TOTAL_UNCOMPRESSED", 1000)
    path = qdpx(tmp_path / "big.qdpx", text_project(RAW, QUOTES, "utf16"), {"a.txt": b"y" * 2000})
    _refused(project, path, "over the cap")


def test_files_that_are_not_projects_are_refused(project, tmp_path):
    (tmp_path / "notzip.qdpx").write_bytes(b"hello, not a zip")
    _refused(project, tmp_path / "notzip.qdpx", "not a ZIP")
    with zipfile.ZipFile(tmp_path / "none.qdpx", "w") as archive:
        archive.writestr("folder/project.qde", qde(""))
    _refused(project, tmp_path / "none.qdpx", "exactly one .qde.*found none.*in a folder")
    with zipfile.ZipFile(tmp_path / "two.qdpx", "w") as archive:
        archive.writestr("a.qde", qde(""))
        archive.writestr("b.QDE", qde(""))
    _refused(project, tmp_path / "two.qdpx", "exactly one .qde")
    _refused(project, qdpx(tmp_path / "broken.qdpx", b"<Project><unclosed></Project>"), "not well-formed")
    _refused(project, qdpx(tmp_path / "cb.qdpx", b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>'), "codebook")
    _refused(project, tmp_path / "missing.qdpx", "no such file")


def test_an_external_path_is_never_read(project, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("P01: secret words")
    body = qde(CODEBOOK + f'<Sources><TextSource guid="40000000-0000-0000-0000-000000000001" name="a" '
               f'plainTextPath="absolute://{secret}"/><TextSource guid="40000000-0000-0000-0000-000000000002" '
               'name="b" plainTextPath="internal://../secret.txt"/></Sources>')
    folder = tmp_path / "bare"
    (folder / "sources").mkdir(parents=True)
    (folder / "p.qde").write_bytes(body)
    report = import_qdpx(project, folder / "p.qde")
    assert report.documents == 0 and project.documents().empty
    reasons = [s.reason for s in report.skipped_of("source")]
    assert "external files are not read" in reasons[0] and "not a safe path" in reasons[1]


# -- tolerance -----------------------------------------------------------------------------------

TOLERANT = qde(
    '<Users><User guid="{AAAAAAAA-0000-0000-0000-00000000000A}" name="Coder One"/></Users>' + CODEBOOK
    + '<Variables><Variable guid="30000000-0000-0000-0000-000000000001" name="Rank" typeOfVariable="Text"/>'
      '<Variable guid="30000000-0000-0000-0000-000000000002" name="Function" typeOfVariable="Text"/>'
      '<Variable guid="30000000-0000-0000-0000-000000000003" name="Years of service" typeOfVariable="Integer"/>'
      '</Variables>'
      '<Cases><Case guid="{D0000000-0000-0000-0000-000000000001}" name="Dev">'
      '<VariableValue><VariableRef targetGUID="30000000-0000-0000-0000-000000000001"/><TextValue>Sergeant</TextValue>'
      '</VariableValue><VariableValue><VariableRef targetGUID="30000000-0000-0000-0000-000000000002"/>'
      '<TextValue>response</TextValue></VariableValue><VariableValue>'
      '<VariableRef targetGUID="30000000-0000-0000-0000-000000000003"/><IntegerValue>11</IntegerValue>'
      '</VariableValue><SourceRef targetGUID="{40000000-0000-0000-0000-00000000000A}"/></Case></Cases>'
      '<Sources>'
      '<TextSource guid="{40000000-0000-0000-0000-00000000000A}" name="Interview One.docx" plainTextPath="T1.txt">'
      '<PlainTextSelection guid="50000000-0000-0000-0000-000000000001" startPosition="5" endPosition="9" '
      'creatingUser="aaaaaaaa-0000-0000-0000-00000000000a">'
      '<Description>Said with a laugh.</Description><NoteRef targetGUID="A0000000-0000-0000-0000-000000000001"/>'
      '<Coding guid="60000000-0000-0000-0000-000000000001"><CodeRef targetGUID="{' + BLAME.upper() + '}"/></Coding>'
      '<Coding guid="60000000-0000-0000-0000-000000000002"><CodeRef targetGUID="99999999-0000-0000-0000-000000000000"/>'
      '</Coding></PlainTextSelection>'
      '<PlainTextSelection guid="50000000-0000-0000-0000-000000000002" name="past the end" startPosition="10" '
      'endPosition="500"><Coding guid="60000000-0000-0000-0000-000000000003"><CodeRef targetGUID="' + BLAME
    + '"/></Coding></PlainTextSelection>'
      '<PlainTextSelection guid="50000000-0000-0000-0000-000000000003" name="backwards" startPosition="9" '
      'endPosition="5"><Coding guid="60000000-0000-0000-0000-000000000004"><CodeRef targetGUID="' + BLAME
    + '"/></Coding></PlainTextSelection></TextSource>'
      '<TextSource guid="40000000-0000-0000-0000-00000000000b"><PlainTextContent>Field note: quiet shift.'
      '</PlainTextContent><PlainTextSelection guid="50000000-0000-0000-0000-000000000004" startPosition="12" '
      'endPosition="17"><Coding guid="60000000-0000-0000-0000-000000000005">'
      '<CodeRef targetGUID="c0de0000-0000-0000-0000-000000000003"/></Coding></PlainTextSelection></TextSource>'
      '<PictureSource guid="40000000-0000-0000-0000-00000000000c" name="photo.jpg" path="internal://p.jpg">'
      '<PictureSelection guid="50000000-0000-0000-0000-000000000005" firstX="1" firstY="1" secondX="2" secondY="2">'
      '<Coding guid="60000000-0000-0000-0000-000000000006"><CodeRef targetGUID="' + BLAME + '"/></Coding>'
      '</PictureSelection></PictureSource></Sources>'
      '<Notes><Note guid="a0000000-0000-0000-0000-000000000001" name="n1"><PlainTextContent>Check the tone.'
      '</PlainTextContent></Note></Notes>',
    ns="urn:QDA-XML:project:1:0")
T1 = "P01: They blame me for it.\r\n"


def _check_tolerant(project: Project, report) -> None:
    assert report.doc_ids == ["Interview_One", "TextSource_40000000"]
    assert (report.documents, report.codes, report.codings, report.cases, report.memos) == (2, 3, 2, 1, 1)
    assert report.code_ids[BLAME] == "response.blame"
    codes = {c["id"]: c for c in report.codebook.data["codes"]}
    assert codes["response"].get("colour") == "#010203" and "colour" not in codes["response.blame"]
    rows = {(r.doc_id, r.code_id, r.coder_id): r.text for r in project.codings().itertuples()}
    assert rows == {("Interview_One", "response.blame", "Coder One"): "They",
                    ("TextSource_40000000", "response.praise", "imported"): "quiet"}
    assert project.memos()["text"].tolist() == ["Said with a laugh.\n\nCheck the tone."]
    reasons = {(s.kind, s.name): s.reason for s in report.skipped}
    assert "outside the text" in reasons[("selection", "past the end")]
    assert "not before end" in reasons[("selection", "backwards")]
    assert "unknown code GUID" in reasons[("coding", "Interview One.docx [5, 9)")]
    assert "picture" in reasons[("source", "photo.jpg")]
    dev = project.participants().set_index("participant_id").loc["Dev"]
    assert (dev["rank"], dev["function"], dev["Years of service"]) == ("sergeant", "response", "11")


@pytest.mark.parametrize("folder", ["Sources", "sources"])
def test_a_tolerant_qdpx(project, tmp_path, folder):
    path = qdpx(tmp_path / "odd.qdpx", TOLERANT, {"t1.TXT": T1.encode("utf-8")}, qde_name="My Study.QDE",
                folder=folder)
    _check_tolerant(project, import_qdpx(project, path))


@pytest.mark.parametrize("folder", ["Sources", "sources"])
def test_a_bare_qde_with_its_sources_folder_beside(project, tmp_path, folder):
    (tmp_path / "export" / folder).mkdir(parents=True)
    (tmp_path / "export" / "Study export.qde").write_bytes(TOLERANT)
    (tmp_path / "export" / folder / "T1.txt").write_bytes(b"\xef\xbb\xbf" + T1.encode("utf-8"))
    _check_tolerant(project, import_qdpx(project, tmp_path / "export" / "Study export.qde"))


def test_an_existing_document_is_not_overwritten(project, tmp_path):
    (tmp_path / "INT01.txt").write_text("P01: the original words.\n")
    project.ingest([tmp_path / "INT01.txt"], pipeline="blank")
    path = qdpx(tmp_path / "s.qdpx", text_project(RAW, QUOTES, "utf16"),
                {"40000000-0000-0000-0000-000000000001.txt": RAW.encode("utf-8")})
    report = import_qdpx(project, path)
    assert report.documents == 0 and report.codings == 0
    assert "already in the project" in report.skipped_of("source")[0].reason
    assert project.text("INT01") == "P01: the original words.\n" and project.codings().empty


def test_cases_fall_back_to_the_report_when_attributes_are_refused(project, tmp_path, monkeypatch):
    import asymmetry_qda.attributes

    def refuse(records, *, source, columns=None):
        raise InputError(Problem(source, "rank is missing"))

    monkeypatch.setattr(asymmetry_qda.attributes, "attributes_from_records", refuse)
    path = qdpx(tmp_path / "odd.qdpx", TOLERANT, {"T1.txt": T1.encode("utf-8")})
    report = import_qdpx(project, path)
    assert report.cases == 0 and report.codings == 2
    case = report.skipped_of("case")[0]
    assert case.name == "Dev" and "Rank=Sergeant" in case.reason and "rank is missing" in case.reason


def test_an_unknown_rank_is_kept_as_an_attribute(project, tmp_path):
    path = qdpx(tmp_path / "odd.qdpx", TOLERANT.replace(b"Sergeant", b"Professor"), {"T1.txt": T1.encode()})
    report = import_qdpx(project, path)
    dev = project.participants().set_index("participant_id").loc["Dev"]
    assert report.cases == 1 and pd.isna(dev["rank"]) and dev["Rank (imported)"] == "Professor"


def test_pdf_representation_and_transcripts(project, tmp_path):
    body = qde(CODEBOOK + '<Sources><PDFSource guid="40000000-0000-0000-0000-000000000001" name="report.pdf" '
               'path="internal://x.pdf"><PDFSelection guid="50000000-0000-0000-0000-000000000001" page="0" '
               'firstX="1" firstY="1" secondX="2" secondY="2"><Representation guid="70000000-0000-0000-0000-'
               '000000000001"><PlainTextContent>was  blamed</PlainTextContent></Representation>'
               f'<Coding guid="60000000-0000-0000-0000-000000000001"><CodeRef targetGUID="{BLAME}"/></Coding>'
               '</PDFSelection><Representation guid="70000000-0000-0000-0000-000000000002" '
               'plainTextPath="internal://rep.txt"/></PDFSource>'
               '<PDFSource guid="40000000-0000-0000-0000-000000000002" name="scan.pdf" path="internal://s.pdf"/>'
               '<VideoSource guid="40000000-0000-0000-0000-000000000003" name="clip.mp4" path="relative:///c.mp4">'
               '<Transcript guid="80000000-0000-0000-0000-000000000001" plainTextPath="internal://tr.txt">'
               '<SyncPoint guid="90000000-0000-0000-0000-000000000001" position="5" timeStamp="0"/>'
               '<SyncPoint guid="90000000-0000-0000-0000-000000000002" position="14" timeStamp="900"/>'
               '<TranscriptSelection guid="50000000-0000-0000-0000-000000000002" '
               'fromSyncPoint="90000000-0000-0000-0000-000000000001" '
               'toSyncPoint="90000000-0000-0000-0000-000000000002">'
               f'<Coding guid="60000000-0000-0000-0000-000000000002"><CodeRef targetGUID="{BLAME}"/></Coding>'
               '</TranscriptSelection></Transcript></VideoSource></Sources>')
    path = qdpx(tmp_path / "m.qdpx", body, {"rep.txt": b"The chief was blamed for it.", "tr.txt": b"P01: I'm fine."})
    report = import_qdpx(project, path)
    assert report.doc_ids == ["report", "clip_transcript"]
    rows = {(r.doc_id, r.text) for r in project.codings().itertuples()}
    assert rows == {("report", "was blamed"), ("clip_transcript", "I'm fine.")}
    reasons = {s.name: s.reason for s in report.skipped}
    assert "without a plain-text Representation" in reasons["scan.pdf"]
    assert "video media is not imported (1 transcript(s)" in reasons["clip.mp4"]


def test_the_public_names_stay_importable_from_qdpx_import():
    from asymmetry_qda.refi import import_report, package, positions
    from asymmetry_qda.refi.qdc import ImportedCodebook
    from asymmetry_qda.refi.qdpx_import import (
        MAX_COMPRESSION_RATIO,
        MAX_TOTAL_UNCOMPRESSED,
        RATIO_CHECK_MIN_SIZE,
        READ_CHUNK,
        ImportReport,
        SkippedItem,
    )
    from asymmetry_qda.refi.qdpx_import import ImportedCodebook as Reexported

    assert (ImportReport, SkippedItem) == (import_report.ImportReport, import_report.SkippedItem)
    assert (SCHEMES, PositionMap) == (positions.SCHEMES, positions.PositionMap) and Reexported is ImportedCodebook
    assert (MAX_COMPRESSION_RATIO, MAX_TOTAL_UNCOMPRESSED, RATIO_CHECK_MIN_SIZE, READ_CHUNK) == (
        package.MAX_COMPRESSION_RATIO, package.MAX_TOTAL_UNCOMPRESSED, package.RATIO_CHECK_MIN_SIZE, package.READ_CHUNK)
