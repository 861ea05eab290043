"""Plain-text and Markdown transcripts (``.txt``, ``.md``).

The stored text is the decoded file (see :mod:`asymmetry_qda.textio`). Turns
are found by speaker labels at line starts (:mod:`.labels`); a file with no
labels is a field note whose paragraphs are its segments. Markdown is kept as
typed: ``**P01:**`` labels are recognised and ``#`` headings before the first
label are a header that is not segmented.
"""

from __future__ import annotations

from pathlib import Path

from ..textio import decode_text
from .base import Kind, ParsedDocument, build_document, labelled_turns, paragraph_turns
from .labels import LabelConfig
from .lines import unlabelled_turns


def read_plaintext(path: Path, *, doc_id: str, labels: LabelConfig, kind: Kind | None) -> list[ParsedDocument]:
    decoded = decode_text(path.read_bytes(), source=path.name)
    return [parse_text(decoded.text, doc_id=doc_id, labels=labels, kind=kind, source_name=path.name,
                       source_format=path.suffix.lower().lstrip("."), encoding=decoded.encoding)]


def parse_text(
    text: str,
    *,
    doc_id: str,
    labels: LabelConfig,
    kind: Kind | None = None,
    source_name: str = "<text>",
    source_format: str = "txt",
    encoding: str | None = None,
) -> ParsedDocument:
    """Segment an already-decoded transcript or field note.

    Examples
    --------
    >>> doc = parse_text("Interviewer: Why?\\n\\nP01: Because.\\n", doc_id="X", labels=LabelConfig())
    >>> [(doc.text[t.start:t.end], t.speaker, t.is_interviewer) for t in doc.turns]
    [('Why?', 'Interviewer', True), ('Because.', 'P01', False)]
    """
    layout: str | None = None
    if kind == "fieldnote":
        turns, header_end = paragraph_turns(text), None
    else:
        turns, header_end, layout = labelled_turns(text, labels)
        if not turns:
            turns, layout = unlabelled_turns(text)
    document = build_document(doc_id=doc_id, text=text, turns=turns, kind=kind, labels=labels,
                              source_name=source_name, source_format=source_format, encoding=encoding,
                              header_end=header_end)
    document.layout = layout
    return document
