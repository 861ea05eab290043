"""Identifiers in participant attributes (P9) and in ingest notes, source names and run options (P10).

The free-text columns of the attributes table go into ``.qdpx`` archives and
theme tables, so the audit reads them (findings at ``participant:P01:notes``),
the export guard blocks on them, and pseudonymisation rewrites them with the
documents' pseudonyms. The originals must then be gone from the project's
bytes and from every export.
"""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest

from asymmetry_qda import Project
from asymmetry_qda.anonymise.audit import attribute_location, attribute_texts, audit_attributes
from asymmetry_qda.cli import main
from asymmetry_qda.errors import IdentifiersFound

from .conftest import REPO

INT01 = ("Interviewer: Who did you call?\n\n"
         "P01: I rang Sergeant Okafor first. We met at Lewisham nick on the Monday. Okafor said DCI Walsh would "
         "decide, and Walsh never rang back.\n\n"
         "DCI Walsh: Can I add something?\n\n"
         "Interviewer: And then?\n\n"
         "P01: Then it all landed on me, as usual.\n")
NOTES = "interviewed at Lewisham nick after Sergeant Okafor left; DCI Brennan sat in"
ATTRIBUTES = ("doc_id,participant_id,pseudonym,rank,function,data_type,leader,years_service,interviewer_rank,notes\n"
              f'INT01,P01,Ash,Sergeant,response,interview,,11,DCI,"{NOTES}"\n')
ORIGINALS = ("Okafor", "Walsh", "Lewisham", "Brennan")
NOTES_AT = attribute_location("P01", "notes")


@pytest.fixture
def one_interview(tmp_path, write):
    """A one-document project whose attributes name people from the text; keys live elsewhere."""
    (tmp_path / "keys").mkdir()
    (tmp_path / "project").mkdir()
    write("INT01.txt", INT01)
    write("participants.csv", ATTRIBUTES)
    with Project.create(tmp_path / "project" / "study.qda") as p:
        p.ingest([tmp_path / "inputs" / "INT01.txt"], attributes=tmp_path / "inputs" / "participants.csv",
                 pipeline="blank")
        for quote, code in (("Okafor said DCI Walsh would decide", "failure.tolerable.complexity"),
                            ("Walsh never rang back", "remedy.discipline")):
            start = p.text("INT01").index(quote)
            p.code_span("INT01", start, start + len(quote), code, coder="LT")
        yield p


def _raw(path: Path) -> bytes:
    return b"".join(path.with_name(path.name + s).read_bytes() for s in ("", "-wal", "-shm")
                    if path.with_name(path.name + s).exists())


def _unzipped(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return b"".join(archive.read(n) for n in archive.namelist())


def _tables(project, out: Path) -> None:
    from asymmetry_qda.analysis import load, write_tables

    write_tables(load(project, codebook=REPO / "codebooks" / "asymmetries.yaml"), out, figures=False)


def test_free_text_attributes_are_audited_and_structured_ones_are_not(one_interview):
    texts = attribute_texts(one_interview._db)
    # years (a number), a rank, the pseudonym and the id are structured; function and notes are free text
    assert texts == {attribute_location("P01", "function"): "response", NOTES_AT: NOTES}
    found = audit_attributes(one_interview._db, pipeline="blank", pseudonyms=["Ash"])
    assert list(zip(found.doc_id, found.text, found.kind)) == [
        (NOTES_AT, "Lewisham nick", "station"), (NOTES_AT, "Sergeant Okafor", "rank_name"),
        (NOTES_AT, "DCI Brennan", "rank_name")]
    assert all(NOTES[s:e] == t for s, e, t in zip(found.start, found.end, found.text))
    assert [NOTES[s:e] for s, e in zip(found.core_start, found.core_end)] == ["Lewisham", "Okafor", "Brennan"]
    # what the guard blocks on: the document's findings and the attribute's
    unresolved = one_interview.unresolved_findings()
    assert set(unresolved.doc_id) == {"INT01", NOTES_AT}
    assert set(unresolved[unresolved.doc_id == NOTES_AT].text) == {"Lewisham nick", "Sergeant Okafor", "DCI Brennan"}


def test_the_guard_blocks_exports_on_attributes_alone_until_they_are_resolved(one_interview, tmp_path):
    in_text = one_interview.unresolved_findings().query("doc_id == 'INT01'")
    one_interview.dismiss_findings(in_text, by="LT", reason="checked for this test")
    with pytest.raises(IdentifiersFound, match=r"participant:P01:notes \[35, 50\) 'Sergeant Okafor'") as caught:
        one_interview.export_qdpx(tmp_path / "a.qdpx")
    assert set(caught.value.findings.doc_id) == {NOTES_AT} and not (tmp_path / "a.qdpx").exists()
    with pytest.raises(IdentifiersFound, match="participant attributes"):
        _tables(one_interview, tmp_path / "tables")
    assert not (tmp_path / "tables").exists()
    one_interview.set_audit_lists(allow=["Okafor", "Lewisham", "Brennan"])  # the allow list covers them too
    assert one_interview.unresolved_findings().empty
    one_interview.export_qdpx(tmp_path / "a.qdpx")


def test_pseudonymise_rewrites_attributes_and_ingest_notes_and_nothing_of_them_leaves(one_interview, tmp_path,
                                                                                      capsys):
    path = one_interview.path
    log = one_interview._db.execute("SELECT detail FROM ingest_log").fetchone()[0]
    assert "speaker label 'DCI Walsh' occurs only once" in log  # P10
    with pytest.raises(IdentifiersFound):
        one_interview.export_qdpx(tmp_path / "early.qdpx")
    one_interview.close()
    with sqlite3.connect(path) as db:  # originals in a source name and in a run's options
        db.execute("UPDATE documents SET source_name = 'INT01 Okafor.txt'")
        db.execute("INSERT INTO runs (run_id, kind, options, started_at) VALUES "
                   "('r1', 'import', '{\"from\": \"Brennan notes.csv\"}', '2024-01-01T00:00:00Z')")
    db.close()
    key = tmp_path / "keys" / "study-key.json"
    assert main(["pseudonymise", str(path), "--key", str(key)]) == 0
    assert main(["export-qdpx", str(path), str(tmp_path / "study.qdpx")]) == 0
    capsys.readouterr()
    with Project.open(path) as p:
        text = p.text("INT01")
        notes = p.participants().set_index("participant_id").loc["P01", "notes"]
        officer, station = text.split("Sergeant ")[1][:11], text.split("met at ")[1][:11]
        assert notes == f"interviewed at {station} nick after Sergeant {officer} left; DCI [OFFICER-3] sat in"
        assert (officer, station) == ("[OFFICER-1]", "[STATION-1]")  # the same pseudonyms as in the text
        assert "speaker label 'DCI [OFFICER-2]' occurs only once" in p._db.execute(
            "SELECT detail FROM ingest_log").fetchone()[0]
        assert p.unresolved_findings().empty
        _tables(p, tmp_path / "tables")
    raw = _raw(path).lower()  # read only once the project is closed
    exported = _unzipped(tmp_path / "study.qdpx").lower()
    tables = b"".join(_unzipped(f) if f.suffix == ".xlsx" else f.read_bytes()
                      for f in sorted((tmp_path / "tables").iterdir())).lower()
    assert b"[station-1] nick after sergeant [officer-1] left" in exported
    assert b"[station-1] nick after sergeant [officer-1] left" in tables
    for original in ORIGINALS:
        needle = original.lower().encode()
        assert needle not in raw, original
        assert needle not in exported, original
        assert needle not in tables, original
