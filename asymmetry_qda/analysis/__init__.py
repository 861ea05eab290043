"""Theme tables: what researchers publish, computed from the tidy codings frame.

Load a coded project with :func:`load`, then pass ``data.codings`` (one row per
coding) and, for denominators, ``data.units`` (one row per turn and sentence) to
the table functions. Every table states its unit of analysis and formula in its
docstring. By default only confirmed codings are used; ``include_suggestions``
adds the tagger's suggestions, and tables then say so.
"""

from __future__ import annotations

from .frame import AnalysisData, load

__all__ = ["AnalysisData", "load"]
