"""Deprecated: the records moved to :mod:`asymmetry_qda.records` (``model`` meant four things).

``from asymmetry_qda.model import Document`` keeps working for one release, with a
:class:`DeprecationWarning`.
"""

import warnings

from .records import *  # noqa: F403
from .records import __all__  # noqa: F401

warnings.warn("asymmetry_qda.model is now asymmetry_qda.records; the old name goes in the next release",
              DeprecationWarning, stacklevel=2)
