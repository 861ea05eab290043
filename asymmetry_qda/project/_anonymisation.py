"""Anonymising a project: the audit for identifiers, its dismissals, the export guard, pseudonyms."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .._keywords import renamed
from ..store import meta as stored_meta
from ._base import ProjectBase

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

__all__ = ["Anonymisation"]


class Anonymisation(ProjectBase):
    """The identifiers audit, its allow/deny lists and dismissals, the export guard and pseudonymisation."""

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
        from ..anonymise.guard import project_audit

        self._check_documents(doc_id)
        return project_audit(self._store, pipeline=pipeline, doc_id=doc_id)

    def dismiss_findings(self, findings: pd.DataFrame | str | Sequence[str], *, by: str, reason: str) -> int:
        """Record that a person checked these findings and judged them not identifying; returns how many.

        ``findings`` are rows of :meth:`audit` or finding ids ``DOC:START-END``
        (``"INT02:5802-5817"``). ``reason`` says why ("a fictional TV
        detective"). The export guard lets dismissed findings pass; a
        dismissal stops applying when its stretch of text changes.
        """
        from ..anonymise.guard import dismiss_findings

        return dismiss_findings(self._store, findings, by=by, reason=reason)

    def dismissals(self) -> pd.DataFrame:
        """Dismissed audit findings whose text is unchanged: who dismissed each, why and when."""
        return stored_meta.dismissals(self._db)

    @renamed(model="pipeline")
    def unresolved_findings(self, *, severity: str | Sequence[str] = "high",
                            pipeline: "str | Language" = "auto") -> pd.DataFrame:
        """Audit findings of ``severity`` not dismissed: what the export guard blocks on."""
        from ..anonymise.guard import unresolved

        return unresolved(self._store, severity=[severity] if isinstance(severity, str) else list(severity),
                          pipeline=pipeline)

    @renamed(model="pipeline")
    def check_export(self, what: str, *, allow_identifiers: bool = False,
                     pipeline: "str | Language" = "auto") -> pd.DataFrame:
        """Raise :class:`~asymmetry_qda.errors.IdentifiersFound` before an export of ``what`` if high findings
        are unresolved (see :mod:`asymmetry_qda.anonymise.guard`); ``allow_identifiers`` overrides with a warning.
        """
        from ..anonymise.guard import check_export

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
        from ..anonymise.planning import project_plan

        return project_plan(self._store, findings, severity=severity, pipeline=pipeline, key=key,
                            everywhere=everywhere)

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
        from ..anonymise.rewrite import pseudonymise_project

        if plan is None or "pseudonym" not in plan.columns:
            plan = self.pseudonym_plan(plan, severity=severity, pipeline=pipeline, key=key, everywhere=everywhere)
        return pseudonymise_project(self._store, plan, key=key, boundary=boundary, keep_original=keep_original,
                                    by=by)
