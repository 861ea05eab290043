"""What a REFI-QDA project import did: :class:`ImportReport`, and :class:`SkippedItem` for what it left out.

The reader, the position detection, the planning and the writing of
:func:`~asymmetry_qda.refi.qdpx_import.import_qdpx` all add to one report, so
nothing that cannot be imported is dropped silently.

Examples
--------
>>> report = ImportReport(source="study.qdpx", documents=1, doc_ids=["INT01"])
>>> report.skipped.append(SkippedItem("source", "photo.jpg", "picture: images are not imported"))
>>> [str(s) for s in report.skipped_of("source")]
["source 'photo.jpg': picture: images are not imported"]
>>> print(report.summary().splitlines()[1])
documents: 1 (INT01)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .qdc import ImportedCodebook

__all__ = ["ImportReport", "SkippedItem"]


@dataclass(frozen=True, slots=True)
class SkippedItem:
    """One thing in the file that was not imported, and why."""

    kind: str
    name: str
    reason: str
    guid: str | None = None

    def __str__(self) -> str:
        where = f"{self.kind} {self.name!r}" + (f" [{self.guid}]" if self.guid else "")
        return f"{where}: {self.reason}"


@dataclass
class ImportReport:
    """What :func:`~asymmetry_qda.refi.qdpx_import.import_qdpx` did.

    - ``documents``/``doc_ids``: the documents added.
    - ``codes``/``code_ids``: codes in the codebook, and each code's GUID
      (normalised) mapped to its id. ``codebook`` is the codebook itself.
    - ``selections``: the ``PlainTextSelection`` elements read.
    - ``codings``: the codings written.
    - ``coders``/``coder_names``: who made the codings.
    - ``cases``: participants written.
    - ``memos``: codings that got a memo.
    - ``scheme``: how positions were counted. ``scheme_chosen`` is ``auto``
      or ``forced``.
    - ``evidence``: for each scheme in :data:`~asymmetry_qda.refi.positions.SCHEMES`,
      how many of the ``probed`` selections had a ``name`` matching the selected
      text (``quote``), and how many started and ended on word or line
      boundaries (``boundary``).
    - ``skipped``: everything that was not imported, with the reason.
    - ``notes``: remarks that did not stop anything.
    """

    source: str
    origin: str | None = None
    documents: int = 0
    doc_ids: list[str] = field(default_factory=list)
    codes: int = 0
    code_ids: dict[str, str] = field(default_factory=dict)
    selections: int = 0
    codings: int = 0
    suggestions: int = 0
    coders: int = 0
    coder_names: list[str] = field(default_factory=list)
    cases: int = 0
    memos: int = 0
    scheme: str = "codepoints"
    scheme_chosen: str = "auto"
    evidence: dict[str, dict[str, int]] = field(default_factory=dict)
    probed: int = 0
    skipped: list[SkippedItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    codebook: ImportedCodebook | None = None

    def skipped_of(self, kind: str) -> list[SkippedItem]:
        """The skipped items of one kind (``source``, ``selection``, ``coding``, ``memo``, ``case`` ...)."""
        return [s for s in self.skipped if s.kind == kind]

    def summary(self) -> str:
        """The report as lines of text: counts, the positions' scheme and its evidence, notes, what was skipped."""
        lines = [f"Imported {self.source}" + (f" (made by {self.origin})" if self.origin else "")]
        lines.append(f"documents: {self.documents}" + (f" ({', '.join(self.doc_ids)})" if self.doc_ids else ""))
        lines.append(f"codes: {self.codes}")
        lines.append(f"text selections read: {self.selections}")
        lines.append(f"codings: {self.codings} by {self.coders} coder(s)"
                     + (f" ({', '.join(self.coder_names)})" if self.coder_names else "")
                     + (f", {self.suggestions} of them unreviewed suggestions, kept as suggestions"
                        if self.suggestions else ""))
        lines.append(f"cases: {self.cases} imported as participants")
        lines.append(f"memos: {self.memos} attached to codings")
        how = "forced" if self.scheme_chosen == "forced" else f"chosen from {self.probed} selection(s)"
        lines.append(f"positions: {self.scheme} ({how})")
        if self.evidence:
            lines.append("  evidence (name matches / boundary matches): " + ", ".join(
                f"{s} {e['quote']}/{e['boundary']}" for s, e in self.evidence.items()))
        for note in self.notes:
            lines.append(f"note: {note}")
        if self.skipped:
            counts = Counter(s.kind for s in self.skipped)
            lines.append(f"not imported: {len(self.skipped)} item(s) ("
                         + ", ".join(f"{n} {k}" for k, n in counts.items()) + ")")
            lines += [f"  - {s}" for s in self.skipped]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()
