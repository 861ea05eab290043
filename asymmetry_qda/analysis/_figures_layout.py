"""The co-occurrence network's layout: node positions and sizes, legend values, and labels placed so that none
covers another label, a node or an edge.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import networkx as nx
import numpy as np
from matplotlib.text import Text

from ._figures_common import _DEFAULT_NODE_COLOUR, _NOTE_COLOUR, _measure_format

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


def _size_figure(figure: Any, renderer: Any, dpi: float, *, heading: str, caption: str, box: tuple[float, float],
                 legend_width: float, legend_height: float, legends: bool, title_size: float
                 ) -> tuple[str, Text, float, float, float, float]:
    """Size ``figure`` (points) for an axes box ``box``, a legend column beside it, the title above and the
    caption below, each wrapped to the figure's width. Returns the wrapped title, the caption's text artist
    (placed at the origin, to be moved), the total width and height, the caption's height and the body's
    (the box's or the legends', whichever is taller)."""
    total_width = _PAD + box[0] + (_LEGEND_GAP + legend_width if legends else 0.0) + _PAD
    title_text = figure.text(0, 0, _wrap_measured(heading, box[0] + 2 * _PAD, renderer, dpi, fontsize=title_size),
                             fontsize=title_size)
    title_height = _extent(title_text, renderer, dpi)[1]
    title = title_text.get_text()
    title_text.remove()
    caption_text = figure.text(0, 0, _wrap_measured(caption, total_width - 2 * _PAD, renderer, dpi, fontsize=7),
                               fontsize=7, color=_NOTE_COLOUR, ha="left", va="top")
    caption_height = _extent(caption_text, renderer, dpi)[1]
    body = max(box[1], legend_height)
    total_height = _PAD + title_height + 8.0 + body + 8.0 + caption_height + _PAD
    figure.set_size_inches(total_width / 72.0, total_height / 72.0)
    return title, caption_text, total_width, total_height, caption_height, body
