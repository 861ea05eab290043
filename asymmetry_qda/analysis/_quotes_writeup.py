"""A quotes frame written up: Markdown and HTML (escaped, so a quote cannot inject markup), and shown styled.

Writing quotes of a project to a file checks first that they are not out of date and that the project's
anonymisation audit allows the export.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import ArgumentError, InputError, Problem
from ._quotes_columns import _NOT_SHOWN
from ._quotes_passages import _attribution, _rows
from ._styling import cell_text as _shown
from ._styling import display_text
from ._styling import styled as _styled

if TYPE_CHECKING:  # pragma: no cover
    from pandas.io.formats.style import Styler

    from ..store.sqlite import HasStore, Store

__all__ = ["styled", "to_html", "to_markdown"]


# "_" between two letters or digits cannot start or end emphasis (CommonMark): rank_band stays as it is
_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]~|]|(?<![^\W_])_|_(?![^\W_]))")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")


def _markdown_text(text: str) -> str:
    """Plain text as Markdown that shows it literally: HTML escaped, emphasis, code, links and line-start
    syntax (headings, lists) backslash-escaped."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))
    return _MARKDOWN_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def to_markdown(frame: pd.DataFrame, path: str | Path | None = None, *, context: bool = False,
                attributes: Sequence[str] | None = None, project: "HasStore | Store | str | Path | None" = None,
                allow_identifiers: bool = False) -> str:
    """The quotes as Markdown block quotes, each with its attribution line; written to ``path`` if given.

    Parameters
    ----------
    frame : DataFrame
        A frame of :func:`quotes` or :meth:`Project.quotes`, in the order to print.
    path : str or Path, optional
        Write the Markdown there too (atomically). Writing is an export: the
        project's anonymisation audit is checked first (see the Notes).
    context : bool, default False
        Print the left and right context around the quote, the quote in bold.
    attributes : list of str, optional
        The participant attribute columns named in the attribution (default:
        every attribute column of ``frame``; ``[]`` for none).
    project : Project, str or Path, optional
        The project the quotes come from, for the audit; by default
        ``frame.attrs["source"]``, which :meth:`Project.quotes` and
        ``quotes(load(project))`` set.
    allow_identifiers : bool, default False
        Write even if the audit has unresolved findings (with a warning), or
        when the project is not known: for a file that stays with the team.

    Returns
    -------
    str
        One block per row: ``> quote``, an empty ``>`` line, ``> — `` and the
        attribution (pseudonym, or speaker label; the attributes as
        ``name: value``; document and ``[start:end]`` offsets; code; coder; the
        status unless confirmed), blocks separated by a blank line. Text is
        shown with :func:`display_text` white space; ``<``, ``>`` and ``&`` are
        HTML-escaped and Markdown syntax is backslash-escaped, so a quote is
        shown, never run. Deterministic.

    Raises
    ------
    IdentifiersFound
        ``path`` given and the project's audit has unresolved high-severity
        findings (unless ``allow_identifiers``).
    InputError
        ``path`` given and a quoted document changed since the quotes were
        made (pseudonymised, say): make them again.
    ArgumentError
        ``path`` given and the project is not known (``project=``), or a
        column is missing.

    Notes
    -----
    Computes no number: one block per row of ``frame`` (a passage of
    :func:`quotes`), in the frame's order; the offsets shown are the row's
    ``start`` and ``end`` in the stored text.

    Only writing is guarded, as for every export (``write_tables``,
    ``export_qdpx``, the CLI's CSVs): a string returned to a notebook is not.

    Examples
    --------
    >>> frame = pd.DataFrame({"text": ["It lands <script>on *me*</script>."], "coder": ["LT"],
    ...                       "code": ["agency"], "doc_id": ["INT01"], "pseudonym": ["Ash"],
    ...                       "rank": ["sergeant"], "status": ["confirmed"], "start": [5], "end": [38]})
    >>> print(to_markdown(frame))
    > It lands &lt;script&gt;on \\*me\\*&lt;/script&gt;.
    >
    > — Ash (rank: sergeant), INT01 [5:38], agency, coded by LT
    <BLANKLINE>
    """
    rows, chosen = _rows(frame, attributes)
    blocks = []
    for row in rows:
        said = _markdown_text(display_text(str(row["text"])))
        if context:
            before = _markdown_text(_shown(row.get("left_context")))
            after = _markdown_text(_shown(row.get("right_context")))
            said = " ".join(part for part in (before, f"**{said}**", after) if part)
        byline = _attribution(row, chosen, _markdown_text)
        blocks.append(f"> {said}\n>\n> — {byline}\n")
    text = "\n".join(blocks)
    if path is not None:
        _write(frame, path, text, project=project, allow_identifiers=allow_identifiers)
    return text


def to_html(frame: pd.DataFrame, path: str | Path | None = None, *, context: bool = False,
            attributes: Sequence[str] | None = None, title: str | None = None,
            project: "HasStore | Store | str | Path | None" = None, allow_identifiers: bool = False) -> str:
    """The quotes as HTML ``<figure>`` block quotes with a ``<figcaption>`` attribution; written if ``path``.

    The options, the attribution and the guard are those of :func:`to_markdown`.
    Every text is escaped with :func:`html.escape`. Deterministic.

    Parameters
    ----------
    frame : DataFrame
        A frame of :func:`quotes` or :meth:`Project.quotes`, in the order to print.
    path : str or Path, optional
        Write the HTML there too (atomically), checking the project's
        anonymisation audit first, as :func:`to_markdown` does. Written to ``path``, the
        fragment is wrapped in a whole UTF-8 page titled ``title``.
    context : bool, default False
        With ``context`` the
        contexts are ``<span class="context">`` around the quote in ``<strong>``.
    attributes : list of str, optional
        The participant attribute columns named in the attribution (default:
        every attribute column of ``frame``; ``[]`` for none).
    title : str, optional
        The page's title when written (default
        "Quotes").
    project : Project, str or Path, optional
        The project the quotes come from, for the audit; by default
        ``frame.attrs["source"]``.
    allow_identifiers : bool, default False
        Write even if the audit has unresolved findings (with a warning), or
        when the project is not known.

    Returns
    -------
    str
        The result is a ``<div class="quotes">`` fragment, one
        ``<figure class="quote">`` per row, its ``<blockquote>`` carrying
        ``data-doc-id``, ``data-start`` and ``data-end``.

    Notes
    -----
    Computes no number: one ``<figure>`` per row of ``frame`` (a passage of
    :func:`quotes`), in the frame's order; ``data-start`` and ``data-end`` are
    the row's character offsets in the stored text. As with
    :func:`to_markdown`, only writing to ``path`` is guarded.

    Examples
    --------
    >>> frame = pd.DataFrame({"text": ["<script>x</script>"], "coder": ["LT"], "code": ["a&b"],
    ...                       "doc_id": ["INT01"], "speaker": ["P01"], "start": [0], "end": [18]})
    >>> print(to_html(frame))
    <div class="quotes">
    <figure class="quote">
    <blockquote data-doc-id="INT01" data-start="0" data-end="18"><p>&lt;script&gt;x&lt;/script&gt;</p></blockquote>
    <figcaption>— P01, INT01 [0:18], a&amp;b, coded by LT</figcaption>
    </figure>
    </div>
    <BLANKLINE>
    """
    rows, chosen = _rows(frame, attributes)
    parts = ['<div class="quotes">']
    for row in rows:
        said = html.escape(display_text(str(row["text"])))
        if context:
            pieces = [f'<span class="context">{html.escape(_shown(row.get(c)))}</span>'
                      for c in ("left_context", "right_context")]
            said = " ".join(p for p in (pieces[0], f"<strong>{said}</strong>", pieces[1])
                            if p != '<span class="context"></span>')
        where = (f'data-doc-id="{html.escape(_shown(row.get("doc_id")))}" data-start="{int(row["start"])}" '
                 f'data-end="{int(row["end"])}"')
        parts += ['<figure class="quote">', f"<blockquote {where}><p>{said}</p></blockquote>",
                  f"<figcaption>— {_attribution(row, chosen, html.escape)}</figcaption>", "</figure>"]
    parts.append("</div>")
    fragment = "\n".join(parts) + "\n"
    if path is not None:
        page = ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                f"<title>{html.escape(title or 'Quotes')}</title>\n</head>\n<body>\n{fragment}</body>\n</html>\n")
        _write(frame, path, page, project=project, allow_identifiers=allow_identifiers)
    return fragment


def styled(frame: pd.DataFrame, *, columns: Sequence[str] | None = None) -> "Styler":
    """``frame`` for reading in Jupyter: a :class:`pandas.io.formats.style.Styler` showing every quote whole.

    pandas cuts a cell at ``display.max_colwidth`` characters (50 by
    default); a Styler does not. Text is shown with :func:`display_text` white
    space, wrapped and left-aligned; every cell and label is HTML-escaped;
    missing values are blank. This is
    :func:`asymmetry_qda.analysis.styled` with those columns. The
    frame itself is not changed, and no pandas option is set. (Without this:
    ``with pd.option_context("display.max_colwidth", None): display(frame)``.)

    Parameters
    ----------
    frame : pandas.DataFrame
        A frame of :func:`quotes` or :meth:`Project.quotes`.
    columns : sequence of str, optional
        The columns to show, in this order: ``columns`` defaults to every column but
        ``coding_ids``, ``participant_id``, ``unit`` and ``unit_ordinal``.

    Returns
    -------
    pandas.io.formats.style.Styler

    Examples
    --------
    >>> frame = pd.DataFrame({"text": ["<b>It all\\n\\nlands on me</b>"], "coder": ["LT"], "leader": [True]})
    >>> page = styled(frame).to_html()
    >>> "&lt;b&gt;It all ¶ lands on me&lt;/b&gt;" in page and "<b>" not in page and "yes" in page
    True
    """
    chosen = [c for c in frame.columns if c not in _NOT_SHOWN] if columns is None else list(columns)
    return _styled(frame, columns=chosen)


def _write(frame: pd.DataFrame, path: str | Path, text: str, *, project, allow_identifiers: bool) -> None:
    """Check the export guard for the quotes of ``frame``, then write ``text`` to ``path`` atomically."""
    from ..fileio import refuse_to_replace, write_text_atomically
    from ..store.sqlite import Store, store_of

    path = Path(path).expanduser()
    refuse_to_replace(path)
    source = project if project is not None else frame.attrs.get("source")
    if source is None:
        if not allow_identifiers:
            raise ArgumentError(f"{path}: writing quotes needs the project they come from, to check its "
                                "anonymisation audit first: pass project= (a Project or its file), or make the "
                                "quotes with project.quotes(...) or quotes(load(project), ...); for a file that "
                                "stays with the team, allow_identifiers=True")
    elif isinstance(source, (str, Path)):
        with Store.open(Path(source)) as opened:
            _guard(opened, frame, path, allow_identifiers)
    else:
        _guard(store_of(source), frame, path, allow_identifiers)
    write_text_atomically(path, text)


def _guard(store: "Store", frame: pd.DataFrame, path: Path, allow_identifiers: bool) -> None:
    from ..anonymise.guard import check_export
    from ..store import documents as stored_documents

    stored = dict(stored_documents.fingerprint(store.connection))
    recorded = frame.attrs.get("texts_sha256") or {}
    changed = {d for d, sha in recorded.items() if d in set(frame["doc_id"].astype(str)) and stored.get(d) != sha}
    texts: dict[str, str] = {}
    for doc, start, end, quoted in zip(frame["doc_id"].astype(str), frame["start"], frame["end"], frame["text"],
                                       strict=True):
        if doc not in stored:
            changed.add(doc)
            continue
        if doc not in texts:
            texts[doc] = stored_documents.texts(store.connection, doc)[doc]
        if texts[doc][int(start):int(end)] != quoted:
            changed.add(doc)
    if changed:
        names = sorted(changed)
        raise InputError(Problem("quotes", f"the quotes were made before {', '.join(names[:5])} changed in "
                                 f"{store.path} (pseudonymised or replaced), or come from another project, so "
                                 "they are out of date", fix="make the quotes again (project.quotes(...)) and "
                                 "write those"))
    check_export(store, f"quotes to {path}", allow_identifiers=allow_identifiers)
