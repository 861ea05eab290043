"""Reading sources into a project: parse and check everything first, then write once.

:func:`plan_ingest` does all the reading, parsing, sentence splitting and
checking without touching the project; :func:`apply_ingest` writes the plan in
one transaction. A problem anywhere stops the whole import before anything is
written, and every problem found is reported together.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3
import uuid
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from .attributes import AttributeTable, read_attributes
from .errors import InputError, NotATranscript, Problem, ProjectChanged, QDAWarning
from .pipelines import pipeline_label, sentence_pipeline
from .readers import SUPPORTED_EXTENSIONS, LabelConfig, ParsedDocument, read_source
from .records import DOCUMENT_KINDS, text_sha256
from .sentences import split_sentences
from .store import codings as stored_codings
from .store import document_writes
from .store import documents as stored_documents
from .store import participants as stored_participants
from .store.sqlite import Store, utc_now

Action = Literal["added", "unchanged", "replaced", "resegmented"]
_SKIPPED_NAMES = ("readme", "license", "licence", "changelog")


@dataclass(frozen=True, slots=True)
class SegmentRow:
    segment_id: str
    unit: str
    start: int
    end: int
    speaker: str | None
    is_interviewer: bool
    turn_index: int
    sentence_index: int | None
    timestamp: str | None
    parent_id: str | None


@dataclass
class PlannedDocument:
    parsed: ParsedDocument
    source_path: Path
    source_sha256: str
    action: Action
    segments: list[SegmentRow] = field(default_factory=list)
    segmenter: str | None = None

    @property
    def doc_id(self) -> str:
        return self.parsed.doc_id


@dataclass
class IngestReport:
    """What an ingest did, per document, with anything worth checking.

    ``documents`` has one row per document read: ``doc_id, source, kind, action``
    (``added``, ``unchanged``, ``replaced`` or ``resegmented``), ``turns``,
    ``participant_turns``, ``sentences``, ``speakers`` (distinct labels),
    ``interviewer`` (its labels), ``outcome`` (one line on what the reader made of
    the file), ``notes`` and ``warnings`` (what to check: a transcript read as a
    field note, an interview with no interviewer turn, a file mostly header).
    ``dropped_codings`` lists codings of replaced documents whose text no longer
    matches.
    """

    run_id: str
    documents: pd.DataFrame
    participants_added: list[str] = field(default_factory=list)
    participants_updated: list[str] = field(default_factory=list)
    kept_codings: int = 0
    dropped_codings: pd.DataFrame = field(default_factory=pd.DataFrame)
    skipped_files: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A few lines for people: counts by action, then notes."""
        lines = []
        if len(self.documents):
            counts = self.documents["action"].value_counts()
            lines.append("documents: " + ", ".join(f"{n} {a}" for a, n in counts.items()))
            written = self.documents[self.documents["action"] != "unchanged"]
            if len(written):
                lines.append(f"segments written: {int(written['turns'].sum())} turns "
                             f"({int(written['participant_turns'].sum())} participant turns), "
                             f"{int(written['sentences'].sum())} sentences")
        else:
            lines.append("documents: none read")
        if self.participants_added or self.participants_updated:
            lines.append(f"participants: {len(self.participants_added)} added, "
                         f"{len(self.participants_updated)} updated")
        if self.kept_codings or len(self.dropped_codings):
            lines.append(f"codings of replaced documents: {self.kept_codings} kept, "
                         f"{len(self.dropped_codings)} dropped (text changed under them; still in the history)")
        for name in self.skipped_files:
            lines.append(f"skipped {name}")
        for row in self.documents.itertuples():
            if row.action != "unchanged" and row.outcome:
                lines.append(row.outcome)
        for row in self.documents.itertuples():
            for warning in row.warnings:
                lines.append(f"warning: {row.doc_id}: {warning}")
        for row in self.documents.itertuples():
            for note in row.notes:
                lines.append(f"note: {row.doc_id}: {note}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def expand_paths(paths: Iterable[str | Path], *, exclude: set[Path],
                 prefer_extensions: Sequence[str] = ()) -> tuple[list[Path], list[str], list[Problem], set[Path]]:
    """Files to read: explicit files as given, folders searched recursively.

    In a folder, files with a supported extension are taken; hidden files,
    names starting with ``_``, README/LICENSE files and the attributes table
    itself are skipped (and listed), as are files with other extensions.
    Where several files of one folder share a name and differ in extension
    (Whisper's five outputs, a Teams ``.vtt`` beside its ``.docx``),
    ``prefer_extensions`` (``["srt", "vtt"]``: most preferred first) keeps one
    of them and lists the others as skipped; without it they are all read, and
    their shared document id is reported as a problem that names the option.
    The last value returned is the set of files found by searching a folder.
    """
    files: list[Path] = []
    searched: set[Path] = set()
    skipped: list[str] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                rel = child.relative_to(path)
                if any(part.startswith((".", "_")) for part in rel.parts):
                    continue
                if child.resolve() in exclude or child.stem.lower() in _SKIPPED_NAMES:
                    skipped.append(f"{child} (not a transcript)")
                elif child.suffix.lower() in SUPPORTED_EXTENSIONS:
                    files.append(child)
                    searched.add(child)
                else:
                    skipped.append(f"{child} (unsupported extension {child.suffix or '(none)'})")
        elif path.exists():
            files.append(path)
        else:
            problems.append(Problem(str(path), "no such file or folder", fix="check the path"))
    if prefer_extensions:
        files, others = _preferred(files, prefer_extensions)
        skipped.extend(others)
    return files, skipped, problems, searched


def _preferred(files: list[Path], prefer_extensions: Sequence[str]) -> tuple[list[Path], list[str]]:
    """Of files that share a folder and a name, the one whose extension comes first in ``prefer_extensions``
    (files with an extension not in the list come after those in it, and are kept only when no listed one
    exists); the others as skipped entries."""
    order = [("." + e.lower().lstrip(".")) for e in prefer_extensions]
    rank = lambda f: order.index(f.suffix.lower()) if f.suffix.lower() in order else len(order)  # noqa: E731
    groups: dict[tuple[Path, str], list[Path]] = {}
    for f in files:
        groups.setdefault((f.parent, f.stem.lower()), []).append(f)
    kept, others = [], []
    for f in files:
        group = groups[(f.parent, f.stem.lower())]
        best = min(group, key=rank)
        if f == best or len(group) == 1 or rank(best) == len(order):
            kept.append(f)
        else:
            others.append(f"{f} (another format of {best.name}; prefer_extensions keeps {best.suffix})")
    return kept, others


def plan_ingest(
    connection: sqlite3.Connection,
    paths: Iterable[str | Path],
    attributes: str | Path | None,
    *,
    labels: LabelConfig,
    kind: Literal["interview", "fieldnote"] | None,
    replace: bool,
    pipeline: str,
    prefer_extensions: Sequence[str] = (),
) -> tuple[list[PlannedDocument], AttributeTable | None, list[str]]:
    """Read, parse, check and segment everything; raise one :class:`InputError` listing all problems."""
    exclude = {Path(attributes).resolve()} if attributes is not None else set()
    files, skipped, problems, searched = expand_paths(paths, exclude=exclude, prefer_extensions=prefer_extensions)
    table = None
    if attributes is not None:
        try:
            table = read_attributes(attributes)
        except InputError as exc:
            problems.extend(exc.problems)
    declared = dict(table.doc_kind) if table else {}

    def kind_of(doc_id: str) -> str | None:
        return kind if kind is not None else declared.get(doc_id)

    existing = document_writes.existing(connection)
    planned: list[PlannedDocument] = []
    seen: dict[str, Path] = {}
    for path in files:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                parsed_docs = read_source(path, labels=labels, kind_of=kind_of)
            for w in caught:  # re-issue reader warnings once, attributed to the caller
                warnings.warn(str(w.message), w.category, stacklevel=4)
        except NotATranscript as exc:
            if path in searched:  # a settings .json in a folder of transcripts: not the user's mistake
                skipped.append(f"{path} (not a transcript: {exc.problems[0].message.split(';')[0]})")
            else:
                problems.extend(exc.problems)
            continue
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        source_sha = _file_sha256(path)
        for parsed in parsed_docs:
            if parsed.doc_id in seen:
                other = seen[parsed.doc_id]
                one_stem = other.stem.lower() == path.stem.lower() and other.suffix.lower() != path.suffix.lower()
                problems.append(Problem(
                    path.name, f"duplicate document id {parsed.doc_id!r}: {other} has the same id",
                    fix=(f"keep one format with prefer_extensions=[{other.suffix.lstrip('.')!r}] or "
                         f"[{path.suffix.lstrip('.')!r}] (CLI: --prefer-extension {other.suffix.lstrip('.')} or "
                         f"--prefer-extension {path.suffix.lstrip('.')}), or leave one of the files out"
                         if one_stem else "rename one of the files (the id is the file name without "
                                          "extension) or change its doc_id cells")))
                continue
            seen[parsed.doc_id] = path
            action = _action(parsed, existing.get(parsed.doc_id), replace, path, problems)
            if action is not None:
                planned.append(PlannedDocument(parsed, path, source_sha, action))

    if table is not None:
        known = set(existing) | set(seen)
        problems.extend(table.unknown_documents(known))
        for doc_id, declared in table.doc_kind.items():
            row = existing.get(doc_id)
            if row is not None and doc_id not in seen and row["kind"] != declared:
                problems.append(Problem(
                    table.source, f"document {doc_id!r} is stored as {row['kind']} but the table says "
                    f"{declared}", line=table.doc_line[doc_id],
                    fix="correct data_type, or ingest the document again with replace to re-segment it"))
    if problems:
        raise InputError(problems)

    _segment_plans([p for p in planned if p.action != "unchanged"], pipeline)
    return planned, table, skipped


def plan_parsed(parsed_docs: Iterable[ParsedDocument], *, pipeline: str) -> list[PlannedDocument]:
    """Plan new documents that were parsed from memory rather than read from files (a REFI-QDA archive's
    sources): segmented and ready for :func:`apply_ingest`, with the source's name as its path and the
    sha256 of its UTF-8 text as the source's. The caller checks that their ids are free."""
    planned = [PlannedDocument(parsed, Path(parsed.source_name), text_sha256(parsed.text), "added")
               for parsed in parsed_docs]
    _segment_plans(planned, pipeline)
    return planned


def _segment_plans(plans: list[PlannedDocument], pipeline: str) -> None:
    """Split the planned documents into sentences, with one pipeline built only when there is work."""
    if plans:
        nlp = sentence_pipeline(pipeline)
        label = pipeline_label(nlp)
        for plan in plans:
            plan.segments = _segments(plan.parsed, nlp)
            plan.segmenter = label


def _action(parsed: ParsedDocument, stored, replace: bool, path: Path, problems: list[Problem]) -> Action | None:
    if stored is None:
        return "added"
    same_text = stored["sha256"] == text_sha256(parsed.text)
    if same_text and not replace:
        return "unchanged"
    if same_text:
        return "resegmented"
    if replace:
        return "replaced"
    problems.append(Problem(
        path.name, f"document {parsed.doc_id!r} is already in the project (from {stored['source_name']}) "
        "with different text",
        fix="give the new file another name if it is another document; to replace the stored text pass "
            "replace=True (CLI: --replace): codings whose offsets still cover the same text are kept, "
            "the others are reported"))
    return None


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _segments(parsed: ParsedDocument, nlp) -> list[SegmentRow]:
    rows: list[SegmentRow] = []
    sentence_spans = split_sentences(parsed.text, [(t.start, t.end) for t in parsed.turns], nlp=nlp)
    for index, (turn, sentences) in enumerate(zip(parsed.turns, sentence_spans, strict=True), start=1):
        turn_id = f"{parsed.doc_id}#t{index}"
        rows.append(SegmentRow(turn_id, "turn", turn.start, turn.end, turn.speaker, turn.is_interviewer,
                               index, None, turn.timestamp, None))
        for k, (s, e) in enumerate(sentences, start=1):
            rows.append(SegmentRow(f"{turn_id}.s{k}", "sentence", s, e, turn.speaker, turn.is_interviewer,
                                   index, k, turn.timestamp if k == 1 else None, turn_id))
    return rows


def apply_ingest(
    connection: sqlite3.Connection,
    planned: list[PlannedDocument],
    table: AttributeTable | None,
    skipped: list[str],
) -> IngestReport:
    """Write a checked plan. Call inside one transaction."""
    run_id = uuid.uuid4().hex
    now = utc_now()
    added_p, updated_p = _write_participants(connection, table, now) if table else ([], [])
    kept = 0
    dropped: list[dict] = []
    rows = []
    pseudonymised = document_writes.pseudonymised_documents(connection)
    for plan in planned:
        parsed = plan.parsed
        participant_id = table.doc_participant.get(parsed.doc_id) if table else None
        if plan.action == "replaced" and parsed.doc_id in pseudonymised:
            warnings.warn(f"{parsed.doc_id} was pseudonymised, and {plan.source_path.name} replaces its text as it "
                          "is: if that file is the original, the names are back in the project (the export guard "
                          "will block exports again). Fix: run the audit and pseudonymise again with the same key",
                          QDAWarning, stacklevel=4)
        if plan.action == "unchanged":
            if participant_id is not None:
                document_writes.set_participant(connection, parsed.doc_id, participant_id)
        else:
            k, d = _write_document(connection, plan, participant_id, now)
            kept += k
            dropped.extend(d)
        document_writes.log_ingest(connection, run_id, parsed.doc_id, plan.action,
                                   {"source": str(plan.source_path), "notes": parsed.notes}, now=now)
        turns = [s for s in plan.segments if s.unit == "turn"]
        rows.append({
            "doc_id": parsed.doc_id, "source": plan.source_path.name, "kind": parsed.kind,
            "action": plan.action, "turns": len(turns),
            "participant_turns": sum(not s.is_interviewer for s in turns),
            "sentences": sum(s.unit == "sentence" for s in plan.segments),
            "speakers": len({t.speaker for t in parsed.turns if t.speaker}),
            "interviewer": ", ".join(sorted({t.speaker for t in parsed.turns if t.is_interviewer and t.speaker})),
            "outcome": parsed.outcome(), "notes": list(parsed.notes), "warnings": list(parsed.warnings),
        })
    if table is not None:  # documents named in the table but not read in this run
        read_now = {p.doc_id for p in planned}
        for doc_id, participant_id in table.doc_participant.items():
            if doc_id not in read_now:
                document_writes.set_participant(connection, doc_id, participant_id)
    columns = ["doc_id", "source", "kind", "action", "turns", "participant_turns", "sentences", "speakers",
               "interviewer", "outcome", "notes", "warnings"]
    return IngestReport(
        run_id=run_id, documents=pd.DataFrame(rows, columns=columns),
        participants_added=added_p, participants_updated=updated_p, kept_codings=kept,
        dropped_codings=pd.DataFrame(dropped, columns=["coding_id", "doc_id", "start", "end", "code_id",
                                                       "coder_id", "old_text"]),
        skipped_files=skipped,
    )


def _write_participants(connection: sqlite3.Connection, table: AttributeTable, now: str) -> tuple[list[str], list[str]]:
    added, updated = [], []
    for pid, p in table.participants.items():
        before = stored_participants.snapshot(connection, pid)
        stored_participants.upsert(connection, pid, p, source=table.source, now=now)
        after = stored_participants.snapshot(connection, pid)
        if before is None:
            added.append(pid)
        elif before != after:
            updated.append(pid)
    return added, updated


def _write_document(connection: sqlite3.Connection, plan: PlannedDocument, participant_id: str | None,
                    now: str) -> tuple[int, list[dict]]:
    parsed = plan.parsed
    sha = text_sha256(parsed.text)
    kept, dropped = 0, []
    row = (parsed.doc_id, parsed.kind, parsed.text, sha, len(parsed.text), parsed.source_name, parsed.source_format,
           plan.source_sha256, parsed.encoding, plan.segmenter, participant_id)
    if plan.action == "added":
        document_writes.insert_document(connection, row, now=now)
    else:
        old = document_writes.stored_row(connection, parsed.doc_id)
        version = old["version"]
        if plan.action == "replaced":
            document_writes.keep_version(connection, old, now=now)
            version += 1
            kept, dropped = _carry_over_codings(connection, parsed.doc_id, old["text"], old["sha256"],
                                                parsed.text, sha, version, now)
        document_writes.update_document(connection, row, version=version, now=now)
    document_writes.insert_segments(connection, [
        (s.segment_id, parsed.doc_id, s.unit, s.start, s.end, s.speaker, int(s.is_interviewer), s.turn_index,
         s.sentence_index, s.timestamp, s.parent_id) for s in plan.segments])
    return kept, dropped


def _carry_over_codings(connection: sqlite3.Connection, doc_id: str, old_text: str, old_sha: str, new_text: str,
                        new_sha: str, version: int, now: str) -> tuple[int, list[dict]]:
    """Copy each current coding whose offsets still cover the same text onto the new version."""
    kept, dropped = 0, []
    for c in stored_codings.current(connection, doc_id, text_sha256=old_sha):
        old_words = old_text[c.start:c.end]
        if new_text[c.start:c.end] == old_words:
            stored_codings.insert(connection, dataclasses.replace(
                c, coding_id=uuid.uuid4().hex, text_sha256=new_sha, supersedes=c.coding_id,
                note=f"carried over to document version {version}", created_at=now))
            kept += 1
        else:
            dropped.append({"coding_id": c.coding_id, "doc_id": doc_id, "start": c.start, "end": c.end,
                            "code_id": c.code_id, "coder_id": c.coder_id, "old_text": old_words})
    if dropped:
        warnings.warn(f"{doc_id}: {len(dropped)} coding(s) no longer match the replaced text and were not "
                      "carried over; they stay in the history (see the ingest report's dropped_codings)",
                      QDAWarning, stacklevel=5)
    return kept, dropped


def ingest_sources(
    store: Store,
    paths: str | Path | Iterable[str | Path] = (),
    attributes: str | Path | None = None,
    *,
    interviewer_labels: Sequence[str] | None = None,
    label_pattern: str | None = None,
    kind: Literal["interview", "fieldnote"] | None = None,
    replace: bool = False,
    pipeline: str = "auto",
    prefer_extensions: Sequence[str] | None = None,
) -> IngestReport:
    """Plan the ingest of ``paths`` and ``attributes`` and write it into ``store`` in one transaction.

    This is :meth:`Project.ingest <asymmetry_qda.project.Project.ingest>` (see there for the parameters).
    Planning (reading, parsing, segmenting) runs without the write lock; the documents it planned against are
    checked again under the lock, so a concurrent ingest can neither be overwritten nor doubled: it raises
    :class:`~asymmetry_qda.errors.ProjectChanged` and nothing is written.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = list(paths)
    if kind is not None and kind not in DOCUMENT_KINDS:
        raise InputError(Problem("kind", f"{kind!r} is not one of {', '.join(DOCUMENT_KINDS)}",
                                 fix="pass interview, fieldnote or None"))
    if not paths and attributes is None:
        raise InputError(Problem("ingest", "nothing to ingest", fix="give transcript files or folders"))
    labels = LabelConfig.build(interviewer_labels, label_pattern)
    seen = stored_documents.fingerprint(store.connection)
    planned, table, skipped = plan_ingest(store.connection, paths, attributes, labels=labels, kind=kind,
                                          replace=replace, pipeline=pipeline,
                                          prefer_extensions=tuple(prefer_extensions or ()))
    with store.transaction() as connection:
        if stored_documents.fingerprint(connection) != seen:
            raise ProjectChanged(f"{store.path}: another process added or changed documents while this ingest "
                                 "read its files; nothing was written. Fix: run the ingest again (documents "
                                 "already stored are then reported as such)")
        return apply_ingest(connection, planned, table, skipped)


__all__ = ["IngestReport", "apply_ingest", "expand_paths", "ingest_sources", "plan_ingest"]
