"""Importing a REFI-QDA project (a ``.qdpx`` archive or a bare ``.qde``) into a :class:`~asymmetry_qda.Project`.

The file is untrusted. Everything is read and checked before the project is
touched, and a problem with the file itself raises
:class:`~asymmetry_qda.errors.InputError` with the project left unchanged:

- XML is parsed only with :mod:`defusedxml`. A DTD, an entity declaration or
  an external reference is refused.
- ZIP members are read into memory and never extracted. A member whose path is
  absolute or climbs out with ``..`` (zip slip) is refused.
- Sizes are capped. The total uncompressed size may not exceed
  :data:`MAX_TOTAL_UNCOMPRESSED`, and a member over :data:`RATIO_CHECK_MIN_SIZE`
  may not expand more than :data:`MAX_COMPRESSION_RATIO` times. Both caps are
  checked from the ZIP headers, and again while reading in chunks, because
  headers can lie.
- The archive must hold exactly one ``*.qde`` at its root. Any name and any
  case is accepted. The sources folder may be ``sources/`` or ``Sources/``.

The project is read leniently. Namespaces of any version are accepted, and so
are GUIDs in any case or in braces, missing optional attributes, colours that
are not ``#RRGGBB``, and paths with or without ``internal://``. Files outside the
archive (``relative://``, ``absolute://``) are never read. What cannot be
imported is listed in :attr:`ImportReport.skipped`, never dropped silently:
pictures, audio and video, PDFs without a text representation, external files,
selections outside the text, and references to unknown GUIDs.

Positions (see ``shared/refi-qda/NOTES.md`` section 4)
    The spec counts code points. NVivo and QualCoder count UTF-16 code units,
    and ATLAS.ti counts CRLF as one character. Four ways of counting are
    therefore candidates (:data:`SCHEMES`), always on the source text with a
    leading BOM removed. With ``scheme="auto"`` one is chosen for the whole
    project: the one under which the most selections have a ``name`` equal to
    the selected text (or a prefix of it, when the name is truncated with an
    ellipsis). If that ties, the one under which the most selections start and
    end on word or line boundaries. If that ties too, the spec's code points.
    Selections whose quote fits another scheme than the one they are read with
    are counted in a note, by writer; ``scheme="per-user"`` chooses the scheme
    for each writer (``creatingUser``) from that writer's own selections.
    Offsets are then converted to the text the project stores (BOM removed,
    CRLF and CR turned into LF).

What goes where
    - Text sources, PDF text representations and media transcripts become
      documents. A transcript that shares its text file with a text source is
      imported once. A source whose ``.txt`` is empty or missing is read from
      its ``.docx`` (``richTextPath``), with a note; an unnamed source is named
      after its file.
    - Codings become confirmed human codings, with the coder's user name or
      ``imported``. Their memo is the selection's description plus the text of
      any notes on the selection or the coding (each text once). A coding whose
      description starts with this toolkit's suggestion mark
      (:data:`~asymmetry_qda.refi.qdpx_export.SUGGESTION_MARK`) comes back as
      an unreviewed suggestion with its origin, rule and confidence.
    - Cases, and the variables on sources (MAXQDA, QualCoder), become
      participants with their attributes; a source's ``participant`` variable
      names its participant, and a code whose GUID is a case's GUID (NVivo, this
      toolkit) links that case to the documents it codes instead of being a
      code. A case with no document is kept as a participant. ``pseudonym``,
      ``rank``, ``function``, ``leader`` and ``data_type`` have their meaning;
      columns derived from the rank (``rank_band``, ``track``, ``acting``) are
      derived again, not imported.
    - The codebook is returned in :attr:`ImportReport.codebook`, to be saved
      as YAML or stored with :meth:`~asymmetry_qda.Project.add_codebook`.
    - Memos on codes or on the project, other programs' sets, links and graphs
      have no place in a project. They are reported.
    - The project file is checked against the official schema (bundled in
      ``refi/schema``); a file that is not valid is read leniently, with a note.
    - Everything is written in one transaction with no temporary files: a
      failure or an interruption half-way leaves the project as it was.

How it is done
    The import reads everything, then plans, then writes:
    :mod:`~asymmetry_qda.refi.package` reads the untrusted package (the caps
    above, safe XML, the schema check), :mod:`~asymmetry_qda.refi.qde_reader`
    reads the project into plain records, :mod:`~asymmetry_qda.refi.positions`
    chooses how positions are counted, and
    :mod:`~asymmetry_qda.refi.participants` turns cases and variables into
    participants, :mod:`~asymmetry_qda.refi.coding_plan` plans the codings.
    This module plans the documents (:class:`ImportPlan`) and writes the plan
    in one transaction; the report is
    :class:`~asymmetry_qda.refi.import_report.ImportReport`.

Examples
--------
>>> pm = PositionMap("Hi \\U0001F600!\\r\\nBye")
>>> [pm.length(s) for s in SCHEMES]          # the same text counted four ways
[10, 11, 9, 10]
>>> pm.to_index(8, "utf16"), pm.stored_offset(pm.to_index(8, "utf16"))
(7, 6)
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .._keywords import renamed
from ..errors import InputError, Problem
from ..records import Coding, Status
from ..store import codings as stored_codings
from ..store import documents as stored_documents
from ..store.sqlite import HasStore, Store, store_of
from ..textio import decode_text
from .coding_plan import PlannedCoding, Suggestion, plan_codings
from .import_report import ImportReport, SkippedItem
from .package import (
    MAX_COMPRESSION_RATIO,
    MAX_TOTAL_UNCOMPRESSED,
    RATIO_CHECK_MIN_SIZE,
    READ_CHUNK,
    open_package,
    parse_qde,
    schema_note,
)
from .participants import participants_table, plan_participants
from .positions import SCHEMES, PositionMap, choose_per_writer, detect, note_misfits
from .qdc import ImportedCodebook  # noqa: F401 - importable from here, as before the split
from .qde_reader import QdeReader, QdeText

if TYPE_CHECKING:  # pragma: no cover
    from ..attributes import AttributeTable
    from ..ingest import PlannedDocument

__all__ = ["MAX_COMPRESSION_RATIO", "MAX_TOTAL_UNCOMPRESSED", "RATIO_CHECK_MIN_SIZE", "READ_CHUNK", "SCHEMES",
           "ImportPlan", "ImportReport", "PlannedCoding", "PositionMap", "SkippedItem",
           "Suggestion", "import_qdpx"]

@renamed(model="pipeline")
def import_qdpx(project: "HasStore | Store", path: str | Path, *, pipeline: str = "blank",
                scheme: Literal["auto", "per-user", "codepoints", "utf16", "codepoints-crlf1", "utf16-crlf1"] = "auto"
                ) -> ImportReport:
    """Import the REFI-QDA project at ``path`` (``.qdpx`` or ``.qde``) into ``project``; see the module docstring.

    Parameters
    ----------
    project
        An open project. Documents already in it are never overwritten. A source
        whose document id is taken is reported and skipped.
    path
        The ``.qdpx`` archive, or a bare ``.qde`` (with its internal files, if
        any, in a ``sources/`` folder beside it).
    pipeline
        spaCy pipeline used to split the new documents into sentences (``model=`` is its old name,
        deprecated).
    scheme
        ``auto`` (detect one way of counting positions for the file), ``per-user`` (detect it for each
        writer, for a file that programs counting differently have both added to), or one of
        :data:`SCHEMES`, to force it.

    Returns
    -------
    ImportReport
        What was imported, how positions were counted, and everything that was not imported.

    Raises
    ------
    InputError
        The file is unsafe, damaged or not a REFI-QDA project. Nothing was written.
    """
    path = Path(path)
    if scheme not in ("auto", "per-user") and scheme not in SCHEMES:
        raise InputError(Problem("scheme", f"{scheme!r} is not auto, per-user or one of {', '.join(SCHEMES)}",
                                 fix="pass scheme='auto' unless you know how the program counted positions"))
    report = ImportReport(source=path.name)
    package = open_package(path)
    try:
        root = parse_qde(package.qde, f"{package.source}:{package.qde_name}"
                         if package.qde_name != package.source else package.source)
        note = schema_note(package.qde)
        if note:
            report.notes.append(note)
        report.origin = root.get("origin")
        reader = QdeReader(root, package, report)
        reader.read()
    finally:
        package.close()

    for unit in reader.units:
        unit.positions = PositionMap(unit.raw)
    best, report.evidence, report.probed = detect(reader.units)
    if scheme in SCHEMES:
        report.scheme, report.scheme_chosen = scheme, "forced"
    else:
        report.scheme, report.scheme_chosen = best, scheme
        if scheme == "per-user":
            choose_per_writer(reader.units, reader.users, report)
    note_misfits(reader.units, reader.users, report)

    # one transaction, nothing written outside it: an interrupted or failed import leaves the project as it was
    with store_of(project).transaction() as db:
        plan = _plan(db, reader, report, pipeline)
        _write(db, reader, report, plan)
    return report


# -- planning: everything is decided before anything is written ------------------------------------

@dataclass(frozen=True, slots=True)
class ImportPlan:
    """Everything an import writes: the documents (segmented), the codings, and the participants' table."""

    documents: list[PlannedDocument]
    codings: list[PlannedCoding]
    table: AttributeTable | None


def _plan(db: sqlite3.Connection, reader: QdeReader, report: ImportReport, pipeline: str) -> ImportPlan:
    """Decide everything the import writes, reading ``db`` only: which texts become which documents (free ids,
    texts that ingest as they are), their codings in stored offsets, their participants, and each text parsed
    and segmented once. What is left out is reported through ``reader``."""
    from ..readers import LabelConfig, parse_text

    existing = stored_documents.ids(db)
    taken: set[str] = set()
    keep: list[QdeText] = []
    for unit in reader.units:
        lost = _lost(unit)
        doc_id = base = _doc_id(unit.name)
        n = 2
        while doc_id.lower() in taken:
            doc_id = f"{base}_{n}"
            n += 1
        if doc_id in existing:
            reader.skip("source", unit.name, f"document {doc_id!r} is already in the project and is not "
                        "overwritten" + lost, unit.guid)
            continue
        if not unit.raw.strip():
            reader.skip("source", unit.name, "the text is empty" + lost, unit.guid)
            continue
        try:
            decoded = decode_text(unit.raw.encode("utf-8"), source=f"{doc_id}.txt")
        except InputError as exc:
            reader.skip("source", unit.name, f"the text cannot be ingested ({exc})" + lost, unit.guid)
            continue
        if decoded.text != unit.positions.stored_text:
            reader.skip("source", unit.name, "the text would change on ingest (it starts with a second byte-order "
                        "mark), so positions cannot be mapped" + lost, unit.guid)
            continue
        taken.add(doc_id.lower())
        unit.doc_id = doc_id
        keep.append(unit)
    reader.units = keep

    codings = plan_codings(reader, report)
    people = plan_participants(db, reader, report)

    labels = LabelConfig.build()
    parsed_docs, failed = [], set()
    for unit in reader.units:  # each text parsed once, with its declared kind where it has one
        try:
            parsed_docs.append(parse_text(unit.positions.stored_text, doc_id=unit.doc_id, labels=labels,
                                          kind=people.kinds.get(unit.doc_id), source_name=f"{unit.doc_id}.txt"))
        except InputError as exc:
            reader.skip("source", unit.name, f"the text cannot be ingested ({exc})" + _lost(unit), unit.guid)
            failed.add(unit.doc_id)
    if failed:
        reader.units = [u for u in reader.units if u.doc_id not in failed]
        codings = [c for c in codings if c.unit.doc_id not in failed]
    table = participants_table(people, {d.doc_id: d.kind for d in parsed_docs}, reader, report)
    from ..ingest import plan_parsed

    return ImportPlan(plan_parsed(parsed_docs, pipeline=pipeline), codings, table)


def _lost(unit: QdeText) -> str:
    """What is lost with ``unit``, for the reason it is skipped."""
    n_codings = sum(len(s.codings) for s in unit.selections) + len(unit.whole)
    return f"; its {len(unit.selections)} selection(s) with {n_codings} coding(s) were not imported"


def _doc_id(name: str) -> str:
    """A document id from a source's name: ASCII letters, digits, ``._-``, at most 80, never a Windows device.

    >>> _doc_id("Zoë's interview (2).txt"), _doc_id("CON")
    ('Zoe_s_interview_2', 'CON_doc')
    """
    base = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name.strip())
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base)
    base = re.sub(r"_+", "_", base).strip("._-")[:80].strip("._-")
    if not base:
        base = "source"
    if base.upper() in {"CON", "PRN", "AUX", "NUL"} or re.fullmatch(r"(?i)(com|lpt)\d", base):
        base += "_doc"
    return base


# -- writing: one transaction, no temporary files -------------------------------------------------

def _write(db: sqlite3.Connection, reader: QdeReader, report: ImportReport, plan: ImportPlan) -> None:
    """Write ``plan`` through ``db``, inside the import's one transaction, and finish the report.

    The documents, their segments and the participants go through :func:`~asymmetry_qda.ingest.apply_ingest`,
    the codings one by one; nothing is written anywhere else, so a failure here rolls everything back."""
    from ..ingest import apply_ingest
    from ..store.sqlite import utc_now

    if plan.documents or plan.table is not None:
        ingest = apply_ingest(db, plan.documents, plan.table, [])
        for row in ingest.documents.itertuples():
            for note in row.notes:
                report.notes.append(f"{row.doc_id}: {note}")
        report.cases = len(ingest.participants_added) + len(ingest.participants_updated)
    report.doc_ids = [p.doc_id for p in plan.documents]
    report.documents = len(plan.documents)

    now = utc_now()
    used_notes: set[str] = set()
    coders: list[str] = []
    for item in plan.codings:
        if item.suggestion is None:
            stored_codings.register_coder(db, item.user, now=now)
            stored_codings.human_coding(db, item.unit.doc_id, item.start, item.end, item.code_id, item.user,
                                        memo=item.memo, now=now)
        else:
            _write_suggestion(db, item, item.suggestion, f"imported from {report.source}", now)
            report.suggestions += 1
        report.codings += 1
        report.memos += bool(item.memo)
        used_notes.update(item.notes)
        if item.user not in coders:
            coders.append(item.user)
    report.coders, report.coder_names = len(coders), coders

    for key, name in reader.note_names.items():
        if key in used_notes or key not in reader.notes:
            continue
        where = reader.note_refs.get(key)
        reason = (f"a memo on {where} has no place in a project" if where
                  else "the note is not attached to any imported coding")
        reader.skip("memo", name, reason, key)


def _write_suggestion(db: sqlite3.Connection, item: PlannedCoding, suggestion: Suggestion, note: str,
                      now: str) -> None:
    """A restored suggestion, unreviewed, under the id the tagger would give it (and its memo)."""
    from ..tagging.run import suggestion_id

    doc_id = item.unit.doc_id
    stored_codings.register_coder(db, item.user, kind=suggestion.origin, now=now)
    sha = stored_documents.text_sha256(db, doc_id)
    coding = Coding(suggestion_id(sha, item.start, item.end, item.code_id), doc_id, sha, item.start, item.end,
                    item.code_id, suggestion.origin, Status.SUGGESTED, item.user, rule_id=suggestion.rule,
                    confidence=suggestion.confidence, segment_id=stored_codings.segment_of(db, doc_id, item.start,
                                                                                           item.end),
                    note=note, created_at=now)
    stored_codings.insert(db, coding, or_ignore=True)
    if item.memo:
        stored_codings.add_memo(db, stored_codings.memo_on(coding, item.user, item.memo, now))
