"""Theme tables: what researchers publish, computed from the tidy codings frame.

Load a coded project with :func:`~frame.load`, then pass ``data.codings`` (one row per
coding) and, for denominators, ``data.units`` (one row per turn and sentence) to
the table functions. Every table states its unit of analysis and formula in its
docstring. By default only confirmed codings are used; ``include_suggestions``
adds the tagger's suggestions, and tables then say so.

Every function a notebook calls is importable from here, in one import::

    from asymmetry_qda.analysis import code_frequencies, cooccurrence, load, styled

The functions live in the modules below (their reference pages document them);
by topic:

- **The data** (:mod:`~asymmetry_qda.analysis.frame`): :func:`~frame.load` gives an
  :class:`~frame.AnalysisData`, whose ``coverage`` is a :class:`~frame.Coverage`.
- **Frequencies** (:mod:`~asymmetry_qda.analysis.counts`):
  :func:`~counts.code_frequencies`, :func:`~counts.code_matrix`.
- **Co-occurrence** (:mod:`~asymmetry_qda.analysis.cooccurrence`):
  :func:`~cooccurrence.cooccurrence`; from your own unit × code matrix,
  :func:`~cooccurrence.unit_matrix` and :func:`~cooccurrence.cooccurrence_from_matrix`.
- **Balance** (:mod:`~asymmetry_qda.analysis.balance`):
  :func:`~balance.participant_balance`, :func:`~balance.group_balance`, :func:`~balance.theme_poles`.
- **Failure alignment** (:mod:`~asymmetry_qda.analysis.alignment`):
  :func:`~alignment.failure_alignment`, :func:`~alignment.alignment_quotes`, :func:`~alignment.response_fits`.
- **Quotes** (:mod:`~asymmetry_qda.analysis.quotes`): :func:`~quotes.quotes`,
  :func:`~quotes.to_markdown`, :func:`~quotes.to_html`.
- **Showing a table** (:mod:`~asymmetry_qda.analysis.styling`):
  :func:`~styling.styled` (any table, quotes too), :func:`~styling.display_text`.
- **Figures** (:mod:`~asymmetry_qda.analysis.figures`): :func:`~figures.balance_plot`,
  :func:`~figures.cooccurrence_heatmap`, :func:`~figures.cooccurrence_network`,
  :func:`~figures.cooccurrence_graph`, :func:`~figures.save_figure`, :func:`~figures.figure_bytes`,
  :class:`~figures.QDAFigure`. They are imported on first use, so importing this package
  does not import matplotlib, seaborn or networkx.
- **Every table, written for papers** (:mod:`~asymmetry_qda.analysis.report`):
  :func:`~report.build_tables`, :func:`~report.write_tables`, :class:`~report.Table`.
- **Intercoder agreement** (:mod:`~asymmetry_qda.analysis.agreement`):
  :func:`~agreement.agreement`, :func:`~agreement.pairwise_agreement`, :func:`~agreement.disagreements`.
- **Scoring the tagger** (:mod:`~asymmetry_qda.analysis.evaluation`):
  :func:`~evaluation.evaluate`, :func:`~evaluation.evaluation_errors`.
- **Validity on the evaluation corpus** (:mod:`~asymmetry_qda.analysis.validity`):
  :func:`~validity.validity`, :func:`~validity.validity_report`, :func:`~validity.corpus_errors`,
  :func:`~validity.tag_corpus`, :func:`~validity.judge_corpus`, :func:`~validity.model_labels`,
  :func:`~validity.implied_labels`.
- **Review effort** (:mod:`~asymmetry_qda.analysis.review_effort`):
  :func:`~review_effort.review_effort`, :func:`~review_effort.summarise_effort`.

``from asymmetry_qda.analysis.<module> import <name>`` keeps working. Five
functions share their module's name (``agreement``, ``cooccurrence``,
``quotes``, ``review_effort``, ``validity``): here that name is the function,
so reach those modules with ``from asymmetry_qda.analysis.quotes import ...`` or
``importlib.import_module``, not as an attribute of this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .agreement import agreement, disagreements, pairwise_agreement
from .alignment import alignment_quotes, failure_alignment, response_fits
from .balance import group_balance, participant_balance, theme_poles
from .cooccurrence import cooccurrence, cooccurrence_from_matrix, unit_matrix
from .counts import code_frequencies, code_matrix
from .evaluation import evaluate, evaluation_errors
from .frame import AnalysisData, Coverage, load
from .quotes import quotes, to_html, to_markdown
from .report import Table, build_tables, write_tables
from .review_effort import review_effort, summarise_effort
from .styling import display_text, styled
from .validity import corpus_errors, implied_labels, judge_corpus, model_labels, tag_corpus, validity, validity_report

if TYPE_CHECKING:  # imported on first use (PEP 562 __getattr__ below): matplotlib, seaborn and networkx are heavy
    from .figures import (
        QDAFigure,
        balance_plot,
        cooccurrence_graph,
        cooccurrence_heatmap,
        cooccurrence_network,
        figure_bytes,
        save_figure,
    )

#: The names of :mod:`~asymmetry_qda.analysis.figures` this package publishes, imported when first asked for.
_FIGURES = ("QDAFigure", "balance_plot", "cooccurrence_graph", "cooccurrence_heatmap", "cooccurrence_network",
            "figure_bytes", "save_figure")

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
    "theme_poles",
    "to_html",
    "to_markdown",
    "unit_matrix",
    "validity",
    "validity_report",
    "write_tables",
]


def __getattr__(name: str):
    """The figure functions, imported from :mod:`~asymmetry_qda.analysis.figures` when first asked for (PEP 562)."""
    if name in _FIGURES:
        from . import figures

        value = getattr(figures, name)
        globals()[name] = value  # asked once: the next lookup finds it without calling this
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
