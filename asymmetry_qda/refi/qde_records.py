"""The plain records a REFI-QDA project file (``.qde``) is read into, and the XML elements they are read from.

:class:`~asymmetry_qda.refi.qde_reader.QdeReader` makes them; the import plans
from them (:mod:`asymmetry_qda.refi.qdpx_import`). A text that becomes a
document is a :class:`QdeText`, with its selections (:class:`QdeSelection`)
and their codings (:class:`QdeCoding`); a case is a :class:`QdeCase`.
Positions are kept as written: how they are counted is chosen later
(:mod:`asymmetry_qda.refi.positions`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .xmlutil import child, children, text_of

if TYPE_CHECKING:  # pragma: no cover
    from .position_map import PositionMap

__all__ = ["QdeCase", "QdeCoding", "QdeSelection", "QdeText", "coding_of", "integer", "selection_of", "stripped_text"]


@dataclass
class QdeCoding:
    """A ``<Coding>``: the code it applies (its ``CodeRef`` target, as written), who made it, its notes."""

    guid: str | None
    code: str | None  # the CodeRef target, as written
    user: str | None
    notes: list[str]


@dataclass
class QdeSelection:
    """A selection of a text (``PlainTextSelection``, ``TranscriptSelection`` or ``PDFSelection``) and its
    codings. ``start``/``end`` are positions as written, counted under a scheme still to be chosen."""

    kind: str  # PlainTextSelection, TranscriptSelection, PDFSelection
    guid: str | None
    name: str | None
    start: int | None
    end: int | None
    user: str | None
    description: str | None
    notes: list[str]
    codings: list[QdeCoding]
    quote: str | None = None  # a PDFSelection's representation text
    problem: str | None = None
    scheme: str | None = None  # how its positions are counted, when chosen per writer


@dataclass
class QdeText:
    """A text that becomes one document."""

    kind: str
    guid: str | None
    name: str
    raw: str
    key: str | None
    owners: list[str] = field(default_factory=list)  # GUIDs of sources whose document this is
    selections: list[QdeSelection] = field(default_factory=list)
    whole: list[QdeCoding] = field(default_factory=list)  # codings of the whole source
    doc_id: str | None = None
    positions: PositionMap | None = None
    variables: list[tuple[str, str]] = field(default_factory=list)  # the source's own VariableValues


@dataclass(frozen=True)
class QdeCase:
    """A ``<Case>``: its variables' values, and the GUID keys of the sources and selections it refers to."""

    name: str
    guid: str | None
    values: list[tuple[str, str]]
    sources: list[str | None]
    selections: list[str | None]


def integer(raw: str | None) -> int | None:
    """A position attribute as an integer (``"12"``, ``" 12.0 "``), or ``None`` when it is missing or not whole."""
    if raw is None:
        return None
    try:
        return int(raw.strip())
    except ValueError:
        try:
            value = float(raw.strip())
        except ValueError:
            return None
        return int(value) if value.is_integer() else None


def stripped_text(element: ET.Element | None) -> str | None:
    """The text of ``element`` stripped, or ``None`` when there is no element or no text."""
    value = text_of(element)
    return value.strip() or None if value is not None else None


def coding_of(element: ET.Element) -> QdeCoding:
    """The :class:`QdeCoding` of a ``<Coding>`` element."""
    ref = child(element, "CodeRef")
    return QdeCoding(element.get("guid"), ref.get("targetGUID") if ref is not None else None,
                     element.get("creatingUser"), [n.get("targetGUID") for n in children(element, "NoteRef")])


def selection_of(element: ET.Element, kind: str) -> QdeSelection:
    """The :class:`QdeSelection` of a selection element of ``kind``, with a ``problem`` when its positions are not
    integers."""
    start, end = integer(element.get("startPosition")), integer(element.get("endPosition"))
    problem = None
    if start is None or end is None:
        problem = (f"startPosition {element.get('startPosition')!r} / endPosition {element.get('endPosition')!r} "
                   "are not integers")
    return QdeSelection(kind, element.get("guid"), element.get("name"), start, end, element.get("creatingUser"),
                        stripped_text(child(element, "Description")),
                        [n.get("targetGUID") for n in children(element, "NoteRef")],
                        [coding_of(c) for c in children(element, "Coding")], problem=problem)
