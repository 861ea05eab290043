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

import html
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import pandas as pd

from ..errors import ArgumentError, InputError, Problem, QDAWarning, check_option
from ._frame import CODING_COLUMNS, AnalysisData
from ._styling import cell_text as _shown
from ._styling import display_text
from ._styling import styled as _styled

if TYPE_CHECKING:  # pragma: no cover
    from pandas.io.formats.style import Styler

    from ..store.sqlite import HasStore, Store

__all__ = ["CONTEXT_UNITS", "QUOTE_COLUMNS", "QUOTE_STATUSES", "QUOTE_UNITS", "ContextUnit", "QueryUnit",
           "QuoteStatus", "display_text", "project_quotes", "quotes", "styled", "to_html", "to_markdown"]

#: A unit a query is evaluated in.
QueryUnit = Literal["sentence", "turn", "document"]
#: How context around a quote is measured: sentences, or characters (whole words only).
ContextUnit = Literal["sentence", "chars"]
#: A coding's status.
QuoteStatus = Literal["confirmed", "suggested", "suppressed", "rejected"]

QUOTE_UNITS: tuple[str, ...] = get_args(QueryUnit)
CONTEXT_UNITS: tuple[str, ...] = get_args(ContextUnit)
QUOTE_STATUSES: tuple[str, ...] = get_args(QuoteStatus)

#: The columns read first; the participant attribute columns of the codings follow ``pseudonym``.
_LEAD = ["text", "coder", "code", "doc_id", "kind", "speaker", "pseudonym"]
#: The columns after the attributes: status, context, then offsets and ids.
_TAIL = ["status", "left_context", "right_context", "start", "end", "n_codings", "coding_ids", "participant_id",
         "unit", "unit_ordinal"]
#: Every column of the result except the attribute columns (which sit between ``pseudonym`` and ``status``).
QUOTE_COLUMNS = [*_LEAD, *_TAIL]
#: Columns :func:`styled` leaves out by default (ids and query bookkeeping).
_NOT_SHOWN = ("coding_ids", "participant_id", "unit", "unit_ordinal")
_NOT_ATTRIBUTES = {*CODING_COLUMNS, *QUOTE_COLUMNS, "coder", "code", "pseudonym", "segment_speaker"}


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
    _warn_unknown(codings["code_id"], query, subcodes)
    if wanted_coders is not None:
        _warn_unknown_coders(codings["coder_id"], wanted_coders)
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
    from ._frame import load

    statuses = _statuses(status)
    if statuses is None:
        raise ArgumentError("status=None: name the statuses to load, e.g. status=('confirmed', 'suggested')")
    # every status is loaded and status= filters: a code or coder is then unknown only if the project lacks it
    data = load(project, statuses=QUOTE_STATUSES, include_interviewer=include_interviewer)
    from ..store import documents as stored_documents
    from ..store.sqlite import store_of

    participants = stored_documents.participants(store_of(project).connection)[["participant_id", "pseudonym"]]
    return quotes(data, code=code, coder=coder, coders=coders, status=statuses, where=where, context=context,
                  limit=limit, spread=spread, include_interviewer=include_interviewer, participants=participants,
                  **query)


# -- the query -------------------------------------------------------------------------------------


def _check_count(name: str, value, alternative: str) -> None:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ArgumentError(f"{name}={value!r} must be a whole number >= 0 {alternative}")


def _codes(name: str, value) -> list[str]:
    if value is None:
        return []
    codes = [value] if isinstance(value, str) else list(value)
    bad = [c for c in codes if not isinstance(c, str) or not c.strip()]
    if bad:
        raise ArgumentError(f"{name}={value!r}: code ids must be non-empty strings, e.g. 'response.blame'")
    return list(dict.fromkeys(c.strip() for c in codes))


def _coders(coder, coders) -> list[str] | None:
    if coder is not None and coders is not None:
        raise ArgumentError("give coder= or coders=, not both (either takes one name or a list)")
    value = coder if coder is not None else coders
    if value is None:
        return None
    names = [value] if isinstance(value, str) else list(value)
    if not names or any(not isinstance(n, str) or not n.strip() for n in names):
        raise ArgumentError(f"coder={value!r}: give a coder's name or initials, or a list of them, e.g. 'LT'")
    return list(dict.fromkeys(n.strip() for n in names))


def _statuses(status) -> list[str] | None:
    if status is None:
        return None
    values = [status] if isinstance(status, str) else list(status)
    for value in values:
        check_option("status", value, QUOTE_STATUSES)
    if not values:
        raise ArgumentError(f"status={status!r}: name at least one of {', '.join(QUOTE_STATUSES)}")
    return list(dict.fromkeys(values))


def _check_columns(codings: pd.DataFrame, unit: str, *, need_text: bool, need_sentences: bool) -> None:
    needed = ["coding_id", "doc_id", "code_id", "start", "end"]
    if unit != "document":
        needed += [unit, f"{unit}_last"]
    if need_sentences:
        needed += ["sentence", "sentence_last"]
    if need_text:
        needed.append("text")
    missing = [c for c in dict.fromkeys(needed) if c not in codings.columns]
    if missing:
        raise ArgumentError(f"codings lacks column(s) {', '.join(missing)}: pass the codings frame of "
                            f"asymmetry_qda.analysis.load(project).codings"
                            + (" (or texts=data.texts)" if missing == ["text"] else ""))


def _with_pseudonyms(codings: pd.DataFrame, participants: pd.DataFrame | None) -> pd.DataFrame:
    if participants is None or "pseudonym" in codings.columns or "participant_id" not in codings.columns:
        return codings
    names = participants.drop_duplicates("participant_id").set_index("participant_id")["pseudonym"]
    return codings.assign(pseudonym=codings["participant_id"].map(names))


def _code_matrix(code_ids: pd.Series, query: list[str], subcodes: bool) -> np.ndarray:
    """Boolean codings × query codes: the coding's code is the query code (or a descendant, with subcodes)."""
    index, uniques = pd.factorize(code_ids.astype(object), use_na_sentinel=True)
    uniques = pd.Series(uniques, dtype=object).astype(str)
    small = np.zeros((len(uniques) + 1, len(query)), bool)  # last row: missing code, matches nothing
    for j, q in enumerate(query):
        hit = uniques.eq(q)
        if subcodes:
            hit |= uniques.str.startswith(q + ".")
        small[:-1, j] = hit.to_numpy()
    return small[np.where(index < 0, len(uniques), index)]


def _warn_unknown(code_ids: pd.Series, query: list[str], subcodes: bool) -> None:
    present = pd.Series(pd.unique(code_ids.dropna().astype(str)), dtype=object)
    unknown = [q for q in query if not _code_matrix(present, [q], subcodes).any()]
    if unknown:
        names = ", ".join(map(repr, unknown))
        what = "or a sub-code" if subcodes else "(sub-codes not included: subcodes=False)"
        warnings.warn(f"no coding has code {names} {what}: check the spelling", QDAWarning, stacklevel=3)


def _warn_unknown_coders(coder_ids: pd.Series, wanted: list[str]) -> None:
    present = sorted(set(coder_ids.dropna().astype(str)))
    unknown = [c for c in wanted if c not in present]
    if unknown:
        warnings.warn(f"no coding by coder {', '.join(map(repr, unknown))}: check the spelling (coders: "
                      f"{', '.join(present) or 'none'})", QDAWarning, stacklevel=3)


def _without_interviewer(codings: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Codings that overlap at least one turn not spoken by an interviewer (``units`` says which are)."""
    if "is_interviewer" not in units.columns or "turn" not in codings.columns or codings.empty:
        return codings
    turns = units[(units["unit"] == "turn") & units["is_interviewer"].fillna(False).astype(bool)]
    asked = set(zip(turns["doc_id"].astype(str), turns["ordinal"].astype(int), strict=True))
    if not asked:
        return codings
    keep = [any((doc, t) not in asked for t in range(int(first), int(last) + 1))
            for doc, first, last in zip(codings["doc_id"].astype(str), codings["turn"], codings["turn_last"],
                                        strict=True)]
    return codings[np.asarray(keep, dtype=bool)]


def _where(codings: pd.DataFrame, where: str) -> pd.DataFrame:
    aliases = {"coder": "coder_id", "code": "code_id"}
    queried = codings.assign(**{alias: codings[column] for alias, column in aliases.items()
                                if column in codings.columns and alias not in codings.columns})
    try:
        kept = queried.query(where).index
    except Exception as exc:  # pandas raises many kinds; name the argument
        raise ArgumentError(f"where={where!r} is not a valid pandas query on the codings "
                            f"(columns: {', '.join(map(str, queried.columns))}): {exc}") from exc
    return codings.loc[kept]


def _query(codings: pd.DataFrame, query: list[str], all_of: list[str], any_of: list[str], none_of: list[str],
           unit: str, subcodes: bool) -> tuple[pd.DataFrame, np.ndarray]:
    """The codings of the query's codes lying in a matching unit, and the first matching unit of each."""
    match = _code_matrix(codings["code_id"], query, subcodes)  # codings × query codes
    position, unit_id, ordinal = _in_units(codings, unit)
    n_units = int(unit_id.max()) + 1 if len(unit_id) else 0
    held = np.column_stack([np.bincount(unit_id, weights=match[position, j], minlength=n_units) > 0
                            for j in range(len(query))]) if len(query) else np.zeros((n_units, 0), bool)
    column = {c: j for j, c in enumerate(query)}
    ok = np.ones(n_units, bool)
    if all_of:
        ok &= held[:, [column[c] for c in all_of]].all(axis=1)
    if any_of:
        ok &= held[:, [column[c] for c in any_of]].any(axis=1)
    if none_of:
        ok &= ~held[:, [column[c] for c in none_of]].any(axis=1)
    wanted = [column[c] for c in dict.fromkeys([*all_of, *any_of])]
    of_query = match[:, wanted].any(axis=1) if wanted else np.ones(len(codings), bool)
    keep = ok[unit_id] & of_query[position]
    kept_position, first = np.unique(position[keep], return_index=True)  # first matching unit of each coding
    return codings.iloc[kept_position].reset_index(drop=True), ordinal[keep][first]


def _in_units(codings: pd.DataFrame, unit: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (coding, unit it overlaps): the coding's position, a dense unit id and the unit's ordinal."""
    doc, _ = pd.factorize(codings["doc_id"].astype(object))
    if unit == "document":
        return np.arange(len(codings)), doc.astype(np.int64), np.zeros(len(codings), np.int64)
    first = codings[unit].to_numpy(dtype=np.int64)
    last = codings[f"{unit}_last"].to_numpy(dtype=np.int64)
    span = np.maximum(last - first + 1, 1)
    position = np.repeat(np.arange(len(codings)), span)
    ordinal = first[position] + np.arange(len(position)) - np.repeat(np.cumsum(span) - span, span)
    key = doc[position].astype(np.int64) * (int(ordinal.max(initial=0)) + 1) + ordinal
    unit_id, _ = pd.factorize(key)
    return position, unit_id.astype(np.int64), ordinal


# -- passages --------------------------------------------------------------------------------------


def _value(row: Mapping[str, Any], name: str) -> Any:
    value = row.get(name)
    return None if value is None or (not isinstance(value, (tuple, list)) and pd.isna(value)) else value


def _passages(found: pd.DataFrame, texts: Mapping[str, str] | None, *, merge: bool) -> list[dict[str, Any]]:
    """The found codings merged into passages (see :func:`quotes`), each a dict of the first coding's values
    with the passage's ``start``, ``end``, ``text``, turns, sentences, ``coding_ids`` and ``n_codings``."""
    if found.empty:
        return []
    frame = found.assign(_coder=found["coder_id"] if "coder_id" in found.columns else None,
                         _status=found["status"] if "status" in found.columns else None)
    frame = frame.sort_values(["doc_id", "_coder", "code_id", "_status", "start", "end", "coding_id"],
                              kind="stable", na_position="last")
    has_turns = "turn" in frame.columns and "turn_last" in frame.columns
    passages: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for row in frame.to_dict("records"):
        key = tuple(_value(row, name) for name in ("doc_id", "_coder", "code_id", "_status"))
        start, end = int(row["start"]), int(row["end"])
        if current is not None and merge and key == current["_key"] and _touch(current, row, start, texts,
                                                                                has_turns):
            _extend(current, row, start, end, texts)
            continue
        current = dict(row, _key=key, start=start, end=end, coding_ids=[row["coding_id"]],
                       text=texts[str(row["doc_id"])][start:end] if texts is not None else row["text"])
        passages.append(current)
    return passages


def _touch(passage: dict[str, Any], row: Mapping[str, Any], start: int, texts: Mapping[str, str] | None,
           has_turns: bool) -> bool:
    """Whether a coding (sorted after ``passage``) overlaps it, abuts it or is separated by white space only,
    in a turn of the passage."""
    if has_turns and int(row["turn"]) > int(passage["turn_last"]):
        return False
    if start <= passage["end"]:
        return True
    return texts is not None and texts[str(row["doc_id"])][passage["end"]:start].isspace()


def _extend(passage: dict[str, Any], row: Mapping[str, Any], start: int, end: int,
            texts: Mapping[str, str] | None) -> None:
    if end > passage["end"]:
        if texts is not None:
            passage["text"] = texts[str(row["doc_id"])][passage["start"]:end]
        else:  # only overlapping or abutting codings merge without texts: the coding's text continues it
            passage["text"] = passage["text"] + row["text"][passage["end"] - start:]
        passage["end"] = end
    for first, last in (("turn", "turn_last"), ("sentence", "sentence_last")):
        if first in row and _value(row, first) is not None:
            passage[first] = min(int(passage[first]), int(row[first]))
            passage[last] = max(int(passage[last]), int(row[last]))
    passage["unit_ordinal"] = min(int(passage["unit_ordinal"]), int(row["unit_ordinal"]))
    passage["coding_ids"].append(row["coding_id"])


def _result(passages: list[dict[str, Any]], found: pd.DataFrame, unit: str, context: int, context_unit: str,
            units: pd.DataFrame | None, texts: Mapping[str, str] | None, *, limit: int | None,
            spread: bool) -> pd.DataFrame:
    passages = sorted(passages, key=_document_order)
    if spread:
        passages = _round_robin(passages)
    if limit is not None:
        passages = passages[:limit]
    bounds = _bounds(passages, context, context_unit, units, texts)
    _share_gaps(passages, bounds)
    if texts is None:
        left = right = [""] * len(passages)
    else:
        left = [display_text(texts[str(p["doc_id"])][a:p["start"]]) for p, (a, _) in zip(passages, bounds, strict=True)]
        right = [display_text(texts[str(p["doc_id"])][p["end"]:b]) for p, (_, b) in zip(passages, bounds, strict=True)]
    columns: dict[str, pd.Series] = {}
    for name, source in (("text", "text"), ("coder", "coder_id"), ("code", "code_id"), ("doc_id", "doc_id"),
                         ("kind", "kind"), ("speaker", "speaker"), ("pseudonym", "pseudonym")):
        columns[name] = _column([_value(p, source) for p in passages])
    for name in [c for c in found.columns if c not in _NOT_ATTRIBUTES and not str(c).startswith("_")]:
        columns[name] = _column([p.get(name) for p in passages], found[name].dtype)
    columns.update({
        "status": _column([_value(p, "status") for p in passages]),
        "left_context": _column(left),
        "right_context": _column(right),
        "start": pd.Series([p["start"] for p in passages], dtype=np.int64),
        "end": pd.Series([p["end"] for p in passages], dtype=np.int64),
        "n_codings": pd.Series([len(p["coding_ids"]) for p in passages], dtype=np.int64),
        "coding_ids": pd.Series([tuple(p["coding_ids"]) for p in passages], dtype=object),
        "participant_id": _column([_value(p, "participant_id") for p in passages]),
        "unit": _column([unit] * len(passages)),
        "unit_ordinal": pd.Series([int(p["unit_ordinal"]) for p in passages], dtype=np.int64),
    })
    return pd.DataFrame(columns)


def _column(values: list[Any], dtype=None) -> pd.Series:
    """A result column: the codings' dtype for attributes, else what pandas infers (strings for text)."""
    if dtype is not None:
        try:
            return pd.Series(values, dtype=dtype)
        except (TypeError, ValueError):
            pass
    if values and all(v is None for v in values):
        return pd.Series([pd.NA] * len(values), dtype=object)
    return pd.Series(values) if values else pd.Series([], dtype=object)


def _document_order(passage: Mapping[str, Any]) -> tuple:
    def last(value):  # missing values sort last
        return (value is None, "" if value is None else str(value))

    return (str(passage["doc_id"]), passage["start"], passage["end"], str(passage["code_id"]),
            last(_value(passage, "coder_id")), last(_value(passage, "status")), str(passage["coding_ids"][0]))


def _round_robin(passages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first passage of each participant (in participant_id order), then the second of each, and so on."""
    by_person: dict[str, list[dict[str, Any]]] = {}
    for passage in passages:  # document order within each participant
        person = _value(passage, "participant_id")
        by_person.setdefault(str(person) if person is not None else f"\uffff{passage['doc_id']}", []).append(passage)
    queues = [by_person[p] for p in sorted(by_person)]
    depth = max((len(q) for q in queues), default=0)
    return [q[i] for i in range(depth) for q in queues if i < len(q)]


def _bounds(passages: list[dict[str, Any]], context: int, context_unit: str, units: pd.DataFrame | None,
            texts: Mapping[str, str] | None) -> list[tuple[int, int]]:
    """Where each passage's left context starts and its right context ends (``start``/``end`` when none)."""
    if texts is None:
        return [(p["start"], p["end"]) for p in passages]
    sentences, turns = _spans(units, "sentence"), _spans(units, "turn")
    first_sentence = {d: min(o for o in spans) for d, spans in sentences.items()}
    last_sentence = {d: max(o for o in spans) for d, spans in sentences.items()}
    bounds = []
    for p in passages:
        doc, start, end = str(p["doc_id"]), p["start"], p["end"]
        text = texts[doc]
        low, high = 0, len(text)
        turn, turn_last = _value(p, "turn"), _value(p, "turn_last")
        if turn is not None and (doc, int(turn)) in turns:
            low = min(turns[doc, int(turn)][0], start)
        if turn_last is not None and (doc, int(turn_last)) in turns:
            high = max(turns[doc, int(turn_last)][1], end)
        if context_unit == "chars":
            left, right = _whole_words(text, max(start - context, low), min(end + context, high), start, end,
                                       low, high)
        else:
            left, right = start, end
            spans = sentences.get(doc, {})
            if spans and _value(p, "sentence") is not None:
                first = max(int(p["sentence"]) - context, first_sentence[doc])
                last = min(int(p["sentence_last"]) + context, last_sentence[doc])
                if first in spans:
                    left = min(max(spans[first][0], low), start)
                if last in spans:
                    right = max(min(spans[last][1], high), end)
        bounds.append((left, right))
    return bounds


def _spans(units: pd.DataFrame | None, kind: str) -> dict:
    """``{doc_id: {ordinal: (start, end)}}`` for sentences, ``{(doc_id, ordinal): (start, end)}`` for turns."""
    if units is None or "unit" not in units.columns:
        return {}
    rows = units[units["unit"] == kind]
    triples = zip(rows["doc_id"].astype(str), rows["ordinal"].astype(int), rows["start"].astype(int),
                  rows["end"].astype(int), strict=True)
    if kind == "turn":
        return {(d, o): (s, e) for d, o, s, e in triples}
    out: dict[str, dict[int, tuple[int, int]]] = {}
    for d, o, s, e in triples:
        out.setdefault(d, {})[o] = (s, e)
    return out


def _whole_words(text: str, left: int, right: int, start: int, end: int, low: int, high: int) -> tuple[int, int]:
    """``left``/``right`` moved inwards so that no word is cut at the outer edge of the context."""
    if low < left < start and not text[left - 1].isspace() and not text[left].isspace():
        while left < start and not text[left].isspace():
            left += 1
    if end < right < high and not text[right - 1].isspace() and not text[right].isspace():
        while right > end and not text[right - 1].isspace():
            right -= 1
    return left, right


def _share_gaps(passages: list[dict[str, Any]], bounds: list[tuple[int, int]]) -> None:
    """Keep the contexts of passages of one coder, code and status in one document apart.

    A context never reaches into the text of another such passage (it stops at its edge). When two of them
    are consecutive rows, the words between them are shown once, as the later row's left context: the
    earlier row's right context stops where that begins.
    """
    order = sorted(range(len(passages)), key=lambda i: _document_order(passages[i]))
    previous: dict[tuple, int] = {}
    for i in order:
        key = passages[i]["_key"]
        j = previous.get(key)
        previous[key] = i
        if j is not None:  # j is the passage of the same key just before i in the document
            bounds[i] = (min(max(bounds[i][0], passages[j]["end"]), passages[i]["start"]), bounds[i][1])
            bounds[j] = (bounds[j][0], max(min(bounds[j][1], passages[i]["start"]), passages[j]["end"]))
    for j, i in zip(range(len(passages) - 1), range(1, len(passages))):
        if passages[i]["_key"] == passages[j]["_key"] and passages[j]["end"] <= passages[i]["start"]:
            bounds[j] = (bounds[j][0], max(min(bounds[j][1], bounds[i][0]), passages[j]["end"]))


# -- reading and writing up ------------------------------------------------------------------------


def _attribute_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in QUOTE_COLUMNS]


def _attribution(row: Mapping[str, Any], attributes: Sequence[str], escape: Callable[[str], str]) -> str:
    """A quote's attribution line: every text from the frame passed through ``escape``."""
    who = next((_shown(row.get(c)) for c in ("pseudonym", "speaker", "participant_id") if _shown(row.get(c))), "")
    described = "; ".join(f"{name}: {_shown(row.get(name))}" for name in attributes if _shown(row.get(name)))
    parts = [escape(f"{who} ({described})" if who and described else who or described)]
    # the offsets are written here, not taken from text: "[start:end]" needs no escaping
    parts.append(f"{escape(_shown(row.get('doc_id')))} [{int(row['start'])}:{int(row['end'])}]")
    parts += [escape(_shown(row.get("code"))),
              escape(f"coded by {_shown(row.get('coder'))}") if _shown(row.get("coder")) else ""]
    if _shown(row.get("status")) not in ("", "confirmed"):
        parts.append(escape(_shown(row.get("status"))))
    return ", ".join(p for p in parts if p)


def _rows(frame: pd.DataFrame, attributes: Sequence[str] | None) -> tuple[list[dict[str, Any]], list[str]]:
    missing = [c for c in ("text", "doc_id", "start", "end") if c not in frame.columns]
    if missing:
        raise ArgumentError(f"frame lacks column(s) {', '.join(missing)}: pass a frame of quotes() or "
                            "project.quotes()")
    chosen = _attribute_columns(frame) if attributes is None else list(attributes)
    unknown = [c for c in chosen if c not in frame.columns]
    if unknown:
        raise ArgumentError(f"attributes={attributes!r}: the frame has no column(s) {', '.join(unknown)}")
    return frame.to_dict("records"), chosen


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
