"""The project file: create/open, schema versions, transactions, append-only codings."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from asymmetry_qda import NotFoundError, Project, ProjectError, StoreError
from asymmetry_qda.errors import InputError
from asymmetry_qda.store import SCHEMA_VERSION

from .conftest import INTERVIEW, snapshot


def test_create_refuses_an_existing_file(tmp_path):
    path = tmp_path / "study.qda"
    Project.create(path).close()
    with pytest.raises(ProjectError, match="a file already exists there"):
        Project.create(path)


def test_create_in_missing_folder_explains(tmp_path):
    with pytest.raises(ProjectError, match="the folder .* does not exist"):
        Project.create(tmp_path / "nope" / "study.qda")


def test_open_refuses_missing_non_sqlite_and_foreign_sqlite_files(tmp_path):
    with pytest.raises(ProjectError, match="no project file there"):
        Project.open(tmp_path / "missing.qda")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ProjectError, match="not an asymmetry_qda project \\(not a SQLite database\\)"):
        Project.open(text)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ProjectError, match="a SQLite database, but not an asymmetry_qda project"):
        Project.open(other)


def test_project_uses_wal_foreign_keys_and_a_schema_version(project):
    db = project._db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_project_from_a_newer_release_is_refused(tmp_path):
    path = tmp_path / "study.qda"
    with Project.create(path) as p:
        p._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(ProjectError, match=f"made by a newer asymmetry_qda \\(project schema {SCHEMA_VERSION + 1}"):
        Project.open(path)


def test_older_schema_is_migrated_on_open(tmp_path, monkeypatch):
    from asymmetry_qda.store import schema
    from asymmetry_qda.store import sqlite as store_sqlite

    path = tmp_path / "study.qda"
    Project.create(path).close()
    extra = (SCHEMA_VERSION + 1, "CREATE TABLE future_table (x INTEGER);")
    monkeypatch.setattr(store_sqlite, "MIGRATIONS", schema.MIGRATIONS + (extra,))
    monkeypatch.setattr(store_sqlite, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with Project.open(path) as p:
        assert p._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert p._db.execute("SELECT COUNT(*) FROM future_table").fetchone()[0] == 0


def test_codings_are_append_only(project, write):
    project.ingest(write("INT07.txt", INTERVIEW), pipeline="blank")
    coding_id = project.code_span("INT07", 0, 6, "agency.responsibility", coder="LT")
    for statement in ("UPDATE codings SET code_id = 'x'", "DELETE FROM codings"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            project._db.execute(statement)
    assert project.codings()["coding_id"].tolist() == [coding_id]


def test_a_failing_transaction_leaves_the_project_unchanged(project, write):
    project.ingest(write("INT07.txt", INTERVIEW), pipeline="blank")
    before = snapshot(project)
    with pytest.raises(RuntimeError):
        with project._store.transaction() as db:
            db.execute("DELETE FROM segments")
            raise RuntimeError("boom")
    assert snapshot(project) == before


def test_code_span_checks_offsets_code_and_coder(project, write):
    project.ingest(write("INT07.txt", INTERVIEW), pipeline="blank")
    n = len(project.text("INT07"))
    for start, end in [(-1, 3), (5, 5), (0, n + 1), (7, 3)]:
        with pytest.raises(InputError, match=r"INT07: offsets \[.*\) are not a non-empty span"):
            project.code_span("INT07", start, end, "x", coder="LT")
    with pytest.raises(InputError, match="code is empty"):
        project.code_span("INT07", 0, 3, " ", coder="LT")
    with pytest.raises(NotFoundError, match="no document 'NOPE'. Fix: use one of the stored ids \\(INT07\\)"):
        project.code_span("NOPE", 0, 3, "x", coder="LT")


def test_codings_frame_holds_exact_text_and_provenance(project, write):
    project.ingest(write("INT07.txt", INTERVIEW), pipeline="blank")
    text = project.text("INT07")
    start = text.index("lands at my door")
    coding_id = project.code_span("INT07", start, start + len("lands at my door"), "agency.responsibility",
                                   coder="LT", memo="classic")
    row = project.codings().set_index("coding_id").loc[coding_id]
    assert (row["text"], row["origin"], row["status"], row["coder_id"], row["theme"], row["segment_id"]) == (
        "lands at my door", "human", "confirmed", "LT", "agency", "INT07#t2.s2")
    assert project.memos()[["coding_id", "author", "text"]].values.tolist() == [[coding_id, "LT", "classic"]]


def test_store_error_is_a_qda_error():
    from asymmetry_qda import QDAError

    assert issubclass(StoreError, QDAError) and issubclass(ProjectError, QDAError)


def test_an_empty_project_has_empty_frames_and_zero_counts(project):
    assert project.documents().empty and project.segments().empty and project.participants().empty
    assert project.codings().empty
    assert project.info().loc["total"].tolist() == [0, 0, 0, 0, 0, 0]
    assert list(project.segments().columns) == ["doc_id", "segment_id", "unit", "start", "end", "speaker",
                                                "is_interviewer", "turn_index", "sentence_index", "timestamp",
                                                "parent_id", "text"]


def test_codebooks_are_stored_once_per_content_hash_and_read_back_exactly(project):
    from asymmetry_qda.codebook import parse_codebook

    from .test_codebook_validation import GOOD

    cb = parse_codebook(GOOD, source="cb.yaml")
    assert project.add_codebook(cb) == cb.content_hash
    project.add_codebook(cb)
    other = parse_codebook(GOOD.replace('"0.1"', '"0.2"'))
    project.add_codebook(other)
    stored = project.codebooks()
    assert sorted(stored["version"]) == ["0.1", "0.2"]
    back = project.codebook(cb.content_hash[:10])
    assert back.content == GOOD and back.content_hash == cb.content_hash
    with pytest.raises(NotFoundError, match="no codebook 'ffff'"):
        project.codebook("ffff")


# --- schema migration 6: segments stored by their place -------------------------------------------
def _schema_5_project(path, segment_rows):
    """A project file at schema 5 (as a release before migration 6 wrote it) holding one document."""
    from asymmetry_qda.store.schema import MIGRATIONS, statements
    from asymmetry_qda.store.sqlite import APPLICATION_ID

    db = sqlite3.connect(path, isolation_level=None)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute("PRAGMA journal_mode = WAL")
    for number, sql in MIGRATIONS:
        if number <= 5:
            for statement in statements(sql):
                db.execute(statement)
    db.execute("PRAGMA user_version = 5")
    text = "I: Why?\nP01: It lands on me. Every time.\n"
    db.execute("""INSERT INTO documents (doc_id, kind, text, sha256, n_chars, version, ingested_at)
                  VALUES ('INT01', 'interview', ?, 'x', ?, 1, '2026-01-01T00:00:00Z')""", (text, len(text)))
    db.executemany("""INSERT INTO segments (segment_id, doc_id, unit, start, "end", speaker, is_interviewer,
                      turn_index, sentence_index, timestamp, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                   segment_rows)
    db.close()
    return text


_V5_SEGMENTS = [
    ("INT01#t1", "INT01", "turn", 3, 7, "I", 1, 1, None, "00:01", None),
    ("INT01#t1.s1", "INT01", "sentence", 3, 7, "I", 1, 1, 1, "00:01", "INT01#t1"),
    ("INT01#t2", "INT01", "turn", 13, 41, "P01", 0, 2, None, None, None),
    ("INT01#t2.s1", "INT01", "sentence", 13, 28, "P01", 0, 2, 1, None, "INT01#t2"),
    ("INT01#t2.s2", "INT01", "sentence", 29, 41, "P01", 0, 2, 2, None, "INT01#t2"),
]


def test_migration_6_keeps_every_segment_as_it_was(tmp_path):
    path = tmp_path / "v5.qda"
    text = _schema_5_project(path, _V5_SEGMENTS)
    with Project.open(path) as p:
        assert p._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        frame = p.segments()
        plan = [r[-1] for r in p._db.execute("EXPLAIN QUERY PLAN SELECT sha256 FROM documents ORDER BY doc_id")]
    columns = ["segment_id", "doc_id", "unit", "start", "end", "speaker", "is_interviewer", "turn_index",
               "sentence_index", "timestamp", "parent_id"]
    got = [tuple(None if pd.isna(v) else v for v in row) for row in frame[columns].astype(object).itertuples(index=False)]
    assert got == [(s, d, u, a, b, sp, bool(i), t, k, ts, par) for s, d, u, a, b, sp, i, t, k, ts, par in _V5_SEGMENTS]
    assert list(frame["text"]) == [text[a:b] for _, _, _, a, b, *_ in _V5_SEGMENTS]
    assert any("COVERING INDEX documents_listing" in step for step in plan), plan  # no text read to list hashes


def test_migration_6_refuses_segment_ids_it_cannot_compute_and_changes_nothing(tmp_path):
    path = tmp_path / "v5.qda"
    odd = [("INT01-turn-1", *_V5_SEGMENTS[0][1:]), *_V5_SEGMENTS[1:]]
    _schema_5_project(path, odd)
    with pytest.raises(ProjectError, match="cannot be upgraded") as caught:
        Project.open(path)
    assert str(path) in str(caught.value)
    with sqlite3.connect(path) as db:  # the file is as it was: schema 5, the old segments
        assert db.execute("PRAGMA user_version").fetchone()[0] == 5
        assert db.execute("SELECT segment_id FROM segments ORDER BY rowid").fetchall()[0] == ("INT01-turn-1",)
    db.close()


def test_segments_are_written_with_the_ids_their_place_gives(project):
    from asymmetry_qda.store import document_writes

    with project._store.transaction() as db, pytest.raises(ValueError, match="is not the id its place gives"):
        document_writes.insert_segments(db, [("INT01#t9", "INT01", "turn", 0, 5, "P01", 0, 3, None, None, None)])


def _check_unit_rows(db, include_interviewer):
    from asymmetry_qda.store import documents as stored_documents

    for doc_id in (None, "INT02", ["INT01", "INT02"]):
        rows = stored_documents.unit_rows(db, doc_id=doc_id, include_interviewer=include_interviewer)
        segments = stored_documents.segments(db, doc_id=doc_id, include_interviewer=include_interviewer)
        speaker = segments.set_index("segment_id")["speaker"]
        expected = pd.DataFrame({
            "doc_id": segments["doc_id"], "unit": segments["unit"], "start": segments["start"],
            "end": segments["end"],
            "speaker": [speaker[s if pd.isna(p) else p] for s, p in zip(segments["segment_id"], segments["parent_id"],
                                                                       strict=True)],
            "is_interviewer": segments["is_interviewer"]})
        key = ["doc_id", "unit", "start"]
        got = rows.sort_values(key).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected.sort_values(key).reset_index(drop=True), check_dtype=False)
        assert got["start"].dtype == "int64" and got["is_interviewer"].dtype == bool
    assert stored_documents.unit_rows(db, doc_id="NONE").empty


@pytest.mark.parametrize("include_interviewer", [True, False])
def test_unit_rows_are_the_segments_with_each_sentence_given_its_turns_speaker(tmp_path, write, include_interviewer):
    with Project.create(tmp_path / "s.qda") as p:
        p.ingest([write("INT01.txt", INTERVIEW),
                  write("INT02.txt", "Interviewer: And?\n\nP02: One. Two, with a comma. Three.\n\nP02: Four.\n")],
                 pipeline="blank")
        _check_unit_rows(p._store.connection, include_interviewer)
        # a turn with no speaker, and a speaker label holding the separator the speakers are read with
        with p._store.transaction() as db:
            db.execute("UPDATE segments SET speaker = NULL WHERE doc_id = 'INT02' AND turn_index = 2 AND part = 0")
            db.execute("UPDATE segments SET speaker = 'P\x1f02' WHERE doc_id = 'INT02' AND turn_index = 3 AND part = 0")
        _check_unit_rows(p._store.connection, include_interviewer)
