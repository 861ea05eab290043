"""The SQLite schema of a project file, as numbered migrations.

``PRAGMA user_version`` holds the schema version. Opening a project applies
every migration above its version inside one transaction; a project made by a
newer release is refused rather than guessed at.

Codings and memos are append-only: triggers refuse ``UPDATE`` and ``DELETE``,
and a correction is a new row whose ``supersedes`` names the row it replaces.
Old document texts are kept in ``document_versions`` when a document is
replaced, so a coding always points at the text it was made on
(``codings.text_sha256``).

Migration 2 adds ``models``: each trained code suggester with its parameters
and the exact training set it learned from (unit texts, features and human
labels), so the same model version is refitted identically on demand; no
pickled object is ever stored or loaded.

Migration 4 adds ``codebook_versions``: the project's own codebook, one row per version (the file it
was first loaded from, then every code created, renamed, moved, merged, split or retired, and every undo),
each with its author, reason and the run whose rows carried the codings (``codings.run_id``).

Migration 5 adds ``themes``: named groups of codes with a definition and a status (candidate, reviewed,
final; dropped when set aside), append-only like the codings: a change is a row that supersedes the last.

Migration 7 adds ``ner_entities``: the named entities the audit's NER found in each text it read (by the
document, with the SHA-256 of the text it read and the pipeline with its version; labels and offsets, never the
text), so that auditing again after a change reads only the documents that changed.

Migration 3 adds ``audit_dismissals`` (audit findings a person checked and
judged not identifying, with who and why, so the export guard lets them
pass) and a random ``project_id`` that ties a pseudonym key file to its
project.
"""

from __future__ import annotations

import sqlite3

#: The triggers that keep codings and memos append-only. Pseudonymisation
#: (:mod:`asymmetry_qda.anonymise.rewrite`) is the one operation that lifts
#: them (:func:`asymmetry_qda.store.pseudonymisation.lift_append_only`), inside
#: its transaction, to move offsets onto the pseudonymised text.
APPEND_ONLY_TRIGGERS = """
CREATE TRIGGER codings_append_only_update BEFORE UPDATE ON codings
BEGIN SELECT RAISE(ABORT, 'codings are append-only: add a row that supersedes this one'); END;
CREATE TRIGGER codings_append_only_delete BEFORE DELETE ON codings
BEGIN SELECT RAISE(ABORT, 'codings are append-only: add a row that supersedes this one'); END;
CREATE TRIGGER memos_append_only_update BEFORE UPDATE ON memos
BEGIN SELECT RAISE(ABORT, 'memos are append-only: add a memo that supersedes this one'); END;
CREATE TRIGGER memos_append_only_delete BEFORE DELETE ON memos
BEGIN SELECT RAISE(ABORT, 'memos are append-only: add a memo that supersedes this one'); END;
"""
APPEND_ONLY_TRIGGER_NAMES = ("codings_append_only_update", "codings_append_only_delete", "memos_append_only_update",
                             "memos_append_only_delete")

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, """
CREATE TABLE project_info (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE participants (
    participant_id TEXT PRIMARY KEY,
    pseudonym      TEXT NOT NULL,
    rank           TEXT,
    rank_raw       TEXT,
    rank_level     INTEGER,
    rank_band      TEXT,
    track          TEXT CHECK (track IN ('officer', 'staff')),
    acting         INTEGER NOT NULL DEFAULT 0 CHECK (acting IN (0, 1)),
    leader         INTEGER CHECK (leader IN (0, 1)),
    leader_source  TEXT CHECK (leader_source IN ('derived', 'table')),
    function       TEXT,
    attributes_source TEXT,
    updated_at     TEXT NOT NULL
);

CREATE TABLE participant_attributes (
    participant_id TEXT NOT NULL REFERENCES participants (participant_id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    value          TEXT NOT NULL,
    PRIMARY KEY (participant_id, name)
);

CREATE TABLE documents (
    doc_id         TEXT PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('interview', 'fieldnote')),
    text           TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    n_chars        INTEGER NOT NULL,
    source_name    TEXT,
    source_format  TEXT,
    source_sha256  TEXT,
    encoding       TEXT,
    segmenter      TEXT,
    participant_id TEXT REFERENCES participants (participant_id),
    version        INTEGER NOT NULL DEFAULT 1,
    ingested_at    TEXT NOT NULL
);

CREATE TABLE document_versions (
    doc_id        TEXT NOT NULL REFERENCES documents (doc_id),
    version       INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    text          TEXT NOT NULL,
    source_name   TEXT,
    source_sha256 TEXT,
    replaced_at   TEXT NOT NULL,
    PRIMARY KEY (doc_id, version)
);

CREATE TABLE segments (
    segment_id     TEXT PRIMARY KEY,
    doc_id         TEXT NOT NULL REFERENCES documents (doc_id),
    unit           TEXT NOT NULL CHECK (unit IN ('turn', 'sentence')),
    start          INTEGER NOT NULL CHECK (start >= 0),
    "end"          INTEGER NOT NULL,
    speaker        TEXT,
    is_interviewer INTEGER NOT NULL CHECK (is_interviewer IN (0, 1)),
    turn_index     INTEGER NOT NULL,
    sentence_index INTEGER,
    timestamp      TEXT,
    parent_id      TEXT REFERENCES segments (segment_id),
    CHECK ("end" > start)
);
CREATE INDEX segments_by_document ON segments (doc_id, unit, start);

CREATE TABLE coders (
    coder_id   TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('human', 'rule', 'model')),
    name       TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE codebooks (
    codebook_hash TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    version       TEXT,
    content       TEXT NOT NULL,
    added_at      TEXT NOT NULL
);

CREATE TABLE codings (
    coding_id     TEXT PRIMARY KEY,
    doc_id        TEXT NOT NULL REFERENCES documents (doc_id),
    text_sha256   TEXT NOT NULL,
    start         INTEGER NOT NULL CHECK (start >= 0),
    "end"         INTEGER NOT NULL,
    code_id       TEXT NOT NULL,
    origin        TEXT NOT NULL CHECK (origin IN ('human', 'rule', 'model')),
    status        TEXT NOT NULL CHECK (status IN ('suggested', 'suppressed', 'confirmed', 'rejected', 'withdrawn')),
    coder_id      TEXT NOT NULL REFERENCES coders (coder_id),
    rule_id       TEXT,
    confidence    REAL,
    context       TEXT NOT NULL DEFAULT '[]',
    evidence      TEXT NOT NULL DEFAULT '[]',
    segment_id    TEXT,
    codebook_hash TEXT REFERENCES codebooks (codebook_hash),
    pipeline      TEXT,
    run_id        TEXT,
    supersedes    TEXT REFERENCES codings (coding_id),
    note          TEXT,
    created_at    TEXT NOT NULL,
    CHECK ("end" > start)
);
CREATE INDEX codings_by_document ON codings (doc_id, start);
CREATE INDEX codings_by_supersedes ON codings (supersedes);

CREATE TABLE memos (
    memo_id    TEXT PRIMARY KEY,
    doc_id     TEXT REFERENCES documents (doc_id),
    start      INTEGER,
    "end"      INTEGER,
    code_id    TEXT,
    coding_id  TEXT REFERENCES codings (coding_id),
    author     TEXT NOT NULL,
    text       TEXT NOT NULL,
    supersedes TEXT REFERENCES memos (memo_id),
    created_at TEXT NOT NULL
);

CREATE TABLE runs (
    run_id        TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    codebook_hash TEXT REFERENCES codebooks (codebook_hash),
    pipeline      TEXT,
    options       TEXT NOT NULL DEFAULT '{}',
    n_added       INTEGER NOT NULL DEFAULT 0,
    started_at    TEXT NOT NULL,
    finished_at   TEXT
);

CREATE TABLE ingest_log (
    run_id     TEXT NOT NULL,
    doc_id     TEXT NOT NULL,
    action     TEXT NOT NULL,
    detail     TEXT,
    created_at TEXT NOT NULL
);

""" + APPEND_ONLY_TRIGGERS),
    (2, """
CREATE TABLE models (
    model_id     TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    params       TEXT NOT NULL,
    codes        TEXT NOT NULL,
    skipped      TEXT NOT NULL DEFAULT '{}',
    training     TEXT NOT NULL,
    n_units      INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    discarded_at TEXT
);
"""),
    (3, """
CREATE TABLE audit_dismissals (
    doc_id     TEXT NOT NULL REFERENCES documents (doc_id),
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    text       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (doc_id, start, "end", kind)
);
INSERT OR IGNORE INTO project_info (key, value) VALUES ('project_id', lower(hex(randomblob(16))));
"""),
    (4, """
CREATE TABLE codebook_versions (
    version       INTEGER PRIMARY KEY CHECK (version >= 1),
    codebook_hash TEXT NOT NULL REFERENCES codebooks (codebook_hash),
    operation     TEXT NOT NULL CHECK (operation IN ('load', 'create', 'rename', 'move', 'merge', 'split',
                                                     'retire', 'undo')),
    detail        TEXT NOT NULL DEFAULT '{}',
    author        TEXT NOT NULL,
    reason        TEXT,
    undoes        INTEGER REFERENCES codebook_versions (version),
    run_id        TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX codings_by_run ON codings (run_id);
CREATE INDEX codings_by_code ON codings (code_id);
CREATE TRIGGER codebook_versions_append_only_update BEFORE UPDATE ON codebook_versions
BEGIN SELECT RAISE(ABORT, 'codebook versions are append-only: add a version'); END;
CREATE TRIGGER codebook_versions_append_only_delete BEFORE DELETE ON codebook_versions
BEGIN SELECT RAISE(ABORT, 'codebook versions are append-only: add a version'); END;
"""),
    (5, """
CREATE TABLE themes (
    row_id     TEXT PRIMARY KEY,
    theme_id   TEXT NOT NULL,
    label      TEXT NOT NULL,
    definition TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('candidate', 'reviewed', 'final', 'dropped')),
    codes      TEXT NOT NULL DEFAULT '[]',
    author     TEXT NOT NULL,
    reason     TEXT,
    supersedes TEXT REFERENCES themes (row_id),
    run_id     TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX themes_by_supersedes ON themes (supersedes);
CREATE TRIGGER themes_append_only_update BEFORE UPDATE ON themes
BEGIN SELECT RAISE(ABORT, 'themes are append-only: add a row that supersedes this one'); END;
CREATE TRIGGER themes_append_only_delete BEFORE DELETE ON themes
BEGIN SELECT RAISE(ABORT, 'themes are append-only: add a row that supersedes this one'); END;
"""),
    # 6: the size of a 1,000-interview project (issue 23). A segment is stored by its place: its document, its
    # turn (1, 2, ...) and its part of the turn (0: the turn itself; k: its k-th sentence), in a WITHOUT ROWID
    # table ordered by that key. Its id, unit, sentence index and parent are the ones ingest has always given it
    # ("INT01#t2", "INT01#t2.s1"), computed from the key (virtual columns) instead of stored twice with two
    # indexes over 1M rows; the migration refuses a project whose stored ids are anything else. The documents'
    # metadata get a covering index, and their segment counts (kept by the writes of segments) columns, so listing
    # documents or their hashes no longer reads every text nor counts every segment. (Dropping
    # the old table checks its sentences' foreign key to their turns row by row: the index on parent_id makes
    # that a lookup, not a scan of the table per row.)
    (6, """
CREATE TABLE segments_by_place (
    doc_id         TEXT NOT NULL REFERENCES documents (doc_id),
    turn_index     INTEGER NOT NULL,
    part           INTEGER NOT NULL CHECK (part >= 0),
    start          INTEGER NOT NULL CHECK (start >= 0),
    "end"          INTEGER NOT NULL,
    speaker        TEXT,
    is_interviewer INTEGER NOT NULL CHECK (is_interviewer IN (0, 1)),
    timestamp      TEXT,
    unit           TEXT GENERATED ALWAYS AS (CASE WHEN part = 0 THEN 'turn' ELSE 'sentence' END) VIRTUAL,
    sentence_index INTEGER GENERATED ALWAYS AS (NULLIF(part, 0)) VIRTUAL,
    segment_id     TEXT GENERATED ALWAYS AS
        (doc_id || '#t' || turn_index || CASE WHEN part = 0 THEN '' ELSE '.s' || part END) VIRTUAL,
    parent_id      TEXT GENERATED ALWAYS AS
        (CASE WHEN part = 0 THEN NULL ELSE doc_id || '#t' || turn_index END) VIRTUAL,
    PRIMARY KEY (doc_id, turn_index, part),
    CHECK ("end" > start)
) WITHOUT ROWID;
CREATE TABLE migration_6_check (
    segment_id TEXT,
    CONSTRAINT "a stored segment id is not the one ingest gives (DOC#tN, DOC#tN.sK): this project cannot be upgraded"
        CHECK (segment_id IS NULL)
);
INSERT INTO migration_6_check SELECT segment_id FROM segments
    WHERE (unit = 'turn') != (sentence_index IS NULL)
       OR segment_id IS NOT doc_id || '#t' || turn_index || COALESCE('.s' || sentence_index, '')
       OR parent_id IS NOT CASE WHEN unit = 'sentence' THEN doc_id || '#t' || turn_index END;
DROP TABLE migration_6_check;
INSERT INTO segments_by_place (doc_id, turn_index, part, start, "end", speaker, is_interviewer, timestamp)
    SELECT doc_id, turn_index, COALESCE(sentence_index, 0), start, "end", speaker, is_interviewer, timestamp
    FROM segments;
CREATE INDEX migration_6_parents ON segments (parent_id);
DROP TABLE segments;
ALTER TABLE segments_by_place RENAME TO segments;
ALTER TABLE documents ADD COLUMN n_turns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN n_participant_turns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN n_sentences INTEGER NOT NULL DEFAULT 0;
UPDATE documents SET
    n_turns = (SELECT COUNT(*) FROM segments s WHERE s.doc_id = documents.doc_id AND s.part = 0),
    n_participant_turns = (SELECT COUNT(*) FROM segments s WHERE s.doc_id = documents.doc_id AND s.part = 0
                                                             AND s.is_interviewer = 0),
    n_sentences = (SELECT COUNT(*) FROM segments s WHERE s.doc_id = documents.doc_id AND s.part > 0);
CREATE INDEX documents_by_participant ON documents (participant_id, kind);
CREATE INDEX documents_listing ON documents (doc_id, sha256, kind, participant_id, n_chars, version, source_name,
                                             source_format, source_sha256, encoding, segmenter, ingested_at,
                                             n_turns, n_participant_turns, n_sentences);
"""),
    # 7: an audit after a change (a pseudonymisation, a new interview) reads only what changed (issue 23): NER,
    # most of an audit's time, depends only on the text it reads and the pipeline, so its entities are kept by
    # document, with the SHA-256 of the text NER read and the pipeline's name and versions. Labels and offsets
    # only, never the text; pseudonymisation drops the entries of the documents it rewrites.
    (7, """
CREATE TABLE ner_entities (
    doc_id       TEXT PRIMARY KEY,
    pipeline     TEXT NOT NULL,
    input_sha256 TEXT NOT NULL,
    entities     TEXT NOT NULL
) WITHOUT ROWID;
"""),
)

SCHEMA_VERSION: int = MIGRATIONS[-1][0]


def statements(sql: str) -> list[str]:
    """Split a migration script into statements, keeping trigger bodies whole."""
    found, buffer = [], []
    for line in sql.strip().splitlines():
        buffer.append(line)
        candidate = "\n".join(buffer).strip()
        if candidate and sqlite3.complete_statement(candidate):
            found.append(candidate)
            buffer = []
    if "\n".join(buffer).strip():
        found.append("\n".join(buffer).strip())
    return found
