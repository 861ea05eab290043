"""The coded-document view of one stored document: what :meth:`Project.show` displays.

:func:`document_html` reads the document's text, turns and codings from a
:class:`~asymmetry_qda.store.sqlite.Store` and renders them with
:func:`asymmetry_qda.display.render_document`: the stored text exactly, turn by
turn, each coding a line under its words.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .codebook.stored import latest_codebook
from .decisions import unknown
from .display import Mark, Turn, code_colours, render_document
from .errors import MissingDependency, NotFoundError
from .store import codings as stored_codings
from .store import documents as stored_documents
from .store.sqlite import Store

__all__ = ["display_html", "document_html", "in_notebook"]


def _names(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def document_html(store: Store, doc_id: str, codes: str | Sequence[str] | None = None, *,
                  status: Sequence[str] = ("suggested", "confirmed"), coders: str | Sequence[str] | None = None,
                  start: int = 0, end: int | None = None) -> str:
    """The HTML of ``doc_id`` (or of ``text[start:end]``) as it is coded.

    Parameters
    ----------
    store : Store
        The project's store.
    doc_id : str
        The document.
    codes : str or sequence of str, optional
        Show only these codes and their sub-codes (default: all).
    status : sequence of str, default ("suggested", "confirmed")
        Which codings to show.
    coders : str or sequence of str, optional
        Show only confirmed codings by these coders; suggestions (which no coder made) are shown as
        ``status`` says.
    start, end : int, optional
        The stretch of the text to show (default: all of it).

    Returns
    -------
    str
        A self-contained HTML fragment; its note says how many codings it shows and which filters apply.

    Raises
    ------
    NotFoundError
        When the project holds no document ``doc_id``.
    """
    document = stored_documents.document(store.connection, doc_id)
    if document is None:
        raise NotFoundError(unknown(store, "document", doc_id, stored_documents.KNOWN_IDS))
    text = document.text
    end = len(text) if end is None else end
    frame = stored_codings.frame(store.connection, doc_id=doc_id)
    frame = frame[frame["status"].isin(list(status)) & (frame["start"] < end) & (frame["end"] > start)]
    if codes is not None:
        wanted = _names(codes)
        frame = frame[frame["code_id"].apply(lambda c: any(c == w or c.startswith(w + ".") for w in wanted))]
    if coders is not None:
        frame = frame[(frame["status"] == "suggested") | frame["coder_id"].isin(_names(coders))]
    marks = [Mark(int(r.start), int(r.end), r.code_id, coder=None if r.status == "suggested" else r.coder_id,
                  suggested=r.status == "suggested", rule=r.rule_id) for r in frame.itertuples()]
    segments = stored_documents.segments(store.connection, unit="turn", doc_id=doc_id)
    turns = [Turn(int(r.start), int(r.end), None if pd.isna(r.speaker) else str(r.speaker),
                  bool(r.is_interviewer), None if pd.isna(r.timestamp) else str(r.timestamp))
             for r in segments.sort_values("start").itertuples()]
    latest = latest_codebook(store.connection)
    colours = code_colours(latest) if latest is not None else {}
    n_suggested = sum(m.suggested for m in marks)
    shown = [f"{len(marks) - n_suggested} confirmed", f"{n_suggested} suggested"]
    filters = [f"codes {', '.join(_names(codes))}" if codes is not None else "",
               f"coders {', '.join(_names(coders))}" if coders is not None else "",
               f"characters {start}-{end} of {len(text)}" if (start, end) != (0, len(text)) else ""]
    note = f"{' and '.join(shown)} codings shown" + "".join(f"; {f}" for f in filters if f)
    return render_document(text, turns, marks, colours=colours, title=doc_id, note=note, start=start, end=end)


def in_notebook() -> bool:
    """Whether this process is a Jupyter kernel (where a view displays itself instead of returning its HTML)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with JupyterLab
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


def display_html(html: str) -> None:
    """Display ``html`` in the notebook this kernel serves (IPython comes with the ``notebook`` extra)."""
    try:
        from IPython.display import HTML, display
    except ImportError:
        raise MissingDependency("showing a view in Jupyter", "IPython", "notebook") from None
    display(HTML(html))
