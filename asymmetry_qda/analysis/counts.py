"""Code frequencies and code × group matrices (MAXQDA's Code Matrix Browser, NVivo's matrix coding query).

Unit of analysis: a *coded unit* is a unit (sentence by default; or turn,
document, participant) that overlaps at least one coding of the code; a unit
coded twice with the same code counts once. A participant counts for a code when
any of their units does.

Formulas, per group g (everyone, or the rows sharing a value of ``by``):

- ``n_units``: coded units of the code in g; ``units_total``: all units in g,
  coded or not (from the ``units`` frame; without it, only coded units are
  known and ``denominator`` says so); ``pct_units = 100 * n_units / units_total``.
- ``n_participants``: distinct participants in g with a coded unit;
  ``participants_total``: distinct participants with any unit in g;
  ``pct_participants = 100 * n_participants / participants_total``.
- ``n_codings``: codings of the code in g (one coding spanning two sentences is
  one coding and two coded units).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .frame import check_choice, in_units, rolled_up, unit_keys

__all__ = ["code_frequencies", "code_matrix", "status_label"]

_MISSING = "(missing)"


def status_label(codings: pd.DataFrame) -> str:
    """``confirmed``, or ``confirmed+suggested`` when the frame holds suggestions: labels every table.

    >>> status_label(pd.DataFrame({"status": ["suggested", "confirmed"]}))
    'confirmed+suggested'
    """
    present = set(codings["status"].unique()) if "status" in codings else set()
    order = [s for s in ("confirmed", "suggested") if s in present] + sorted(present - {"confirmed", "suggested"})
    return "+".join(order) if order else "confirmed"


def _groups(frame: pd.DataFrame, by: str | Sequence[str] | None) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with the grouping columns filled (missing values become ``(missing)``), and their names."""
    from ..errors import ArgumentError

    columns = [] if by is None else [by] if isinstance(by, str) else list(by)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ArgumentError(f"by={by!r}: no column {', '.join(missing)}; choose from {', '.join(frame.columns)}")
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].astype("object").where(frame[column].notna(), _MISSING).astype(str)
    return frame, columns


def code_frequencies(
    codings: pd.DataFrame,
    *,
    units: pd.DataFrame | None = None,
    unit: str = "sentence",
    by: str | Sequence[str] | None = None,
    roll_up: bool = False,
    codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Coded units and participants per code, overall or per group, as counts and percentages.

    See the module docstring for the unit of analysis and formulas. ``by`` is a
    column of the codings and units frames (``doc_id``, ``participant_id``,
    ``kind``, ``rank_band``, ``leader``, ``function``, any attribute). With
    ``roll_up`` a coding also counts for every ancestor code. ``codes`` fixes
    the rows and their order (codes with no coding get zeros). One row per
    (group, code).

    >>> codings = pd.DataFrame({
    ...     "coding_id": ["c1", "c2", "c3"], "doc_id": ["D1", "D1", "D2"], "participant_id": ["P1", "P1", "P2"],
    ...     "code_id": ["blame", "blame", "praise"], "status": "confirmed",
    ...     "sentence": [0, 0, 1], "sentence_last": [1, 0, 1], "turn": 0, "turn_last": 0})
    >>> units = pd.DataFrame({"doc_id": ["D1", "D1", "D1", "D2", "D2"], "unit": "sentence",
    ...                       "ordinal": [0, 1, 2, 0, 1], "participant_id": ["P1", "P1", "P1", "P2", "P2"]})
    >>> code_frequencies(codings, units=units)[["code_id", "n_codings", "n_units", "pct_units", "n_participants"]]
      code_id  n_codings  n_units  pct_units  n_participants
    0   blame          2        2       40.0               1
    1  praise          1        1       20.0               1
    """
    check_choice("unit", unit, ("sentence", "turn", "document", "participant"))
    if roll_up:
        codings = rolled_up(codings)
    placed, columns = _groups(in_units(codings, unit), by)
    codes = list(codes) if codes is not None else sorted(placed["code_id"].unique())
    if units is not None:
        denominators, _ = _groups(unit_keys(units, unit), by)
        label = "all units"
    else:
        denominators = placed.drop_duplicates("unit_key")
        label = "coded units only (pass units= for all units)"
    totals = _totals(denominators, columns)
    per_code = placed.groupby([*columns, "code_id"], sort=False).agg(
        n_codings=("coding_id", "nunique"), n_units=("unit_key", "nunique"),
        n_participants=("participant_id", "nunique")).reset_index()
    grid = totals[columns].assign(_k=1).merge(pd.DataFrame({"code_id": codes, "_k": 1}), on="_k").drop(columns="_k") \
        if columns else pd.DataFrame({"code_id": codes})
    table = grid.merge(per_code, on=[*columns, "code_id"], how="left").merge(totals, on=columns, how="left") \
        if columns else grid.merge(per_code, on="code_id", how="left").assign(**totals.iloc[0].to_dict())
    for column in ("n_codings", "n_units", "n_participants"):
        table[column] = table[column].fillna(0).astype("int64")
    table["pct_units"] = _percent(table["n_units"], table["units_total"])
    table["pct_participants"] = _percent(table["n_participants"], table["participants_total"])
    table["unit"] = unit
    table["denominator"] = label
    table["status"] = status_label(codings)
    order = {code: i for i, code in enumerate(codes)}
    table = table.sort_values([*columns, "code_id"], key=lambda s: s.map(order) if s.name == "code_id" else s,
                              kind="stable")
    return table[[*columns, "code_id", "n_codings", "n_units", "units_total", "pct_units", "n_participants",
                  "participants_total", "pct_participants", "unit", "denominator", "status"]].reset_index(drop=True)


def _totals(denominators: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    if columns:
        return denominators.groupby(columns, sort=True).agg(
            units_total=("unit_key", "nunique"), participants_total=("participant_id", "nunique")).reset_index()
    return pd.DataFrame({"units_total": [denominators["unit_key"].nunique()],
                         "participants_total": [denominators["participant_id"].nunique()]})


def _percent(part: pd.Series, whole: pd.Series) -> pd.Series:
    whole = whole.astype("float64")
    return pd.Series(np.where(whole > 0, 100.0 * part / whole.where(whole > 0, 1.0), np.nan), index=part.index)


def code_matrix(
    codings: pd.DataFrame,
    *,
    columns: str = "doc_id",
    value: str = "n_units",
    units: pd.DataFrame | None = None,
    unit: str = "sentence",
    roll_up: bool = False,
    codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """A code × group matrix: one row per code, one column per value of ``columns``.

    ``value`` is one of the counts of :func:`code_frequencies` (``n_units``,
    ``pct_units``, ``n_codings``, ``n_participants``, ``pct_participants``),
    computed within each column's group; columns with no coding are kept (all
    zeros) when ``units`` is given.

    >>> codings = pd.DataFrame({"coding_id": ["c1", "c2"], "doc_id": ["D1", "D2"], "participant_id": ["P1", "P2"],
    ...                         "code_id": ["blame", "blame"], "status": "confirmed",
    ...                         "sentence": [0, 0], "sentence_last": [1, 0], "turn": 0, "turn_last": 0})
    >>> code_matrix(codings).to_dict("index")
    {'blame': {'D1': 2, 'D2': 1}}
    """
    check_choice("value", value, ("n_units", "pct_units", "n_codings", "n_participants", "pct_participants"))
    long = code_frequencies(codings, units=units, unit=unit, by=columns, roll_up=roll_up, codes=codes)
    wide = long.pivot(index="code_id", columns=columns, values=value)
    wide = wide.reindex(list(dict.fromkeys(long["code_id"])))
    wide.columns.name = columns
    return wide
