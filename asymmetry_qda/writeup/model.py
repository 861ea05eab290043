"""The plain data model of a write-up report: what the renderers turn into Markdown, HTML or DOCX.

Every value is already a string (numbers formatted once, here, by :mod:`.build`), so the three formats say
the same thing, and a report is compared, hashed or rendered without pandas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Quote", "Report", "Section", "Table"]


@dataclass(frozen=True)
class Quote:
    """An exemplar quote: a coded passage, where it is and who said it.

    Attributes
    ----------
    text : str
        The passage, exactly ``texts[doc_id][start:end]`` of the project's stored text.
    doc_id : str
        The document it is in.
    start, end : int
        Its character offsets in the document's stored text (``end`` exclusive).
    pseudonym : str
        The speaker's pseudonym (the participant's, from the attributes table), or the turn's speaker label
        when the participant has none.
    participant_id : str
        The participant (empty for talk of nobody in the attributes table).
    coder : str
        Who coded it.
    """

    text: str
    doc_id: str
    start: int
    end: int
    pseudonym: str
    participant_id: str
    coder: str

    @property
    def citation(self) -> str:
        """``Ash, INT01 [1795, 2007)``: speaker, document and offsets, as the report cites a quote."""
        return f"{self.pseudonym}, {self.doc_id} [{self.start}, {self.end})"


@dataclass(frozen=True)
class Table:
    """A table of the report, every cell a string.

    Attributes
    ----------
    title : str
        Its caption.
    columns : tuple of str
        The column headers.
    rows : tuple of tuple of str
        The rows, each as long as ``columns``.
    note : str
        What it counts: the unit, the denominator and the codings counted.
    """

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@dataclass(frozen=True)
class Section:
    """One theme or one code: its definition, what it covers, and exemplar quotes.

    Attributes
    ----------
    kind : {"theme", "code"}
        What the section is about.
    id : str
        The theme's or code's id.
    label : str
        Its label.
    definition : str
        Its definition (from the themes or the codebook).
    status : str
        A theme's status (``final``, ``reviewed``, ``candidate``); empty for a code.
    codes : tuple of str
        A theme's codes; empty for a code.
    summary : str
        One sentence: participants and units covered overall, each with its denominator.
    coverage : Table
        Participants and units covered, overall and per group of the attributes named.
    quotes : tuple of Quote
        Exemplar quotes, spread across participants.
    """

    kind: str
    id: str
    label: str
    definition: str
    summary: str
    coverage: Table
    quotes: tuple[Quote, ...] = ()
    status: str = ""
    codes: tuple[str, ...] = ()

    @property
    def heading(self) -> str:
        """The section's heading: ``Label (id)``, with a theme's status."""
        status = f", {self.status}" if self.status else ""
        return f"{self.label} ({self.id}{status})"


@dataclass(frozen=True)
class Report:
    """A write-up report of a project (see :func:`asymmetry_qda.writeup.build_report`).

    Attributes
    ----------
    title : str
        The report's title.
    date : str
        The date of the newest coding counted (``YYYY-MM-DD``), or empty: the report has no "now" in it.
    methods : tuple of str
        The methods paragraph, sentence by sentence.
    themes : tuple of Section
        One section per theme, final and reviewed themes first.
    codes : tuple of Section
        One section per code of the codebook.
    tables : tuple of Table
        The co-occurrence and balance tables.
    notes : tuple of str
        What the report leaves out and why (no themes, no poles...).
    """

    title: str
    date: str
    methods: tuple[str, ...]
    themes: tuple[Section, ...] = ()
    codes: tuple[Section, ...] = ()
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def methods_paragraph(self) -> str:
        """The methods sentences as one paragraph."""
        return " ".join(self.methods)
