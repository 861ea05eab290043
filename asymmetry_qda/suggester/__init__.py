"""Code suggestions learned from human coding decisions.

:class:`CodeSuggester` is a scikit-learn estimator: units' texts (and the
tagger's rule and context features) in, a calibrated probability of each code
out, trained on confirmed codings (positives) and rejected suggestions (hard
negatives).
"""

from __future__ import annotations

from .estimator import CodeSuggester

__all__ = ["CodeSuggester"]
