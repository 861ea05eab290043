"""Readers: from a source file to :class:`ParsedDocument` objects.

=============  ==============================================================
extension      what the stored text is
=============  ==============================================================
.txt, .md      the decoded file (BOM removed, line endings ``\\n``)
.docx          paragraphs and table rows joined by ``\\n``
.vtt, .srt     the rendered transcript (``"Speaker: words"`` paragraphs)
.csv, .xlsx    the rendered transcript, one paragraph per row
.json          the rendered transcript of a recogniser's segments: Whisper,
               WhisperX, faster-whisper, AWS Transcribe (``"Speaker: words"``
               paragraphs, or the paragraphs of speakerless segments)
.tsv           the same, from Whisper's ``start``/``end``/``text`` table
=============  ==============================================================

The document id of a single-document file is its file name without extension;
a turn table with a ``doc_id`` column names its documents there (without one it
is a single document). How each layout is recognised: :mod:`.labels` and
:mod:`.base` (speaker labels and turn headers), :mod:`.lines` (text without
labels), :mod:`.timed` (cues and segments), :mod:`.captions`, :mod:`.machine`,
:mod:`.tables`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import InputError, Problem
from .base import Kind, ParsedDocument, ParsedTurn, Utterance, render_utterances
from .captions import read_captions
from .labels import DEFAULT_INTERVIEWER_LABELS, LabelConfig
from .machine import read_machine
from .plaintext import parse_text, read_plaintext
from .tables import read_table
from .word import read_docx

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".txt", ".md", ".docx", ".vtt", ".srt", ".csv", ".xlsx", ".json",
                                         ".tsv")

__all__ = [
    "DEFAULT_INTERVIEWER_LABELS", "Kind", "LabelConfig", "ParsedDocument", "ParsedTurn",
    "SUPPORTED_EXTENSIONS", "Utterance", "parse_text", "read_source", "render_utterances",
]


def read_source(
    path: Path,
    *,
    labels: LabelConfig,
    kind_of: Callable[[str], Kind | None] = lambda doc_id: None,
) -> list[ParsedDocument]:
    """Read one source file into its documents.

    ``kind_of`` gives a document id's declared kind (from the attributes
    table); where it answers ``None`` the kind is detected (speaker labels make
    an interview, none a field note).
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise InputError(Problem(
            path.name, f"unknown extension {path.suffix or '(none)'!r}; supported: "
            f"{', '.join(SUPPORTED_EXTENSIONS)}",
            fix="save the transcript in one of these formats, or rename it if the extension is wrong"))
    if not path.is_file():
        raise InputError(Problem(str(path), "no such file", fix="check the path"))
    if suffix in (".csv", ".xlsx"):
        return read_table(path, labels=labels, kind_of=kind_of)
    doc_id = path.stem
    reader = {".txt": read_plaintext, ".md": read_plaintext, ".docx": read_docx,
              ".vtt": read_captions, ".srt": read_captions, ".json": read_machine, ".tsv": read_machine}[suffix]
    return reader(path, doc_id=doc_id, labels=labels, kind=kind_of(doc_id))
