"""Asymmetry balance: how far each participant's own talk leans to the heavy pole of a theme.

The study reads each asymmetry (agency, response, reason) as something a person
lives with, not only as a difference between groups of people. So the balance
is computed per participant first, and groups are summarised over participants.

Unit of analysis: coded units (sentences by default) of one participant. For a
theme whose codebook entry declares ``poles: {heavy: H, light: L}``:

- ``heavy``: the participant's units coded with H or any sub-code of H;
  ``light``: the same for L. A unit coded with both counts in both.
- ``balance = (heavy - light) / (heavy + light)``, in [-1, 1]: 1 when all of
  the theme's coded talk is on the heavy side, -1 when all is on the light side,
  0 when even. Undefined (NaN) for a participant with no unit on either pole;
  such participants are listed with ``leaning == "no coded units"``, never
  dropped.

Per group (everyone, or the participants sharing a value of ``by``):
``mean_balance`` is the mean of the participants' balances (each participant
weighs the same, however much they talked); ``ci_low``/``ci_high`` is a
percentile bootstrap interval over participants (``scipy.stats.bootstrap``,
seeded, so the same seed gives the same interval); ``share_heavy`` is the share
of the group's participants with coded units whose balance is above 0.

Coverage: with the units of :func:`~asymmetry_qda.analysis.load`
(``coverage="coded"``, the default), a participant none of whose documents the
chosen coders coded has no row: a balance of "no coded units" would read as
"never raised the theme" when nobody read them. They are listed in the table's
``attrs["coverage"]`` (``uncoded_participants``) and :func:`group_balance`
counts them, per group, in ``n_not_coded``, apart from ``n_without``
(participants coded who never touched the theme). With ``coverage="all"``
they are rows with no coded units, as every uncoded participant was before
coverage existed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import ArgumentError, check_option
from ._counts import _groups, status_label
from ._frame import coverage_of, in_units, with_coverage

__all__ = ["group_balance", "participant_balance", "theme_poles"]


def theme_poles(codebook) -> dict[str, tuple[str, str]]:
    """``{theme: (heavy, light)}`` for every code of ``codebook`` that declares poles.

    Parameters
    ----------
    codebook : Codebook
        The codebook (its themes' ``poles``).

    Returns
    -------
    dict of str to (str, str)
        ``{theme code id: (heavy code id, light code id)}``, in codebook order.

    Notes
    -----
    Computes no number: it reads the ``poles`` each code of the codebook
    declares; codes without poles are left out.
    """
    return {code.id: (code.poles.heavy, code.poles.light) for code in codebook.codes if code.poles is not None}


def _under(codes: pd.Series, parent: str) -> pd.Series:
    return (codes == parent) | codes.str.startswith(parent + ".")


def participant_balance(
    codings: pd.DataFrame,
    *,
    poles: dict[str, tuple[str, str]],
    units: pd.DataFrame | None = None,
    unit: str = "sentence",
) -> pd.DataFrame:
    """Heavy and light coded units and the balance index per (theme, participant).

    Participants are everyone with a unit in ``units`` (or, without it, with a
    coding): with :func:`~asymmetry_qda.analysis.load`'s units, the
    participants the chosen coders coded (the others are listed in the
    table's ``attrs["coverage"]``, see the module docstring); codings without
    a participant are left out.

    Parameters
    ----------
    codings : pandas.DataFrame
        The codings frame (``data.codings`` of :func:`~asymmetry_qda.analysis.load`).
    poles : dict of str to (str, str)
        ``poles`` is ``{theme: (heavy code, light code)}`` (see :func:`theme_poles`).
    units : pandas.DataFrame, optional
        The units frame (``data.units``): its participants are the rows.
    unit : {"sentence", "turn", "document"}, default "sentence"
        The coded units counted.

    Returns
    -------
    pandas.DataFrame
        Columns: ``theme,
        heavy_code, light_code, participant_id, heavy, light, balance, leaning``
        plus the participant attribute columns found in ``units``/``codings``,
        then ``unit`` and ``status``; one row per (theme, participant).
        ``attrs["coverage"]`` carries the units' coverage.

    Notes
    -----
    Unit of analysis: the coded unit of one participant (a sentence by default,
    or a turn or document: ``unit``). ``heavy`` is the number of the
    participant's distinct units overlapping a coding of the heavy code or any
    of its sub-codes, ``light`` the same for the light code; a unit coded on
    both poles counts in both.

    ``balance = (heavy - light) / (heavy + light)``, in [-1, 1]. Its denominator
    ``heavy + light`` counts only the participant's units coded on one of the
    theme's poles; when it is 0 the balance is NaN and ``leaning`` is
    ``no coded units`` (the row is kept). ``leaning`` is ``heavy`` (balance > 0),
    ``light`` (< 0) or ``even`` (0).

    The rows are the participants of ``units`` (without it, those of
    ``codings``); with :func:`~asymmetry_qda.analysis.load`'s default
    ``coverage="coded"`` only participants with a coded document. Codings
    without a participant are left out. Computed with pandas and NumPy.

    Examples
    --------
    >>> codings = pd.DataFrame({"coding_id": ["c1", "c2", "c3"], "doc_id": "D1", "participant_id": "P1",
    ...     "code_id": ["blame.hindsight", "blame", "praise"], "status": "confirmed",
    ...     "sentence": [0, 1, 1], "sentence_last": [0, 1, 1], "turn": 0, "turn_last": 0})
    >>> participant_balance(codings, poles={"response": ("blame", "praise")})[["heavy", "light", "leaning"]]
       heavy  light leaning
    0      2      1   heavy
    """
    check_option("unit", unit, ("sentence", "turn", "document"))
    if not poles:
        raise ArgumentError("poles={}: no theme declares poles; add `poles: {heavy: ..., light: ...}` to a theme "
                            "code in the codebook")
    coded = in_units(codings[codings["participant_id"].notna()], unit)
    people = _people(codings, units)
    rows = []
    for theme, (heavy, light) in poles.items():
        counts = pd.DataFrame({
            "heavy": coded[_under(coded["code_id"], heavy)].groupby("participant_id")["unit_key"].nunique(),
            "light": coded[_under(coded["code_id"], light)].groupby("participant_id")["unit_key"].nunique()})
        table = people.merge(counts, left_on="participant_id", right_index=True, how="left")
        table[["heavy", "light"]] = table[["heavy", "light"]].fillna(0).astype("int64")
        total = table["heavy"] + table["light"]
        table["balance"] = np.where(total > 0, (table["heavy"] - table["light"]) / total.where(total > 0, 1), np.nan)
        table["leaning"] = np.select([total == 0, table["balance"] > 0, table["balance"] < 0],
                                     ["no coded units", "heavy", "light"], "even")
        table.insert(0, "theme", theme)
        table.insert(1, "heavy_code", heavy)
        table.insert(2, "light_code", light)
        rows.append(table)
    result = pd.concat(rows, ignore_index=True)
    result["unit"] = unit
    result["status"] = status_label(codings)
    attributes = [c for c in people.columns if c != "participant_id"]
    return with_coverage(result[["theme", "heavy_code", "light_code", "participant_id", "heavy", "light", "balance",
                                 "leaning", *attributes, "unit", "status"]], coverage_of(units, codings))


def _people(codings: pd.DataFrame, units: pd.DataFrame | None) -> pd.DataFrame:
    """One row per participant with their attribute columns."""
    source = units if units is not None else codings
    skip = {"coding_id", "doc_id", "unit", "ordinal", "start", "end", "speaker", "is_interviewer", "kind",
            "code_id", "theme", "status", "origin", "coder_id", "confidence", "text", "turn", "turn_last",
            "sentence", "sentence_last"}
    columns = ["participant_id", *[c for c in source.columns if c not in skip and c != "participant_id"]]
    people = source[source["participant_id"].notna()][columns].drop_duplicates("participant_id")
    return people.sort_values("participant_id").reset_index(drop=True)


def group_balance(
    balance: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    n_resamples: int = 9999,
    seed: int = 0,
) -> pd.DataFrame:
    """Mean balance per theme and group with a bootstrap interval over participants, and the share leaning heavy.

    Participants with no
    coded units for a theme are counted in ``n_without`` and left out of the
    mean, the interval and the share. An interval needs at least two
    participants with coded units and is NaN otherwise. When the table's
    coverage (``balance.attrs["coverage"]``) left uncoded documents out
    (``coverage="coded"``), ``n_not_coded`` (after ``n_without``) counts the
    group's participants none of whose documents was coded, and a group with
    only such participants gets a row (``n_participants`` 0); with
    ``coverage="all"``, or a table without coverage, there is no such column.

    Parameters
    ----------
    balance : pandas.DataFrame
        ``balance`` is :func:`participant_balance`'s table.
    by : str or sequence of str, optional
        Participant attribute column(s) to group by (``leader``, ``rank_band``...);
        None: everyone in one group.
    confidence : float, default 0.95
        The interval's confidence level, between 0 and 1.
    n_resamples : int, default 9999
        Bootstrap resamples.
    seed : int, default 0
        The bootstrap's seed: the same seed gives the same interval.

    Returns
    -------
    pandas.DataFrame
        One row per (theme, group): the group columns, ``group``,
        ``n_participants``, ``n_without`` (and ``n_not_coded``, see above),
        ``mean_balance``, ``ci_low``, ``ci_high``, ``confidence``,
        ``share_heavy``, ``unit`` and ``status``.

    Notes
    -----
    Unit of analysis: the participant (one row of ``balance``); each weighs the
    same, however many units they have. ``n_participants`` counts the group's
    participants with a balance (not NaN), ``n_without`` those whose balance is
    NaN (no coded unit on either pole).

    - ``mean_balance``: the mean of the ``n_participants`` balances.
    - ``ci_low``, ``ci_high``: a percentile bootstrap interval of that mean,
      resampling participants (``scipy.stats.bootstrap`` with
      ``method="percentile"``, ``n_resamples`` and a NumPy generator seeded with
      ``seed``). NaN with fewer than two balances; when all balances are equal
      the interval is that value (no resampling).
    - ``share_heavy``: the fraction (0 to 1, not a percentage) of the
      ``n_participants`` whose balance is above 0; its denominator leaves out the
      ``n_without`` and ``n_not_coded`` participants.

    Examples
    --------
    >>> table = pd.DataFrame({"theme": "response", "participant_id": ["P1", "P2", "P3", "P4"],
    ...                       "balance": [1.0, 0.5, -0.5, np.nan], "status": "confirmed", "unit": "sentence"})
    >>> row = group_balance(table).iloc[0]
    >>> int(row["n_participants"]), int(row["n_without"]), round(float(row["mean_balance"]), 3)
    (3, 1, 0.333)
    """
    from scipy.stats import bootstrap

    if not 0 < confidence < 1:
        raise ArgumentError(f"confidence={confidence!r} must be between 0 and 1, e.g. 0.95")
    coverage = coverage_of(balance)
    frame, columns = _groups(balance, by)
    not_coded = _not_coded(coverage, by, columns) if coverage is not None and coverage.restricted else None
    rows = []
    for keys, part in frame.groupby(["theme", *columns], sort=False):
        keys = keys if isinstance(keys, tuple) else (keys,)
        values = part["balance"].dropna().to_numpy(dtype=float)
        low = high = np.nan
        if len(values) >= 2 and np.ptp(values) > 0:
            result = bootstrap((values,), np.mean, confidence_level=confidence, n_resamples=n_resamples,
                               method="percentile", rng=np.random.default_rng(seed))
            low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
        elif len(values) >= 2:  # every participant has the same balance: the interval is that value
            low = high = float(values[0])
        rows.append(_group_row(keys, columns, values, int(part["balance"].isna().sum()), low, high, confidence,
                               part["unit"].iloc[0], part["status"].iloc[0], not_coded))
    table = pd.DataFrame(rows)
    if not_coded is not None:
        table = pd.DataFrame(_with_uncoded_groups(rows, columns, not_coded, confidence))
        if len(table) and not not_coded["known"]:
            table["n_not_coded"] = table["n_not_coded"].astype("Int64")
    return with_coverage(table, coverage)


def _group_row(keys: tuple, columns: list[str], values: np.ndarray, n_without: int, low: float, high: float,
               confidence: float, unit, status, not_coded: "dict | None") -> dict:
    """One row of :func:`group_balance`: ``keys`` = (theme, *group values)."""
    group = ", ".join(f"{c}={v}" for c, v in zip(columns, keys[1:], strict=True)) or "all"
    row = {"theme": keys[0], **dict(zip(columns, keys[1:], strict=True)), "group": group,
           "n_participants": len(values), "n_without": n_without}
    if not_coded is not None:
        row["n_not_coded"] = not_coded["counts"].get(tuple(keys[1:]), 0) if not_coded["known"] else pd.NA
    row.update({"mean_balance": float(values.mean()) if len(values) else np.nan,
                "ci_low": low, "ci_high": high, "confidence": confidence,
                "share_heavy": float((values > 0).mean()) if len(values) else np.nan,
                "unit": unit, "status": status})
    return row


def _not_coded(coverage, by, columns: list[str]) -> dict:
    """The uncoded participants per group (keyed by the tuple of group values), or ``known=False`` when the
    coverage lacks a group column for them (a document attribute such as ``kind``)."""
    people = coverage.uncoded_people
    if any(c not in people.columns for c in columns):
        return {"known": False, "counts": {}}
    if not columns:
        return {"known": True, "counts": {(): len(people)}}
    grouped, _ = _groups(people, by)
    counts = grouped.groupby(columns, sort=True).size()
    return {"known": True, "counts": {(k if isinstance(k, tuple) else (k,)): int(n) for k, n in counts.items()}}


def _with_uncoded_groups(rows: list[dict], columns: list[str], not_coded: dict, confidence: float) -> list[dict]:
    """``rows`` plus, for each theme, a row for each group whose participants were none of them coded."""
    themes = list(dict.fromkeys(row["theme"] for row in rows))
    out = []
    for theme in themes:
        mine = [row for row in rows if row["theme"] == theme]
        seen = {tuple(row[c] for c in columns) for row in mine}
        out += mine
        for keys in sorted(k for k in not_coded["counts"] if k not in seen):
            out.append(_group_row((theme, *keys), columns, np.zeros(0), 0, np.nan, np.nan, confidence,
                                  mine[0]["unit"], mine[0]["status"], not_coded))
    return out
