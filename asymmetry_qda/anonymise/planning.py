"""A project's pseudonymisation plan: its unresolved findings, and the pseudonyms an earlier key gave.

:func:`project_plan` is what :meth:`Project.pseudonym_plan <asymmetry_qda.project.Project.pseudonym_plan>` runs:
the plan itself is made by :func:`~asymmetry_qda.anonymise.pseudonyms.plan_pseudonyms`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..store import documents as stored_documents
from ..store import meta as stored_meta
from ..store.sqlite import HasStore, Store, store_of
from .guard import unresolved
from .pseudonyms import plan_pseudonyms
from .rewrite import load_key

__all__ = ["project_plan"]


def project_plan(project: HasStore | Store, findings: pd.DataFrame | None = None, *,
                 severity: str | Sequence[str] = "high", pipeline="auto", key: str | Path | None = None,
                 everywhere: bool = True) -> pd.DataFrame:
    """Which stretches of ``project``'s texts a pseudonymisation would replace, by which pseudonym.

    ``findings`` defaults to the unresolved audit findings of ``severity`` (audited with the spaCy pipeline
    ``pipeline``, a name or a loaded ``spacy.Language``). With ``key`` (an earlier key file of this project),
    originals already in it get their pseudonyms again; a key file that does not exist yet is ignored. See
    :func:`~asymmetry_qda.anonymise.pseudonyms.plan_pseudonyms` for the columns.
    """
    store = store_of(project)
    if findings is None:
        findings = unresolved(store, severity=[severity] if isinstance(severity, str) else list(severity),
                              pipeline=pipeline)
    known = {}
    if key is not None and Path(key).expanduser().exists():
        data = load_key(Path(key).expanduser(), project_id=stored_meta.project_id(store.connection))
        known = {original: e["pseudonym"] for e in data["entries"] for original in e["originals"]}
    return plan_pseudonyms(findings, stored_documents.texts(store.connection), key=known, everywhere=everywhere)
