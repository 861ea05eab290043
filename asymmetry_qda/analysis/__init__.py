"""Theme tables: what researchers publish, computed from the tidy codings frame.

Load a coded project with :func:`load`, then pass ``data.codings`` (one row per
coding) and, for denominators, ``data.units`` (one row per turn and sentence) to
the table functions. Every table states its unit of analysis and formula in its
docstring. By default only confirmed codings are used; ``include_suggestions``
adds the tagger's suggestions, and tables then say so.

Every function a notebook calls is importable from here, in one import::

    from asymmetry_qda.analysis import code_frequencies, cooccurrence, load, styled

The implementation lives in private modules (``_frame``, ``_counts``, ...), as in
scikit-learn; import from this package only. By topic:

- **The data**: :func:`load` gives an :class:`AnalysisData`, whose ``coverage``
  is a :class:`Coverage`.
- **Frequencies**: :func:`code_frequencies`, :func:`code_matrix`.
- **Co-occurrence**: :func:`cooccurrence`; from your own unit × code matrix,
  :func:`unit_matrix` and :func:`cooccurrence_from_matrix`.
- **Balance**: :func:`participant_balance`, :func:`group_balance`, :func:`theme_poles`.
- **Failure alignment**: :func:`failure_alignment`, :func:`alignment_quotes`, :func:`response_fits`.
- **Quotes**: :func:`quotes`, :func:`to_markdown`, :func:`to_html`.
- **Themes** (groups of codes): :func:`theme_codings` puts them where codes stand in every table.
- **Showing a table**: :func:`styled` (any table, quotes too), :func:`display_text`.
- **Figures**: :func:`balance_plot`, :func:`cooccurrence_heatmap`, :func:`cooccurrence_network`,
  :func:`cooccurrence_graph`, :func:`thematic_map`, :func:`thematic_map_graph`, :func:`save_figure`,
  :func:`figure_bytes`, :class:`QDAFigure`.
  They are imported on first use, so importing this package does not import
  matplotlib, seaborn or networkx.
- **Every table, written for papers**: :func:`build_tables`, :func:`write_tables`, :class:`Table`.
- **Intercoder agreement**: :func:`agreement`, :func:`pairwise_agreement`, :func:`disagreements`.
- **Scoring the tagger**: :func:`evaluate`, :func:`evaluation_errors`.
- **Validity on the evaluation corpus**: :func:`validity`, :func:`validity_report`,
  :func:`corpus_errors`, :func:`tag_corpus`, :func:`judge_corpus`, :func:`model_labels`,
  :func:`implied_labels`.
- **Review effort**: :func:`review_effort`, :func:`summarise_effort`.

The module paths of earlier releases (``from asymmetry_qda.analysis.quotes import
quotes``) still work for this release and warn (:class:`DeprecationWarning`); they
will be removed in the next.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _deprecated
from ._agreement import agreement, disagreements, pairwise_agreement
from ._alignment import alignment_quotes, failure_alignment, response_fits
from ._balance import group_balance, participant_balance, theme_poles
from ._cooccurrence import cooccurrence, cooccurrence_from_matrix, unit_matrix
from ._counts import code_frequencies, code_matrix
from ._evaluation import evaluate, evaluation_errors
from ._frame import AnalysisData, Coverage, load
from ._quotes import quotes, to_html, to_markdown
from ._report import Table, build_tables, write_tables
from ._review_effort import review_effort, summarise_effort
from ._styling import display_text, styled
from ._themes import theme_codings
from ._validity import corpus_errors, implied_labels, judge_corpus, model_labels, tag_corpus, validity, validity_report

if TYPE_CHECKING:  # imported on first use (PEP 562 __getattr__ below): matplotlib, seaborn and networkx are heavy
    from ._figures import (
        QDAFigure,
        balance_plot,
        cooccurrence_graph,
        cooccurrence_heatmap,
        cooccurrence_network,
        figure_bytes,
        save_figure,
        thematic_map,
        thematic_map_graph,
    )

#: The names of the figures module this package publishes, imported when first asked for.
_FIGURES = ("QDAFigure", "balance_plot", "cooccurrence_graph", "cooccurrence_heatmap", "cooccurrence_network",
            "figure_bytes", "save_figure", "thematic_map", "thematic_map_graph")

__all__ = [
    "AnalysisData",
    "Coverage",
    "QDAFigure",
    "Table",
    "agreement",
    "alignment_quotes",
    "balance_plot",
    "build_tables",
    "code_frequencies",
    "code_matrix",
    "cooccurrence",
    "cooccurrence_from_matrix",
    "cooccurrence_graph",
    "cooccurrence_heatmap",
    "cooccurrence_network",
    "corpus_errors",
    "disagreements",
    "display_text",
    "evaluate",
    "evaluation_errors",
    "failure_alignment",
    "figure_bytes",
    "group_balance",
    "implied_labels",
    "judge_corpus",
    "load",
    "model_labels",
    "pairwise_agreement",
    "participant_balance",
    "quotes",
    "response_fits",
    "review_effort",
    "save_figure",
    "styled",
    "summarise_effort",
    "tag_corpus",
    "thematic_map",
    "thematic_map_graph",
    "theme_codings",
    "theme_poles",
    "to_html",
    "to_markdown",
    "unit_matrix",
    "validity",
    "validity_report",
    "write_tables",
]

_deprecated.install(__name__, frozenset(__all__))


def __getattr__(name: str):
    """The figure functions, imported from their module when first asked for (PEP 562)."""
    if name in _FIGURES:
        from . import _figures as figures

        value = getattr(figures, name)
        globals()[name] = value  # asked once: the next lookup finds it without calling this
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
