"""Figures of the published theme tables, drawn the same way every time.

Every function takes a tidy table (data first, options after) and returns a
:class:`matplotlib.figure.Figure` built directly on an Agg canvas: nothing uses
pyplot, needs a display or changes matplotlib's or seaborn's global settings.
:func:`save_figure` writes PNG and SVG files that are byte-identical for the
same figure, whatever the date or the software versions' metadata. Code ids,
labels, theme and group names are drawn literally: a ``$`` in them never
starts matplotlib's mathtext (``$5m`` stays ``$5m``); a ``title`` given by the
caller is drawn as given.

- :func:`cooccurrence_heatmap`: a code-by-code matrix of one co-occurrence measure.
- :func:`cooccurrence_network`: codes as nodes, pairs passing a threshold as edges
  (the graph itself comes from :func:`cooccurrence_graph`).
- :func:`balance_plot`: each group's mean balance index with its interval, one row per theme.

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
"""

from __future__ import annotations

import io
import math
import re
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
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from ..errors import ArgumentError
from ..escaping import mathtext_safe
from ..fileio import write_bytes_atomically

__all__ = [
    "PAIR_COLUMNS",
    "balance_plot",
    "cooccurrence_graph",
    "cooccurrence_heatmap",
    "cooccurrence_network",
    "save_figure",
]

#: Columns a pair table may hold besides a group column; any other column that varies is a group column.
PAIR_COLUMNS = frozenset({
    "code_a", "code_b", "label_a", "label_b", "theme_a", "theme_b", "unit", "n_units",
    "n_a", "n_b", "n_ab", "expected", "jaccard", "dice", "lift", "p_b_given_a", "p_a_given_b",
    "odds_ratio", "phi", "p_value", "p_adjusted", "frequency_ratio", "c_caution", "window", "status",
})

#: Readable names of the measures, used on colour bars and titles.
MEASURE_NAMES = {
    "jaccard": "Jaccard index",
    "dice": "Dice coefficient",
    "lift": "lift (observed / expected)",
    "n_ab": "co-occurrences (n_ab)",
    "p_b_given_a": "P(column code | row code)",
}
_SYMMETRIC = ("jaccard", "dice", "lift", "n_ab")
_HEATMAP_MEASURES = (*_SYMMETRIC, "p_b_given_a")

BALANCE_COLUMNS = ("theme", "group", "mean_balance", "ci_low", "ci_high", "n_participants")
BALANCE_XLABEL = "balance index (heavy \N{MINUS SIGN} light) / (heavy + light)"

_DEFAULT_NODE_COLOUR = "#A6CEE3"
_EDGE_COLOUR = "#7F7F7F"
_POINT_COLOUR = "#1F4E79"
_DPI = 150
_MAX_ANNOTATED = 20

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
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.edgecolor": "white",
    "path.simplify": True,
    "image.interpolation": "nearest",
}
_SAVE_STYLE: dict[str, Any] = {**_STYLE, "svg.hashsalt": "asymmetry_qda", "svg.fonttype": "path",
                               "svg.id": None, "svg.image_inline": True}


def _new_figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


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


def cooccurrence_heatmap(table: pd.DataFrame, *, measure: str = "jaccard", codes: Sequence[str] | None = None,
                         labels: Mapping[str, str] | None = None, title: str | None = None) -> Figure:
    """Draw a code-by-code heatmap of one co-occurrence measure from a tidy pair table.

    ``table`` has one row per unordered pair with columns ``code_a``, ``code_b`` and ``measure``
    (``jaccard``, ``dice``, ``lift``, ``n_ab``; or ``p_b_given_a``, which puts P(b | a) in row a,
    column b and P(a | b) in row b, column a, from ``p_a_given_b`` or else ``n_ab / n_b``).
    ``codes`` sets the row and column order (pass codebook order; default sorted); pairs with a
    code not in it are left out; the diagonal, pairs missing from the table and codes absent from
    it are blank. ``labels`` maps code ids to tick labels. A table with several groups (e.g. a
    varying ``leader`` column) is refused.

    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"code_a": ["a"], "code_b": ["b"], "n_ab": [3]})
    >>> figure = cooccurrence_heatmap(pairs, measure="n_ab", codes=["b", "a"])
    >>> [t.get_text() for t in figure.axes[0].get_xticklabels()]
    ['b', 'a']
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
    tick_labels = [_label(code, labels) for code in order]
    matrix.index, matrix.columns = tick_labels, tick_labels

    n = len(order)
    with matplotlib.rc_context(_STYLE):
        figure = _new_figure(max(4.0, 0.6 * n + 2.6), max(3.2, 0.5 * n + 1.8))
        ax = figure.add_subplot()
        largest = float(np.nanmax(matrix.to_numpy())) if matrix.notna().to_numpy().any() else 0.0
        options: dict[str, Any]
        if measure == "lift":  # below 1 (less than chance) blue, above red, 1 white
            options = {"cmap": "vlag", "norm": TwoSlopeNorm(vcenter=1.0, vmin=0.0, vmax=max(2.0, largest))}
        else:
            options = {"cmap": "mako_r", "vmin": 0.0, "vmax": 1.0 if measure != "n_ab" else max(1.0, largest)}
        if n == 0:
            ax.set_axis_off()
        else:
            sns.heatmap(matrix, ax=ax, mask=matrix.isna(), annot=n <= _MAX_ANNOTATED,
                        fmt=".0f" if measure == "n_ab" else ".2f", annot_kws={"fontsize": 7},
                        square=True, linewidths=0.5, linecolor="white",
                        cbar_kws={"label": MEASURE_NAMES[measure], "shrink": 0.8}, **options)
            ax.set_xticks(np.arange(n) + 0.5, tick_labels, rotation=45, ha="right", rotation_mode="anchor")
            ax.set_yticks(np.arange(n) + 0.5, tick_labels, rotation=0)
            ax.tick_params(length=0)
            ax.set_xlabel("")
            ax.set_ylabel("")
        ax.set_title(title if title is not None else f"Code co-occurrence: {MEASURE_NAMES[measure]}")
    return figure


def cooccurrence_graph(table: pd.DataFrame, measure: str = "jaccard", threshold: float = 0.0,
                       min_count: int = 1) -> nx.Graph:
    """Build the co-occurrence graph: a node per code, an edge per pair with n_ab >= min_count and measure > threshold.

    Nodes are added in sorted order and carry ``count`` (the code's frequency from ``n_a``/``n_b``, or
    None when the table lacks them); edges carry ``weight`` (the measure) and ``n_ab``. Only the
    symmetric measures (jaccard, dice, lift, n_ab) make undirected edges.

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


def cooccurrence_network(table: pd.DataFrame, *, measure: str = "jaccard", threshold: float = 0.0,
                         min_count: int = 1, colours: Mapping[str, str] | None = None,
                         labels: Mapping[str, str] | None = None, title: str | None = None,
                         seed: int = 0) -> Figure:
    """Draw the co-occurrence network of :func:`cooccurrence_graph` with a reproducible spring layout.

    Edge width is proportional to the measure, node area to the code's frequency (``n_a``/``n_b``;
    equal sizes without them). Node colours come from ``colours`` (code id -> hex, e.g. from
    :func:`asymmetry_qda.display.code_colours`), else one fixed colour; ``labels`` maps code ids to
    short labels. When no pair passes, the nodes are still drawn and the title says so.

    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"code_a": ["a"], "code_b": ["b"], "n_ab": [1], "jaccard": [0.2]})
    >>> figure = cooccurrence_network(pairs, threshold=0.5)
    >>> len(figure.axes), "no pair passes" in figure.axes[0].get_title()
    (1, True)
    """
    graph = cooccurrence_graph(table, measure, threshold, min_count)
    nodes = list(graph.nodes)
    n = len(nodes)
    with matplotlib.rc_context(_STYLE):
        side = max(4.5, min(10.0, 1.6 + 0.45 * n))
        figure = _new_figure(side, side)
        ax = figure.add_subplot()
        ax.set_axis_off()
        if n:
            if graph.number_of_edges():
                position = nx.spring_layout(graph, seed=seed, weight="weight")
            else:  # nothing pulls the nodes together: a circle reads better than a random scatter
                position = nx.circular_layout(graph)
            known = [graph.nodes[code]["count"] for code in nodes if graph.nodes[code]["count"] is not None]
            largest = max(known, default=0.0)
            sizes = [max(40.0, 1600.0 * graph.nodes[code]["count"] / largest)
                     if largest > 0 and graph.nodes[code]["count"] is not None else 600.0 for code in nodes]
            fill = [(colours or {}).get(code) or _DEFAULT_NODE_COLOUR for code in nodes]
            edges = list(graph.edges(data="weight"))
            if edges:
                strongest = max(abs(w) for _, _, w in edges) or 1.0
                nx.draw_networkx_edges(graph, position, ax=ax, edgelist=[(a, b) for a, b, _ in edges],
                                       width=[0.5 + 5.5 * abs(w) / strongest for _, _, w in edges],
                                       edge_color=_EDGE_COLOUR, alpha=0.8, node_size=sizes, nodelist=nodes)
            nx.draw_networkx_nodes(graph, position, ax=ax, nodelist=nodes, node_size=sizes, node_color=fill,
                                   edgecolors="#404040", linewidths=0.6)
            nx.draw_networkx_labels(graph, position, ax=ax, labels={c: _label(c, labels) for c in nodes},
                                    font_size=7, font_family=_STYLE["font.family"], clip_on=False,
                                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.7,
                                          "linewidth": 0})
            ax.margins(x=0.22, y=0.12)  # room for labels of the outermost nodes
        heading = title if title is not None else (
            f"Code co-occurrence: {MEASURE_NAMES[measure]} > {threshold:g}, n_ab \N{GREATER-THAN OR EQUAL TO} "
            f"{min_count}")
        if not graph.number_of_edges():
            heading += (f"\n(no pair passes: {measure} > {threshold:g} and n_ab \N{GREATER-THAN OR EQUAL TO} "
                        f"{min_count})")
        ax.set_title(heading)
    return figure


def balance_plot(balance: pd.DataFrame, *, theme: str | None = None, title: str | None = None) -> Figure:
    """Draw each group's mean balance index with its interval: one row of axes per theme, x from -1 to 1.

    ``balance`` has columns theme, group, mean_balance, ci_low, ci_high and n_participants (one row per
    theme and group, e.g. group ``"leader=True"`` or ``"all"``). Themes and groups keep the frame's
    order (first group on top); ``theme`` keeps one theme only.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"theme": ["agency", "agency"], "group": ["leader=True", "leader=False"],
    ...                       "mean_balance": [0.4, -0.1], "ci_low": [0.1, -0.5], "ci_high": [0.7, 0.3],
    ...                       "n_participants": [6, 9]})
    >>> figure = balance_plot(frame)
    >>> len(figure.axes), [float(x) for x in figure.axes[0].get_xlim()]
    (1, [-1.0, 1.0])
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
    with matplotlib.rc_context(_STYLE):
        heights = [max(1, len(part)) * 0.32 + 0.55 for part in parts]
        figure = _new_figure(6.5, sum(heights) + 0.6 + (0.3 if title else 0.0))
        grid = figure.subplots(len(themes), 1, sharex=True, squeeze=False,
                               gridspec_kw={"height_ratios": heights})
        axes: list[Axes] = list(grid[:, 0])
        for ax, name, part in zip(axes, themes, parts):
            y = np.arange(len(part))
            mean = pd.to_numeric(part["mean_balance"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            low = pd.to_numeric(part["ci_low"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            high = pd.to_numeric(part["ci_high"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            ax.axvline(0.0, color="#808080", linewidth=0.8, linestyle="--", zorder=1)
            ax.hlines(y, low, high, color=_POINT_COLOUR, linewidth=1.6, zorder=2)
            ax.plot(mean, y, "o", color=_POINT_COLOUR, markersize=5, zorder=3)
            ax.set_yticks(y, [mathtext_safe(f"{group} (n={_count(n)})")
                              for group, n in zip(part["group"], part["n_participants"])])
            ax.set_ylim(len(part) - 0.5, -0.5)
            for row in np.flatnonzero(np.isnan(mean)):
                ax.text(0.02, row, "no estimate", color="#808080", fontsize=7, va="center")
            ax.set_xlim(-1.0, 1.0)
            ax.set_xticks([-1.0, -0.5, 0.0, 0.5, 1.0])
            ax.set_title(mathtext_safe(name), loc="left")
            ax.grid(axis="x", color="#E5E5E5", linewidth=0.6)
            ax.set_axisbelow(True)
        axes[-1].set_xlabel(BALANCE_XLABEL)
        if title:
            figure.suptitle(title)
    return figure


def _count(value: Any) -> str:
    if pd.isna(value):
        return "?"
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def figure_bytes(fig: Figure, name: str, *, formats: Sequence[str] = ("png", "svg")) -> list[tuple[str, bytes]]:
    """``[(f"{name}.png", bytes), (f"{name}.svg", bytes)]``: the same figure gives the same bytes every run.

    No dates or software versions are written; PNG is 150 dpi, SVG text is drawn as paths with fixed ids.
    """
    allowed = ("png", "svg")
    chosen = [str(fmt).lower().lstrip(".") for fmt in ([formats] if isinstance(formats, str) else formats)]
    wrong = [fmt for fmt in chosen if fmt not in allowed]
    if wrong or not chosen:
        raise ArgumentError(f"formats: {formats!r} is not accepted; use one or more of {', '.join(allowed)}")
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
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

    A trailing ``.png``/``.svg`` on the path is dropped. The folder must exist. Returns the paths.
    """
    base = Path(path_without_suffix)
    if base.suffix.lower() in (".png", ".svg"):
        base = base.with_suffix("")
    return [write_bytes_atomically(base.with_name(name), content)
            for name, content in figure_bytes(fig, base.name, formats=formats)]
