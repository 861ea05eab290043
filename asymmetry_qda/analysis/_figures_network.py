"""The co-occurrence network: the graph of a pair table, drawn with a legend for node area and edge width."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D

from ..errors import ArgumentError
from ._figures_common import (
    _DEFAULT_NODE_COLOUR,
    _EDGE_COLOUR,
    _SYMMETRIC,
    MEASURE_FORMULAS,
    MEASURE_NAMES,
    _check_columns,
    _check_measure,
    _check_one_group,
    _group_note,
    _label,
    _table_codes,
    _unit_of,
    _wrap,
)
from ._figures_layout import (
    _EDGE_WIDTH,
    _EQUAL_AREA,
    _LABEL_PAD,
    _LABEL_SIZE,
    _LABEL_WRAP,
    _LEGEND_GAP,
    _NODE_AREA,
    _NODE_GAP,
    _PAD,
    _colour_of,
    _extent,
    _format_value,
    _legend_values,
    _place_labels,
    _separate,
    _size_figure,
    _unit_positions,
)
from ._figures_output import _DPI, _STYLE, QDAFigure, _new_figure

__all__ = ["cooccurrence_graph", "cooccurrence_network"]


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
        title, caption_text, total_width, total_height, caption_height, body = _size_figure(
            figure, renderer, dpi, heading=heading, caption=caption, box=box, legend_width=legend_width,
            legend_height=legend_height, legends=legends, title_size=_STYLE["axes.titlesize"])

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
        ax.set_title(title, fontsize=_STYLE["axes.titlesize"], pad=8.0)
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
