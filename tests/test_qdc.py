"""REFI-QDA codebook exchange: XSD-valid, deterministic export; tolerant import; round trips."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from asymmetry_qda.cli import main
from asymmetry_qda.codebook import load_codebook, parse_codebook
from asymmetry_qda.errors import InputError
from asymmetry_qda.refi import export_qdc, import_qdc, qdc_bytes
from asymmetry_qda.refi.qdc import import_qdc_bytes

from .test_codebook_validation import GOOD

REFI = Path(__file__).resolve().parents[2] / "shared" / "refi-qda"
needs_refi = pytest.mark.skipif(not REFI.exists(), reason="shared/refi-qda is not beside the repository")


def xsd_errors(data: bytes) -> list[str]:
    schema = etree.XMLSchema(etree.parse(str(REFI / "schema" / "Codebook.xsd")))
    ok = schema.validate(etree.fromstring(data))
    return [] if ok else [str(e) for e in schema.error_log]


@needs_refi
def test_export_validates_against_the_official_xsd():
    assert xsd_errors(qdc_bytes(parse_codebook(GOOD))) == []


def test_export_is_deterministic_and_nests_codes():
    cb = parse_codebook(GOOD)
    data = qdc_bytes(cb)
    assert data == qdc_bytes(parse_codebook(GOOD))
    root = etree.fromstring(data)
    ns = {"q": "urn:QDA-XML:codebook:1.0"}
    top = root.findall("q:Codes/q:Code", ns)
    assert [c.get("name") for c in top] == ["Agency", "Remedy"]
    assert [c.get("name") for c in top[0].findall("q:Code", ns)] == ["Responsibility", "Control"]
    assert top[0].get("color") == "#1F77B4" and top[0].get("isCodable") == "true"
    assert top[0].find("q:Description", ns).text.endswith("asymmetry_qda id: agency")


def test_round_trip_keeps_ids_labels_definitions_hierarchy_colours_and_criteria(tmp_path):
    cb = parse_codebook(GOOD)
    export_qdc(cb, tmp_path / "cb.qdc")
    back = import_qdc(tmp_path / "cb.qdc").codebook
    assert [c.id for c in back.codes] == [c.id for c in cb.codes]
    for original, returned in zip(cb.codes, back.codes, strict=True):
        assert (returned.label, returned.definition, returned.colour, returned.examples, returned.include,
                returned.exclude) == (original.label, original.definition, original.colour, original.examples,
                                      original.include, original.exclude)
        assert returned.rules == ()


FOREIGN = b"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1:0" origin="SomeQDA 2.1">
  <Codes>
    <Code guid="{85D17F60-7BB0-481E-B742-B4861DD669DF}" name="Feelings" isCodable="false" color="#F08">
      <Description>Emotions voiced.</Description>
      <Code guid="0f8a1907-7e42-4739-8610-a676b4d1b69f" name="Being blamed!" isCodable="true" color="rgb(200, 10, 20)"/>
      <Code guid="0F8A1907-7E42-4739-8610-A676B4D1B69E" name="Being blamed" color="teal"/>
    </Code>
    <Code guid="not-a-guid" name="" isCodable="true"/>
  </Codes>
  <Sets><Set guid="11111111-1111-1111-1111-111111111111" name="Group A"/></Sets>
</CodeBook>
"""


def test_import_tolerates_what_real_exports_do_and_reports_what_was_skipped():
    imported = import_qdc_bytes(FOREIGN, source="x.qdc")
    codes = imported.data["codes"]
    assert [c["id"] for c in codes] == ["feelings", "feelings.being_blamed", "feelings.being_blamed_2", "unnamed_code_4"]
    assert [c.get("colour") for c in codes] == ["#FF0088", "#C80A14", None, None]
    assert codes[0]["definition"] == "Emotions voiced." and "not codable" in codes[0]["memo"]
    notes = "\n".join(imported.notes)
    assert "colour 'teal' is not #RRGGBB or #RGB; dropped" in notes
    assert "skipped 1 Set(s) (Group A)" in notes
    assert "GUID 'not-a-guid' is not a GUID" in notes
    assert "namespace 'urn:QDA-XML:codebook:1:0' is not the REFI-QDA 1.0 namespace" in notes
    assert len(imported.codebook) == 4  # the YAML it writes is a valid codebook


@needs_refi
@pytest.mark.parametrize("sample", ["atlasti-8.4_refi-standard-project/Project.qde",
                                    "hand-authored_qdpx-toolkit/project.qde",
                                    "atlasti-23_ponte/target-atlas-project.qdpx"])
def test_import_reads_codebooks_of_real_project_exports(sample):
    imported = import_qdc(REFI / "samples" / sample)
    cb = imported.codebook
    assert len(cb) >= 3 and all(c.label for c in cb.codes)


def test_import_errors_are_clear(tmp_path):
    bad = tmp_path / "bad.qdc"
    bad.write_bytes(b"<CodeBook><Codes>")
    with pytest.raises(InputError, match=r"bad.qdc line 1: not well-formed XML"):
        import_qdc(bad)
    empty = tmp_path / "empty.qdc"
    empty.write_bytes(b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes/></CodeBook>")
    with pytest.raises(InputError, match="the codebook holds no codes"):
        import_qdc(empty)
    archive = tmp_path / "two.qdpx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.qde", "<Project/>")
        z.writestr("b.qde", "<Project/>")
    with pytest.raises(InputError, match="exactly one .qde file at its root, found 2"):
        import_qdc(archive)


def test_cli_export_and_import(tmp_path, capsys):
    source = tmp_path / "cb.yaml"
    source.write_text(GOOD, encoding="utf-8")
    assert main(["codebook", "export-qdc", str(source), str(tmp_path / "cb.qdc")]) == 0
    assert main(["codebook", "import-qdc", str(tmp_path / "cb.qdc"), str(tmp_path / "back.yaml")]) == 0
    assert "wrote 4 codes (no rules)" in capsys.readouterr().out
    assert [c.id for c in load_codebook(tmp_path / "back.yaml").codes] == [c.id for c in parse_codebook(GOOD).codes]
    assert main(["codebook", "import-qdc", str(tmp_path / "cb.qdc"), str(tmp_path / "back.yaml")]) == 2
    assert "already exists" in capsys.readouterr().err
