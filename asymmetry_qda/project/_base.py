"""What every part of :class:`~asymmetry_qda.project.Project` shares: the store it holds and the checks of ids."""

from __future__ import annotations

from collections.abc import Sequence

from .. import decisions as _decisions
from ..errors import NotFoundError
from ..store import documents as stored_documents
from ..store import meta as stored_meta
from ..store.sqlite import Store

__all__ = ["ProjectBase"]


class ProjectBase:
    """The store a project holds and the checks its methods share (the parts of ``Project`` derive from it)."""

    _store: Store

    @property
    def _db(self):
        return self._store.connection

    def _check_documents(self, doc_id: str | Sequence[str] | None) -> None:
        """Raise a helpful NotFoundError for any id in ``doc_id`` the project does not hold (``None``: nothing)."""
        if doc_id is not None:
            for one in [doc_id] if isinstance(doc_id, str) else list(doc_id):
                if stored_documents.document(self._db, one) is None:
                    raise NotFoundError(self._unknown("document", one, stored_documents.KNOWN_IDS))

    def _unknown(self, what: str, key: str, query: str) -> str:
        return _decisions.unknown(self._store, what, key, query)

    def _project_id(self) -> str:
        return stored_meta.project_id(self._db)
