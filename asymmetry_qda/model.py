"""The plain data model at the centre of the toolkit.

Nothing here imports spaCy, SQLite or a file format: readers, the store and the
taggers are adapters that produce or consume these records.

Character offsets are the contract everywhere. ``start`` and ``end`` are
0-based Python string indices (Unicode code points) into the *stored* text of a
document, half-open, so ``document.text[start:end]`` is exactly the text of a
segment or coding.

Examples
--------
>>> doc = Document.from_text("INT01", "interview", "Interviewer: Hello.\\n\\nP01: Hi there.\\n")
>>> seg = Segment("INT01#t2", "INT01", "turn", 26, 35, speaker="P01", turn_index=2)
>>> doc.text[seg.start:seg.end]
'Hi there.'
>>> seg.length
9
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

DocumentKind = Literal["interview", "fieldnote"]
SegmentUnit = Literal["turn", "sentence"]
Track = Literal["officer", "staff"]

DOCUMENT_KINDS: tuple[str, ...] = ("interview", "fieldnote")
SEGMENT_UNITS: tuple[str, ...] = ("turn", "sentence")


def text_sha256(text: str) -> str:
    """SHA-256 of a text encoded as UTF-8, in hex: the identity of a document version."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Document:
    """One transcript or field note as stored in a project.

    ``text`` is the stored text: the decoded source with a leading byte-order
    mark removed and line endings normalised to ``\\n`` (for .docx, captions and
    tables, the rendered transcript; see :mod:`asymmetry_qda.readers`).
    """

    doc_id: str
    kind: DocumentKind
    text: str
    sha256: str
    source_name: str | None = None
    source_format: str | None = None
    encoding: str | None = None
    participant_id: str | None = None

    @classmethod
    def from_text(cls, doc_id: str, kind: DocumentKind, text: str, **kwargs) -> "Document":
        """Build a document, computing its hash from ``text``."""
        return cls(doc_id=doc_id, kind=kind, text=text, sha256=text_sha256(text), **kwargs)


@dataclass(frozen=True, slots=True)
class Segment:
    """A span of a document at one unit of analysis.

    ``unit="turn"`` is a speaker turn in an interview and a paragraph in a field
    note; ``unit="sentence"`` is a sentence inside a turn (``parent_id`` names
    the turn). ``turn_index`` counts turns from 1 within the document and
    ``sentence_index`` counts sentences from 1 within their turn.
    """

    segment_id: str
    doc_id: str
    unit: SegmentUnit
    start: int
    end: int
    speaker: str | None = None
    is_interviewer: bool = False
    turn_index: int | None = None
    sentence_index: int | None = None
    timestamp: str | None = None
    parent_id: str | None = None

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Participant:
    """A person (or, for a group field note, a group) whose talk a document records.

    ``rank`` is the canonical rank name (see :mod:`asymmetry_qda.ranks`),
    ``rank_level`` its place on the ordered officer scale (``None`` for police
    staff and unknown ranks), and ``leader`` is derived as inspector and above
    unless the attribute table overrides it (``leader_source="table"``).
    """

    participant_id: str
    pseudonym: str
    rank: str | None = None
    rank_raw: str | None = None
    rank_level: int | None = None
    rank_band: str | None = None
    track: Track | None = None
    acting: bool = False
    leader: bool | None = None
    leader_source: Literal["derived", "table"] | None = None
    function: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
