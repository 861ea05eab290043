"""Make the sample corpus's .docx and .csv transcripts from their plain-text sources.

The sample corpus exercises every input format, so two interviews are kept as
plain text in ``sources/`` and converted here:

- ``sources/INT05.txt`` -> ``transcripts/INT05.docx``: one Word paragraph per turn.
- ``sources/INT10.txt`` -> ``transcripts/INT10.csv``: one row per turn with
  doc_id, timestamp, speaker and text, parsed with the toolkit's own reader.

Run from the repository root: ``python data_samples/make_formats.py``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import docx

from asymmetry_qda.readers import LabelConfig, parse_text

HERE = Path(__file__).parent


def make_docx(source: Path, target: Path) -> None:
    document = docx.Document()
    document.core_properties.author = "asymmetry_qda sample corpus"
    for block in source.read_text(encoding="utf-8").split("\n\n"):
        if block.strip():
            document.add_paragraph(block.strip())
    document.save(str(target))


def make_csv(source: Path, target: Path, doc_id: str) -> None:
    parsed = parse_text(source.read_text(encoding="utf-8"), doc_id=doc_id, labels=LabelConfig())
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["doc_id", "timestamp", "speaker", "text"])
        for turn in parsed.turns:
            writer.writerow([doc_id, turn.timestamp or "", turn.speaker, parsed.text[turn.start:turn.end]])


if __name__ == "__main__":
    make_docx(HERE / "sources" / "INT05.txt", HERE / "transcripts" / "INT05.docx")
    make_csv(HERE / "sources" / "INT10.txt", HERE / "transcripts" / "INT10.csv", "INT10")
