"""The units a table counts in: codings spread over the units they overlap, and the units frame's keys.

Helpers of the tables; ``_frame`` re-exports them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import check_option

#: The units a table can count in: a coding belongs to every unit of the kind it overlaps.
COUNT_UNITS = ("sentence", "turn", "document", "participant")


def in_units(codings: pd.DataFrame, unit: str = "sentence") -> pd.DataFrame:
    """One row per (coding, unit it overlaps), with a ``unit_key`` naming the unit.

    ``unit_key`` is ``doc_id:ordinal`` for sentences and turns, the ``doc_id``
    for documents and the ``participant_id`` for participants (codings without a
    participant get none and are left out of participant counts).

    >>> frame = pd.DataFrame({"coding_id": ["c1"], "doc_id": ["D"], "participant_id": ["P1"], "code_id": ["a"],
    ...                       "sentence": [2], "sentence_last": [3], "turn": [0], "turn_last": [0]})
    >>> in_units(frame)["unit_key"].tolist()
    ['D:2', 'D:3']
    """
    check_option("unit", unit, COUNT_UNITS)
    if unit == "document":
        return codings.assign(unit_key=codings["doc_id"])
    if unit == "participant":
        kept = codings[codings["participant_id"].notna()]
        return kept.assign(unit_key=kept["participant_id"].astype(str))
    first, last = codings[unit].to_numpy(), codings[f"{unit}_last"].to_numpy()
    span = (last - first + 1).astype(np.int64)
    expanded = codings.loc[codings.index.repeat(span)].copy()
    offsets = np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span)
    ordinal = np.repeat(first, span) + offsets
    expanded["unit_key"] = expanded["doc_id"].astype(str).to_numpy() + ":" + ordinal.astype(str)
    expanded["unit_ordinal"] = ordinal
    return expanded.reset_index(drop=True)


def unit_keys(units: pd.DataFrame, unit: str = "sentence") -> pd.DataFrame:
    """The units frame's rows of ``unit``, with the same ``unit_key`` as :func:`in_units` (the denominators)."""
    check_option("unit", unit, COUNT_UNITS)
    if unit in ("sentence", "turn"):
        rows = units[units["unit"] == unit]
        return rows.assign(unit_key=rows["doc_id"].astype(str) + ":" + rows["ordinal"].astype(str))
    turns = units[units["unit"] == "turn"]
    if unit == "document":
        rows = turns.drop_duplicates("doc_id")
        return rows.assign(unit_key=rows["doc_id"])
    rows = turns[turns["participant_id"].notna()].drop_duplicates("participant_id")
    return rows.assign(unit_key=rows["participant_id"].astype(str))
