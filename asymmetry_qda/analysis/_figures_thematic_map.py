"""The thematic map: themes and their codes as one network, sized by coded units or participants, joined by
co-occurrence at a declared unit."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal

import matplotlib
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from ..display import code_colours
from ..errors import ArgumentError, check_option
from ._cooccurrence import cooccurrence
from ._counts import code_frequencies, status_label
from ._figures_common import (
    _EDGE_COLOUR,
    _SYMMETRIC,
    MEASURE_FORMULAS,
    MEASURE_NAMES,
    UNIT_NAMES,
    _check_columns,
    _check_measure,
    _label,
    _wrap,
)
from ._figures_layout import (
    _EDGE_WIDTH,
    _LABEL_PAD,
    _LABEL_SIZE,
    _LABEL_WRAP,
    _LEGEND_GAP,
    _NODE_GAP,
    _PAD,
    _colour_of,
    _extent,
    _format_value,
    _legend_values,
    _place_labels,
    _separate,
    _size_figure,
)
from ._figures_output import _DPI, _STYLE, QDAFigure, _new_figure
from ._themes import theme_codings

__all__ = ["thematic_map", "thematic_map_graph"]

MapUnit = Literal["sentence", "turn", "document", "participant"]
MapSize = Literal["units", "participants"]
MapEdges = Literal["codes", "themes"]

_SIZE_COLUMNS = {"units": "n_units", "participants": "n_participants"}
_AREA = 1400.0  # marker area (pt²) of the node with the largest count, theme or code
_MIN_AREA = {"theme": 300.0, "code": 50.0}  # the smallest a theme and a code are drawn
_STATUS_FILL = {"candidate": "#FFFFFF", "reviewed": "#D9D9D9", "final": "#808080", "dropped": "#F2F2F2"}
_THEME_EDGE = "#202020"
_MEMBER_COLOUR = "#404040"


def thematic_map_graph(codings: pd.DataFrame, units: pd.DataFrame | None, themes: pd.DataFrame, *,
                       unit: MapUnit = "sentence", size: MapSize = "units", measure: str = "jaccard",
                       min_weight: float = 0.0, min_count: int = 1, between: MapEdges = "codes",
                       codebook=None) -> nx.Graph:
    """Build the thematic map's graph: a node per theme and per code of a theme, membership and co-occurrence edges.

    Parameters
    ----------
    codings : pandas.DataFrame
        The codings frame (``data.codings`` of :func:`~asymmetry_qda.analysis.load`).
    units : pandas.DataFrame or None
        The units frame (``data.units``), so that N counts uncoded units too; None counts coded units only
        (and :func:`~asymmetry_qda.analysis.cooccurrence` warns).
    themes : pandas.DataFrame
        The themes, as :meth:`Project.themes <asymmetry_qda.project.Project.themes>` gives them: ``theme_id``
        and ``codes``, and ``label`` and ``status`` when known. Filter it to map some only
        (``themes[themes["status"] == "final"]``).
    unit : {"sentence", "turn", "document", "participant"}, default "sentence"
        The unit of analysis of both the sizes and the co-occurrences.
    size : {"units", "participants"}, default "units"
        What a node's ``size`` counts: the units coded with it (``n_units``) or the participants with such a
        unit (``n_participants``).
    measure : str, default "jaccard"
        The co-occurrence edges' weight: jaccard, dice, lift or n_ab.
    min_weight : float, default 0.0
        A co-occurrence edge needs a weight of at least this.
    min_count : int, default 1
        A co-occurrence edge needs at least this many units coded with both ends (``n_ab``).
    between : {"codes", "themes"}, default "codes"
        Whether co-occurrence edges join codes or themes.
    codebook : Codebook, optional
        Gives the codes' labels (else their ids).

    Returns
    -------
    networkx.Graph
        Nodes: the themes in the order given, then their codes sorted; edges: ``kind="member"`` from each
        theme to its codes, ``kind="cooccurrence"`` with ``weight`` and ``n_ab``. ``graph.graph`` holds the
        options, ``n_units`` (N) and ``n_participants``.

    Notes
    -----
    Unit of analysis: the unit of kind ``unit`` (a sentence by default), for the sizes and the edges alike.
    A node carries ``kind`` (theme or code), ``label``, ``n_units`` and ``n_participants`` from
    :func:`~asymmetry_qda.analysis.code_frequencies` and ``size`` (the one of them ``size`` names); a theme
    also ``status``, ``definition`` and ``codes``, a code the ``themes`` that hold it. A code counts with its
    sub-codes, as in a theme: the codings of a code are those
    :func:`~asymmetry_qda.analysis.theme_codings` gives a theme of that one code, so a code's counts equal
    ``code_frequencies(codings, roll_up=True)``'s, and a theme's those of ``code_frequencies`` of
    ``theme_codings(codings, themes)`` (a unit holding several of its codes counting once). A co-occurrence
    edge's ``weight`` and ``n_ab`` are the pair's row of :func:`~asymmetry_qda.analysis.cooccurrence` of the
    same codings (``codes`` or themes); it is kept when ``n_ab >= min_count`` and ``weight >= min_weight``.
    Nothing new is computed: the numbers are those of the two tables.

    Examples
    --------
    >>> codings = pd.DataFrame({"coding_id": ["c1", "c2", "c3"], "doc_id": "D1", "participant_id": "P1",
    ...                         "code_id": ["blame", "praise", "blame"], "status": "confirmed",
    ...                         "sentence": [0, 0, 1], "sentence_last": [0, 0, 1]})
    >>> units = pd.DataFrame({"doc_id": "D1", "unit": "sentence", "ordinal": [0, 1, 2], "participant_id": "P1"})
    >>> themes = pd.DataFrame({"theme_id": ["answer"], "label": ["The answer"], "status": ["final"],
    ...                        "codes": [["blame", "praise"]]})
    >>> graph = thematic_map_graph(codings, units, themes)
    >>> [(node, data["kind"], data["size"]) for node, data in graph.nodes(data=True)]
    [('answer', 'theme', 2), ('blame', 'code', 2), ('praise', 'code', 1)]
    >>> graph.edges["blame", "praise"]["weight"], graph.edges["answer", "blame"]["kind"]
    (0.5, 'member')
    """
    check_option("unit", unit, MapUnit)
    check_option("size", size, MapSize)
    check_option("between", between, MapEdges)
    _check_measure(measure, _SYMMETRIC)
    _check_columns(themes, ["theme_id", "codes"], "themes")
    if not len(themes):
        raise ArgumentError("themes: there is no theme to map; make one with project.create_theme(...)")
    theme_ids = [str(t) for t in themes["theme_id"]]
    if len(set(theme_ids)) < len(theme_ids):
        raise ArgumentError(f"themes: theme_id {sorted({t for t in theme_ids if theme_ids.count(t) > 1})} given "
                            "more than once; give one row per theme")
    members = {t: list(dict.fromkeys(map(str, [c] if isinstance(c, str) else c)))
               for t, c in zip(theme_ids, themes["codes"], strict=True)}
    codes = sorted({code for held in members.values() for code in held})
    if clash := sorted(set(theme_ids) & set(codes)):
        raise ArgumentError(f"themes: {', '.join(clash)} is both a theme and a code; give the theme an id of its own")
    frame = pd.DataFrame({"theme_id": theme_ids, "codes": [members[t] for t in theme_ids]})
    theme_rows = theme_codings(codings, frame)
    code_rows = theme_codings(codings, pd.DataFrame({"theme_id": codes, "codes": [[c] for c in codes]}))
    theme_counts = code_frequencies(theme_rows, units=units, unit=unit, codes=theme_ids).set_index("code_id")
    code_counts = code_frequencies(code_rows, units=units, unit=unit, codes=codes).set_index("code_id")
    column = _SIZE_COLUMNS[size]
    first = code_counts.iloc[0] if len(code_counts) else theme_counts.iloc[0]
    graph = nx.Graph(unit=unit, size=size, measure=measure, min_weight=float(min_weight), min_count=int(min_count),
                     between=between, n_units=int(first["units_total"]),
                     n_participants=int(first["participants_total"]), denominator=str(first["denominator"]),
                     status=status_label(codings))
    rows = themes.reset_index(drop=True)
    for i, theme in enumerate(theme_ids):
        counts = theme_counts.loc[theme]
        graph.add_node(theme, kind="theme", label=_field(rows, "label", i, theme),
                       status=_field(rows, "status", i, None), definition=_field(rows, "definition", i, None),
                       codes=members[theme], n_units=int(counts["n_units"]),
                       n_participants=int(counts["n_participants"]), size=int(counts[column]))
    for code in codes:
        counts = code_counts.loc[code]
        label = codebook[code].label if codebook is not None and code in codebook else code
        graph.add_node(code, kind="code", label=label, themes=[t for t in theme_ids if code in members[t]],
                       n_units=int(counts["n_units"]), n_participants=int(counts["n_participants"]),
                       size=int(counts[column]))
    for theme in theme_ids:
        for code in members[theme]:
            graph.add_edge(theme, code, kind="member")
    ends, joined = (codes, code_rows) if between == "codes" else (theme_ids, theme_rows)
    if len(ends) > 1 and len(joined):
        table = cooccurrence(joined, unit=unit, units=units, codes=ends,
                             measure=[] if measure == "n_ab" else [measure])
        for a, b, n_ab, value in zip(table["code_a"].astype(str), table["code_b"].astype(str), table["n_ab"],
                                     table[measure]):
            if a != b and pd.notna(value) and n_ab >= min_count and value >= min_weight:
                graph.add_edge(a, b, kind="cooccurrence", weight=float(value), n_ab=int(n_ab))
    return graph


def _field(rows: pd.DataFrame, column: str, i: int, default):
    """Row ``i``'s ``column``, else ``default`` (no such column, or a missing value)."""
    if column not in rows.columns or not isinstance(rows.at[i, column], str) or not rows.at[i, column].strip():
        return default
    return rows.at[i, column]


def thematic_map(codings: pd.DataFrame, units: pd.DataFrame | None, themes: pd.DataFrame, *,
                 unit: MapUnit = "sentence", size: MapSize = "units", measure: str = "jaccard",
                 min_weight: float = 0.0, min_count: int = 1, between: MapEdges = "codes", codebook=None,
                 colours: Mapping[str, str] | None = None, title: str | None = None, seed: int = 0) -> QDAFigure:
    """Draw the thematic map: themes and their codes, sized by coded units or participants, joined by co-occurrence.

    Each theme is a large node labelled with its label and status (its fill says the status), each code a
    smaller one in its codebook colour; a dashed line joins a theme to each of its codes, and solid lines,
    as wide as the measure, join the codes (or themes) that co-occur. Legends say what area, width, lines
    and colours encode; a caption under the map names the unit, the measure and its threshold, and what the
    sizes count. The layout is a seeded spring layout, so the same call draws the same map.

    Parameters
    ----------
    codings : pandas.DataFrame
        The codings frame (``data.codings`` of :func:`~asymmetry_qda.analysis.load`).
    units : pandas.DataFrame or None
        The units frame (``data.units``); None counts coded units only.
    themes : pandas.DataFrame
        The themes (``project.themes()``), as for :func:`thematic_map_graph`.
    unit : {"sentence", "turn", "document", "participant"}, default "sentence"
        The unit of analysis of the sizes and the co-occurrences.
    size : {"units", "participants"}, default "units"
        Node area counts the coded units, or the participants with one.
    measure : str, default "jaccard"
        The co-occurrence measure edges are drawn by: jaccard, dice, lift or n_ab.
    min_weight : float, default 0.0
        A co-occurrence edge needs a measure of at least this.
    min_count : int, default 1
        A co-occurrence edge needs at least this many units coded with both ends (``n_ab``).
    between : {"codes", "themes"}, default "codes"
        Whether co-occurrence edges join codes or themes.
    codebook : Codebook, optional
        Gives the codes' labels and colours (:func:`asymmetry_qda.display.code_colours`).
    colours : mapping of str to str, optional
        Code id -> hex colour, instead of the codebook's (a code without one takes its nearest ancestor's).
    title : str, optional
        The figure's title (default: the number of themes and codes, and the unit).
    seed : int, default 0
        The spring layout's seed: the same seed draws the same map.

    Returns
    -------
    QDAFigure
        The map, its legends and its caption.

    Notes
    -----
    Plots :func:`thematic_map_graph` (same arguments): the numbers are those of
    :func:`~asymmetry_qda.analysis.code_frequencies` and :func:`~asymmetry_qda.analysis.cooccurrence` at
    ``unit``. Node area is ``1400 * size / largest size`` points², on one scale for themes and codes, but at
    least 300 for a theme and 50 for a code; a co-occurrence edge's width grows linearly with the measure,
    from 0.6 to 6 points for the strongest edge. Positions come from ``networkx.spring_layout`` (``seed``;
    membership edges pull harder than co-occurrence edges), then nodes and labels are moved apart so that no
    label covers another or a node. The caption names the unit (N the units counted), the measure's formula,
    the edge rule and what the areas count.

    Examples
    --------
    >>> codings = pd.DataFrame({"coding_id": ["c1", "c2"], "doc_id": "D1", "participant_id": "P1",
    ...                         "code_id": ["blame", "praise"], "status": "confirmed", "sentence": [0, 0],
    ...                         "sentence_last": [0, 0]})
    >>> units = pd.DataFrame({"doc_id": "D1", "unit": "sentence", "ordinal": [0, 1], "participant_id": "P1"})
    >>> themes = pd.DataFrame({"theme_id": ["answer"], "codes": [["blame", "praise"]]})
    >>> figure = thematic_map(codings, units, themes)
    >>> " ".join(figure.texts[0].get_text().split())[:45]  # the caption
    'Unit: participant sentence (N = 2; all units)'
    >>> [legend.get_title().get_text().split(":")[0] for legend in figure.legends]
    ['Node area', 'Edge width', 'Nodes and lines']
    """
    graph = thematic_map_graph(codings, units, themes, unit=unit, size=size, measure=measure,
                               min_weight=min_weight, min_count=min_count, between=between, codebook=codebook)
    if colours is None and codebook is not None:
        colours = code_colours(codebook)
    nodes = list(graph.nodes)
    kinds = [graph.nodes[node]["kind"] for node in nodes]
    n_themes = kinds.count("theme")
    one, plural = UNIT_NAMES[unit]
    heading = title if title is not None else (
        f"Thematic map: {n_themes} theme{'s' if n_themes != 1 else ''} and their "
        f"{len(nodes) - n_themes} code{'s' if len(nodes) - n_themes != 1 else ''}, co-occurrence in {plural}")
    caption = _caption(graph, one, plural)

    values = [graph.nodes[node]["size"] for node in nodes]
    largest = max(values, default=0)
    areas = np.array([max(_MIN_AREA[kind], _AREA * value / largest) if largest else _MIN_AREA[kind]
                      for kind, value in zip(kinds, values)], dtype=float)
    radii = np.sqrt(areas) / 2.0
    fill = [_STATUS_FILL.get(graph.nodes[node]["status"] or "", "#FFFFFF") if kind == "theme"
            else _colour_of(node, colours) for node, kind in zip(nodes, kinds)]
    index = {node: i for i, node in enumerate(nodes)}
    members = [(a, b) for a, b, kind in graph.edges(data="kind") if kind == "member"]
    weighted = [(a, b, w) for a, b, w in graph.edges(data="weight") if w is not None]
    strongest = max((abs(w) for _, _, w in weighted), default=0.0) or 1.0

    def width_of(value: float) -> float:
        return _EDGE_WIDTH[0] + (_EDGE_WIDTH[1] - _EDGE_WIDTH[0]) * abs(value) / strongest

    with matplotlib.rc_context(_STYLE):
        figure = _new_figure(6.0, 6.0, layout=None)
        figure.set_dpi(_DPI)  # measured at the saved resolution, as the co-occurrence network is
        dpi = figure.dpi
        renderer = figure.canvas.get_renderer()
        fonts = [{"fontsize": _LABEL_SIZE, "fontfamily": _STYLE["font.family"],
                  "fontweight": "bold" if kind == "theme" else "normal"} for kind in kinds]
        texts = [_node_text(graph, node) for node in nodes]
        pad = _LABEL_PAD * _LABEL_SIZE
        sizes = []
        for text, font in zip(texts, fonts):
            probe = figure.text(0, 0, text, ha="center", va="center", multialignment="center", **font)
            width, height = _extent(probe, renderer, dpi)
            sizes.append((width + 2 * pad, height + 2 * pad))
            probe.remove()
        labels = {code.id: code.label for code in codebook.codes} if codebook is not None else {}
        legends = _legends(figure, graph, kinds, fill, colours, labels, largest, plural, weighted, width_of, measure)
        legend_sizes = [_extent(legend, renderer, dpi) for legend in legends]
        legend_width = max((w for w, _ in legend_sizes), default=0.0)
        legend_height = sum(h for _, h in legend_sizes) + _LEGEND_GAP * max(len(legends) - 1, 0)

        room = sum(w * h for w, h in sizes) + float(np.sum((2 * radii + _NODE_GAP) ** 2))
        side = float(np.clip(math.sqrt(room * 4.5), 250.0, 640.0))
        unit_xy = _positions(graph, nodes, strongest, seed)
        edges_idx = [(index[a], index[b]) for a, b in graph.edges]
        order = sorted(range(len(nodes)), key=lambda i: (kinds[i] != "theme", -areas[i], nodes[i]))
        boxes = None
        for _ in range(14):
            box = (side * 1.15, side)
            margin = np.array([max(radii) + 6.0] * 2)
            xy = _separate(margin + unit_xy * (np.array(box) - 2 * margin), radii, np.zeros(2), np.array(box))
            boxes = _place_labels(xy, radii, sizes, box, edges_idx, order)
            if boxes is not None:
                break
            side *= 1.15
        if boxes is None:  # not expected after 14 tries: let the labels run past the box's edges
            boxes = _place_labels(xy, radii, sizes, (math.inf, math.inf), edges_idx, order) or [None] * len(nodes)

        title, caption_text, total_width, total_height, caption_height, body = _size_figure(
            figure, renderer, dpi, heading=heading, caption=caption, box=box, legend_width=legend_width,
            legend_height=legend_height, legends=legends, title_size=_STYLE["axes.titlesize"])
        box_bottom = _PAD + caption_height + 8.0 + (body - box[1])
        ax = figure.add_axes((_PAD / total_width, box_bottom / total_height, box[0] / total_width,
                              box[1] / total_height))
        ax.set_axis_off()
        ax.set_xlim(0, box[0])
        ax.set_ylim(0, box[1])
        ax.set_autoscale_on(False)
        ax.set_title(title, fontsize=_STYLE["axes.titlesize"], pad=8.0)
        caption_text.set_position((_PAD / total_width, (_PAD + caption_height) / total_height))
        if members:
            ax.add_collection(LineCollection([[xy[index[a]], xy[index[b]]] for a, b in members], linewidths=0.9,
                                             colors=_MEMBER_COLOUR, linestyles=(0, (4, 2)), zorder=1))
        if weighted:
            ax.add_collection(LineCollection([[xy[index[a]], xy[index[b]]] for a, b, _ in weighted],
                                             linewidths=[width_of(w) for _, _, w in weighted], colors=_EDGE_COLOUR,
                                             alpha=0.8, zorder=1, capstyle="round"))
        is_theme = np.array(kinds) == "theme"
        ax.scatter(xy[:, 0], xy[:, 1], s=areas, c=fill, edgecolors=np.where(is_theme, _THEME_EDGE, "#404040"),
                   linewidths=np.where(is_theme, 1.8, 0.6), zorder=2)
        for i, text in enumerate(texts):
            if boxes[i] is None:
                continue
            rect, ring = boxes[i]
            centre = ((rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2)
            if ring > 0:  # away from its node: a leader line says whose label it is
                nearest = (min(max(xy[i][0], rect[0]), rect[2]), min(max(xy[i][1], rect[1]), rect[3]))
                direction = (np.array(nearest) - xy[i]) / max(math.dist(nearest, xy[i]), 1e-9)
                start = xy[i] + direction * radii[i]
                ax.plot([start[0], nearest[0]], [start[1], nearest[1]], color="#505050", linewidth=0.6, zorder=1.5)
            ax.text(*centre, text, ha="center", va="center", multialignment="center", zorder=3, clip_on=False,
                    bbox={"boxstyle": f"round,pad={_LABEL_PAD}", "facecolor": "white", "alpha": 0.85,
                          "linewidth": 0}, **fonts[i])
        top = _PAD + caption_height + 8.0 + body
        for legend, (_, height) in zip(legends, legend_sizes):
            legend.set_bbox_to_anchor(((_PAD + box[0] + _LEGEND_GAP) / total_width, top / total_height),
                                      transform=figure.transFigure)
            top -= height + _LEGEND_GAP
        figure.set_dpi(_STYLE["figure.dpi"])
    return figure


def _node_text(graph: nx.Graph, node: str) -> str:
    """A node's label as drawn: a theme's label and status, a code's label, wrapped."""
    data = graph.nodes[node]
    text = _wrap(_label(node, {node: data["label"]}), _LABEL_WRAP)
    return f"{text}\n({data['status']})" if data["kind"] == "theme" and data["status"] else text


def _positions(graph: nx.Graph, nodes: Sequence[str], strongest: float, seed: int) -> np.ndarray:
    """Seeded spring-layout positions scaled to [0, 1]: a theme pulls its codes harder than co-occurrence does."""
    pull = nx.Graph()
    pull.add_nodes_from(nodes)
    for a, b, data in graph.edges(data=True):
        pull.add_edge(a, b, pull=1.0 if data["kind"] == "member" else 0.5 * abs(data["weight"]) / strongest)
    if pull.number_of_edges():
        position = nx.spring_layout(pull, seed=seed, weight="pull", k=1.6 / math.sqrt(max(len(nodes), 1)))
    else:
        position = nx.circular_layout(pull)
    xy = np.array([position[node] for node in nodes], dtype=float).reshape(len(nodes), 2)
    low, high = xy.min(axis=0), xy.max(axis=0)
    span = np.where(high - low > 1e-12, high - low, 1.0)
    return np.where(high - low > 1e-12, (xy - low) / span, 0.5)


def _caption(graph: nx.Graph, one: str, plural: str) -> str:
    """The caption: the unit and N, what the areas count, the edge rule, the codings' status."""
    about = graph.graph
    measure, threshold, at_least = about["measure"], about["min_weight"], about["min_count"]
    ends = "codes" if about["between"] == "codes" else "themes"
    counted = (f"the {plural} coded with the theme or code (n_units)" if about["size"] == "units"
               else f"the participants with a {one} coded with the theme or code (n_participants, of "
                    f"{about['n_participants']:,})")
    formula = "" if measure == "n_ab" else f" = {MEASURE_FORMULAS[measure]}"
    return " ".join((
        f"Unit: {one} (N = {about['n_units']:,}; {about['denominator']}).",
        f"Node area: {counted}; a code counts with its sub-codes, a theme with all its codes, each unit once.",
        f"A solid line joins two {ends} whose {MEASURE_NAMES[measure]}{formula} is at least {threshold:g} and that "
        f"are found together in at least {at_least} of the {plural} (n_ab \N{GREATER-THAN OR EQUAL TO} {at_least});"
        f" a dashed line joins a theme to each of its codes.",
        f"Codings: {about['status']}."))


def _legends(figure, graph: nx.Graph, kinds: Sequence[str], fill: Sequence[str], colours: Mapping[str, str] | None,
             labels: Mapping[str, str], largest: float, plural: str, weighted: Sequence[tuple], width_of,
             measure: str) -> list:
    """The legends of node area, edge width, the lines and node kinds, and (with ``colours``) code colour."""
    options = {"loc": "upper left", "fontsize": 7, "title_fontsize": 7.5, "frameon": False, "alignment": "left",
               "borderaxespad": 0.0, "borderpad": 0.0}
    made = []

    def dot(diameter: float, face: str = "#D9D9D9", edge: str = "#404040", width: float = 0.6) -> Line2D:
        return Line2D([], [], linestyle="", marker="o", markersize=diameter, markerfacecolor=face,
                      markeredgecolor=edge, markeredgewidth=width)

    counted = "n_units" if graph.graph["size"] == "units" else "n_participants"
    what = f"{plural} coded" if counted == "n_units" else "participants"
    if largest > 0:
        values = _legend_values(min((v for v in (graph.nodes[n]["size"] for n in graph) if v > 0)), largest,
                                integer=True)
        diameters = [math.sqrt(_AREA * v / largest) for v in values]
        made.append(figure.legend([dot(d) for d in diameters], [f"{v:.0f}" for v in values],
                                  title=f"Node area: {what}\n({counted})", handlelength=max(diameters) / 7.0,
                                  handleheight=max(diameters) / 7.0, labelspacing=0.6, **options))
    else:  # nothing counted (no participant recorded, say): every node at its least, and the legend says so
        made.append(figure.legend([dot(math.sqrt(_MIN_AREA["code"]))], ["every node"],
                                  title=f"Node area: at its least\n(no {what} counted, {counted} = 0)", **options))
    if weighted:
        weights = [abs(w) for _, _, w in weighted]
        values = _legend_values(min(weights), max(weights), integer=measure == "n_ab")
        handles = [Line2D([], [], color=_EDGE_COLOUR, alpha=0.8, linewidth=width_of(v), solid_capstyle="butt")
                   for v in values]
        made.append(figure.legend(handles, [_format_value(v, measure) for v in values],
                                  title=f"Edge width:\n{_wrap(MEASURE_NAMES[measure], 26)}", handlelength=3.0,
                                  **options))
    statuses = list(dict.fromkeys(graph.nodes[n]["status"] for n, kind in zip(graph, kinds) if kind == "theme"))
    handles = [dot(9, _STATUS_FILL.get(s or "", "#FFFFFF"), _THEME_EDGE, 1.8) for s in statuses]
    texts = [f"theme: {s}" if s else "theme" for s in statuses]
    if "code" in kinds:
        handles += [dot(6), Line2D([], [], color=_MEMBER_COLOUR, linewidth=0.9, linestyle=(0, (4, 2)))]
        texts += ["code", "theme holds the code"]
    made.append(figure.legend(handles, texts, title="Nodes and lines", handlelength=3.0, **options))
    if colours and "code" in kinds:
        by_colour: dict[str, list[str]] = {}
        for node, kind, colour in zip(graph, kinds, fill):
            if kind == "code":
                tops = by_colour.setdefault(colour, [])
                if node.split(".")[0] not in tops:
                    tops.append(node.split(".")[0])
        names = [_wrap(", ".join(_label(top, labels) for top in tops), 28) for tops in by_colour.values()]
        made.append(figure.legend([dot(7, colour) for colour in by_colour], names,
                                  title="Colour: top-level code", **options))
    return made
