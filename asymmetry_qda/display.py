"""The coded-document view: a document's stored text, turn by turn, with its codings.

:func:`render_document` draws what a researcher reads while coding:

- the **stored text exactly** (every character, by offsets, with its line
  breaks; nothing re-spaced or re-tokenised), one row per turn with the speaker
  and timestamp beside it, the interviewer's turns set apart in grey; the text
  between turns (labels, times) stays in the row's left column, so that the
  text of the view read in order is the document's text;
- each coding as a coloured line under its words, one line per coding, stacked
  so that overlapping codings (of several codes or several coders) never hide
  one another: a **solid** line is a confirmed coding, a **dashed** one a
  suggestion still waiting for review;
- beside each turn, the list of its codings: code, coder (or rule, for a
  suggestion), and the first words of the coded text, so that no label is ever
  drawn over text;
- a legend of the codes, line styles and coders shown.

The HTML uses inline styles only (no ``<style>`` element, no script, nothing
fetched): it looks the same in JupyterLab, in a notebook saved as HTML and
offline, and survives a notebook's sanitiser. Every piece of text, label and
name is HTML-escaped.

Examples
--------
>>> text = "Interviewer: Why?\\n\\nP01: It all lands at my door."
>>> turns = [Turn(13, 17, "Interviewer", True), Turn(24, 49, "P01", False)]
>>> view = render_document(text, turns, [Mark(36, 48, "agency.responsibility", coder="LT")],
...                        colours={"agency.responsibility": "#1F77B4"}, title="INT01")
>>> "agency.responsibility" in view and "#1F77B4" in view
True
>>> view_text(view) == text
True
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

#: the colour of a code the codebook gives none
DEFAULT_COLOUR = "#7F7F7F"
_LINE = 3  # px per stacked line: 2 px of colour and 1 px of gap
_FONT = "font-family: -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


@dataclass(frozen=True, slots=True)
class Turn:
    """A top-level segment of the document: ``text[start:end]`` is its words."""

    start: int
    end: int
    speaker: str | None = None
    is_interviewer: bool = False
    timestamp: str | None = None


@dataclass(frozen=True, slots=True)
class Mark:
    """One coding to draw: ``text[start:end]`` under ``code``; ``suggested`` draws it dashed."""

    start: int
    end: int
    code: str
    coder: str | None = None
    suggested: bool = False
    rule: str | None = None


def _slots(marks: Sequence[Mark]) -> list[int]:
    """A stacking line for each mark: the lowest line no overlapping mark holds (greedy interval colouring,
    longest first at a tie, so a long coding keeps one line)."""
    order = sorted(range(len(marks)), key=lambda i: (marks[i].start, -(marks[i].end - marks[i].start), i))
    ends: list[int] = []  # per line: where its last mark ends
    slot = [0] * len(marks)
    for i in order:
        m = marks[i]
        line = next((k for k, end in enumerate(ends) if end <= m.start), len(ends))
        if line == len(ends):
            ends.append(m.end)
        else:
            ends[line] = m.end
        slot[i] = line
    return slot


def _tint(colour: str, alpha: str = "22") -> str:
    """``#RRGGBB`` with a light alpha, for the background of a label; other colours as given."""
    return colour + alpha if re.fullmatch(r"#[0-9A-Fa-f]{6}", colour) else "transparent"


def _line_layer(colour: str, suggested: bool, offset: int) -> str:
    paint = (f"repeating-linear-gradient(90deg, {colour} 0 5px, transparent 5px 8px)" if suggested
             else f"linear-gradient({colour}, {colour})")
    return f"{paint} 0 calc(100% - {offset}px) / 100% 2px no-repeat"


def _pieces(text: str, start: int, end: int, marks: Sequence[Mark], slots: Sequence[int], depth: int,
            colours: dict[str, str]) -> str:
    """``text[start:end]`` as spans cut at every mark boundary, each underlined by the marks covering it."""
    cuts = sorted({start, end, *(max(start, min(end, m.start)) for m in marks),
                   *(max(start, min(end, m.end)) for m in marks)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        if a >= b:
            continue
        over = [(slots[i], m) for i, m in enumerate(marks) if m.start < b and m.end > a]
        piece = html.escape(text[a:b])
        if not over:
            out.append(f'<span data-o="{a}">{piece}</span>')
            continue
        layers = ", ".join(_line_layer(colours.get(m.code, DEFAULT_COLOUR), m.suggested, (depth - 1 - s) * _LINE)
                           for s, m in sorted(over, key=lambda x: x[0]))
        tip = "; ".join(f"{m.code} ({'suggested' if m.suggested else 'confirmed'}"
                        f"{', ' + m.coder if m.coder else ''})" for _, m in sorted(over, key=lambda x: x[0]))
        out.append(f'<span data-o="{a}" title="{html.escape(tip)}" style="padding-bottom: {depth * _LINE}px; '
                   f'background: {layers}; -webkit-box-decoration-break: clone; box-decoration-break: clone">'
                   f"{piece}</span>")
    return "".join(out)


def _chip(mark: Mark, text: str, colours: dict[str, str]) -> str:
    colour = colours.get(mark.code, DEFAULT_COLOUR)
    border = "dashed" if mark.suggested else "solid"
    who = (f"suggested by rule {mark.rule}" if mark.suggested and mark.rule else
           "suggested" if mark.suggested else f"coded by {mark.coder}" if mark.coder else "confirmed")
    words = " ".join(text[mark.start:mark.end].split())
    words = words if len(words) <= 60 else words[:57].rsplit(" ", 1)[0] + " …"
    return (f'<div style="margin: 0 0 4px 0; padding: 2px 6px; border-left: 4px {border} {colour}; '
            f'background: {_tint(colour)}; font-size: 12px; line-height: 1.35; color: #222; '
            f'overflow-wrap: anywhere">'
            f"<span style=\"font-weight: 600\">{html.escape(mark.code)}</span><br>"
            f"<span style=\"color: #444\">{html.escape(who)}</span>"
            f"<br><span style=\"color: #555\">“{html.escape(words)}”</span></div>")


def _legend(marks: Sequence[Mark], colours: dict[str, str], note: str | None) -> str:
    codes = sorted({m.code for m in marks})
    coders = sorted({m.coder for m in marks if m.coder and not m.suggested})
    swatches = "".join(
        f'<span style="display: inline-block; margin: 0 10px 2px 0; white-space: nowrap">'
        f'<span style="display: inline-block; width: 18px; height: 0; border-top: 3px solid '
        f'{colours.get(c, DEFAULT_COLOUR)}; vertical-align: middle; margin-right: 4px"></span>{html.escape(c)}</span>'
        for c in codes)
    styles = ('<span style="white-space: nowrap; margin-right: 10px"><span style="display: inline-block; width: 18px; '
              'border-top: 3px solid #444; vertical-align: middle; margin-right: 4px"></span>confirmed</span>'
              '<span style="white-space: nowrap"><span style="display: inline-block; width: 18px; border-top: 3px '
              'dashed #444; vertical-align: middle; margin-right: 4px"></span>suggested, not yet reviewed</span>')
    who = f" · coders: {html.escape(', '.join(coders))}" if coders else ""
    extra = f'<div style="color: #555">{html.escape(note)}</div>' if note else ""
    if not marks:
        return f'<div style="font-size: 12px; color: #555; margin-bottom: 8px">no codings shown{extra}</div>'
    return (f'<div style="font-size: 12px; color: #222; margin-bottom: 8px; line-height: 1.6">'
            f"<div>{swatches}</div><div>{styles}{who}</div>{extra}</div>")


def render_document(
    text: str,
    turns: Sequence[Turn],
    marks: Iterable[Mark],
    *,
    colours: dict[str, str] | None = None,
    title: str | None = None,
    note: str | None = None,
    start: int = 0,
    end: int | None = None,
) -> str:
    """HTML of ``text[start:end]`` turn by turn with ``marks`` drawn under their words (see the module docstring).

    Parameters
    ----------
    text
        The document's stored text; every offset indexes into it.
    turns
        Its top-level segments (turns, or a field note's paragraphs) in document order.
    marks
        The codings to draw; those outside ``[start, end)`` are left out, those across its edges clipped.
    colours
        CSS colour per code id (:func:`code_colours`); others are grey.
    title, note
        A heading, and a line under the legend saying what is shown (filters, counts).
    start, end
        The stretch of the text to show (default: all of it).
    """
    colours = colours or {}
    end = len(text) if end is None else min(end, len(text))
    start = max(0, start)
    marks = [m for m in marks if m.start < end and m.end > start and m.start < m.end]
    body = []
    cursor = start  # every character of [start, end) is shown once: a turn's words, or the text before it
    for turn in turns:
        if turn.end <= start or turn.start >= end:
            continue
        a, b = max(turn.start, start), min(turn.end, end)
        body.append(_turn_row(text, (cursor, a), (a, b), turn, marks, colours))
        cursor = b
    if cursor < end:  # text after the last turn (or a document without turns)
        body.append(_turn_row(text, (cursor, end), (end, end), None, marks, colours))
    head = f'<div style="font-size: 15px; font-weight: 600; margin-bottom: 4px">{html.escape(title)}</div>' if title \
        else ""
    return (f'<div class="asymmetry-qda-document" style="{_FONT}; background: #fff; color: #111; padding: 10px; '
            f'border: 1px solid #ddd; border-radius: 4px; max-width: 1100px">{head}'
            f"{_legend(marks, colours, note)}{''.join(body)}</div>")


def _turn_row(text: str, gap: tuple[int, int], span: tuple[int, int], turn: Turn | None, marks: Sequence[Mark],
              colours: dict[str, str]) -> str:
    a, b = span
    inside = [m for m in marks if m.start < b and m.end > a] if a < b else []
    clipped = [Mark(max(m.start, a), min(m.end, b), m.code, m.coder, m.suggested, m.rule) for m in inside]
    slots = _slots(clipped)
    depth = max(slots, default=-1) + 1
    asking = turn is not None and turn.is_interviewer
    # the stored text before the turn (its label and time as written, blank lines) heads the turn's left column,
    # so that nothing of the text is hidden; a long stretch (a title block) gets a row of its own
    between = text[gap[0]:gap[1]]
    label = " ".join(between.split())
    header = ""
    who_parts = []
    if label and len(label) > 80:
        header = (f'<div style="padding: 6px 4px; color: #555; font-size: 13px; white-space: pre-wrap; '
                  f'overflow-wrap: anywhere"><span data-o="{gap[0]}">{html.escape(between)}</span></div>')
    elif gap[0] < gap[1]:
        who_parts.append(f'<span data-o="{gap[0]}">{html.escape(between)}</span>')
    if turn is not None and turn.speaker and (not label or len(label) > 80 or turn.speaker not in label):
        who_parts.append(f"<div>{html.escape(turn.speaker)}</div>")
    if turn is not None and turn.timestamp and (not label or len(label) > 80 or not re.search(r"\d:\d\d", label)):
        who_parts.append(f'<div style="color: #777; font-weight: normal">{html.escape(turn.timestamp)}</div>')
    who = (f'<div style="font-weight: 600; color: {"#666" if asking else "#222"}; white-space: normal">'
           f"{''.join(who_parts)}</div>") if who_parts else ""
    between = ""
    words = _pieces(text, a, b, clipped, slots, depth, colours) if a < b else ""
    margin = "".join(_chip(m, text, colours) for m in sorted(clipped, key=lambda m: (m.start, m.code)))
    background = "#f3f3f3" if asking else "transparent"
    colour = "#555" if asking else "#111"
    style = "font-style: italic; " if asking else ""
    return header + (f'<div style="display: grid; grid-template-columns: 9em minmax(0, 1fr) 17em; column-gap: 12px; '
            f'padding: 6px 4px; border-top: 1px solid #eee; background: {background}">'
            f'<div style="font-size: 12px; overflow-wrap: anywhere">{who}{between}</div>'
            f'<div style="{style}color: {colour}; white-space: pre-wrap; overflow-wrap: break-word; font-size: 14px; '
            f'line-height: calc(1.5em + {depth * _LINE}px)">{words}</div>'
            f"<div>{margin}</div></div>")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[int, str]] = []
        self._open: list[int | None] = []

    def handle_starttag(self, tag, attrs):
        offset = dict(attrs).get("data-o")
        self._open.append(int(offset) if offset is not None else None)

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        if self._open and self._open[-1] is not None:
            self.parts.append((self._open[-1], data))


def view_text(view: str) -> str:
    """The text a view shows, read back from its HTML in order: the pieces that carry an offset.

    A test of :func:`render_document` compares it with the stored text.
    """
    collector = _TextCollector()
    collector.feed(view)
    return "".join(data for _, data in collector.parts)


def render_codings(text: str, spans: Iterable[tuple[int, int, str]], *, colours: dict[str, str] | None = None,
                   title: str | None = None) -> str:
    """HTML of ``text`` with each ``(start, end, label)`` drawn under its words, as one block.

    A label ending in ``?`` is drawn as a suggestion. ``text``, the labels and ``title`` are HTML-escaped,
    so a code id ``<script>`` is shown, not run.

    >>> page = render_codings("Hi there", [(0, 2, "<b>x</b>")], title="<i>INT01</i>")
    >>> "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x" not in page and "&lt;i&gt;INT01&lt;/i&gt;" in page
    True
    """
    marks = [Mark(s, e, label[:-1] if label.endswith("?") else label, suggested=label.endswith("?"))
             for s, e, label in spans]
    colours = {k[:-1] if k.endswith("?") else k: v for k, v in (colours or {}).items()}
    return render_document(text, [Turn(0, len(text))], marks, colours=colours, title=title)


def code_colours(codebook) -> dict[str, str]:
    """A colour per code: the code's own colour, else its nearest ancestor's, so sub-codes share their theme's
    colour (and ``code?``, the label of a suggestion, the same)."""
    colours = {}
    for code in codebook.codes:
        ancestor, colour = code.id, None
        while ancestor and colour is None:
            colour = codebook[ancestor].colour if ancestor in codebook else None
            ancestor = ancestor.rsplit(".", 1)[0] if "." in ancestor else None
        if colour:
            colours[code.id] = colour
            colours[code.id + "?"] = colour
    return colours
