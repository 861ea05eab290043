"""A theme table, and how it is written for papers: one XLSX workbook, Markdown, LaTeX, and the figures.

Nothing written depends on the clock: the workbook's timestamps are fixed, so
the same tables give the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..escaping import latex_escape, map_text_cells, markdown_cell, one_line
from ._balance import theme_poles
from ._frame import AnalysisData, code_order

__all__ = ["Table"]


@dataclass(frozen=True)
class Table:
    """One published table: its data, a title, and a note with its unit of analysis and formula.

    Attributes
    ----------
    name : str
        The file name, without its suffix.
    title : str
        The table's title.
    note : str
        Its unit of analysis and formula.
    frame : pandas.DataFrame
        The data.
    index : bool
        Whether the index is written (matrices).

    Notes
    -----
    A record, not a statistic: ``frame`` is the table a function of
    :mod:`asymmetry_qda.analysis` computed (its unit and formula are in that
    function's Notes) and ``note`` says them in one paragraph for the paper,
    with which codings are counted and which documents the denominators count.
    """

    name: str
    title: str
    note: str
    frame: pd.DataFrame
    index: bool = False  # write the index (matrices)


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base[:28]}_{n}"
    used.add(candidate)
    return candidate


#: Fixed timestamp for workbook entries and properties, so the same tables give the same bytes.
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _workbook(tables: list[Table]) -> bytes:
    """One sheet per table (title and note in the first rows), with clock-dependent parts fixed.

    Every string is stored as a text cell: openpyxl would store one beginning
    with ``=`` as a live formula (a quote ``=HYPERLINK(...)``).
    """
    import datetime

    buffer = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for table in tables:
            sheet = _sheet_name(table.name, used)
            frame = table.frame
            frame = frame.map(list_as_text) if len(frame) else frame
            frame.to_excel(writer, sheet_name=sheet, index=table.index, startrow=3)
            ws = writer.sheets[sheet]
            ws["A1"] = table.title
            ws["A2"] = table.note
            _text_cells(ws)
        fixed = datetime.datetime(*_FIXED_TIME)
        writer.book.properties.created = fixed
        writer.book.properties.modified = fixed
        writer.book.properties.creator = "asymmetry_qda"
    return _fix_zip_times(buffer.getvalue())


def _text_cells(ws) -> None:
    """Turn every formula cell of the sheet back into the text it was given (we never write formulas)."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def list_as_text(value):
    """Lists (a coding's context flags) as ``;``-separated text; everything else as it is."""
    return ";".join(map(str, value)) if isinstance(value, (list, tuple)) else value


def _fix_zip_times(content: bytes) -> bytes:
    """Re-pack a zip with every entry's timestamp fixed and the core properties' dates fixed."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>1980-01-01T00:00:00Z", data)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, data)
    return out.getvalue()


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Floats to 3 decimals (p-values in scientific notation) for reading; CSV and XLSX keep full precision."""
    shown = frame.copy()
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            if str(column).startswith("p_"):
                shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.3g}")
            else:
                shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
        elif shown[column].dtype == object:
            shown[column] = shown[column].map(list_as_text)
    return shown


_LONG_TEXT = ("text", "reason_text", "response_text", "unit_text")


def _for_paper(table: Table) -> pd.DataFrame:
    frame = table.frame.drop(columns=[c for c in ("unit", "status", "denominator") if c in table.frame.columns])
    frame = frame.drop(columns=[c for c in _LONG_TEXT if c in frame.columns and c == "unit_text"])
    return _rounded(frame)


def _markdown(tables: list[Table], data: AnalysisData) -> str:
    covered = f" {markdown_cell(data.coverage_note)}" if data.coverage_note else ""
    parts = ["# Theme tables", "", f"Codings counted: {data.label}.{covered} Each table's note gives its unit of "
             "analysis and formula; `manifest.json` records the documents, codebook, coverage and tool version "
             "behind them.", ""]
    for table in tables:
        shown = map_text_cells(_for_paper(table), markdown_cell) if len(table.frame) else None
        parts += [f"## {markdown_cell(table.title)}", "", markdown_cell(table.note), "",
                  shown.to_markdown(index=table.index) if shown is not None else "(no rows)", ""]
    return "\n".join(parts)


def _latex(tables: list[Table]) -> str:
    parts = ["% Theme tables written by asymmetry_qda; needs \\usepackage{booktabs} and \\usepackage{longtable}", ""]
    for table in tables:
        if not len(table.frame):
            continue
        # cells are escaped by pandas (line breaks made spaces first: a blank line ends a cell's paragraph);
        # the caption is not, so it is escaped here
        body = map_text_cells(_for_paper(table), one_line).to_latex(
            index=table.index, longtable=True, caption=(latex_escape(f"{table.title}. {table.note}"),
                                                        latex_escape(table.title)),
            label=f"tab:{table.name}", escape=True)
        parts += [body, ""]
    return "\n".join(parts)


def _figures(tables: list[Table], data: AnalysisData) -> dict[str, bytes]:
    """PNG and SVG of the co-occurrence heatmap and network (turn unit) and the balance plot."""
    from . import _figures as figures

    by_name = {t.name: t.frame for t in tables}
    labels = {c.id: c.label for c in data.codebook.codes} if data.codebook is not None else None
    colours = {c.id: c.colour for c in data.codebook.codes if c.colour} if data.codebook is not None else None
    made: dict[str, Callable] = {}
    if "cooccurrence_turn" in by_name and len(by_name["cooccurrence_turn"]):
        table = by_name["cooccurrence_turn"]
        codes = list(dict.fromkeys([*table["code_a"], *table["code_b"]]))
        codes = code_order(data.codebook, codes)
        made["cooccurrence_heatmap"] = lambda: figures.cooccurrence_heatmap(
            table, measure="jaccard", codes=codes, labels=labels, title="Code co-occurrence in turns (Jaccard)")
        made["cooccurrence_network"] = lambda: figures.cooccurrence_network(
            table, measure="jaccard", threshold=0.05, min_count=2, colours=colours, labels=labels,
            title="Code co-occurrence in turns (Jaccard > 0.05, at least 2 turns)")
    if "balance_groups" in by_name and len(by_name["balance_groups"]):
        groups = by_name["balance_groups"]
        shown = groups[(groups["group"] == "all") | groups["group"].str.startswith("leader=")]
        poles = theme_poles(data.codebook) if data.codebook is not None else None
        made["balance"] = lambda: figures.balance_plot(shown, poles=poles, labels=labels,
                                                       title="Asymmetry balance: everyone and by leader")
    return {name: content for key, build in made.items() for name, content in figures.figure_bytes(build(), key)}
