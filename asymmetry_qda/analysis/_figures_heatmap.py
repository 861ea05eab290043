"""The co-occurrence heatmap: a code-by-code matrix of one measure, with its colour bar."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import FuncNorm
from matplotlib.ticker import MaxNLocator, NullLocator

from ..errors import ArgumentError
from ..escaping import mathtext_safe
from ._figures_common import (
    _HEATMAP_MEASURES,
    _MAX_ANNOTATED,
    _NOTE_COLOUR,
    _TICK_WRAP,
    MEASURE_FORMULAS,
    MEASURE_NAMES,
    _check_columns,
    _check_measure,
    _check_one_group,
    _group_note,
    _measure_format,
    _pair_matrix,
    _table_codes,
    _unit_of,
    _wrap,
)
from ._figures_output import _STYLE, QDAFigure, _new_figure

__all__ = ["cooccurrence_heatmap"]


def _lift_norm(largest: float) -> tuple[FuncNorm, list[float]]:
    """A log scale for lift, symmetric about 1 (white): 1/k and k the same shade of blue and red.

    Lifts at or below the bottom (1 / the largest, and 0: never together) take the bottom colour.
    Returns the norm and round colour-bar ticks (..., 0.1, 0.5, 1, 2, 10, ...).
    """
    high = max(2.0, float(largest))
    low = 1.0 / high

    def forward(x: Any) -> Any:
        return np.log(np.clip(x, low, None))

    norm = FuncNorm((forward, np.exp), vmin=low, vmax=high)
    steps = [v for v in (2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0) if v <= high * 1.0001]
    steps = steps[::2] if len(steps) > 4 else steps
    return norm, sorted({1.0, *steps, *(1.0 / v for v in steps)})


def cooccurrence_heatmap(table: pd.DataFrame, *, measure: str = "jaccard", codes: Sequence[str] | None = None,
                         labels: Mapping[str, str] | None = None, title: str | None = None) -> QDAFigure:
    """Draw a code-by-code heatmap of one co-occurrence measure from a tidy pair table.

    A table with several groups (e.g. a
    varying ``leader`` column) is refused. A caption under the matrix gives the unit, N, the formula
    and the group (a constant ``leader`` column, say).

    Parameters
    ----------
    table : pandas.DataFrame
        ``table`` has one row per unordered pair with columns ``code_a``, ``code_b`` and ``measure``
        (as :func:`~asymmetry_qda.analysis.cooccurrence` gives it).
    measure : str, default "jaccard"
        ``jaccard``, ``dice``, ``lift``, ``n_ab``; or ``p_b_given_a``, which puts P(b | a) in row a,
        column b and P(a | b) in row b, column a, from ``p_a_given_b`` or else ``n_ab / n_b``.
    codes : sequence of str, optional
        ``codes`` sets the row and column order (pass codebook order; default sorted); pairs with a
        code not in it are left out; the diagonal, pairs missing from the table and codes absent from
        it are blank.
    labels : mapping of str to str, optional
        ``labels`` maps code ids to tick labels.
    title : str, optional
        The default title names the table's unit (its
        ``unit`` column) and the measure.

    Returns
    -------
    QDAFigure
        One axes: the matrix, a colour bar, and the caption under it.

    Notes
    -----
    Plots a pair table of :func:`~asymmetry_qda.analysis.cooccurrence` (or
    :func:`~asymmetry_qda.analysis.cooccurrence_from_matrix`), one group of it:
    a cell per (row code, column code) holding the table's ``measure`` for that
    pair as computed there (nothing is recomputed, except ``P(a | b) = n_ab /
    n_b`` for ``p_b_given_a`` when the table has no ``p_a_given_b``). The unit is
    the table's (its ``unit`` column, N its ``n_units``), named in the caption
    with the measure's formula. Colour scale: 0 to 1 for the proportions, 0 to
    the largest ``n_ab`` for counts, and for ``lift`` a log scale centred on 1.
    Numbers are written in the cells when there are at most 20 codes. Drawn
    with seaborn's ``heatmap``.

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"code_a": ["a"], "code_b": ["b"], "n_ab": [3], "unit": "turn"})
    >>> figure = cooccurrence_heatmap(pairs, measure="n_ab", codes=["b", "a"])
    >>> [t.get_text() for t in figure.axes[0].get_xticklabels()], figure.axes[0].get_title()
    (['b', 'a'], 'Code co-occurrence in turns: co-occurrences (n_ab)')
    """
    _check_measure(measure, _HEATMAP_MEASURES)
    needed = ["code_a", "code_b", measure]
    if measure == "p_b_given_a" and "p_a_given_b" not in table.columns:
        needed += ["n_ab", "n_b"]  # P(a | b) = n_ab / n_b
    _check_columns(table, needed, "table")
    _check_one_group(table)
    if codes is None:
        order = _table_codes(table)
    else:
        order = [str(code) for code in codes]
        repeated = sorted({code for code in order if order.count(code) > 1})
        if repeated:
            raise ArgumentError(f"codes: {', '.join(map(repr, repeated))} given more than once")
    matrix = _pair_matrix(table, measure, order)
    tick_labels = [mathtext_safe(_wrap(str(labels.get(code, code) if labels else code), _TICK_WRAP))
                   for code in order]
    matrix.index, matrix.columns = tick_labels, tick_labels
    plural, unit_sentence = _unit_of(table)
    if measure == "p_b_given_a":
        cell = "Cell in row a, column b: P(b | a) = n_ab / n_a"
    else:
        cell = f"Cell: {MEASURE_NAMES[measure]}" + (f" = {MEASURE_FORMULAS[measure]}" if measure != "n_ab" else "")
    caption = " ".join(part for part in (
        unit_sentence, _group_note(table),
        f"{cell}, where n_a and n_b count the {plural} with each code and n_ab those with both.",
        "Lift on a log scale: white = 1 (together as often as by chance), 0 (never together) the darkest blue."
        if measure == "lift" else "",
        "Blank: the diagonal and pairs not in the table.") if part)

    n = len(order)
    with matplotlib.rc_context(_STYLE):
        cell = 0.6 if n <= _MAX_ANNOTATED else 0.42  # room for the numbers only where they are drawn
        width = max(4.5, cell * n + 2.6)
        figure = _new_figure(width, max(3.2, cell * 0.85 * n + 1.8) + 0.5)
        ax = figure.add_subplot()
        largest = float(np.nanmax(matrix.to_numpy())) if matrix.notna().to_numpy().any() else 0.0
        options: dict[str, Any]
        if measure == "lift":  # below 1 (less than chance) blue, above red, 1 white, on a log scale
            norm, lift_ticks = _lift_norm(largest)
            options = {"cmap": "vlag", "norm": norm}
        else:
            options = {"cmap": "mako_r", "vmin": 0.0, "vmax": 1.0 if measure != "n_ab" else max(1.0, largest)}
        bar_label = {"n_ab": f"{plural} with both codes (n_ab)",
                     "lift": f"{MEASURE_NAMES[measure]}, log scale"}.get(measure, MEASURE_NAMES[measure])
        if n == 0:
            ax.set_axis_off()
        else:
            sns.heatmap(matrix, ax=ax, mask=matrix.isna(), annot=n <= _MAX_ANNOTATED,
                        fmt=_measure_format(measure), annot_kws={"fontsize": 7},
                        square=True, linewidths=0.5, linecolor="white",
                        cbar_kws={"label": bar_label, "shrink": 0.8}, **options)
            ax.set_xticks(np.arange(n) + 0.5, tick_labels, rotation=45, ha="right", rotation_mode="anchor")
            ax.set_yticks(np.arange(n) + 0.5, tick_labels, rotation=0)
            ax.tick_params(length=0)
            ax.set_xlabel("")
            ax.set_ylabel("")
            colourbar = ax.collections[0].colorbar
            if measure == "lift":
                colourbar.set_ticks(lift_ticks, labels=[f"{t:g}" for t in lift_ticks])
                colourbar.ax.yaxis.set_minor_locator(NullLocator())
            elif measure == "n_ab":
                colourbar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title if title is not None else
                     (f"Code co-occurrence in {plural}: {MEASURE_NAMES[measure]}" if plural != "units"
                      else f"Code co-occurrence: {MEASURE_NAMES[measure]}"))
        figure.supxlabel(_wrap(caption, max(60, int(width * 72 / 4.2))), fontsize=7, color=_NOTE_COLOUR)
    return figure
