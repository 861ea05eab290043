"""The records at the centre: statuses and origins as one vocabulary, the Coding record, the old module name."""

from __future__ import annotations

import importlib
import sqlite3
import sys

import pytest

from asymmetry_qda import Coding, Origin, Project, Status
from asymmetry_qda.records import DECIDED


def test_status_and_origin_are_the_strings_the_store_holds(tmp_path):
    with Project.create(tmp_path / "p.qda") as project:
        sql = project._store.connection.execute("SELECT sql FROM sqlite_master WHERE name = 'codings'").fetchone()[0]
    for status in Status:
        assert f"'{status.value}'" in sql
    for origin in Origin:
        assert f"'{origin.value}'" in sql
    assert Status.CONFIRMED == "confirmed" and f"{Status.REJECTED}" == "rejected"
    assert DECIDED == ("confirmed", "rejected")


def test_a_coding_with_a_misspelt_status_is_refused():
    with pytest.raises(ValueError, match="'accepted' is not a valid Status"):
        Coding("c", "D", "0" * 64, 0, 3, "x", "human", "accepted", "LT")
    with pytest.raises(ValueError, match="'person' is not a valid Origin"):
        Coding("c", "D", "0" * 64, 0, 3, "x", "person", "confirmed", "LT")


def test_the_old_module_name_still_works_with_a_deprecation_warning():
    sys.modules.pop("asymmetry_qda.model", None)
    with pytest.warns(DeprecationWarning, match="asymmetry_qda.model is now asymmetry_qda.records"):
        old = importlib.import_module("asymmetry_qda.model")
    from asymmetry_qda.records import Document

    assert old.Document is Document


def test_the_schema_check_and_the_enum_agree_on_every_status(tmp_path):
    """Every Status can be stored; anything else is refused by the table itself."""
    with Project.create(tmp_path / "p.qda") as project:
        path = project.path
    db = sqlite3.connect(path)
    db.execute("INSERT INTO coders (coder_id, kind, name, created_at) VALUES ('LT', 'human', 'LT', 'now')")
    db.execute("INSERT INTO documents (doc_id, kind, text, sha256, n_chars, version, ingested_at) "
               "VALUES ('D', 'interview', 'abcdef', 'h', 6, 1, 'now')")
    for i, status in enumerate(Status):
        db.execute('INSERT INTO codings (coding_id, doc_id, text_sha256, start, "end", code_id, origin, status, '
                   "coder_id, created_at) VALUES (?, 'D', 'h', 0, 3, 'x', 'human', ?, 'LT', 'now')", (f"c{i}", status))
    with pytest.raises(sqlite3.IntegrityError):
        db.execute('INSERT INTO codings (coding_id, doc_id, text_sha256, start, "end", code_id, origin, status, '
                   "coder_id, created_at) VALUES ('bad', 'D', 'h', 0, 3, 'x', 'human', 'accepted', 'LT', 'now')")


def test_codings_of_one_document_are_read_in_sql_and_are_that_document_s(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "INT01.txt").write_text("P01: It lands on me.\n", encoding="utf-8")
    (folder / "INT02.txt").write_text("P02: Nobody thanks you.\n", encoding="utf-8")
    with Project.create(tmp_path / "p.qda") as project:
        project.ingest(folder, pipeline="blank")
        project.code_span("INT01", 5, 20, "agency.responsibility", coder="LT")
        project.code_span("INT02", 5, 23, "response.praise_absent", coder="LT")
        one = project.codings(doc_id="INT02")
        assert list(one["doc_id"]) == ["INT02"] and list(one["text"]) == ["Nobody thanks you."]
        everything = project.codings()
        both = project.codings(doc_id=["INT01", "INT02"])
        assert both.reset_index(drop=True).equals(everything.reset_index(drop=True))
        with pytest.raises(Exception, match="no document 'INT09'"):
            project.codings(doc_id="INT09")
