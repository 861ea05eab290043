"""Documents, segments and participants in the store: the reads.

(They are written by ingestion, :mod:`asymmetry_qda.ingest`, which plans
outside the write lock and applies inside one transaction.) Each function takes
a connection; ``doc_id`` filters are pushed into SQL, so reading one document
reads only its rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..records import DOCUMENT_KINDS, Document

__all__ = ["KNOWN_IDS", "SEGMENT_COLUMNS", "document", "documents", "fingerprint", "ids", "info", "participants",
           "pseudonyms", "segments", "some", "text_sha256", "texts", "unit_rows"]

#: the dtype pandas gives a column of SQL text (``str`` from pandas 3, ``object`` before)
SQL_TEXT = pd.Series(["text"]).dtype

#: every document id (to list those a project holds when an unknown one is asked for)
KNOWN_IDS = "SELECT doc_id FROM documents"

SEGMENT_COLUMNS = ["doc_id", "segment_id", "unit", "start", "end", "speaker", "is_interviewer", "turn_index",
                   "sentence_index", "timestamp", "parent_id", "text"]


def _ids(doc_id: str | Sequence[str] | None) -> list[str] | None:
    return None if doc_id is None else [doc_id] if isinstance(doc_id, str) else list(doc_id)


def documents(db: sqlite3.Connection) -> pd.DataFrame:
    """One row per document: id, kind, participant, source, encoding, hashes, sizes and segment counts."""
    frame = pd.read_sql_query(  # the counts are kept with the segments (document_writes.insert_segments)
        """SELECT doc_id, kind, participant_id, source_name, source_format, encoding, sha256, n_chars, version,
                  segmenter, ingested_at, n_turns AS turns, n_participant_turns AS participant_turns,
                  n_sentences AS sentences
           FROM documents ORDER BY doc_id""", db)
    for column in ("turns", "participant_turns", "sentences"):
        frame[column] = frame[column].astype("int64")
    return frame


def document(db: sqlite3.Connection, doc_id: str) -> Document | None:
    """The stored document ``doc_id`` (its exact text and provenance), or ``None``."""
    row = db.execute("SELECT doc_id, kind, text, sha256, source_name, source_format, encoding, participant_id "
                     "FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
    return None if row is None else Document(*row)


def ids(db: sqlite3.Connection) -> set[str]:
    """The ids of the stored documents."""
    return {row[0] for row in db.execute(KNOWN_IDS)}


def text_sha256(db: sqlite3.Connection, doc_id: str) -> str:
    """The hash of the stored text of ``doc_id`` (a document the caller knows is stored)."""
    return db.execute("SELECT sha256 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()[0]


def texts(db: sqlite3.Connection, doc_id: str | Sequence[str] | None = None) -> dict[str, str]:
    """``{doc_id: stored text}`` of every document (or of ``doc_id``)."""
    ids = _ids(doc_id)
    if ids is None:
        return {r[0]: r[1] for r in db.execute("SELECT doc_id, text FROM documents")}
    return {r[0]: r[1] for r in db.execute(f"SELECT doc_id, text FROM documents WHERE doc_id IN "
                                           f"({', '.join('?' * len(ids))})", ids)}


def fingerprint(db: sqlite3.Connection) -> list[tuple[str, str]]:
    """Every stored document with the hash of its text, in id order: what a plan made outside the lock relied on."""
    return [(r[0], r[1]) for r in db.execute("SELECT doc_id, sha256 FROM documents ORDER BY doc_id")]


def segments(db: sqlite3.Connection, *, unit: str | None = None, doc_id: str | Sequence[str] | None = None,
             include_interviewer: bool = True) -> pd.DataFrame:
    """Segments with their exact text (``text == document.text[start:end]``), in document order."""
    ids = _ids(doc_id)
    where, params = _segment_filter(ids, include_interviewer, unit)
    frame = pd.read_sql_query(
        f"""SELECT doc_id, segment_id, unit, start, "end", speaker, is_interviewer, turn_index,
                   sentence_index, timestamp, parent_id
            FROM segments {where}
            ORDER BY doc_id, start, CASE unit WHEN 'turn' THEN 0 ELSE 1 END, "end" DESC""", db, params=params)
    frame["is_interviewer"] = frame["is_interviewer"].astype(bool)
    frame["sentence_index"] = frame["sentence_index"].astype("Int64")
    stored = texts(db, ids)
    frame["text"] = [stored[d][s:e] for d, s, e in zip(frame["doc_id"], frame["start"], frame["end"], strict=True)]
    return frame[SEGMENT_COLUMNS]


def _segment_filter(ids: list[str] | None, include_interviewer: bool, unit: str | None = None
                    ) -> tuple[str, list]:
    """The ``WHERE`` clause (or ``""``) and its parameters choosing segments by unit, document and speaker."""
    clauses, params = [], []
    if unit is not None:
        clauses.append("unit = ?")
        params.append(unit)
    if ids is not None:
        clauses.append(f"doc_id IN ({', '.join('?' * len(ids))})")
        params.extend(ids)
    if not include_interviewer:
        clauses.append("is_interviewer = 0")
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def unit_rows(db: sqlite3.Connection, *, doc_id: str | Sequence[str] | None = None,
              include_interviewer: bool = True) -> pd.DataFrame:
    """``doc_id, unit, start, end, speaker, is_interviewer`` of every segment (of ``doc_id``), in no set order.

    The least the analysis frames need (:func:`asymmetry_qda.analysis.load` sorts them), read in one pass over
    the segments' key: no text, id or ordering, which cost most of :func:`segments` on a large project.
    """
    where, params = _segment_filter(_ids(doc_id), include_interviewer)
    # one row per document, each column a comma-separated list (every aggregate of a group reads the group's rows
    # in the same order, so the lists line up): a 1,000-interview project's million segments would otherwise be a
    # million Python tuples, which cost more than reading them. The turns' speakers come as one list too, each
    # marked ("+name", or "-" for none) and separated by the unit separator (U+001F)
    rows = db.execute(f"""SELECT doc_id, COUNT(*), group_concat(part), group_concat(start), group_concat("end"),
                                 group_concat(is_interviewer), group_concat(turn_index),
                                 group_concat(CASE WHEN part = 0 THEN CASE WHEN speaker IS NULL THEN '-'
                                                                      ELSE '+' || speaker END END, char(31))
                          FROM segments {where} GROUP BY doc_id""", params).fetchall()
    if not rows:
        return pd.DataFrame({"doc_id": pd.Series([], dtype=object), "unit": pd.Series([], dtype=object),
                             "start": np.zeros(0, np.int64), "end": np.zeros(0, np.int64),
                             "speaker": pd.Series([], dtype=object), "is_interviewer": np.zeros(0, bool)})
    part, start, end, asked, turn = (np.fromstring(",".join(r[i] for r in rows), dtype=np.int64, sep=",")
                                     for i in range(2, 7))
    docs = np.array([r[0] for r in rows], dtype=object)
    number = np.repeat(np.arange(len(rows), dtype=np.int64), [r[1] for r in rows])
    is_turn = part == 0
    # each row's speaker: its turn's, found by (document, turn); a sentence has no speaker of its own
    key = number * (int(turn.max()) + 1) + turn
    marked = [name for r in rows if r[7] is not None for name in r[7].split("\x1f")]
    turns = np.flatnonzero(is_turn)
    if len(marked) != len(turns):  # a speaker label holding the separator: read the turns' speakers one by one
        spoken = dict(((r[0], r[1]), r[2]) for r in db.execute(
            f"SELECT doc_id, turn_index, speaker FROM segments {where} {'AND' if where else 'WHERE'} part = 0",
            params))
        names = [spoken[docs[number[i]], turn[i]] for i in turns.tolist()]
    else:
        names = [None if name == "-" else name[1:] for name in marked]
    of_turn = pd.Index(key[turns]).get_indexer(key)
    speakers = np.array([*names, None], dtype=object)
    return pd.DataFrame({
        "doc_id": pd.Series(docs, dtype=SQL_TEXT).take(number).reset_index(drop=True),
        "unit": pd.Series(["sentence", "turn"], dtype=SQL_TEXT).take(is_turn.astype(np.int64)).reset_index(drop=True),
        "start": start, "end": end,
        "speaker": pd.Series(speakers[np.where(of_turn >= 0, of_turn, len(names))].tolist()),
        "is_interviewer": asked.astype(bool)})


def pseudonyms(db: sqlite3.Connection) -> pd.DataFrame:
    """``participant_id, pseudonym`` of every participant, in id order (the two columns of :func:`participants`,
    without its counts and attributes)."""
    return pd.read_sql_query("SELECT participant_id, pseudonym FROM participants ORDER BY participant_id", db)


def participants(db: sqlite3.Connection) -> pd.DataFrame:
    """One row per participant with rank on the ordered scale, leader flag, counts and every attribute."""
    frame = pd.read_sql_query(
        """SELECT p.participant_id, p.pseudonym, p.rank, p.rank_raw, p.rank_level, p.rank_band, p.track,
                  p.acting, p.leader, p.leader_source, p.function,
                  (SELECT COUNT(*) FROM documents d WHERE d.participant_id = p.participant_id) AS n_documents,
                  (SELECT GROUP_CONCAT(kind) FROM (SELECT DISTINCT kind FROM documents d
                       WHERE d.participant_id = p.participant_id ORDER BY kind)) AS data_types
           FROM participants p ORDER BY p.participant_id""", db)
    frame["rank_level"] = frame["rank_level"].astype("Int64")
    frame["acting"] = frame["acting"].astype(bool)
    frame["leader"] = frame["leader"].astype("boolean")
    extra = pd.read_sql_query("SELECT participant_id, name, value FROM participant_attributes", db)
    if len(extra):
        wide = extra.pivot(index="participant_id", columns="name", values="value")
        wide.columns.name = None
        frame = frame.merge(wide, left_on="participant_id", right_index=True, how="left")
    return frame


def some(db: sqlite3.Connection, query: str, limit: int) -> list[str]:
    """The first ``limit`` values of a one-column ``query`` such as :data:`KNOWN_IDS` (to list ids in a message)."""
    return [r[0] for r in db.execute(f"{query} LIMIT {int(limit)}")]


def info(db: sqlite3.Connection) -> pd.DataFrame:
    """Counts by document kind, and in total (see :meth:`Project.info <asymmetry_qda.project.Project.info>`).

    Words are the white-space separated words inside turns (speaker labels, timestamps and headers are not
    counted); ``participants`` counts distinct participant ids.
    """
    docs = documents(db)
    turns = segments(db, unit="turn")
    words = turns.groupby("doc_id")["text"].apply(lambda texts: sum(len(t.split()) for t in texts))
    docs["words"] = docs["doc_id"].map(words).fillna(0).astype("int64")
    rows = []
    for kind in DOCUMENT_KINDS:
        part = docs[docs["kind"] == kind]
        rows.append({"kind": kind, "documents": len(part),
                     "participants": part["participant_id"].dropna().nunique(),
                     "turns": int(part["turns"].sum()), "participant_turns": int(part["participant_turns"].sum()),
                     "sentences": int(part["sentences"].sum()), "words": int(part["words"].sum())})
    total = {"kind": "total", **{k: sum(r[k] for r in rows) for k in rows[0] if k != "kind"}}
    total["participants"] = docs["participant_id"].dropna().nunique()
    rows.append(total)
    return pd.DataFrame(rows).set_index("kind")
