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
- :func:`thematic_map`: themes and their codes as one network, sized by coded units or
  participants, a theme joined to its codes and codes (or themes) joined by co-occurrence at a
  declared unit (the graph itself comes from :func:`thematic_map_graph`).
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

from matplotlib.figure import Figure  # noqa: F401 (the examples use it)

# the figures live in a module each; every name the old path analysis.figures offered is read here
from ._figures_balance import BALANCE_COLUMNS as BALANCE_COLUMNS
from ._figures_balance import BALANCE_XLABEL as BALANCE_XLABEL
from ._figures_balance import balance_plot
from ._figures_common import MEASURE_FORMULAS as MEASURE_FORMULAS
from ._figures_common import MEASURE_NAMES as MEASURE_NAMES
from ._figures_common import PAIR_COLUMNS, group_label
from ._figures_common import UNIT_NAMES as UNIT_NAMES
from ._figures_heatmap import cooccurrence_heatmap
from ._figures_network import cooccurrence_graph, cooccurrence_network
from ._figures_output import QDAFigure, figure_bytes, save_figure
from ._figures_thematic_map import thematic_map, thematic_map_graph

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
    "thematic_map",
    "thematic_map_graph",
]
