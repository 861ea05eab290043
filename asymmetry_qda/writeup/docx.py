"""The report as a Word document (python-docx): headings, tables, and quotes as block quotes.

python-docx stamps the time of writing into the core properties and the zip entries; both are fixed here
(the properties to the report's date, the entries to 1980-01-01, their order kept), so a rerun gives the
same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
from docx.shared import Pt

from .._version import __version__
from .model import Report, Section, Table

__all__ = ["render_docx"]

#: The zip entries' timestamp: the earliest a zip file can hold.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _table(document, table: Table) -> None:
    document.add_paragraph(table.title, style="Caption")
    if table.rows:
        grid = document.add_table(rows=1, cols=len(table.columns))
        grid.style = "Table Grid"
        for cell, name in zip(grid.rows[0].cells, table.columns, strict=True):
            cell.text = name
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for row in table.rows:
            for cell, value in zip(grid.add_row().cells, row, strict=True):
                cell.text = value
    else:
        document.add_paragraph("(no rows)")
    if table.note:
        note = document.add_paragraph()
        note.add_run(table.note).italic = True


def _section(document, section: Section, level: int) -> None:
    document.add_heading(section.heading, level=level)
    if section.codes:
        document.add_paragraph(f"Codes: {', '.join(section.codes)}")
    definition = document.add_paragraph()
    definition.add_run("Definition. ").bold = True
    definition.add_run(section.definition or "(none)")
    document.add_paragraph(section.summary)
    _table(document, section.coverage)
    if section.quotes:
        document.add_heading("Exemplar quotes", level=level + 1)
    for quote in section.quotes:
        document.add_paragraph(quote.text, style="Quote")
        document.add_paragraph(f"— {quote.citation}", style="Quote")


def _fixed_zip(data: bytes) -> bytes:
    """The archive's entries again, in the same order, each dated :data:`ZIP_TIME`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def render_docx(report: Report) -> bytes:
    """``report`` as the bytes of a ``.docx`` file, the same bytes for the same report."""
    document = docx.Document()
    document.styles["Normal"].font.size = Pt(11)
    when = (dt.datetime.strptime(report.date, "%Y-%m-%d") if report.date else dt.datetime(2000, 1, 1)
            ).replace(tzinfo=dt.timezone.utc)
    properties = document.core_properties
    properties.title, properties.author = report.title, "asymmetry_qda"
    properties.last_modified_by, properties.comments = "asymmetry_qda", f"asymmetry_qda {__version__}"
    properties.created = properties.modified = properties.last_printed = when
    properties.revision = 1
    document.add_heading(report.title, level=0)
    if report.date:
        document.add_paragraph(f"Codings as of {report.date}.")
    document.add_heading("Methods", level=1)
    document.add_paragraph(report.methods_paragraph)
    for note in report.notes:
        document.add_paragraph().add_run(note).italic = True
    if report.themes:
        document.add_heading("Themes", level=1)
        for section in report.themes:
            _section(document, section, 2)
    document.add_heading("Codes", level=1)
    for section in report.codes:
        _section(document, section, 2)
    if report.tables:
        document.add_heading("Tables", level=1)
        for table in report.tables:
            _table(document, table)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())
