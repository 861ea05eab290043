"""The project's documents, segments, participants and codebooks: ingesting and reading them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from .._keywords import renamed
from ..errors import NotFoundError
from ..ingest import IngestReport, ingest_sources
from ..records import Document
from ..store import documents as stored_documents
from ..store import meta as stored_meta
from ..store.sqlite import utc_now
from ._base import ProjectBase

if TYPE_CHECKING:  # pragma: no cover
    from ..codebook import Codebook

__all__ = ["Documents"]


class Documents(ProjectBase):
    """Ingesting sources and reading documents, segments, participants and stored codebooks."""

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
        return ingest_sources(self._store, paths, attributes, interviewer_labels=interviewer_labels,
                              label_pattern=label_pattern, kind=kind, replace=replace, pipeline=pipeline,
                              prefer_extensions=prefer_extensions)

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
        return stored_documents.info(self._db)

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
        from ..codebook import parse_codebook

        rows = stored_meta.codebook_rows(self._db, codebook_hash)
        if len(rows) != 1:
            raise NotFoundError(self._unknown("codebook" if not rows else "unique codebook for", codebook_hash,
                                              stored_meta.KNOWN_CODEBOOKS))
        found_hash, content = rows[0]
        return parse_codebook(content, source=f"codebook {found_hash[:12]}")

    def latest_codebook(self) -> "Codebook | None":
        """The codebook stored most recently (the one the last coding run used), or ``None``: the views take
        their colours and code lists from it, and the tables their code order."""
        from ..codebook.stored import latest_codebook

        return latest_codebook(self._db)
