"""Word documents (``.docx``) through python-docx.

The stored text is the document's paragraphs in order, joined by ``\\n``
(a line break inside a paragraph stays a ``\\n``); a table contributes one
line per row, cells joined by a tab. That text is then segmented exactly like a
plain-text transcript. Formatting, comments, headers and footers are not read.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ..errors import InputError, Problem
from ..textio import normalise_newlines
from .base import Kind, ParsedDocument
from .labels import LabelConfig
from .plaintext import parse_text


def docx_text(path: Path) -> str:
    """The body text of a .docx file, paragraphs and table rows in document order."""
    return docx_bytes_text(path.read_bytes(), path.name)


def docx_bytes_text(data: bytes, name: str) -> str:
    """The body text of a .docx held in memory (``name`` is for messages), as :func:`docx_text`."""
    try:
        import docx  # python-docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover - a dependency of the package
        raise InputError(Problem(name, "reading .docx needs the python-docx package",
                                 fix="pip install python-docx")) from None
    if not data or not zipfile.is_zipfile(io.BytesIO(data)):
        raise InputError(Problem(name, "this is not a .docx file (not a ZIP container); "
                                 "old .doc files are not supported",
                                 fix="open it in Word or LibreOffice and save as .docx or .txt"))
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types for damaged files
        raise InputError(Problem(name, f"the .docx file cannot be read ({type(exc).__name__}: {exc})",
                                 fix="open it in Word or LibreOffice and save it again")) from None
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                lines.append("\t".join(cell.text for cell in row.cells))
    return normalise_newlines("\n".join(lines))


def read_docx(path: Path, *, doc_id: str, labels: LabelConfig, kind: Kind | None) -> list[ParsedDocument]:
    text = docx_text(path)
    if not text.strip():
        raise InputError(Problem(path.name, "the .docx file holds no text",
                                 fix="check that it is the right file, or leave it out"))
    return [parse_text(text, doc_id=doc_id, labels=labels, kind=kind, source_name=path.name,
                       source_format="docx", encoding=None)]
