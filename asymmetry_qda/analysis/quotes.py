"""Quotes: the coded passages to cite when writing up, found with a boolean code query.

:func:`quotes` is the coding query of NVivo ("Coding query" with AND/OR/NOT
criteria), MAXQDA ("Complex Coding Query" / Retrieved Segments) and ATLAS.ti
(Query Tool with AND/OR/NOT): it finds the units that hold a combination of
codes and lists the codings there, with their text and surrounding context.

The query is evaluated per unit (``unit=``: ``sentence``, ``turn`` or
``document``). A coding belongs to every unit it overlaps (sentences
``sentence..sentence_last``, turns ``turn..turn_last`` of its document). A unit
matches when it holds a coding of every code in ``all_of`` (AND), of at least
one code in ``any_of`` (OR) and of no code in ``none_of`` (NOT). With
``subcodes=True`` (NVivo's and MAXQDA's "include subcodes") a query code also
stands for its descendants: ``response.blame`` matches
``response.blame.hindsight`` but not ``response`` nor ``response.blameless``.
The result lists the codings of the query's codes that lie in a matching unit.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ArgumentError, QDAWarning
from .frame import CODING_COLUMNS, check_choice

__all__ = ["QUOTE_COLUMNS", "QUOTE_UNITS", "CONTEXT_UNITS", "quotes"]

#: The units a query can be evaluated in.
QUOTE_UNITS = ("sentence", "turn", "document")
#: How context around a quote is measured.
CONTEXT_UNITS = ("sentence", "chars")
#: The result's columns, followed by the participant attribute columns found in the codings.
QUOTE_COLUMNS = ["coding_id", "doc_id", "kind", "participant_id", "speaker", "code_id", "status", "start", "end",
                 "text", "left_context", "right_context", "unit", "unit_ordinal"]
_OPTIONAL = ("kind", "participant_id", "speaker", "status")
_ORDER = ["doc_id", "start", "end", "code_id", "coding_id"]


def quotes(
    codings: pd.DataFrame,
    *,
    code: str | None = None,
    all_of: Sequence[str] | None = None,
    any_of: Sequence[str] | None = None,
    none_of: Sequence[str] | None = None,
    where: str | None = None,
    context: int = 1,
    context_unit: str = "sentence",
    unit: str = "sentence",
    subcodes: bool = True,
    units: pd.DataFrame | None = None,
    texts: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The codings of a boolean code query, with their text and context, one row per coding.

    QUERY, evaluated per ``unit`` (``"sentence"``, ``"turn"`` or
    ``"document"``): a unit matches when it holds every code of ``all_of``
    (AND), at least one code of ``any_of`` (OR; ``code=`` adds one code to
    ``any_of``) and none of ``none_of`` (NOT); an empty part is no condition. A
    coding belongs to every unit it overlaps. With ``subcodes=True`` a query
    code also matches its descendants (``a.b`` matches ``a.b.c``; never its
    parent ``a``, never ``a.bc``); with ``False`` only the code itself. A single
    string is accepted for ``all_of`` / ``any_of`` / ``none_of``.

    ``where`` is a :meth:`pandas.DataFrame.query` string applied to the codings
    *before* the query (``"leader == True and kind == 'interview'"``): codings
    it drops count for nothing, not even for NOT.

    RESULT: one row per coding of a code of ``all_of`` + ``any_of`` (+ ``code``;
    every coding when only ``none_of`` is given) lying in at least one matching
    unit, once, in document order (``doc_id``, ``start``, ``end``). Columns:
    ``coding_id, doc_id, kind, participant_id, speaker, code_id, status, start,
    end, text, left_context, right_context, unit, unit_ordinal`` and then the
    participant attribute columns of ``codings`` (e.g. ``rank_band``,
    ``leader``). ``unit_ordinal`` is the first matching unit the coding lies in
    (0 for ``document``). A column of the list missing from a hand-built
    ``codings`` (``kind``, ``participant_id``, ``speaker``, ``status``) is <NA>.

    CONTEXT: with ``texts`` (doc_id -> document text), ``text`` is
    ``texts[doc_id][start:end]``; with ``context_unit="sentence"`` (needs
    ``units``) ``left_context`` runs from the start of the sentence ``context``
    sentences before the coding's first sentence (clipped at the document's
    first sentence) to ``start``, and ``right_context`` from ``end`` to the end
    of the sentence ``context`` after its last sentence (clipped at the last);
    ``context=0`` gives the rest of the coding's own sentences. With
    ``context_unit="chars"``, ``context`` characters either side (clipped at the
    document's ends). Both are stripped of surrounding whitespace. Without
    ``texts`` the context columns are empty strings and ``text`` is the codings'.

    A query code that no coding has (nor a sub-code, with ``subcodes``) gives a
    :class:`~asymmetry_qda.errors.QDAWarning` (a misspelling?); the query still
    runs. A bad ``unit`` / ``context_unit`` / ``context``, or no query code at
    all, raises :class:`~asymmetry_qda.errors.ArgumentError`.

    >>> text = "P1: We missed it. Then they blamed us. It was hindsight."
    >>> units = pd.DataFrame({"doc_id": "D1", "unit": "sentence", "ordinal": [0, 1, 2],
    ...                       "start": [4, 18, 39], "end": [17, 38, 56]})
    >>> codings = pd.DataFrame({"coding_id": ["c1", "c2", "c3"], "doc_id": "D1",
    ...                         "code_id": ["error", "blame", "blame.hindsight"],
    ...                         "start": [7, 28, 39], "end": [16, 37, 55], "text": ["missed it", "blamed us",
    ...                         "It was hindsight"], "sentence": [0, 1, 2], "sentence_last": [0, 1, 2],
    ...                         "turn": 0, "turn_last": 0})
    >>> found = quotes(codings, code="blame", context=1, units=units, texts={"D1": text})
    >>> found[["coding_id", "left_context", "text", "right_context"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['c2', 'We missed it. Then they', 'blamed us', '. It was hindsight.'],
     ['c3', 'Then they blamed us.', 'It was hindsight', '.']]
    >>> quotes(codings, code="blame", subcodes=False)["coding_id"].tolist()
    ['c2']
    >>> [quotes(codings, all_of=["blame", "error"], unit=u)["coding_id"].tolist() for u in ("sentence", "turn")]
    [[], ['c1', 'c2', 'c3']]
    >>> quotes(codings, code="blame", none_of=["error"], unit="turn")["coding_id"].tolist()
    []
    """
    check_choice("unit", unit, QUOTE_UNITS)
    check_choice("context_unit", context_unit, CONTEXT_UNITS)
    if isinstance(context, bool) or not isinstance(context, (int, np.integer)) or context < 0:
        raise ArgumentError(f"context={context!r} must be a whole number >= 0 "
                            f"(of sentences or characters, see context_unit)")
    all_of, any_of, none_of = _codes("all_of", all_of), _codes("any_of", any_of), _codes("none_of", none_of)
    if code is not None:
        any_of = list(dict.fromkeys([*_codes("code", code), *any_of]))
    if not (all_of or any_of or none_of):
        raise ArgumentError("no query: give at least one of code=, all_of=, any_of=, none_of=")
    sentence_context = texts is not None and context_unit == "sentence"
    if sentence_context and units is None:
        raise ArgumentError("context_unit='sentence' with texts= needs units= (the sentences); "
                            "pass units=data.units, or context_unit='chars'")
    _check_columns(codings, unit, need_text=texts is None, need_sentences=sentence_context)

    query = list(dict.fromkeys([*all_of, *any_of, *none_of]))
    _warn_unknown(codings["code_id"], query, subcodes)
    if where is not None:
        try:
            codings = codings.query(where)
        except Exception as exc:  # pandas raises many kinds; name the argument
            raise ArgumentError(f"where={where!r} is not a valid pandas query on the codings "
                                f"(columns: {', '.join(map(str, codings.columns))}): {exc}") from exc

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
    found = codings.iloc[kept_position].reset_index(drop=True)
    return _result(found, ordinal[keep][first], unit, context, context_unit, units, texts)


def _codes(name: str, value) -> list[str]:
    if value is None:
        return []
    codes = [value] if isinstance(value, str) else list(value)
    bad = [c for c in codes if not isinstance(c, str) or not c.strip()]
    if bad:
        raise ArgumentError(f"{name}={value!r}: code ids must be non-empty strings, e.g. 'response.blame'")
    return list(dict.fromkeys(c.strip() for c in codes))


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


def _result(found: pd.DataFrame, ordinal: np.ndarray, unit: str, context: int, context_unit: str,
            units: pd.DataFrame | None, texts: Mapping[str, str] | None) -> pd.DataFrame:
    attributes = [c for c in found.columns if c not in CODING_COLUMNS and c not in QUOTE_COLUMNS]
    out = pd.DataFrame(index=found.index)
    for name in ("coding_id", "doc_id", *_OPTIONAL, "code_id", "start", "end"):
        out[name] = found[name] if name in found.columns else pd.Series(pd.NA, index=found.index, dtype=object)
    out["start"], out["end"] = out["start"].astype(np.int64), out["end"].astype(np.int64)
    if texts is None:
        out["text"] = found["text"]
        out["left_context"] = out["right_context"] = ""
    else:
        _add_text(out, found, context, context_unit, units, texts)
    out["unit"] = unit
    out["unit_ordinal"] = ordinal.astype(np.int64)
    for name in attributes:
        out[name] = found[name]
    out = out.sort_values(_ORDER, kind="stable").reset_index(drop=True)
    return out[[*QUOTE_COLUMNS, *attributes]]


def _add_text(out: pd.DataFrame, found: pd.DataFrame, context: int, context_unit: str,
              units: pd.DataFrame | None, texts: Mapping[str, str]) -> None:
    docs = out["doc_id"].astype(str).to_numpy()
    missing = sorted(set(docs) - set(texts))
    if missing:
        raise ArgumentError(f"texts has no text for document(s) {', '.join(missing)}: pass texts=data.texts")
    start, end = out["start"].to_numpy(), out["end"].to_numpy()
    body = [texts[d] for d in docs]
    if context_unit == "chars":
        left_from = np.maximum(start - context, 0)
        right_to = end + context  # slicing clips at the text's end
    else:
        left_from, right_to = _sentence_bounds(found, docs, start, end, context, units)
    out["text"] = [t[a:b] for t, a, b in zip(body, start, end, strict=True)]
    out["left_context"] = [t[a:b].strip() for t, a, b in zip(body, left_from, start, strict=True)]
    out["right_context"] = [t[a:b].strip() for t, a, b in zip(body, end, right_to, strict=True)]


def _sentence_bounds(found: pd.DataFrame, docs: np.ndarray, start: np.ndarray, end: np.ndarray, context: int,
                     units: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Where the left context starts and the right context ends, from the units' sentences."""
    sentences = units[units["unit"] == "sentence"]
    sentences = pd.DataFrame({"doc_id": sentences["doc_id"].astype(str).to_numpy(),
                              "ordinal": sentences["ordinal"].to_numpy(dtype=np.int64),
                              "start": sentences["start"].to_numpy(dtype=np.int64),
                              "end": sentences["end"].to_numpy(dtype=np.int64)})
    bounds = sentences.groupby("doc_id")["ordinal"].agg(["min", "max"])
    lowest = bounds["min"].reindex(docs).to_numpy()
    highest = bounds["max"].reindex(docs).to_numpy()
    first = np.fmax(found["sentence"].to_numpy(dtype=np.int64) - context, lowest).astype(np.int64)
    last = np.fmin(found["sentence_last"].to_numpy(dtype=np.int64) + context, highest).astype(np.int64)
    indexed = sentences.set_index(["doc_id", "ordinal"])
    left = indexed["start"].reindex(pd.MultiIndex.from_arrays([docs, first])).to_numpy(dtype=float)
    right = indexed["end"].reindex(pd.MultiIndex.from_arrays([docs, last])).to_numpy(dtype=float)
    # A sentence the units lack (a document missing from units): no context on that side.
    left_from = np.where(np.isnan(left), start, np.minimum(np.nan_to_num(left), start)).astype(np.int64)
    right_to = np.where(np.isnan(right), end, np.maximum(np.nan_to_num(right), end)).astype(np.int64)
    return left_from, right_to
