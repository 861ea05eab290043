"""The records at the centre of the toolkit: documents, segments, participants, codings and memos.

Nothing here imports spaCy, SQLite or a file format: readers, the store and the
taggers are adapters that produce or consume these records. (This module was
``asymmetry_qda.model``; that name still works for one release, with a
deprecation warning.)

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
from enum import StrEnum
from typing import Literal

__all__ = ["DECIDED", "DOCUMENT_KINDS", "SEGMENT_UNITS", "Coding", "Document", "DocumentKind", "Memo", "Origin",
           "Participant", "Segment", "SegmentUnit", "Status", "Track", "text_sha256"]

DocumentKind = Literal["interview", "fieldnote"]
SegmentUnit = Literal["turn", "sentence"]
Track = Literal["officer", "staff"]

DOCUMENT_KINDS: tuple[str, ...] = ("interview", "fieldnote")
SEGMENT_UNITS: tuple[str, ...] = ("turn", "sentence")


class Status(StrEnum):
    """Where a coding stands in review. A status is a string, so ``Status.CONFIRMED == "confirmed"``.

    - ``suggested``: proposed by the tagger or a model, not yet decided;
    - ``suppressed``: proposed, but held back (e.g. a negated or hypothetical context);
    - ``confirmed``: a person's coding, or a suggestion a person accepted;
    - ``rejected``: a suggestion a person rejected;
    - ``withdrawn``: a suggestion taken back by the toolkit (its model was discarded).

    Examples
    --------
    >>> Status("confirmed") is Status.CONFIRMED, Status.REJECTED == "rejected"
    (True, True)
    >>> Status("accepted")
    Traceback (most recent call last):
    ...
    ValueError: 'accepted' is not a valid Status
    """

    SUGGESTED = "suggested"
    SUPPRESSED = "suppressed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Origin(StrEnum):
    """Who first made a coding: a person (``human``), the codebook's rules (``rule``) or a trained suggester
    (``model``). A decision keeps the origin of what it decided on; a correction of span or code is ``human``."""

    HUMAN = "human"
    RULE = "rule"
    MODEL = "model"


#: statuses a person's decision leaves behind (what agreement and tables count as decided)
DECIDED: tuple[Status, ...] = (Status.CONFIRMED, Status.REJECTED)


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


@dataclass(frozen=True, slots=True)
class Coding:
    """One row of the append-only codings table: a code on ``text[start:end]`` of a document version.

    ``text_sha256`` names the document text the offsets index into. A decision or correction is a new
    ``Coding`` whose ``supersedes`` is the id of the row it replaces; nothing is ever updated. ``context``
    and ``evidence`` are JSON texts (the tagger's context cues and matched spans, ``"[]"`` when none).

    Examples
    --------
    >>> c = Coding("c1", "INT01", "ab" * 32, 26, 35, "agency.responsibility", Origin.HUMAN, Status.CONFIRMED, "LT",
    ...            created_at="2026-12-04T10:00:00Z")
    >>> c.status == "confirmed", c.length
    (True, 9)
    """

    coding_id: str
    doc_id: str
    text_sha256: str
    start: int
    end: int
    code_id: str
    origin: Origin | str
    status: Status | str
    coder_id: str
    rule_id: str | None = None
    confidence: float | None = None
    context: str = "[]"
    evidence: str = "[]"
    segment_id: str | None = None
    codebook_hash: str | None = None
    pipeline: str | None = None
    run_id: str | None = None
    supersedes: str | None = None
    note: str | None = None
    created_at: str = ""

    def __post_init__(self) -> None:
        Status(self.status)  # a misspelt status or origin is an error here, not an empty frame later
        Origin(self.origin)

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Memo:
    """A researcher's note on a coding, a span of a document or a code (append-only, like codings)."""

    memo_id: str
    author: str
    text: str
    created_at: str
    doc_id: str | None = None
    start: int | None = None
    end: int | None = None
    code_id: str | None = None
    coding_id: str | None = None
    supersedes: str | None = None
