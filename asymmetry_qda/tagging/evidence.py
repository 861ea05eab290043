"""The tagger's judgement of loose texts, unit by unit, without a project: for evaluation and seed data.

:func:`judge_units` runs the rule tagger over texts that are already split into
units (a text's unit starts are given), and judges every code's matches in a
unit as ``project.code`` does: a code is ``suggested`` there unless all its
matches are negated and it suppresses negation (``suppressed``); its
confidence is the combined weight of the counted matches. :func:`evidence_columns`
turns the judgements into the suggester's ``rule:<code>`` and ``context:<flag>``
feature columns.

Examples
--------
>>> from asymmetry_qda.codebook import parse_codebook
>>> cb = parse_codebook('''
... codebook: {name: Demo, version: "1"}
... codes:
...   - {id: blame, label: Blame, definition: Held to account.,
...      rules: [{id: blame.me, phrase: [blamed me]}]}
... ''')
>>> judged = judge_units([("k1", "We sat down. They blamed me.", [0, 13])], cb, pipeline="blank")
>>> judged[["key", "unit", "code", "status"]].to_dict("records")
[{'key': 'k1', 'unit': 2, 'code': 'blame', 'status': 'suggested'}]
"""

from __future__ import annotations

import bisect
import warnings
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._keywords import renamed
from ..errors import QDAWarning

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

__all__ = ["JUDGED_COLUMNS", "evidence_columns", "judge_units"]

JUDGED_COLUMNS = ["key", "unit", "code", "status", "confidence", "context"]
CONTEXT_FLAGS = ("negated", "anticipated", "reported")


@renamed(model="pipeline")
def judge_units(items: Iterable[tuple[str, str, Sequence[int]]], codebook, *,
                pipeline: "str | Language" = "auto") -> pd.DataFrame:
    """One row per (text, unit, code) the rules matched: ``key``, ``unit`` (1-based), ``code``, ``status``
    (``suggested`` or ``suppressed``), ``confidence`` and ``context`` (sorted flags of the counted matches).

    ``items`` are ``(key, text, unit_starts)``: the character offsets where the text's units begin, in
    order (``[0]`` for a text that is one unit). A match belongs to the unit it starts in. Codes meant
    for the interviewer only (``speakers: interviewers``) are left out: the texts are participants' talk.
    """
    from ..codebook import Codebook, load_codebook
    from .run import _judge, _speaker_ok, tag_stream

    if not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook)
    codes = {c.id: c for c in codebook.codes}
    items = list(items)
    starts = {key: list(unit_starts) for key, _, unit_starts in items}
    grouped: dict[tuple[str, int, str], list[dict]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QDAWarning)
        for (_, matches), key in tag_stream([(text, key) for key, text, _ in items], codebook, pipeline=pipeline):
            for match in matches:
                code = codes[match.code_id]
                if not _speaker_ok(code.speakers, False, False):
                    continue
                unit = max(bisect.bisect_right(starts[key], match.start), 1)
                grouped.setdefault((key, unit, code.id), []).append(
                    {"rule_id": match.rule_id, "start": match.start, "end": match.end, "weight": match.weight,
                     "context": list(match.context)})
    rows = []
    for (key, unit, code_id), evidence in grouped.items():
        status, context, confidence, _ = _judge(codes[code_id], evidence)
        rows.append({"key": key, "unit": unit, "code": code_id, "status": status, "confidence": confidence,
                     "context": context})
    return pd.DataFrame(rows, columns=JUDGED_COLUMNS)


def evidence_columns(judged: pd.DataFrame, index: pd.MultiIndex) -> pd.DataFrame:
    """The suggester's feature columns for the units ``index`` (``(key, unit)`` pairs) from :func:`judge_units`.

    ``rule:<code>``: the code's confidence in the unit, whatever its status (0 where no rule matched);
    ``context:<flag>``: 1 where any judged code there carries the flag. Columns are sorted.
    """
    position = pd.Series(np.arange(len(index)), index=index)
    keys = list(zip(judged["key"], judged["unit"], strict=True))
    inside = np.array([k in position.index for k in keys], dtype=bool)
    judged, keys = judged[inside], [k for k, keep in zip(keys, inside, strict=True) if keep]
    rows = position.loc[keys].to_numpy(dtype=np.int64) if keys else np.zeros(0, dtype=np.int64)
    columns: dict[str, np.ndarray] = {}
    confidence = judged["confidence"].to_numpy(dtype=float)
    for code in sorted(judged["code"].unique()):
        values = np.zeros(len(index))
        mine = (judged["code"] == code).to_numpy()
        np.maximum.at(values, rows[mine], confidence[mine])
        columns[f"rule:{code}"] = values
    if len(judged):
        for flag in CONTEXT_FLAGS:
            values = np.zeros(len(index))
            has = np.array([flag in c for c in judged["context"]], dtype=bool)
            values[rows[has]] = 1.0
            columns[f"context:{flag}"] = values
    return pd.DataFrame(columns, index=index)
