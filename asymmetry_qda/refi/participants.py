"""Who the imported documents' people are: REFI-QDA cases and the sources' own variables, as participants.

A case becomes a participant; a source's ``participant`` variable names its
participant, and a source with variables but no case is its own participant.
A case with no document is kept as a participant. ``pseudonym``, ``rank``,
``function``, ``leader`` and ``data_type`` have their meaning (any case, with
spaces or underscores); columns derived from the rank (``rank_band``,
``track``, ``acting`` ...) are derived again, not imported; every other
variable is a free attribute. :func:`plan_participants` decides this before
the texts are parsed, and :func:`participants_table` builds the validated
attributes table of the documents that were, in memory
(:func:`~asymmetry_qda.attributes.attributes_from_records`).

Examples
--------
>>> variable_role("Rank"), variable_role("rank_band"), variable_role("Data type"), variable_role("shift")
('rank', 'derived', 'kind', 'free')
>>> _own_kind([("data type: fieldnote", "true")])
'fieldnote'
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

from ..errors import InputError
from ..store import participants as stored_participants
from .guids import guid_key
from .import_report import ImportReport
from .qde_reader import QdeReader

__all__ = ["People", "PlannedPerson", "participants_table", "plan_participants", "variable_role"]

_DERIVED = {"rank_band", "rank_level", "track", "acting", "leader_source", "n_documents", "data_types"}
_KIND_NAMES = {"data_type", "datatype", "type", "kind", "document_type"}
_KIND_SET = re.compile(r"^\s*data[ _]?type\s*:\s*(?P<kind>.+?)\s*$", re.IGNORECASE)
_KINDS = {"interview": "interview", "interviews": "interview", "fieldnote": "fieldnote", "fieldnotes": "fieldnote",
          "field note": "fieldnote", "field notes": "fieldnote", "field-note": "fieldnote",
          "field_note": "fieldnote"}
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}


def variable_role(name: str) -> str:
    """What a variable means here: participant, pseudonym, rank, function, leader, kind, derived or free."""
    low = name.strip().lower().replace(" ", "_")
    if low in ("participant", "participant_id"):
        return "participant"
    if low in ("pseudonym", "rank", "function", "leader"):
        return low
    if low in _KIND_NAMES:
        return "kind"
    if _KIND_SET.match(name):
        return "kind-set"  # this toolkit's 'data type: interview' set, made a document attribute by QualCoder
    if low in _DERIVED:
        return "derived"
    if low == "rank_raw" or ("rank" in low and low not in _DERIVED):
        return "rank-like"
    if "function" in low:
        return "function-like"
    return "free"


def _own_kind(variables: list[tuple[str, str]]) -> str | None:
    """A document's kind from its own variables: ``data_type``-like, or QualCoder's attribute for the
    ``data type: interview`` set this toolkit writes."""
    for name, value in variables:
        role = variable_role(name)
        if role == "kind" and _KINDS.get(value.strip().lower()):
            return _KINDS[value.strip().lower()]
        if role == "kind-set" and (m := _KIND_SET.match(name)) and _KINDS.get(m.group("kind").lower()):
            return _KINDS[m.group("kind").lower()]
    return None


@dataclass
class _Person:
    """A participant while they are gathered: label, case GUID, the case's own values, their documents."""

    label: str
    guid: str | None
    values: list[tuple[str, str]]
    docs: list[str] = field(default_factory=list)


@dataclass(frozen=True, eq=False)
class PlannedPerson:
    """One participant as planned: the case's label and GUID, their attributes ``record`` (the attribute
    table's columns, without ``doc_id`` and ``data_type``) and their variables as shown in the report."""

    label: str
    guid: str | None
    record: dict[str, str]
    shown: str


@dataclass(frozen=True)
class People:
    """Who the imported documents' participants are, before the attributes table is built: each document's
    participant (``by_document``), participants with no document (``doc_less``), the records' columns, the
    people imported, and each document's declared kind."""

    by_document: dict[str, PlannedPerson] = field(default_factory=dict)
    doc_less: list[PlannedPerson] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    imported: list[_Person] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)


def plan_participants(db: sqlite3.Connection, reader: QdeReader, report: ImportReport) -> People:
    """The participants of the imported documents, from cases and from the sources' own variables."""
    from ..ranks import UnknownRankError, normalise_rank

    docs = {u.doc_id: u for u in reader.units}
    doc_of: dict[str, str] = {}
    for unit in reader.units:
        for owner in unit.owners:
            doc_of.setdefault(owner, unit.doc_id)
    existing = stored_participants.ids(db)
    people: dict[str, _Person] = {}  # participant id -> label, guid, case values, documents
    owner_of: dict[str, str] = {}  # doc_id -> participant id
    derived_noted: set[str] = set()

    def attach(pid: str, doc_id: str, label: str, guid: str | None) -> None:
        if doc_id in owner_of and owner_of[doc_id] != pid:
            reader.skip("case", label, f"document {doc_id!r} already belongs to case {owner_of[doc_id]!r}; a "
                        "document has one participant here", guid)
            return
        if doc_id not in owner_of:
            owner_of[doc_id] = pid
            people[pid].docs.append(doc_id)

    for case in reader.cases:
        name = case.name or f"case-{(guid_key(case.guid) or 'unknown')[:8]}"
        pid, n = name, 2
        while pid in people:
            pid = f"{name} ({n})"
            n += 1
        people[pid] = _Person(case.name or name, case.guid, list(case.values))
        linked = [doc_of.get(k) for k in case.sources]
        linked += [u.doc_id for k in case.selections if (u := reader.selection_unit.get(k)) is not None]
        linked += [u.doc_id for u in reader.case_links.get(guid_key(case.guid) or "", [])]
        for doc_id in linked:
            if doc_id in docs:
                attach(pid, doc_id, people[pid].label, case.guid)
    for unit in reader.units:  # a source's own variables: "participant" names its person
        named = [v for k, v in unit.variables if variable_role(k) == "participant" and v.strip()]
        if named:
            pid = named[0].strip()
            people.setdefault(pid, _Person(pid, None, []))
            attach(pid, unit.doc_id, pid, None)
        elif unit.variables and unit.doc_id not in owner_of:
            people.setdefault(unit.doc_id, _Person(unit.doc_id, None, []))
            attach(unit.doc_id, unit.doc_id, unit.doc_id, None)
            report.notes.append(f"{unit.doc_id}: the source has attributes but no case: stored as its own "
                                f"participant {unit.doc_id!r}")

    kinds: dict[str, str] = {}
    by_document: dict[str, PlannedPerson] = {}
    doc_less: list[PlannedPerson] = []
    columns: list[str] = []
    imported: list[_Person] = []
    for pid, person in people.items():
        label, guid = person.label, person.guid
        values = list(person.values)
        names = {k.strip().lower() for k, _ in values}
        for doc_id in person.docs:  # the documents' own values fill in what the case does not say
            for k, v in docs[doc_id].variables:
                if k.strip().lower() not in names:
                    values.append((k, v))
                    names.add(k.strip().lower())
        shown = ", ".join(f"{k}={v}" for k, v in values) or "no variables"
        if pid in existing:
            reader.skip("case", label, f"participant {pid!r} is already in the project and is not overwritten "
                        f"({shown})", guid)
            continue
        record = {"participant_id": pid, "pseudonym": pid, "rank": "", "function": ""}
        declared_kind = None
        used = {"doc_id", "participant_id", "pseudonym", "rank", "function", "data_type", "leader"}
        for var, value in values:
            role, value = variable_role(var), value.strip()
            if role == "participant":
                continue
            if role == "pseudonym" and value:
                record["pseudonym"] = value
                continue
            if role in ("rank", "rank-like") and not record["rank"] and value:
                try:
                    normalise_rank(value)
                    record["rank"] = value
                    continue
                except UnknownRankError:
                    report.notes.append(f"case {label!r}: {var}={value!r} is not a known rank; kept as an "
                                        "attribute")
            elif role in ("function", "function-like") and not record["function"]:
                record["function"] = value
                continue
            elif role == "kind" and _KINDS.get(value.lower()):
                declared_kind = _KINDS[value.lower()]
                continue
            elif role == "kind-set":
                continue  # a document's own kind: read per document below
            elif role == "leader" and value.lower() in _TRUE | _FALSE:
                record["leader"] = "yes" if value.lower() in _TRUE else "no"
                continue
            elif role == "derived":
                if var not in derived_noted:
                    derived_noted.add(var)
                    report.notes.append(f"variable {var!r} is derived from the rank here and was not imported "
                                        "(it is derived again from the rank)")
                continue
            column = var.strip() or "variable"
            while column.lower() in used:
                column = f"{column} (imported)" if not column.endswith(")") else column + "_"
            used.add(column.lower())
            record[column] = value
        planned = PlannedPerson(label, guid, record, shown)
        for doc_id in person.docs:
            kind = _own_kind(docs[doc_id].variables) or declared_kind
            if kind:
                kinds[doc_id] = kind
            by_document[doc_id] = planned
        if not person.docs:
            doc_less.append(planned)
        for column in record:
            if column not in columns:
                columns.append(column)
        imported.append(person)
    return People(by_document, doc_less, columns, imported, kinds)


def participants_table(people: People, kinds: dict[str, str], reader: QdeReader, report: ImportReport):
    """The attributes table of ``people`` for the documents that were parsed (``kinds``: each one's kind as
    parsed), or ``None`` when there is nobody or the table is refused (the cases are then reported)."""
    from ..attributes import AttributeTable, add_participant, attributes_from_records

    rows = {doc_id: who for doc_id, who in people.by_document.items() if doc_id in kinds}
    kept = set(rows.values())
    # a person whose every document failed to parse is still a participant, as a case without documents is
    doc_less = people.doc_less + list(dict.fromkeys(w for w in people.by_document.values() if w not in kept))
    if not rows and not doc_less:
        return None
    columns = ["doc_id", "participant_id", "pseudonym", "rank", "function", "data_type"]
    columns += [c for c in people.columns if c not in columns]
    source = f"{report.source} (cases and source attributes)"
    try:
        table = attributes_from_records(
            [{"doc_id": doc_id, **who.record, "data_type": kinds[doc_id]} for doc_id, who in rows.items()],
            columns=columns, source=source) if rows else AttributeTable(source)
    except InputError as exc:
        for person in people.imported:
            shown = ", ".join(f"{k}={v}" for k, v in person.values) or "no variables"
            reader.skip("case", person.label, f"not imported as a participant ({shown}): {exc}", person.guid)
        return None
    for who in doc_less:
        problems = add_participant(table, who.record)
        if problems:
            reader.skip("case", who.label, f"not imported as a participant ({who.shown}): {problems[0]}", who.guid)
        else:
            report.notes.append(f"case {who.label!r} has no imported document; kept as a participant without one")
    return table
