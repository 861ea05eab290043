"""Showing a coded document: displaCy's ``span`` style, overlapping codes visible, colours from the codebook.

Examples
--------
>>> html = render_codings("It all lands at my door.", [(11, 23, "agency.responsibility")],
...                       colours={"agency.responsibility": "#1F77B4"})
>>> "agency.responsibility" in html and "#1F77B4" in html
True
"""

from __future__ import annotations

import html
from collections.abc import Iterable


def render_codings(text: str, spans: Iterable[tuple[int, int, str]], *, colours: dict[str, str] | None = None,
                   title: str | None = None) -> str:
    """HTML of ``text`` with each ``(start, end, label)`` underlined, overlaps stacked (displaCy span style).

    ``text``, the labels and ``title`` are plain text: all three are HTML-escaped
    here (displaCy escapes only the text), so a code id ``<script>`` is shown,
    not run. ``colours`` maps labels to CSS colours.

    >>> page = render_codings("Hi there", [(0, 2, "<b>x</b>")], title="<i>INT01</i>")
    >>> "&lt;b&gt;x&lt;/b&gt;" in page and "<b>" not in page and "&lt;i&gt;INT01&lt;/i&gt;" in page
    True
    """
    import spacy
    from spacy import displacy

    doc = spacy.blank("en").make_doc(text)
    manual_spans = []
    for start, end, label in spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and len(span):
            manual_spans.append({"start_token": span.start, "end_token": span.end, "label": html.escape(str(label))})
    data = {"text": text, "tokens": [t.text for t in doc], "spans": manual_spans,
            "title": None if title is None else html.escape(title)}
    colours = {html.escape(str(label)): html.escape(str(colour)) for label, colour in (colours or {}).items()}
    return displacy.render(data, style="span", manual=True, jupyter=False, options={"colors": colours})


def code_colours(codebook) -> dict[str, str]:
    """A colour per label (``code`` and ``code?`` for suggestions): the code's own colour, else its nearest
    ancestor's, so sub-codes share their theme's colour."""
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
