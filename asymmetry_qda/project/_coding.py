"""Coding a project: the rule tagger's run, codings by hand or imported, and the review of suggestions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from .. import decisions as _decisions
from .._keywords import renamed
from ..records import Status
from ..store import codings as stored_codings
from ..store import meta as stored_meta
from ._base import ProjectBase

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

    from ..backends import Dask, Local
    from ..codebook import Codebook
    from ..review import ReviewQueue
    from ..tagging.run import CodeRunReport

__all__ = ["Coding"]


class Coding(ProjectBase):
    """Coding the documents and deciding on suggestions; every decision is one transaction."""

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
        from ..codebook import Codebook, load_codebook
        from ..tagging.run import code_project

        if not isinstance(codebook, Codebook):
            codebook = load_codebook(codebook)
        return code_project(self._store, codebook, pipeline=pipeline, unit=unit,
                            include_interviewer=include_interviewer, n_process=n_process, batch_size=batch_size,
                            progress=progress, backend=backend, client=client, workers=workers,
                            batch_turns=batch_turns)

    def code_span(self, doc_id: str, start: int, end: int, code: str, *, coder: str, memo: str | None = None,
                  create: bool = False, definition: str | None = None, label: str | None = None) -> str:
        """Code ``text[start:end]`` of ``doc_id`` by hand (a confirmed human coding); returns its id.

        With ``create=True``, ``code`` is a new code of the project's codebook, made by ``coder`` with its
        ``definition`` (and ``label``) in the same transaction (see :meth:`create_code`).
        """
        if create:
            from .. import code_changes

            return code_changes.code_new_span(self._store, doc_id, start, end, code, coder=coder,
                                              definition=definition, label=label, memo=memo)
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
            from ..codebook import load_codebook
            from ..codebook.model import Codebook

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
        _decisions.check_coder(decided_by)
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
        doc_id: str | Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Current codings made by the tagger or a model, to review.

        ``code`` keeps one code and its sub-codes; ``status`` one status or a
        list (``None`` for all: suggested, suppressed, confirmed, rejected);
        ``doc_id`` one document or several; these are selected in SQL.
        ``where`` is a :meth:`pandas.DataFrame.query` expression on the frame's
        columns, e.g. ``"confidence >= 0.8 and speaker == 'P04'"``.
        """
        self._check_documents(doc_id)
        return _decisions.suggestions(self._store, code=code, status=status, where=where, doc_id=doc_id)

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
        from ..review import review_queue

        return review_queue(self, coder=coder, code=code, status=status, where=where, context=context,
                            strategy=strategy, version=version)
