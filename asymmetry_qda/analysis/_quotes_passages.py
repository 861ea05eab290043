"""The passages of :func:`asymmetry_qda.analysis.quotes`: matching codings merged into passages, their clean
context (whole sentences, or whole words up to a number of characters), their order, and each row's attribution.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ArgumentError
from ._quotes_columns import _NOT_ATTRIBUTES, QUOTE_COLUMNS
from ._styling import cell_text as _shown
from ._styling import display_text

#: The columns of the found codings a passage reads while it is merged, ordered and shown (see :func:`_passages`).
_PASSAGE_COLUMNS = frozenset({"doc_id", "code_id", "coder_id", "status", "start", "end", "coding_id", "text", "turn",
                              "turn_last", "sentence", "sentence_last", "unit_ordinal", "kind", "speaker", "pseudonym",
                              "participant_id"})


def _value(row: Mapping[str, Any], name: str) -> Any:
    value = row.get(name)
    return None if value is None or (not isinstance(value, (tuple, list)) and pd.isna(value)) else value


def _passages(found: pd.DataFrame, texts: Mapping[str, str] | None, *, merge: bool) -> list[dict[str, Any]]:
    """The found codings merged into passages (see :func:`quotes`), each a dict of the first coding's values
    with the passage's ``start``, ``end``, ``text``, turns, sentences, ``coding_ids`` and ``n_codings``."""
    if found.empty:
        return []
    frame = found.assign(_coder=found["coder_id"] if "coder_id" in found.columns else None,
                         _status=found["status"] if "status" in found.columns else None,
                         _row=np.arange(len(found), dtype=np.int64))
    frame = frame.sort_values(["doc_id", "_coder", "code_id", "_status", "start", "end", "coding_id"],
                              kind="stable", na_position="last")
    has_turns = "turn" in frame.columns and "turn_last" in frame.columns
    # a passage carries the columns it is merged and shown by; the attributes are taken by its first coding's row
    read = [c for c in frame.columns if c in _PASSAGE_COLUMNS or str(c).startswith("_")]
    passages: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for row in frame[read].to_dict("records"):
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
    first = np.array([p["_row"] for p in passages], dtype=np.int64)  # each passage's first coding in ``found``
    for name in [c for c in found.columns if c not in _NOT_ATTRIBUTES and not str(c).startswith("_")]:
        columns[name] = found[name].take(first).reset_index(drop=True)
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
    """Where each passage's left context starts and its right context ends (``start``/``end`` when none).

    A context stays inside the passage's first and last turns; in sentences it reaches ``context`` sentences
    either side (no further than the document's first and last); in characters it stops short of a cut word.
    """
    if texts is None:
        return [(p["start"], p["end"]) for p in passages]
    docs = [str(p["doc_id"]) for p in passages]
    start = np.array([p["start"] for p in passages], dtype=np.int64)
    end = np.array([p["end"] for p in passages], dtype=np.int64)

    def ordinals(name: str) -> np.ndarray:  # -1 where the passage has none
        return np.array([-1 if _value(p, name) is None else int(p[name]) for p in passages], dtype=np.int64)

    turns, sentences = _Spans(units, "turn"), _Spans(units, "sentence")
    found, turn_start, _ = turns.find(docs, ordinals("turn"))
    low = np.where(found, np.minimum(turn_start, start), 0)
    found, _, turn_end = turns.find(docs, ordinals("turn_last"))
    high = np.where(found, np.maximum(turn_end, end), [len(texts[d]) for d in docs])
    if context_unit == "chars":
        return [_whole_words(texts[d], max(s - context, lo), min(e + context, hi), s, e, lo, hi)
                for d, s, e, lo, hi in zip(docs, start.tolist(), end.tolist(), low.tolist(), high.tolist(),
                                           strict=True)]
    sentence, sentence_last = ordinals("sentence"), ordinals("sentence_last")
    first_ordinal, last_ordinal, has_sentences = sentences.extent(docs)
    placed = has_sentences & (sentence >= 0)
    found, first_start, _ = sentences.find(docs, np.where(placed, np.maximum(sentence - context, first_ordinal), -1))
    left = np.where(found, np.minimum(np.maximum(first_start, low), start), start)
    found, _, last_end = sentences.find(docs, np.where(placed, np.minimum(sentence_last + context, last_ordinal), -1))
    right = np.where(found, np.maximum(np.minimum(last_end, high), end), end)
    return list(zip(left.tolist(), right.tolist(), strict=True))


class _Spans:
    """The start and end of every unit of one kind, found by document and ordinal for many passages at once."""

    def __init__(self, units: pd.DataFrame | None, kind: str):
        rows = units[units["unit"] == kind] if units is not None and "unit" in units.columns else None
        if rows is None or rows.empty:
            self.docs, self.width = pd.Index([], dtype=object), 1
            self.keys = self.starts = self.ends = self.first = self.last = np.zeros(0, dtype=np.int64)
            return
        code, uniques = pd.factorize(rows["doc_id"])
        self.docs = pd.Index([str(d) for d in uniques], dtype=object)
        code = code.astype(np.int64)
        ordinal = rows["ordinal"].to_numpy(dtype=np.int64)
        self.width = int(ordinal.max(initial=0)) + 1
        keys = code * self.width + ordinal
        order = np.argsort(keys, kind="stable")  # of two units with one place, the later one counts
        self.keys = keys[order]
        self.starts = rows["start"].to_numpy(dtype=np.int64)[order]
        self.ends = rows["end"].to_numpy(dtype=np.int64)[order]
        self.first = np.full(len(self.docs), np.iinfo(np.int64).max, dtype=np.int64)
        self.last = np.full(len(self.docs), -1, dtype=np.int64)
        np.minimum.at(self.first, code, ordinal)
        np.maximum.at(self.last, code, ordinal)

    def find(self, docs: Sequence[str], ordinals: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Whether each ``(docs[i], ordinals[i])`` is a unit (an ordinal of -1 never is), and its start and end."""
        if not len(self.keys) or not len(docs):
            return np.zeros(len(docs), dtype=bool), np.zeros(len(docs), np.int64), np.zeros(len(docs), np.int64)
        code = self.docs.get_indexer(list(docs)).astype(np.int64)
        valid = (code >= 0) & (ordinals >= 0) & (ordinals < self.width)
        key = code * self.width + ordinals
        at = np.clip(np.searchsorted(self.keys, key, side="right") - 1, 0, len(self.keys) - 1)
        found = valid & (self.keys[at] == key)
        return found, self.starts[at], self.ends[at]

    def extent(self, docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each document's first and last ordinal, and whether it has any unit of this kind."""
        if not len(self.docs) or not len(docs):
            return np.zeros(len(docs), np.int64), np.zeros(len(docs), np.int64), np.zeros(len(docs), dtype=bool)
        code = self.docs.get_indexer(list(docs)).astype(np.int64)
        has = code >= 0
        safe = np.where(has, code, 0)
        return self.first[safe], self.last[safe], has


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
