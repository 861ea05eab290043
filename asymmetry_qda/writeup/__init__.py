"""Write-up reports: a project's themes and codes, with quotes, tables and a methods paragraph.

:func:`build_report` reads a project into a :class:`Report` (plain frozen dataclasses,
:mod:`asymmetry_qda.writeup.model`), every number from :mod:`asymmetry_qda.analysis`; :func:`render` turns it
into Markdown (for version control), HTML (a Jinja2 template, every value escaped) or DOCX (python-docx);
:func:`report` does both and writes the file, after the anonymisation audit's export guard
(:func:`asymmetry_qda.anonymise.guard.check_export`). The same project gives the same bytes.

Examples
--------
>>> from asymmetry_qda import Project, datasets
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "INT01.txt").write_text("P01: It lands on me. Every time.\\n", encoding="utf-8")
>>> with Project.create(folder / "p.qda") as project:
...     _ = project.ingest([folder / "INT01.txt"], pipeline="blank")
...     _ = project.code_span("INT01", 5, 20, "agency.responsibility", coder="ana")
...     made = build_report(project.store, by=())
>>> [section.id for section in made.codes], made.codes[0].quotes[0].citation
(['agency.responsibility'], 'P01, INT01 [5, 20)')
>>> print(render(made, "md").splitlines()[0])
# Write-up report: p
"""

from __future__ import annotations

from pathlib import Path

from ..anonymise.guard import check_export
from ..errors import InputError, Problem
from ..fileio import write_bytes_atomically
from ..store.sqlite import HasStore, Store, store_of
from .build import build_report
from .docx import render_docx
from .html import render_html
from .markdown import render_markdown
from .model import Quote, Report, Section, Table

__all__ = ["FORMATS", "Quote", "Report", "Section", "Table", "build_report", "render", "report", "write_report"]

#: The formats, by the suffix of the file they are written to.
FORMATS: dict[str, str] = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".docx": "docx"}


def _format(path: Path | None, format: str | None) -> str:
    if format is not None:
        if format not in set(FORMATS.values()):
            raise InputError(Problem("format", f"{format!r} is not a report format",
                                     fix="use md, html or docx"))
        return format
    if path is None or path.suffix.lower() not in FORMATS:
        raise InputError(Problem(str(path), "cannot tell the report's format from the file's suffix",
                                 fix="name a .md, .html or .docx file, or pass format='md'|'html'|'docx'"))
    return FORMATS[path.suffix.lower()]


def render(made: Report, format: str = "md") -> bytes | str:
    """``made`` as ``format``: ``"md"`` and ``"html"`` give text, ``"docx"`` the file's bytes."""
    format = _format(None, format)
    return {"md": render_markdown, "html": render_html, "docx": render_docx}[format](made)


def write_report(made: Report, path: str | Path, *, format: str | None = None) -> Path:
    """Write ``made`` to ``path`` atomically (its format from the suffix unless ``format``); returns the path.

    The folder is made if missing.

    This writes what it is given: :func:`report` checks the anonymisation audit first.
    """
    path = Path(path)
    rendered = render(made, _format(path, format))
    data = rendered.encode("utf-8") if isinstance(rendered, str) else rendered
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_bytes_atomically(path, data)


def report(project: HasStore | Store, path: str | Path | None = None, *, format: str | None = None,
           allow_identifiers: bool = False, **options) -> Report:
    """Build the report of ``project`` (:func:`build_report` with ``options``) and, with ``path``, write it.

    Parameters
    ----------
    project : Project or Store
        An open project.
    path : str or pathlib.Path, optional
        Where to write it (``.md``, ``.html`` or ``.docx``); without it nothing is written.
    format : {"md", "html", "docx"}, optional
        The format, when the suffix does not say it.
    allow_identifiers : bool, default False
        Write even though the anonymisation audit has unresolved high-severity findings (a warning says how
        many); without it the export guard refuses (:class:`~asymmetry_qda.errors.IdentifiersFound`).
    **options
        Passed to :func:`build_report` (``coders``, ``by``, ``quotes_per_code``, ``include_suggestions``...).

    Returns
    -------
    Report
        The report built.
    """
    store = store_of(project)
    if path is not None:
        path = Path(path)
        _format(path, format)
        check_export(store, f"a report to {path}", allow_identifiers=allow_identifiers)
    made = build_report(store, **options)
    if path is not None:
        write_report(made, path, format=format)
    return made
