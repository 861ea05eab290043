"""Participants and their attributes in the store.

Each function takes a connection (a transaction's, for the writes, which
:mod:`asymmetry_qda.ingest` makes when an attributes table is ingested).
:func:`asymmetry_qda.store.documents.participants` reads them as a frame.
"""

from __future__ import annotations

import sqlite3

from ..records import Participant

__all__ = ["attribute_values", "ids", "people", "snapshot", "upsert"]


def upsert(db: sqlite3.Connection, participant_id: str, participant: Participant, *, source: str | None,
           now: str) -> None:
    """Store ``participant`` (from an attributes table) under ``participant_id``.

    A stored participant is updated in place, and its free attributes replaced by ``participant.attributes``.
    """
    p = participant
    db.execute(
        """INSERT INTO participants (participant_id, pseudonym, rank, rank_raw, rank_level, rank_band, track,
               acting, leader, leader_source, function, attributes_source, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (participant_id) DO UPDATE SET
               pseudonym = excluded.pseudonym, rank = excluded.rank, rank_raw = excluded.rank_raw,
               rank_level = excluded.rank_level, rank_band = excluded.rank_band, track = excluded.track,
               acting = excluded.acting, leader = excluded.leader, leader_source = excluded.leader_source,
               function = excluded.function, attributes_source = excluded.attributes_source,
               updated_at = excluded.updated_at""",
        (participant_id, p.pseudonym, p.rank, p.rank_raw, p.rank_level, p.rank_band, p.track, int(p.acting),
         None if p.leader is None else int(p.leader), p.leader_source, p.function, source, now))
    db.execute("DELETE FROM participant_attributes WHERE participant_id = ?", (participant_id,))
    db.executemany("INSERT INTO participant_attributes (participant_id, name, value) VALUES (?, ?, ?)",
                   [(participant_id, k, v) for k, v in sorted(p.attributes.items())])


def snapshot(db: sqlite3.Connection, participant_id: str) -> tuple | None:
    """What an update of ``participant_id`` could change (to tell an update from a no-op), or ``None``."""
    row = db.execute("SELECT pseudonym, rank, rank_raw, leader, leader_source, function FROM participants "
                     "WHERE participant_id = ?", (participant_id,)).fetchone()
    if row is None:
        return None
    attrs = db.execute("SELECT name, value FROM participant_attributes WHERE participant_id = ? ORDER BY name",
                       (participant_id,)).fetchall()
    return tuple(row) + tuple(tuple(a) for a in attrs)


def ids(db: sqlite3.Connection) -> set[str]:
    """The stored participant ids."""
    return {row[0] for row in db.execute("SELECT participant_id FROM participants")}


def people(db: sqlite3.Connection) -> list[tuple[str, str | None, str | None]]:
    """``(participant_id, pseudonym, function)`` of every participant, by id."""
    return [tuple(row) for row in db.execute("SELECT participant_id, pseudonym, function FROM participants "
                                             "ORDER BY participant_id")]


def attribute_values(db: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """``(participant_id, name, value)`` of every free attribute, by participant and name."""
    return [tuple(row) for row in db.execute("SELECT participant_id, name, value FROM participant_attributes "
                                             "ORDER BY participant_id, name")]
