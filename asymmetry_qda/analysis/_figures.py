"""Figures of the published theme tables, drawn the same way every time.

Every function takes a tidy table (data first, options after) and returns a
:class:`QDAFigure`: a :class:`matplotlib.figure.Figure` built directly on an Agg
canvas, which nothing registers with pyplot, that needs no display and changes
no global setting of matplotlib or seaborn. Being a plain ``Figure`` underneath,
it takes every Figure method (``savefig``, ``axes``, ``legends``...); it adds
only ``_repr_png_``, so Jupyter shows it as the last expression of a cell or
through ``display(fig)`` with no ``%matplotlib`` line (matplotlib's own Figure
shows only once pyplot's inline backend has been activated).
:func:`save_figure` writes PNG and SVG files that are byte-identical for the
same figure, whatever the date or the software versions' metadata; the PNG
Jupyter shows is the same 150 dpi image. Code ids, labels, theme and group
names are drawn literally: a ``$`` in them never starts matplotlib's mathtext
(``$5m`` stays ``$5m``); a ``title`` given by the caller is drawn as given.

- :func:`cooccurrence_heatmap`: a code-by-code matrix of one co-occurrence measure.
- :func:`cooccurrence_network`: codes as nodes, pairs passing a threshold as edges
  (the graph itself comes from :func:`cooccurrence_graph`), with a legend for node
  area and edge width and labels placed so that none covers another or a node.
- :func:`balance_plot`: each group's mean balance index with its interval, one row per
  theme, each axis end named after its pole.

Group keys such as ``leader=(missing)`` are drawn through :func:`group_label`
(``leader: not recorded``) in every figure.

Examples
--------
>>> import pandas as pd
>>> pairs = pd.DataFrame({"code_a": ["a", "a", "b"], "code_b": ["b", "c", "c"],
...                       "n_a": [4, 4, 3], "n_b": [3, 2, 2], "n_ab": [2, 1, 0],
...                       "jaccard": [0.4, 0.2, 0.0]})
>>> len(cooccurrence_heatmap(pairs).axes)  # the matrix and its colour bar
2
>>> sorted(cooccurrence_graph(pairs, threshold=0.3).edges)
[('a', 'b')]
>>> figure = cooccurrence_network(pairs)
>>> isinstance(figure, Figure), figure._repr_png_()[0][:4]  # shows itself in Jupyter as PNG
(True, b'\x89PNG')
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import networkx as nx
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import FuncNorm
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator, NullLocator

from ..errors import ArgumentError
from ..escaping import mathtext_safe
from ..fileio import write_bytes_atomically

__all__ = [
    "PAIR_COLUMNS",
    "QDAFigure",
    "balance_plot",
    "cooccurrence_graph",
    "cooccurrence_heatmap",
    "cooccurrence_network",
    "figure_bytes",
    "group_label",
    "save_figure",
]

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

BALANCE_COLUMNS = ("theme", "group", "mean_balance", "ci_low", "ci_high", "n_participants")
BALANCE_XLABEL = "balance index (heavy \N{MINUS SIGN} light) / (heavy + light)"

_DEFAULT_NODE_COLOUR = "#A6CEE3"
_EDGE_COLOUR = "#7F7F7F"
_POINT_COLOUR = "#1F4E79"
_NOTE_COLOUR = "#404040"
_DPI = 150
_SCREEN_DPI = 100  # the size Jupyter shows a figure at, as matplotlib's inline backend does
_MAX_ANNOTATED = 20
_TICK_WRAP = 36  # characters per line of a heatmap tick label
_NOT_RECORDED = "not recorded"

#: The style every figure is built and saved under (bundled font, so output does not depend on the machine).
_STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.facecolor": "white",
    "figure.dpi": 100,
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.edgecolor": "white",
    "path.simplify": True,
    "image.interpolation": "nearest",
}
_SAVE_STYLE: dict[str, Any] = {**_STYLE, "svg.hashsalt": "asymmetry_qda", "svg.fonttype": "path",
                               "svg.id": None, "svg.image_inline": True}


class QDAFigure(Figure):
    """A matplotlib :class:`~matplotlib.figure.Figure` that Jupyter displays without ``%matplotlib``.

    IPython draws a plain Figure only once pyplot's inline backend has registered a
    formatter for it; this one carries ``_repr_png_``, the same 150 dpi PNG that
    :func:`figure_bytes` writes (shown at 100 pixels per inch, like the inline
    backend), so ``fig`` as a cell's last expression and ``display(fig)`` both work.
    Where a formatter for Figure is registered (``%matplotlib inline``), that one is
    used as for any figure. Nothing else differs from Figure.

    Notes
    -----
    Computes no number: a figure of this module's drawing functions, which say
    what they plot and from which table. ``_repr_png_`` renders it with
    :func:`figure_bytes` (150 dpi PNG) and asks Jupyter to show it at 100
    pixels per inch.
    """

    def _repr_png_(self) -> tuple[bytes, dict[str, int]]:
        (_, data), = figure_bytes(self, "figure", formats=("png",))
        width, height = self.get_size_inches()
        return data, {"width": round(width * _SCREEN_DPI), "height": round(height * _SCREEN_DPI)}


def _new_figure(width: float, height: float, *, layout: str | None = "constrained") -> QDAFigure:
    figure = QDAFigure(figsize=(width, height), layout=layout)
    if layout == "constrained":
        figure.get_layout_engine().set(w_pad=0.08, h_pad=0.06)
    FigureCanvasAgg(figure)
    return figure


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


def _wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters, at spaces only."""
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)) or text


def cooccurrence_graph(table: pd.DataFrame, measure: str = "jaccard", threshold: float = 0.0,
                       min_count: int = 1) -> nx.Graph:
    """Build the co-occurrence graph: a node per code, an edge per pair with n_ab >= min_count and measure > threshold.

    Nodes are added in sorted order and carry ``count`` (the code's frequency from ``n_a``/``n_b``, or
    None when the table lacks them); edges carry ``weight`` (the measure) and ``n_ab``.

    Parameters
    ----------
    table : pandas.DataFrame
        A co-occurrence table: one row per pair, with ``code_a``, ``code_b``, ``n_ab`` and the measure.
    measure : str, default "jaccard"
        Only the
        symmetric measures (jaccard, dice, lift, n_ab) make undirected edges.
    threshold : float, default 0.0
        An edge needs a measure above it.
    min_count : int, default 1
        An edge needs at least this many units coded with both codes (``n_ab``).

    Returns
    -------
    networkx.Graph
        Undirected: a node per code of the table, an edge per pair that passes.

    Notes
    -----
    Computes no measure: it filters the rows of a pair table of
    :func:`~asymmetry_qda.analysis.cooccurrence` (one group). A node's
    ``count`` is the code's ``n_a`` or ``n_b`` in the table (the largest seen;
    the number of units of the table's unit coded with it); an edge's
    ``n_ab`` is the number of units holding both codes, its ``weight`` the
    table's ``measure``. An edge is kept when ``n_ab >= min_count`` and
    ``measure > threshold``. Built with networkx.

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"code_a": ["a", "a"], "code_b": ["b", "c"], "n_ab": [5, 1], "jaccard": [0.5, 0.1]})
    >>> graph = cooccurrence_graph(pairs, min_count=2)
    >>> list(graph.nodes), list(graph.edges(data="weight"))
    (['a', 'b', 'c'], [('a', 'b', 0.5)])
    """
    _check_measure(measure, _SYMMETRIC)
    _check_columns(table, ["code_a", "code_b", "n_ab", measure], "table")
    _check_one_group(table)
    counts: dict[str, float] = {}
    for side in ("a", "b"):
        if f"n_{side}" in table.columns:
            for code, count in zip(table[f"code_{side}"].astype(str), table[f"n_{side}"]):
                if pd.notna(count):
                    counts[code] = max(counts.get(code, 0.0), float(count))
    graph = nx.Graph()
    for code in _table_codes(table):
        graph.add_node(code, count=counts.get(code))
    edges = []
    for a, b, n_ab, value in zip(table["code_a"].astype(str), table["code_b"].astype(str), table["n_ab"],
                                 table[measure]):
        if a != b and pd.notna(n_ab) and pd.notna(value) and n_ab >= min_count and value > threshold:
            edges.append((min(a, b), max(a, b), float(value), int(n_ab)))
    for a, b, value, n_ab in sorted(edges):
        if graph.has_edge(a, b) and graph.edges[a, b]["weight"] != value:
            raise ArgumentError(f"table: the pair ({a!r}, {b!r}) appears more than once with different {measure} "
                                f"values; give one row per pair (filter the table to one group first)")
        graph.add_edge(a, b, weight=value, n_ab=n_ab)
    return graph


# -- the network ---------------------------------------------------------------------------------
# Drawn on a fixed layout rather than a constrained one: the axes box is sized in points and its data
# coordinates are points, so node radii (from marker areas) and label boxes (measured with the Agg
# renderer) are compared in one unit while the labels are placed. Every size below is in points.

_NODE_AREA = (50.0, 900.0)  # marker area (pt²) of the least and the most frequent code
_EQUAL_AREA = 300.0  # every node's area when the table has no n_a / n_b
_EDGE_WIDTH = (0.6, 6.0)  # line width of the weakest possible and the strongest edge
_LABEL_SIZE = 7.0
_LABEL_PAD = 0.25  # the label box's padding, as a fraction of the font size
_LABEL_WRAP = 22  # characters per line of a node label
_GAP = 2.0  # clearance between a label box and any other label box or node
_NODE_GAP = 4.0  # clearance between two nodes
_RINGS = 7  # label positions tried around a node: at its edge, then six rings further out
_PAD = 8.0  # around the figure
_LEGEND_GAP = 10.0  # between the axes box and the legend column, and between legends


def _extent(artist: Any, renderer: Any, dpi: float) -> tuple[float, float]:
    """Width and height of an artist as drawn, in points."""
    box = artist.get_window_extent(renderer)
    return box.width * 72.0 / dpi, box.height * 72.0 / dpi


def _wrap_measured(text: str, width: float, renderer: Any, dpi: float, **font: Any) -> str:
    """``text`` broken at spaces into lines no wider than ``width`` points (a single long word stays whole)."""
    probe = Text(0, 0, "", **font)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            trial = f"{line} {word}" if line else word
            probe.set_text(trial)
            if line and _text_width(probe, renderer, dpi) > width:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return "\n".join(lines)


def _text_width(text: matplotlib.text.Text, renderer: Any, dpi: float) -> float:
    width, _, _ = renderer.get_text_width_height_descent(text.get_text(), text.get_fontproperties(), ismath=False)
    return width * 72.0 / dpi


def _nice(value: float) -> float:
    """``value`` rounded to a 1, 2 or 5 times a power of ten (at least the value's order of magnitude)."""
    if value <= 0:
        return 0.0
    power = 10.0 ** math.floor(math.log10(value))
    return min((step * power for step in (1, 2, 5, 10)), key=lambda v: abs(v - value))


def _legend_values(smallest: float, largest: float, integer: bool) -> list[float]:
    """Up to three values for a size or width legend (both scales are linear): the ends and a round middle,
    the middle left out when it would look like an end."""
    if integer:
        smallest, largest = float(round(smallest)), float(round(largest))
    middle = _nice((smallest + largest) / 2)
    apart = 0.2 * (largest - smallest)
    values = [smallest, middle, largest] if smallest + apart <= middle <= largest - apart else [smallest, largest]
    return list(dict.fromkeys(float(v) for v in values if v > 0)) or [largest]


def _format_value(value: float, measure: str) -> str:
    if measure == "n_ab" or float(value).is_integer() and measure not in ("jaccard", "dice"):
        return f"{value:.0f}"
    return f"{value:{_measure_format(measure)}}"


def _colour_of(code: str, colours: Mapping[str, str] | None) -> str:
    """The code's colour, else its nearest ancestor's (``response.blame`` takes ``response``'s), else the default."""
    if colours:
        ancestor: str | None = code
        while ancestor:
            if colours.get(ancestor):
                return colours[ancestor]
            ancestor = ancestor.rsplit(".", 1)[0] if "." in ancestor else None
    return _DEFAULT_NODE_COLOUR


def _unit_positions(graph: nx.Graph, nodes: Sequence[str], seed: int) -> np.ndarray:
    """Node positions from a seeded spring layout (a circle without edges), scaled to [0, 1] on each axis."""
    if graph.number_of_edges():
        position = nx.spring_layout(graph, seed=seed, weight="weight", k=1.6 / math.sqrt(max(len(nodes), 1)))
    else:  # nothing pulls the nodes together: a circle reads better than a random scatter
        position = nx.circular_layout(graph)
    xy = np.array([position[code] for code in nodes], dtype=float).reshape(len(nodes), 2)
    low, high = xy.min(axis=0), xy.max(axis=0)
    span = np.where(high - low > 1e-12, high - low, 1.0)
    return np.where(high - low > 1e-12, (xy - low) / span, 0.5)


def _separate(xy: np.ndarray, radii: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Push overlapping nodes apart (deterministically) until each pair is ``_NODE_GAP`` clear, inside the box."""
    xy = xy.copy()
    n = len(xy)
    for _ in range(400):
        moved = False
        for i in range(n):
            for j in range(i + 1, n):
                delta = xy[j] - xy[i]
                distance = math.hypot(*delta)
                need = radii[i] + radii[j] + _NODE_GAP
                if distance >= need:
                    continue
                if distance < 1e-9:
                    angle = 2 * math.pi * (i * 7 + j) / max(n, 1)
                    delta, distance = np.array([math.cos(angle), math.sin(angle)]), 1.0
                push = (need - distance) / 2 + 0.01
                xy[i] -= delta / distance * push
                xy[j] += delta / distance * push
                moved = True
        xy = np.clip(xy, low + radii[:, None], high - radii[:, None])
        if not moved:
            break
    return xy


def _rects_overlap(a: tuple[float, ...], b: tuple[float, ...], gap: float) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def _rect_hits_circle(rect: tuple[float, ...], centre: np.ndarray, radius: float) -> bool:
    nearest_x = min(max(centre[0], rect[0]), rect[2])
    nearest_y = min(max(centre[1], rect[1]), rect[3])
    return math.hypot(centre[0] - nearest_x, centre[1] - nearest_y) < radius


def _segment_crosses(rect: tuple[float, ...], p: np.ndarray, q: np.ndarray) -> bool:
    """Whether the segment p-q passes through the rectangle (Liang-Barsky clipping)."""
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for edge_p, edge_q in ((-dx, p[0] - rect[0]), (dx, rect[2] - p[0]), (-dy, p[1] - rect[1]), (dy, rect[3] - p[1])):
        if abs(edge_p) < 1e-12:
            if edge_q < 0:
                return False
            continue
        t = edge_q / edge_p
        if edge_p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def _candidates(centre: np.ndarray, radius: float, width: float, height: float,
                ring: int) -> list[tuple[tuple, tuple[float, float]]]:
    """Label boxes around a node, each with its direction from the node: the box's nearest corner or side
    ``ring`` steps beyond the node's edge."""
    distance = radius + _GAP + 1.0 + ring * max(height, 6.0)
    angles = (0, 180, 90, 270, 45, 135, 315, 225) if ring == 0 else [i * 22.5 for i in range(16)]
    boxes = []
    for degrees in angles:
        cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
        x, y = centre[0] + distance * cos, centre[1] + distance * sin
        x0 = x if cos > 1e-9 else x - width if cos < -1e-9 else x - width / 2
        y0 = y if sin > 1e-9 else y - height if sin < -1e-9 else y - height / 2
        boxes.append(((x0, y0, x0 + width, y0 + height), (cos, sin)))
    return boxes


def _rect_distance(rect: tuple[float, ...], centre: np.ndarray, radius: float) -> float:
    """How far the rectangle is from a node's edge."""
    nearest_x = min(max(centre[0], rect[0]), rect[2])
    nearest_y = min(max(centre[1], rect[1]), rect[3])
    return math.hypot(centre[0] - nearest_x, centre[1] - nearest_y) - radius


def _place_labels(xy: np.ndarray, radii: np.ndarray, sizes: Sequence[tuple[float, float]], box: tuple[float, float],
                  edges: Sequence[tuple[int, int]], order: Sequence[int]) -> list[tuple[tuple, int]] | None:
    """``(box, ring)`` per label, clear of every node and earlier label and inside ``box``; None if one finds no room.

    The nearest free position is taken that is not nearer another node than its own (so it reads as that
    node's label), looking up to two rings further out for one; else the nearest free position. Among
    equals, the one crossing fewest edges, then the one pointing most away from the middle of the network
    (into the free space around it), then the earlier direction (right, left, above, below, diagonals).
    """
    placed: list[tuple] = []
    chosen_boxes: list[tuple[tuple, int] | None] = [None] * len(xy)
    others = range(len(xy))
    middle = xy.mean(axis=0) if len(xy) else np.zeros(2)
    for i in order:
        width, height = sizes[i]
        away = xy[i] - middle
        away = away / (math.hypot(*away) or 1.0)

        def cost(candidate: tuple[tuple, tuple[float, float]]) -> tuple[bool, int, float]:
            rect, (cos, sin) = candidate
            own = _rect_distance(rect, xy[i], radii[i])
            ambiguous = any(_rect_distance(rect, xy[j], radii[j]) < own for j in others if j != i)
            crossings = sum(_segment_crosses(rect, xy[a], xy[b]) for a, b in edges)
            return ambiguous, crossings, -round(cos * away[0] + sin * away[1], 6)

        fallback = None
        chosen = None
        for ring in range(_RINGS):
            free = [(rect, direction) for rect, direction in _candidates(xy[i], radii[i], width, height, ring)
                    if rect[0] >= 0 and rect[1] >= 0 and rect[2] <= box[0] and rect[3] <= box[1]
                    and not any(_rects_overlap(rect, other, _GAP) for other in placed)
                    and not any(_rect_hits_circle(rect, xy[j], radii[j] + _GAP) for j in others)]
            if free:
                best = min(free, key=cost)
                if not cost(best)[0]:
                    chosen = (best[0], ring)
                    break
                fallback = fallback or (best[0], ring)
            if fallback is not None and ring >= fallback[1] + 2:
                break
        chosen = chosen or fallback
        if chosen is None:
            return None
        placed.append(chosen[0])
        chosen_boxes[i] = chosen
    return chosen_boxes


def cooccurrence_network(table: pd.DataFrame, *, measure: str = "jaccard", threshold: float = 0.0,
                         min_count: int = 1, colours: Mapping[str, str] | None = None,
                         labels: Mapping[str, str] | None = None, title: str | None = None,
                         seed: int = 0) -> QDAFigure:
    """Draw the co-occurrence network of :func:`cooccurrence_graph` with a reproducible spring layout.

    Node area is proportional to the code's frequency (``n_a``/``n_b``: the units coded with it;
    equal sizes without them), edge width to the measure. Legends beside the network say what
    area, width and colour encode, with sample values; a caption under it names the unit of
    the table (its ``unit`` and ``n_units`` columns), the measure's formula and the threshold.
    Each label is placed beside its node, clear of every node and every other label
    (further out with a thin leader line where the space next to the node is taken; the network
    is drawn larger when a label finds no room). Nodes are pushed apart until none overlaps
    another. When no pair passes, the nodes are still drawn and the title says so.

    Parameters
    ----------
    table : pandas.DataFrame
        A co-occurrence table, as for :func:`cooccurrence_graph`.
    measure : str, default "jaccard"
        The measure edges are drawn by: jaccard, dice, lift or n_ab.
    threshold : float, default 0.0
        An edge needs a measure above it.
    min_count : int, default 1
        An edge needs at least this many units coded with both codes (``n_ab``).
    colours : mapping of str to str, optional
        Node colours come from ``colours`` (code id -> hex, e.g. a codebook's theme colours or
        :func:`asymmetry_qda.display.code_colours`; a code without one takes its nearest
        ancestor's), else one fixed colour.
    labels : mapping of str to str, optional
        ``labels`` maps code ids to labels, wrapped at about 22
        characters.
    title : str, optional
        The figure's title (default: the unit and the measure).
    seed : int, default 0
        The spring layout's seed: the same seed draws the same network.

    Returns
    -------
    QDAFigure
        The network, its legends and its caption.

    Notes
    -----
    Plots :func:`cooccurrence_graph` of a pair table of
    :func:`~asymmetry_qda.analysis.cooccurrence` (one group). Node area is
    ``900 * count / largest count`` points² (at least 50), ``count`` being the
    number of the table's units coded with the code (``n_a``/``n_b``); edge width
    grows linearly with the measure, from 0.6 to 6 points for the strongest
    edge. Positions come from ``networkx.spring_layout`` (``seed``; a circle
    when no edge passes), then nodes and labels are moved apart. The caption
    names the unit (the table's ``unit``, N its ``n_units``), the measure's
    formula and the edge rule. Nothing is recomputed from the codings.

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"code_a": ["a"], "code_b": ["b"], "n_ab": [1], "jaccard": [0.2]})
    >>> figure = cooccurrence_network(pairs, threshold=0.5)
    >>> len(figure.axes), "no pair passes" in figure.axes[0].get_title()
    (1, True)
    >>> [legend.get_title().get_text().split(":")[0] for legend in figure.legends]
    ['Node area']
    """
    graph = cooccurrence_graph(table, measure, threshold, min_count)
    nodes = list(graph.nodes)
    n = len(nodes)
    plural, unit_sentence = _unit_of(table)
    name = MEASURE_NAMES[measure] if measure != "n_ab" else f"{plural} with both codes (n_ab)"
    heading = title if title is not None else (
        f"Code co-occurrence in {plural}: {MEASURE_NAMES[measure]}" if plural != "units"
        else f"Code co-occurrence: {MEASURE_NAMES[measure]}")
    if not graph.number_of_edges():
        heading += f"\n(no pair passes: {measure} > {threshold:g} and n_ab \N{GREATER-THAN OR EQUAL TO} {min_count})"
    if measure == "n_ab":
        rule = (f"An edge joins two codes found together in more than {threshold:g} of the {plural} "
                f"(n_ab > {threshold:g} and n_ab \N{GREATER-THAN OR EQUAL TO} {min_count})")
    else:
        rule = (f"An edge joins two codes whose {MEASURE_NAMES[measure]} = {MEASURE_FORMULAS[measure]} is above "
                f"{threshold:g} and that are found together in at least {min_count} of the {plural} "
                f"(n_ab \N{GREATER-THAN OR EQUAL TO} {min_count})")
    caption = " ".join(part for part in (
        unit_sentence, _group_note(table),
        f"{rule}; n_a and n_b count the {plural} coded with each code, n_ab those coded with both.") if part)

    counts = [graph.nodes[code]["count"] for code in nodes]
    known = [c for c in counts if c is not None]
    largest = max(known, default=0.0)
    smallest = min((c for c in known if c > 0), default=0.0)
    areas = np.array([max(_NODE_AREA[0], _NODE_AREA[1] * c / largest) if largest > 0 and c is not None
                      else _EQUAL_AREA for c in counts], dtype=float)
    radii = np.sqrt(areas) / 2.0  # a marker of area s points² is sqrt(s) points across
    fill = [_colour_of(code, colours) for code in nodes]
    edge_list = list(graph.edges(data="weight"))
    strongest = max((abs(w) for _, _, w in edge_list), default=0.0) or 1.0

    def width_of(value: float) -> float:
        return _EDGE_WIDTH[0] + (_EDGE_WIDTH[1] - _EDGE_WIDTH[0]) * abs(value) / strongest

    with matplotlib.rc_context(_STYLE):
        figure = _new_figure(6.0, 6.0, layout=None)
        # measured at the saved resolution: Agg's hinted text is a little wider there than at 100 dpi
        figure.set_dpi(_DPI)
        dpi = figure.dpi
        renderer = figure.canvas.get_renderer()
        font = {"fontsize": _LABEL_SIZE, "fontfamily": _STYLE["font.family"]}
        texts = [_wrap(_label(code, labels), _LABEL_WRAP) for code in nodes]
        pad = _LABEL_PAD * _LABEL_SIZE
        sizes = []
        for text in texts:
            probe = figure.text(0, 0, text, ha="center", va="center", multialignment="center", **font)
            width, height = _extent(probe, renderer, dpi)
            sizes.append((width + 2 * pad, height + 2 * pad))
            probe.remove()

        # the legends first: their sizes set the figure's width
        legends = _network_legends(figure, nodes, counts, largest, smallest, fill, colours, labels, plural,
                                   edge_list, strongest, width_of, measure, name)
        legend_sizes = [_extent(legend, renderer, dpi) for legend in legends]
        legend_width = max((w for w, _ in legend_sizes), default=0.0)
        legend_height = sum(h for _, h in legend_sizes) + _LEGEND_GAP * max(len(legends) - 1, 0)

        # the network box: grown until every label finds a place
        room = sum(w * h for w, h in sizes) + float(np.sum((2 * radii + _NODE_GAP) ** 2))
        side = float(np.clip(math.sqrt(room * 4.5), 250.0, 620.0)) if n else 250.0
        unit_xy = _unit_positions(graph, nodes, seed) if n else np.zeros((0, 2))
        index = {code: i for i, code in enumerate(nodes)}
        edges_idx = [(index[a], index[b]) for a, b, _ in edge_list]
        order = sorted(range(n), key=lambda i: (-areas[i], -graph.degree(nodes[i]), nodes[i]))
        boxes: list[tuple[tuple, int] | None] | None = None
        for _ in range(14):
            box = (side * 1.15, side)
            margin = np.array([max(radii, default=0.0) + 6.0] * 2)
            low, high = margin, np.array(box) - margin
            xy = _separate(low + unit_xy * (high - low), radii, np.zeros(2), np.array(box))
            boxes = _place_labels(xy, radii, sizes, box, edges_idx, order)
            if boxes is not None:
                break
            side *= 1.15
        if boxes is None:  # not expected after 14 tries: let the labels run past the box's edges
            boxes = _place_labels(xy, radii, sizes, (math.inf, math.inf), edges_idx, order) or [None] * n

        # the title and caption, wrapped to the figure's width
        total_width = _PAD + box[0] + (_LEGEND_GAP + legend_width if legends else 0.0) + _PAD
        title_text = figure.text(0, 0, _wrap_measured(heading, box[0] + 2 * _PAD, renderer, dpi,
                                                      fontsize=_STYLE["axes.titlesize"]),
                                 fontsize=_STYLE["axes.titlesize"])
        title_height = _extent(title_text, renderer, dpi)[1]
        title_text.remove()
        caption_text = figure.text(0, 0, _wrap_measured(caption, total_width - 2 * _PAD, renderer, dpi, fontsize=7),
                                   fontsize=7, color=_NOTE_COLOUR, ha="left", va="top")
        caption_height = _extent(caption_text, renderer, dpi)[1]
        body = max(box[1], legend_height)
        total_height = _PAD + title_height + 8.0 + body + 8.0 + caption_height + _PAD
        figure.set_size_inches(total_width / 72.0, total_height / 72.0)

        def fx(points: float) -> float:
            return points / total_width

        def fy(points: float) -> float:
            return points / total_height

        box_bottom = _PAD + caption_height + 8.0 + (body - box[1])
        ax = figure.add_axes((fx(_PAD), fy(box_bottom), fx(box[0]), fy(box[1])))
        ax.set_axis_off()
        ax.set_xlim(0, box[0])
        ax.set_ylim(0, box[1])
        ax.set_autoscale_on(False)
        ax.set_title(title_text.get_text(), fontsize=_STYLE["axes.titlesize"], pad=8.0)
        caption_text.set_position((fx(_PAD), fy(_PAD + caption_height)))
        if n:
            if edge_list:
                segments = [[xy[index[a]], xy[index[b]]] for a, b, _ in edge_list]
                ax.add_collection(LineCollection(segments, linewidths=[width_of(w) for _, _, w in edge_list],
                                                 colors=_EDGE_COLOUR, alpha=0.8, zorder=1, capstyle="round"))
            ax.scatter(xy[:, 0], xy[:, 1], s=areas, c=fill, edgecolors="#404040", linewidths=0.6, zorder=2)
            for i, text in enumerate(texts):
                if boxes[i] is None:
                    continue
                rect, ring = boxes[i]
                centre = ((rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2)
                if ring > 0:  # away from its node: a leader line says whose label it is
                    nearest = (min(max(xy[i][0], rect[0]), rect[2]), min(max(xy[i][1], rect[1]), rect[3]))
                    direction = (np.array(nearest) - xy[i]) / max(math.dist(nearest, xy[i]), 1e-9)
                    start = xy[i] + direction * radii[i]
                    ax.plot([start[0], nearest[0]], [start[1], nearest[1]], color="#505050", linewidth=0.6,
                            zorder=1.5)
                ax.text(*centre, text, ha="center", va="center", multialignment="center", zorder=3,
                        clip_on=False, bbox={"boxstyle": f"round,pad={_LABEL_PAD}", "facecolor": "white",
                                             "alpha": 0.85, "linewidth": 0}, **font)
        top = _PAD + caption_height + 8.0 + body
        for legend, (_, height) in zip(legends, legend_sizes):
            legend.set_bbox_to_anchor((fx(_PAD + box[0] + _LEGEND_GAP), fy(top)), transform=figure.transFigure)
            top -= height + _LEGEND_GAP
        figure.set_dpi(_STYLE["figure.dpi"])
    return figure


def _network_legends(figure: Figure, nodes: Sequence[str], counts: Sequence[float | None], largest: float,
                     smallest: float, fill: Sequence[str], colours: Mapping[str, str] | None,
                     labels: Mapping[str, str] | None, plural: str, edge_list: Sequence[tuple],
                     strongest: float, width_of: Any, measure: str, name: str) -> list[Legend]:
    """The legends of node area, edge width and (with ``colours``) colour, added to ``figure``."""
    options = {"loc": "upper left", "fontsize": 7, "title_fontsize": 7.5, "frameon": False, "alignment": "left",
               "borderaxespad": 0.0, "borderpad": 0.0}
    made = []
    if nodes:
        if largest > 0:
            values = _legend_values(smallest, largest, integer=True)
            diameters = [math.sqrt(max(_NODE_AREA[0], _NODE_AREA[1] * v / largest)) for v in values]
            handles = [Line2D([], [], linestyle="", marker="o", markersize=d, markerfacecolor="#D9D9D9",
                              markeredgecolor="#404040", markeredgewidth=0.6) for d in diameters]
            texts = [f"{v:.0f}" for v in values]
            title = f"Node area: {plural} coded\nwith the code (n_a)"
            spacing = max(diameters) / 7.0
        else:
            handles = [Line2D([], [], linestyle="", marker="o", markersize=math.sqrt(_EQUAL_AREA),
                              markerfacecolor="#D9D9D9", markeredgecolor="#404040", markeredgewidth=0.6)]
            texts = ["every code"]
            title = "Node area: all equal\n(the table has no n_a, n_b)"
            spacing = math.sqrt(_EQUAL_AREA) / 7.0
        made.append(figure.legend(handles, texts, title=title, handlelength=spacing, handleheight=spacing,
                                  labelspacing=0.6, **options))
    if edge_list:
        weights = [abs(w) for _, _, w in edge_list]
        values = _legend_values(min(weights), max(weights), integer=measure == "n_ab")
        handles = [Line2D([], [], color=_EDGE_COLOUR, alpha=0.8, linewidth=width_of(v), solid_capstyle="butt")
                   for v in values]
        made.append(figure.legend(handles, [_format_value(v, measure) for v in values],
                                  title=f"Edge width:\n{_wrap(name, 26)}", handlelength=3.0, **options))
    if colours and nodes:
        by_colour: dict[str, list[str]] = {}
        for code, colour in zip(nodes, fill):
            theme = code.split(".")[0]
            names = by_colour.setdefault(colour, [])
            if theme not in names:
                names.append(theme)
        handles, texts = [], []
        for colour, themes in by_colour.items():
            handles.append(Line2D([], [], linestyle="", marker="o", markersize=7, markerfacecolor=colour,
                                  markeredgecolor="#404040", markeredgewidth=0.6))
            shown = [_label(t, labels) if colour != _DEFAULT_NODE_COLOUR or (colours or {}).get(t) else "no colour"
                     for t in themes]
            texts.append(_wrap(", ".join(dict.fromkeys(shown)), 28))
        kind = "theme" if any("." in code for code in nodes) else "code"
        made.append(figure.legend(handles, texts, title=f"Colour: {kind}", **options))
    return made


def _pole_name(code: Any, labels: Mapping[str, str] | None) -> str:
    """A pole's name for an axis end: its label, else the last segment of its id (``reason.personal_fault`` ->
    ``personal fault``), with a leading capital lowered unless the word is an acronym."""
    code = str(code)
    name = labels[code] if labels and code in labels else code.rsplit(".", 1)[-1].replace("_", " ")
    if len(name) > 1 and name[0].isupper() and not name[1].isupper():
        name = name[0].lower() + name[1:]
    return mathtext_safe(name)


def _theme_poles(balance: pd.DataFrame, name: str,
                 poles: Mapping[str, Sequence[str]] | None) -> tuple[Any, Any] | None:
    """``(heavy, light)`` of a theme: from ``poles``, else the table's ``heavy_code``/``light_code`` columns."""
    if poles and name in poles:
        heavy, light = poles[name]
        return heavy, light
    if {"heavy_code", "light_code"} <= set(balance.columns):
        rows = balance[balance["theme"].astype(str) == name]
        heavy, light = _single(rows, "heavy_code"), _single(rows, "light_code")
        if heavy is not None and light is not None:
            return heavy, light
    return None


def balance_plot(balance: pd.DataFrame, *, theme: str | None = None, title: str | None = None,
                 poles: Mapping[str, Sequence[str]] | None = None,
                 labels: Mapping[str, str] | None = None) -> QDAFigure:
    """Draw each group's mean balance index with its interval: one row of axes per theme, x from -1 to 1.

    Themes and groups keep the frame's order (first group on
    top). Each theme's axis says under its ends which pole they
    stand for (``← more praise``, ``more blame →``). A caption gives the unit, the interval's confidence and what
    ``n`` counts.

    Parameters
    ----------
    balance : pandas.DataFrame
        ``balance`` has columns theme, group, mean_balance, ci_low, ci_high and n_participants (one row per
        theme and group, e.g. group ``"leader=True"`` or ``"all"``, drawn as ``leader: yes`` and ``all
        participants`` by :func:`group_label`).
    theme : str, optional
        ``theme`` keeps one theme only.
    title : str, optional
        The figure's title (default: none; each theme's axes are titled with its theme).
    poles : mapping of str to (str, str), optional
        The poles come from ``poles`` (``{theme: (heavy,
        light)}``, as :func:`asymmetry_qda.analysis.theme_poles` gives them), else the table's
        ``heavy_code``/``light_code`` columns, else the ends read "light pole" and "heavy pole".
    labels : mapping of str to str, optional
        ``labels`` maps theme and code ids to the names drawn (default: the theme id, and the last part
        of the pole's code id).

    Returns
    -------
    QDAFigure
        One axes per theme.

    Notes
    -----
    Plots :func:`~asymmetry_qda.analysis.group_balance`'s table, one row per
    (theme, group): a dot at ``mean_balance`` (the mean over the group's
    participants of each one's balance, ``(heavy - light) / (heavy + light)``
    of their coded units) and a line from ``ci_low`` to ``ci_high`` (the
    table's bootstrap interval over participants). The participant is the unit
    of the mean; ``n`` beside each group is its ``n_participants``, the
    participants with coded units on either pole (no estimate is drawn for a
    group with none). The caption names the table's ``unit`` and
    ``confidence``. Nothing is recomputed.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"theme": ["response", "response"], "group": ["leader=True", "leader=False"],
    ...                       "mean_balance": [0.4, -0.1], "ci_low": [0.1, -0.5], "ci_high": [0.7, 0.3],
    ...                       "n_participants": [6, 9]})
    >>> figure = balance_plot(frame, poles={"response": ("response.blame", "response.praise")})
    >>> len(figure.axes), [float(x) for x in figure.axes[0].get_xlim()]
    (1, [-1.0, 1.0])
    >>> [t.get_text() for t in figure.axes[0].get_yticklabels()]
    ['leader: yes (n = 6)', 'leader: no (n = 9)']
    >>> sorted(t.get_text() for t in figure.axes[0].texts)
    ['more blame →', '← more praise']
    """
    _check_columns(balance, BALANCE_COLUMNS, "balance")
    themes = list(pd.unique(balance["theme"].astype(str)))
    if theme is not None:
        if theme not in themes:
            raise ArgumentError(f"theme: {theme!r} is not in the balance table; it has "
                                f"{', '.join(map(repr, themes)) or 'no themes'}")
        themes = [theme]
    if not themes:
        raise ArgumentError("balance: the table has no rows; nothing to draw")
    parts = [balance[balance["theme"].astype(str) == name] for name in themes]
    unit = _single(balance, "unit")
    confidence = _single(balance, "confidence")
    counted = f"{UNIT_NAMES.get(str(unit), (str(unit), f'{unit}s'))[1]}" if unit is not None else "units"
    level = f"{float(confidence):.0%}" if confidence is not None else "the table's"
    caption = (f"Dot: the group's mean balance over its n participants with coded {counted} on either pole "
               f"(each participant counts once); line: {level} bootstrap interval over those participants "
               f"(none with fewer than two). Balance = (heavy \N{MINUS SIGN} light) / (heavy + light) of a "
               f"participant's coded {counted}: +1 all heavy, \N{MINUS SIGN}1 all light.")
    with matplotlib.rc_context(_STYLE):
        heights = [max(1, len(part)) * 0.3 + 0.75 for part in parts]
        figure = _new_figure(6.5, sum(heights) + 1.0 + (0.3 if title else 0.0))
        grid = figure.subplots(len(themes), 1, sharex=True, squeeze=False,
                               gridspec_kw={"height_ratios": heights})
        axes: list[Axes] = list(grid[:, 0])
        for ax, name, part in zip(axes, themes, parts):
            y = np.arange(len(part))
            mean = pd.to_numeric(part["mean_balance"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            low = pd.to_numeric(part["ci_low"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            high = pd.to_numeric(part["ci_high"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            ax.axvline(0.0, color="#808080", linewidth=0.8, linestyle="--", zorder=1)
            ax.hlines(y, low, high, color=_POINT_COLOUR, linewidth=1.6, zorder=2, clip_on=False)
            ax.plot(mean, y, "o", color=_POINT_COLOUR, markersize=5, zorder=3, clip_on=False)
            ax.set_yticks(y, [mathtext_safe(f"{group_label(group)} (n = {_count(n)})")
                              for group, n in zip(part["group"], part["n_participants"])])
            ax.set_ylim(len(part) - 0.5, -0.5)
            for row in np.flatnonzero(np.isnan(mean)):
                ax.text(0.03, row, "no estimate: no participant with coded talk", color="#808080", fontsize=7,
                        va="center")
            ax.set_xlim(-1.0, 1.0)
            ax.set_xticks([-1.0, -0.5, 0.0, 0.5, 1.0], ["\N{MINUS SIGN}1", "\N{MINUS SIGN}0.5", "0", "+0.5", "+1"])
            ax.tick_params(axis="x", labelbottom=True)
            ax.set_title(mathtext_safe(labels.get(name, name) if labels else name), loc="left",
                         fontweight="bold")
            ax.grid(axis="x", color="#E5E5E5", linewidth=0.6)
            ax.set_axisbelow(True)
            ends = _theme_poles(balance, name, poles)
            light, heavy = (("light pole", "heavy pole") if ends is None else
                            (f"more {_pole_name(ends[1], labels)}", f"more {_pole_name(ends[0], labels)}"))
            for x, text, align in ((0.0, f"\N{LEFTWARDS ARROW} {light}", "left"),
                                   (1.0, f"{heavy} \N{RIGHTWARDS ARROW}", "right")):
                ax.annotate(_wrap(text, 38), xy=(x, 0.0), xycoords="axes fraction", xytext=(0, -17),
                            textcoords="offset points", ha=align, va="top", multialignment=align, fontsize=7.5,
                            color=_NOTE_COLOUR)
        axes[-1].set_xlabel(BALANCE_XLABEL, labelpad=16)
        if title:
            figure.suptitle(title)
        figure.supxlabel(_wrap(caption, 120), fontsize=7, color=_NOTE_COLOUR)
    return figure


def _count(value: Any) -> str:
    if pd.isna(value):
        return "?"
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def figure_bytes(fig: Figure, name: str, *, formats: Sequence[str] = ("png", "svg")) -> list[tuple[str, bytes]]:
    """``[(f"{name}.png", bytes), (f"{name}.svg", bytes)]``: the same figure gives the same bytes every run.

    No dates or software versions are written; PNG is 150 dpi, SVG text is drawn as paths with fixed ids.
    Saving a figure again (or after Jupyter showed it) gives the same bytes as the first time.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    name : str
        The file name without its suffix.
    formats : sequence of str, default ("png", "svg")
        The formats written, in order.

    Returns
    -------
    list of (str, bytes)
        One ``(file name, content)`` per format, in the order asked.

    Notes
    -----
    Computes no number: the figure rendered by matplotlib's Agg (PNG at 150
    dpi) and SVG backends, without dates or software versions, SVG text as
    paths and clip-path ids renumbered, so the same figure gives the same bytes.
    """
    allowed = ("png", "svg")
    chosen = [str(fmt).lower().lstrip(".") for fmt in ([formats] if isinstance(formats, str) else formats)]
    wrong = [fmt for fmt in chosen if fmt not in allowed]
    if wrong or not chosen:
        raise ArgumentError(f"formats: {formats!r} is not accepted; use one or more of {', '.join(allowed)}")
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    with matplotlib.rc_context(_SAVE_STYLE):
        # settle the layout at the saved resolution first: the first layout of a figure with a colour bar and
        # square cells moves the axes a little again at the next draw, so the first file would differ from the next
        screen = fig.dpi
        fig.set_dpi(_DPI)
        try:
            fig.draw_without_rendering()
        finally:
            fig.set_dpi(screen)
    made = []
    for fmt in dict.fromkeys(chosen):
        buffer = io.BytesIO()
        metadata: dict[str, Any] = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
        with matplotlib.rc_context(_SAVE_STYLE):
            fig.savefig(buffer, format=fmt, dpi=_DPI, metadata=metadata)
        data = buffer.getvalue()
        made.append((f"{name}.{fmt}", _number_clip_ids(data) if fmt == "svg" else data))
    return made


_CLIP_ID = re.compile(rb"\bp[0-9a-f]{10}\b")


def _number_clip_ids(svg: bytes) -> bytes:
    """Clip-path ids renumbered in order of first appearance (``clip0``, ``clip1``...).

    Matplotlib hashes each clip rectangle's float bounds into its id, and the
    constrained-layout solver can differ in the last bit of those bounds from
    one Python process to the next (hash seeds), so the ids would change while
    the drawing does not.
    """
    order: dict[bytes, bytes] = {}
    return _CLIP_ID.sub(lambda m: order.setdefault(m.group(0), b"clip%d" % len(order)), svg)


def save_figure(fig: Figure, path_without_suffix: Path | str, *,
                formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Write ``fig`` as ``<path>.png`` and ``<path>.svg`` (see :func:`figure_bytes`), each file atomically.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    path_without_suffix : str or pathlib.Path
        A trailing ``.png``/``.svg`` on the path is dropped. The folder must exist.
    formats : sequence of str, default ("png", "svg")
        The formats written.

    Returns
    -------
    list of pathlib.Path
        Returns the paths.

    Notes
    -----
    Computes no number: writes the bytes of :func:`figure_bytes` (PNG at 150
    dpi, SVG), one file per format, each written atomically.
    """
    base = Path(path_without_suffix)
    if base.suffix.lower() in (".png", ".svg"):
        base = base.with_suffix("")
    return [write_bytes_atomically(base.with_name(name), content)
            for name, content in figure_bytes(fig, base.name, formats=formats)]
