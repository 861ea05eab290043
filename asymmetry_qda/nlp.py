"""Deprecated: finding and loading spaCy pipelines moved to :mod:`asymmetry_qda.pipelines`.

``from asymmetry_qda.nlp import piece_spans`` keeps working for one release, with a
:class:`DeprecationWarning`: the old name is the new module itself.
"""

import sys
import warnings

from . import pipelines

warnings.warn("asymmetry_qda.nlp is now asymmetry_qda.pipelines; the old name goes in the next release",
              DeprecationWarning, stacklevel=2)
sys.modules[__name__] = pipelines
