"""The report as Markdown (GitHub-flavoured: pipe tables, quotes as block quotes), for version control."""

from __future__ import annotations

from ..escaping import markdown_cell
from .model import Report, Section, Table

__all__ = ["render_markdown"]


def _text(value: str) -> str:
    """One line of text, with the characters Markdown would read as markup escaped."""
    return str(markdown_cell(" ".join(str(value).split()))).replace("<", "&lt;").replace("*", "\\*")


def _table(table: Table, level: int = 3) -> list[str]:
    lines = [f"{'#' * level} {_text(table.title)}", ""]
    if not table.rows:
        return [*lines, "(no rows)", "", *([f"*{_text(table.note)}*", ""] if table.note else [])]
    lines.append("| " + " | ".join(_text(c) for c in table.columns) + " |")
    lines.append("|" + "|".join(" --- " for _ in table.columns) + "|")
    lines.extend("| " + " | ".join(_text(cell) for cell in row) + " |" for row in table.rows)
    lines.append("")
    if table.note:
        lines += [f"*{_text(table.note)}*", ""]
    return lines


def _section(section: Section, level: int) -> list[str]:
    lines = [f"{'#' * level} {_text(section.heading)}", ""]
    if section.codes:
        lines += [f"Codes: {_text(', '.join(section.codes))}", ""]
    lines += [f"**Definition.** {_text(section.definition) or '(none)'}", "", _text(section.summary), ""]
    lines += _table(section.coverage, level + 1)
    if section.quotes:
        lines += [f"{'#' * (level + 1)} Exemplar quotes", ""]
        for quote in section.quotes:
            lines += [f"> {_text(quote.text)}", ">", f"> — {_text(quote.citation)}", ""]
    return lines


def render_markdown(report: Report) -> str:
    """``report`` as Markdown text (ends with one newline)."""
    lines = [f"# {_text(report.title)}", ""]
    if report.date:
        lines += [f"Codings as of {report.date}.", ""]
    lines += ["## Methods", "", _text(report.methods_paragraph), ""]
    for note in report.notes:
        lines += [f"*{_text(note)}*", ""]
    if report.themes:
        lines += ["## Themes", ""]
        for section in report.themes:
            lines += _section(section, 3)
    lines += ["## Codes", ""]
    for section in report.codes:
        lines += _section(section, 3)
    if report.tables:
        lines += ["## Tables", ""]
        for table in report.tables:
            lines += _table(table, 3)
    return "\n".join(lines).rstrip("\n") + "\n"
