"""What every figure shares: the pair table's columns and checks, the names of measures and units, the labels
of codes and groups, the colours.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ArgumentError
from ..escaping import mathtext_safe

__all__ = ["PAIR_COLUMNS", "group_label"]

#: Columns a pair table may hold besides a group column; any other column that varies is a group column.
PAIR_COLUMNS = frozenset({
    "code_a", "code_b", "label_a", "label_b", "theme_a", "theme_b", "unit", "n_units",
    "n_a", "n_b", "n_ab", "expected", "jaccard", "dice", "lift", "p_b_given_a", "p_a_given_b",
    "odds_ratio", "phi", "p_value", "p_adjusted", "frequency_ratio", "c_caution", "window", "status",
})

#: Readable names of the measures, used on colour bars, legends and titles.
MEASURE_NAMES = {
    "jaccard": "Jaccard index",
    "dice": "Dice coefficient",
    "lift": "lift (observed / expected)",
    "n_ab": "co-occurrences (n_ab)",
    "p_b_given_a": "P(column code | row code)",
}
#: How each measure is computed from n_a, n_b, n_ab and N (the table's units), for captions.
MEASURE_FORMULAS = {
    "jaccard": "n_ab / (n_a + n_b \N{MINUS SIGN} n_ab)",
    "dice": "2 n_ab / (n_a + n_b)",
    "lift": "n_ab N / (n_a n_b)",
    "n_ab": "n_ab",
    "p_b_given_a": "n_ab / n_a",
}
_SYMMETRIC = ("jaccard", "dice", "lift", "n_ab")
_HEATMAP_MEASURES = (*_SYMMETRIC, "p_b_given_a")

#: What a co-occurrence table's ``unit`` counts: (one, many).
UNIT_NAMES = {
    "sentence": ("participant sentence", "sentences"),
    "turn": ("participant turn", "turns"),
    "window": ("window of sentences", "windows"),
    "document": ("document", "documents"),
    "participant": ("participant", "participants"),
    "overlap": ("cluster of overlapping codings", "clusters"),
}


_DEFAULT_NODE_COLOUR = "#A6CEE3"
_EDGE_COLOUR = "#7F7F7F"
_POINT_COLOUR = "#1F4E79"
_NOTE_COLOUR = "#404040"
_MAX_ANNOTATED = 20
_TICK_WRAP = 36  # characters per line of a heatmap tick label
_NOT_RECORDED = "not recorded"


def group_label(group: Any) -> str:
    """A group key as a figure shows it: ``leader=True`` -> ``leader: yes``.

    True and
    False read yes and no, a missing value (``(missing)``, empty, NaN) "not
    recorded", and underscores in a column name become spaces. Any other text is
    returned as it is. Every figure draws group keys through this function.

    Parameters
    ----------
    group : str or object
        Keys are ``"all"`` or ``column=value`` parts joined by ``", "`` (as
        :func:`~asymmetry_qda.analysis.group_balance` writes them).

    Returns
    -------
    str

    Examples
    --------
    >>> group_label("leader=(missing)"), group_label("leader=True"), group_label("all")
    ('leader: not recorded', 'leader: yes', 'all participants')
    >>> group_label("rank_band=senior, leader=False")
    'rank band: senior; leader: no'
    """
    if group is None or (not isinstance(group, str) and pd.isna(group)):
        return _NOT_RECORDED
    text = str(group).strip()
    if text == "all":
        return "all participants"
    keys = list(re.finditer(r"(?:^|, )([A-Za-z_][\w.\- ]*?)=", text))
    if not keys or keys[0].start() != 0:
        return text
    parts = []
    for key, following in zip(keys, [*keys[1:], None]):
        value = text[key.end():following.start() if following is not None else len(text)]
        parts.append(f"{key.group(1).replace('_', ' ')}: {_value_label(value)}")
    return "; ".join(parts)


def _value_label(value: Any) -> str:
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()
    lowered = text.lower()
    if lowered in ("", "(missing)", "nan", "none", "<na>", "nat"):
        return _NOT_RECORDED
    return {"true": "yes", "false": "no"}.get(lowered, text)


def _check_columns(table: pd.DataFrame, needed: Sequence[str], argument: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise ArgumentError(f"{argument}: expected a pandas DataFrame, got {type(table).__name__}")
    missing = [column for column in needed if column not in table.columns]
    if missing:
        raise ArgumentError(f"{argument}: missing column(s) {', '.join(map(repr, missing))}; "
                            f"it has {', '.join(map(repr, map(str, table.columns)))}")


def _check_one_group(table: pd.DataFrame) -> None:
    """Refuse a pair table that holds several groups (a varying column that is not a pair column)."""
    grouped = [str(column) for column in table.columns
               if column not in PAIR_COLUMNS and table[column].nunique(dropna=False) > 1]
    if grouped:
        column = grouped[0]
        values = ", ".join(repr(v) for v in list(pd.unique(table[column]))[:5])
        raise ArgumentError(
            f"table: column(s) {', '.join(map(repr, grouped))} split the pairs into groups ({column!r} has "
            f"{values}); filter the table to one group first, e.g. table[table[{column!r}] == value], "
            f"or drop the column if it is not a group. Pair columns are {', '.join(sorted(PAIR_COLUMNS))}")


def _check_measure(measure: str, allowed: Sequence[str]) -> None:
    if measure not in allowed:
        raise ArgumentError(f"measure: {measure!r} is not drawn here; use one of {', '.join(allowed)}")


def _table_codes(table: pd.DataFrame) -> list[str]:
    return sorted(set(table["code_a"].astype(str)) | set(table["code_b"].astype(str)))


def _label(code: str, labels: Mapping[str, str] | None) -> str:
    """The code's label (or id) as matplotlib draws it literally."""
    return mathtext_safe(labels.get(code, code) if labels else code)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    numerator = pd.to_numeric(numerator, errors="coerce").astype(float)
    denominator = pd.to_numeric(denominator, errors="coerce").astype(float)
    return numerator.div(denominator.where(denominator > 0))


def _pair_matrix(table: pd.DataFrame, measure: str, codes: Sequence[str]) -> pd.DataFrame:
    """The square matrix of ``measure`` over ``codes``: NaN on the diagonal and for pairs not in the table."""
    index = {code: i for i, code in enumerate(codes)}
    values = np.full((len(codes), len(codes)), np.nan)
    if measure == "p_b_given_a":
        backward = table["p_a_given_b"] if "p_a_given_b" in table.columns else _ratio(table["n_ab"], table["n_b"])
    else:
        backward = table[measure]

    def put(row: str, column: str, value: Any) -> None:
        i, j = index[row], index[column]
        value = float(value) if pd.notna(value) else math.nan
        old = values[i, j]
        if not math.isnan(old) and not math.isnan(value) and old != value:
            raise ArgumentError(f"table: the pair ({row!r}, {column!r}) appears more than once with different "
                                f"{measure} values ({old} and {value}); give one row per pair "
                                f"(filter the table to one group first)")
        if math.isnan(old):
            values[i, j] = value

    for a, b, forward, backward in zip(table["code_a"].astype(str), table["code_b"].astype(str),
                                       table[measure], backward):
        if a == b or a not in index or b not in index:
            continue
        put(a, b, forward)
        put(b, a, backward)
    return pd.DataFrame(values, index=list(codes), columns=list(codes))


def _single(table: pd.DataFrame, column: str) -> Any:
    """The one value ``column`` holds in every row, else None (absent, empty or varying)."""
    if column not in table.columns or not len(table):
        return None
    values = pd.unique(table[column])
    return values[0] if len(values) == 1 and pd.notna(values[0]) else None


def _unit_of(table: pd.DataFrame) -> tuple[str, str]:
    """``(plural, caption sentence)`` of the units a pair table counts.

    E.g. ``("turns", "Unit: participant turn (N = 330).")`` from the ``unit``, ``window`` and ``n_units`` columns.
    """
    unit = _single(table, "unit")
    if unit is None:
        return "units", "Unit: not stated in the table."
    one, many = UNIT_NAMES.get(str(unit), (str(unit), f"{unit}s"))
    window = _single(table, "window")
    if str(unit) == "window" and window is not None:
        one = f"window of {int(window) + 1} consecutive sentences"
    total = _single(table, "n_units")
    return many, f"Unit: {one}" + (f" (N = {int(total):,})." if total is not None else ".")


def _group_note(table: pd.DataFrame) -> str:
    """``"Group: leader: yes."`` for the columns that are not pair columns and hold one value; else ``""``."""
    if not len(table):
        return ""
    keys = [f"{column}={table[column].iloc[0]}" for column in table.columns
            if column not in PAIR_COLUMNS and table[column].nunique(dropna=False) == 1]
    return f"Group: {mathtext_safe(group_label(', '.join(keys)))}." if keys else ""


def _measure_format(measure: str) -> str:
    return {"n_ab": ".0f", "lift": ".1f"}.get(measure, ".2f")


def _wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters, at spaces only."""
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)) or text
