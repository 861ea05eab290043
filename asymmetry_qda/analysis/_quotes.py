"""Quotes: the coded passages to cite when writing up, one row per passage, with clean context.

:func:`quotes` (and :meth:`Project.quotes <asymmetry_qda.project.Project.quotes>`,
which loads the project first) answers "what did participants say that was coded
``experience.loneliness``?" with a frame meant to be read:

PASSAGES
    One row per *passage*: a coding, or several codings of one coder, one code
    and one status that touch or overlap in the same turn (a tagger suggestion
    per sentence of one answer, a coder's two codings of the same sentence),
    merged into one stretch of text. Codings of different coders are never
    merged: three coders' codings of one passage are three rows, each naming
    its ``coder``. ``n_codings`` and ``coding_ids`` say what was merged.
    ``merge=False`` gives one row per coding.
TEXT
    ``text`` is exactly ``texts[doc_id][start:end]``, the stored text, line
    breaks and all: offsets are the contract.
CONTEXT
    ``left_context`` / ``right_context`` are the ``context`` sentences before
    and after the passage, never beyond its turn (no interviewer question, no
    speaker label), never holding the passage's own text, and with white space
    made readable (:func:`display_text`: a paragraph break becomes ``" ¶ "``,
    any other run of white space one space). Between two passages of the same
    coder, code and status in one turn, the words between them are shown once,
    as the later passage's left context.
QUERY
    The boolean coding query of NVivo ("Coding query" with AND/OR/NOT),
    MAXQDA ("Complex Coding Query") and ATLAS.ti (Query Tool): ``code`` /
    ``any_of`` (OR), ``all_of`` (AND) and ``none_of`` (NOT), evaluated per
    ``unit`` (``sentence``, ``turn`` or ``document``). A coding belongs to
    every unit it overlaps. With ``subcodes=True`` (NVivo's and MAXQDA's
    "include subcodes") a query code also stands for its descendants:
    ``response.blame`` matches ``response.blame.hindsight`` but not
    ``response`` nor ``response.blameless``.

For writing up, :func:`to_markdown` and :func:`to_html` render each quote as a
block quote with its attribution line, escaped; written to a file (``path=``)
they go through the export guard like every other export of participants'
words (:mod:`asymmetry_qda.anonymise.guard`). In Jupyter, :func:`styled`
shows the frame with every quote whole (pandas cuts cells at
``display.max_colwidth``, 50 characters by default; this module never changes
pandas options).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import ArgumentError, check_option
from ._frame import AnalysisData
from ._quotes_columns import (
    CONTEXT_UNITS,
    QUOTE_COLUMNS,
    QUOTE_STATUSES,
    QUOTE_UNITS,
    ContextUnit,
    QueryUnit,
    QuoteStatus,
)
from ._quotes_passages import _passages, _result
from ._quotes_query import (
    _check_columns,
    _check_count,
    _coders,
    _codes,
    _query,
    _statuses,
    _warn_unknown,
    _warn_unknown_coders,
    _where,
    _with_pseudonyms,
    _without_interviewer,
)
from ._quotes_writeup import styled, to_html, to_markdown
from ._styling import display_text

if TYPE_CHECKING:  # pragma: no cover

    from ..store.sqlite import HasStore, Store

__all__ = ["CONTEXT_UNITS", "QUOTE_COLUMNS", "QUOTE_STATUSES", "QUOTE_UNITS", "ContextUnit", "QueryUnit",
           "QuoteStatus", "display_text", "project_quotes", "quotes", "styled", "to_html", "to_markdown"]


def quotes(
    codings: pd.DataFrame | AnalysisData,
    *,
    code: str | Sequence[str] | None = None,
    all_of: str | Sequence[str] | None = None,
    any_of: str | Sequence[str] | None = None,
    none_of: str | Sequence[str] | None = None,
    coder: str | Sequence[str] | None = None,
    coders: Sequence[str] | None = None,
    status: QuoteStatus | Sequence[QuoteStatus] | None = None,
    where: str | None = None,
    context: int = 1,
    context_unit: ContextUnit = "sentence",
    unit: QueryUnit = "sentence",
    subcodes: bool = True,
    merge: bool = True,
    limit: int | None = None,
    spread: bool = False,
    include_interviewer: bool = False,
    units: pd.DataFrame | None = None,
    texts: Mapping[str, str] | None = None,
    participants: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The coded passages of a code query, with their text and clean context, one row per passage.

    Parameters
    ----------
    codings : DataFrame or AnalysisData
        ``load(project).codings`` (then pass ``units`` and ``texts`` too), or
        the whole ``load(project)``, whose units and texts are then used.
    code : str or list of str, optional
        A code (and, with ``subcodes``, its sub-codes); a list is any of them.
        Added to ``any_of``.
    all_of, any_of, none_of : str or list of str, optional
        The boolean query, evaluated per ``unit``: a unit matches when it holds
        a coding of every code of ``all_of`` (AND), of at least one of
        ``any_of`` (OR) and of none of ``none_of`` (NOT); an empty part is no
        condition. The result holds the codings of ``all_of`` and ``any_of``
        codes (every coding, when only ``none_of`` is given) lying in a
        matching unit.
    coder, coders : str or list of str, optional
        Keep only these coders' codings (``coder_id``; the tagger's suggestions
        are the coder ``tagger``). Give one of the two.
    status : {"confirmed", "suggested", "suppressed", "rejected"} or list, optional
        Keep only codings of these statuses (``None``: every status in
        ``codings``; :func:`~asymmetry_qda.analysis.load` keeps confirmed
        codings, and suggestions with ``include_suggestions=True``).
    where : str, optional
        A :meth:`pandas.DataFrame.query` on the codings, applied before the
        query: codings it drops count for nothing, not even for NOT. Use the
        codings' columns (``code_id``, ``coder_id``, ``leader``, ``rank_band``,
        ``kind``, ...); ``coder``, ``code`` and ``pseudonym`` work too, e.g.
        ``"leader == True and coder == 'LT'"``.
    context : int, default 1
        Sentences of context either side (``context_unit="sentence"``; 0: the
        rest of the passage's own sentences) or characters
        (``context_unit="chars"``, shortened to whole words).
    context_unit : {"sentence", "chars"}, default "sentence"
        How ``context`` is counted. Sentence context needs ``units``.
    unit : {"sentence", "turn", "document"}, default "sentence"
        The unit the query is evaluated in.
    subcodes : bool, default True
        Whether a query code stands for its descendants too (``a.b`` matches
        ``a.b.c``; never ``a`` nor ``a.bc``).
    merge : bool, default True
        Merge the touching or overlapping codings of one coder, code and status
        in one turn into one passage; ``False`` gives one row per coding.
        Touching: nothing but white space between them (with ``texts``; without,
        only overlapping or abutting codings merge).
    limit : int, optional
        Return at most this many rows: the first in document order, or with
        ``spread`` the first of the round robin.
    spread : bool, default False
        Order the rows round robin over participants: the first passage (in
        document order) of each participant, participants in ``participant_id``
        order (the document, for talk with no participant), then the second of
        each, and so on. With ``limit``, quotes spread across participants
        rather than the first ``limit``. Deterministic.
    include_interviewer : bool, default False
        Keep codings of interviewer turns (needs ``units`` with
        ``is_interviewer``, as ``load(project, include_interviewer=True)``
        gives); without it they are left out.
    units : DataFrame, optional
        ``load(project).units``: the sentences and turns context is cut from.
    texts : mapping of str to str, optional
        ``load(project).texts``; without it ``text`` comes from the codings and
        there is no context.
    participants : DataFrame, optional
        ``project.participants()``, for the ``pseudonym`` column.

    Returns
    -------
    DataFrame
        One row per passage in document order (``doc_id``, ``start``, ``end``,
        ``code``, ``coder``; round robin with ``spread``), with the columns,
        in reading order:

        - ``text``: ``texts[doc_id][start:end]``, exactly;
        - ``coder``, ``code``, ``doc_id``, ``kind``, ``speaker`` (the turn's
          speaker label), ``pseudonym`` (<NA> without ``participants``);
        - the participant attribute columns of ``codings`` (``rank``,
          ``rank_band``, ``leader``, ``function``, ...);
        - ``status``, ``left_context``, ``right_context`` (see the module
          docstring; empty strings without ``texts``);
        - ``start``, ``end``, ``n_codings``, ``coding_ids`` (a tuple, in
          document order), ``participant_id``, ``unit`` and ``unit_ordinal``
          (the first matching unit of the passage; 0 for ``document``).

        ``attrs["source"]`` is the project file when known (from an
        :class:`AnalysisData`), so that :func:`to_markdown` and :func:`to_html`
        can check its anonymisation audit before writing a file.

    Raises
    ------
    ArgumentError
        A bad option, no query code at all, a ``where`` that is not a valid
        query, or missing columns or texts.

    Warns
    -----
    QDAWarning
        A query code that no coding has (nor a sub-code, with ``subcodes``),
        or a coder with no coding: a misspelling? The query still runs.

    See Also
    --------
    asymmetry_qda.project.Project.quotes : the same, from a project.
    styled : the frame for reading in Jupyter.
    to_markdown, to_html : the quotes for writing up.

    Notes
    -----
    Unit of analysis: the passage, one row: a coding, or (with ``merge``) the
    touching or overlapping codings of one coder, code and status in one turn,
    merged; ``n_codings`` counts the codings merged into it. The query is
    evaluated per ``unit`` (a sentence by default, a turn or a document): a
    unit matches when it holds codings of every ``all_of`` code, of one
    ``any_of`` code and of no ``none_of`` code, after ``coder``, ``status``,
    ``where`` and the interviewer filter dropped codings. This is a reading
    list, not a count: the number of rows is the number of passages (several
    coders' codings of one stretch are several rows), neither a number of
    coded units nor of participants; use
    :func:`~asymmetry_qda.analysis.code_frequencies` for those. No statistic
    or library computes anything here.

    Examples
    --------
    >>> text = "P1: We missed it. Then they blamed us. It was hindsight."
    >>> units = pd.DataFrame({"doc_id": "D1", "unit": ["sentence"] * 3 + ["turn"], "ordinal": [0, 1, 2, 0],
    ...                       "start": [4, 18, 39, 4], "end": [17, 38, 56, 56]})
    >>> codings = pd.DataFrame({"coding_id": ["c1", "c2", "c3", "c4"], "doc_id": "D1",
    ...                         "coder_id": ["LT", "LT", "LT", "MK"],
    ...                         "code_id": ["error", "blame", "blame", "blame.hindsight"],
    ...                         "start": [7, 18, 39, 39], "end": [16, 38, 56, 55],
    ...                         "sentence": [0, 1, 2, 2], "sentence_last": [0, 1, 2, 2], "turn": 0, "turn_last": 0})
    >>> found = quotes(codings, code="blame", context=1, units=units, texts={"D1": text})
    >>> found[["text", "coder", "code", "n_codings", "left_context", "right_context"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['Then they blamed us. It was hindsight.', 'LT', 'blame', 2, 'We missed it.', ''],
     ['It was hindsight', 'MK', 'blame.hindsight', 1, 'Then they blamed us.', '.']]
    >>> quotes(codings, code="blame", coder="MK", subcodes=False, units=units, texts={"D1": text}).empty
    True
    >>> [len(quotes(codings, all_of=["blame", "error"], unit=u, units=units, texts={"D1": text}))
    ...  for u in ("sentence", "turn")]
    [0, 3]
    """
    return _quotes(codings, code=code, all_of=all_of, any_of=any_of, none_of=none_of, coder=coder, coders=coders,
                   status=status, where=where, context=context, context_unit=context_unit, unit=unit,
                   subcodes=subcodes, merge=merge, limit=limit, spread=spread,
                   include_interviewer=include_interviewer, units=units, texts=texts, participants=participants)


def _quotes(

    codings: pd.DataFrame | AnalysisData,
    *,
    code: str | Sequence[str] | None = None,
    all_of: str | Sequence[str] | None = None,
    any_of: str | Sequence[str] | None = None,
    none_of: str | Sequence[str] | None = None,
    coder: str | Sequence[str] | None = None,
    coders: Sequence[str] | None = None,
    status: QuoteStatus | Sequence[QuoteStatus] | None = None,
    where: str | None = None,
    context: int = 1,
    context_unit: ContextUnit = "sentence",
    unit: QueryUnit = "sentence",
    subcodes: bool = True,
    merge: bool = True,
    limit: int | None = None,
    spread: bool = False,
    include_interviewer: bool = False,
    units: pd.DataFrame | None = None,
    texts: Mapping[str, str] | None = None,
    participants: pd.DataFrame | None = None,
    present: tuple[pd.Series, pd.Series] | None = None,
) -> pd.DataFrame:
    """:func:`quotes`; ``present`` is the ``(code_id, coder_id)`` of every coding the warnings about unknown codes
    and coders look at (default: those of ``codings``), when ``codings`` are a part of a project chosen in SQL."""
    source = None
    if isinstance(codings, AnalysisData):
        data = codings
        codings, source = data.codings, data.source
        units = data.units if units is None else units
        texts = data.texts if texts is None else texts
    if not isinstance(codings, pd.DataFrame):
        raise ArgumentError(f"codings must be a DataFrame (load(project).codings) or load(project) itself, "
                            f"not {type(codings).__name__}")
    check_option("unit", unit, QUOTE_UNITS)
    check_option("context_unit", context_unit, CONTEXT_UNITS)
    _check_count("context", context, "(of sentences or characters, see context_unit)")
    if limit is not None:
        _check_count("limit", limit, "or None (every passage)")
    for name, value in (("subcodes", subcodes), ("merge", merge), ("spread", spread),
                        ("include_interviewer", include_interviewer)):
        if not isinstance(value, (bool, np.bool_)):
            raise ArgumentError(f"{name}={value!r} must be True or False")
    all_of, any_of, none_of = _codes("all_of", all_of), _codes("any_of", any_of), _codes("none_of", none_of)
    if code is not None:
        any_of = list(dict.fromkeys([*_codes("code", code), *any_of]))
    if not (all_of or any_of or none_of):
        raise ArgumentError("no query: give at least one of code=, all_of=, any_of=, none_of=")
    wanted_coders = _coders(coder, coders)
    wanted_status = _statuses(status)
    sentence_context = texts is not None and context_unit == "sentence"
    if sentence_context and units is None:
        raise ArgumentError("context_unit='sentence' with texts= needs units= (the sentences); "
                            "pass units=data.units, or context_unit='chars'")
    _check_columns(codings, unit, need_text=texts is None, need_sentences=sentence_context)
    if wanted_status is not None and "status" not in codings.columns:
        raise ArgumentError("status= needs a status column in codings: pass load(project).codings")
    if wanted_coders is not None and "coder_id" not in codings.columns:
        raise ArgumentError("coder= needs a coder_id column in codings: pass load(project).codings")

    codings = _with_pseudonyms(codings.reset_index(drop=True), participants)
    query = list(dict.fromkeys([*all_of, *any_of, *none_of]))
    present_codes, present_coders = (codings["code_id"], codings.get("coder_id")) if present is None else present
    _warn_unknown(present_codes, query, subcodes)
    if wanted_coders is not None:
        _warn_unknown_coders(present_coders, wanted_coders)
        codings = codings[codings["coder_id"].isin(wanted_coders)]
    if wanted_status is not None:
        codings = codings[codings["status"].isin(wanted_status)]
    if not include_interviewer and units is not None:
        codings = _without_interviewer(codings, units)
    if where is not None:
        codings = _where(codings, where)
    codings = codings.reset_index(drop=True)

    found, ordinal = _query(codings, query, all_of, any_of, none_of, unit, subcodes)
    found = found.assign(unit_ordinal=ordinal.astype(np.int64))
    if texts is not None:
        missing = sorted(set(found["doc_id"].astype(str)) - set(texts))
        if missing:
            raise ArgumentError(f"texts has no text for document(s) {', '.join(missing)}: pass texts=data.texts")
    passages = _passages(found, texts, merge=merge)
    frame = _result(passages, found, unit, context, context_unit, units, texts, limit=limit, spread=spread)
    frame.attrs["source"] = None if source is None else str(source)
    if texts is not None:
        from ..records import text_sha256

        frame.attrs["texts_sha256"] = {d: text_sha256(texts[d]) for d in sorted(set(frame["doc_id"].astype(str)))}
    return frame


def project_quotes(
    project: "HasStore | Store",
    code: str | Sequence[str] | None = None,
    *,
    coder: str | Sequence[str] | None = None,
    coders: Sequence[str] | None = None,
    status: QuoteStatus | Sequence[QuoteStatus] = "confirmed",
    where: str | None = None,
    context: int = 1,
    limit: int | None = None,
    spread: bool = False,
    include_interviewer: bool = False,
    **query: Any,
) -> pd.DataFrame:
    """:func:`quotes` of ``project``'s current codings of ``status``; see :func:`quotes`.

    This is :meth:`Project.quotes <asymmetry_qda.project.Project.quotes>`.
    The participants' pseudonyms fill ``pseudonym``.

    Parameters
    ----------
    project : Project
        An open project.
    code : str or sequence of str, optional
        The code(s) to quote, as for :func:`quotes` (sub-codes included).
    coder, coders : str or list of str, optional
        Keep only these coders' codings (``coder_id``; the tagger's suggestions
        are the coder ``tagger``). Give one of the two.
    status : {"confirmed", "suggested", "suppressed", "rejected"} or list, default "confirmed"
        The current codings of these statuses are read from the project.
    where : str, optional
        A :meth:`pandas.DataFrame.query` on the codings, as for :func:`quotes`.
    context : int, default 1
        Sentences of context either side, as for :func:`quotes`.
    limit : int, optional
        Return at most this many rows, as for :func:`quotes`.
    spread : bool, default False
        Order the rows round robin over participants, as for :func:`quotes`.
    include_interviewer : bool, default False
        Keep codings of interviewer turns.
    **query
        ``query`` takes the other options of :func:`quotes` (``all_of``,
        ``any_of``, ``none_of``, ``unit``, ``subcodes``, ``context_unit``,
        ``merge``).

    Returns
    -------
    pandas.DataFrame
        One row per passage, as :func:`quotes` gives it.

    Examples
    --------
    >>> from asymmetry_qda import Project
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> text = "I: Why?\\nP01: I was alone. Nobody to ask. It was my call.\\n"
    >>> _ = (folder / "INT01.txt").write_text(text, encoding="utf-8")
    >>> with Project.create(folder / "p.qda") as project:
    ...     _ = project.ingest(folder / "INT01.txt", pipeline="blank")
    ...     for sentence in ("I was alone.", "Nobody to ask."):
    ...         start = text.index(sentence)
    ...         _ = project.code_span("INT01", start, start + len(sentence), "experience.loneliness", coder="LT")
    ...     found = project.quotes("experience", coder="LT")
    >>> found[["text", "coder", "code", "n_codings", "left_context", "right_context"]].to_dict("records")
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'text': 'I was alone. Nobody to ask.', 'coder': 'LT', 'code': 'experience.loneliness', 'n_codings': 2,
      'left_context': '', 'right_context': 'It was my call.'}]
    """
    from ..store import codings as stored_codings
    from ..store import documents as stored_documents
    from ..store.sqlite import store_of
    from ._frame import _load

    statuses = _statuses(status)
    if statuses is None:
        raise ArgumentError("status=None: name the statuses to load, e.g. status=('confirmed', 'suggested')")
    db = store_of(project).connection
    # Only what can make a quote is read, in SQL: the codings of the statuses asked for, in the documents with a
    # coding of a code of all_of or any_of (or a sub-code) of those statuses (with only none_of, every document),
    # so the call costs what those documents hold, not the whole project. The warnings about unknown codes and
    # coders look at the whole project (every code a coding holds, every coder who wrote a row): a code or coder
    # is unknown only if the project lacks it.
    wanted = [*_codes("code", code), *_codes("all_of", query.get("all_of")), *_codes("any_of", query.get("any_of"))]
    subcodes = query.get("subcodes", True)
    doc_id = (stored_codings.documents_with_codes(db, wanted, subcodes=bool(subcodes), statuses=statuses)
              if wanted else None)
    # with codes to look for, no coding of another code can change the result (the query's units are those
    # holding its codes, and only codings of its codes are quoted): only those are read
    codes = [*wanted, *_codes("none_of", query.get("none_of"))] if wanted else None
    data = _load(project, statuses=statuses, include_interviewer=include_interviewer, doc_id=doc_id, codes=codes,
                 subcodes=bool(subcodes))
    known_codes, known_coders = stored_codings.known_codes_and_coders(db)
    participants = stored_documents.pseudonyms(db)
    return _quotes(data, code=code, coder=coder, coders=coders, status=statuses, where=where, context=context,
                   limit=limit, spread=spread, include_interviewer=include_interviewer, participants=participants,
                   present=(pd.Series(known_codes, dtype=object), pd.Series(known_coders, dtype=object)), **query)
