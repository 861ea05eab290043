"""Deprecated: the tagging engine moved to :mod:`asymmetry_qda.tagging` (spaCy's part-of-speech component is
its ``tagger``).

``import asymmetry_qda.tagger`` and ``from asymmetry_qda.tagger.run import code_project`` keep working for one
release, with one :class:`DeprecationWarning` naming the new path. The old submodule paths are the new modules
themselves (``asymmetry_qda.tagger.run is asymmetry_qda.tagging.run``), imported only when asked for. The
spaCy factory names (``qda_code_matcher``, ``qda_context``) have not changed.
"""

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings

from .tagging import *  # noqa: F403
from .tagging import UNUSED_COMPONENTS, __all__  # noqa: F401

OLD, NEW = __name__, "asymmetry_qda.tagging"

#: A package, so that ``asymmetry_qda.tagger.<module>`` imports (through :class:`_OldPaths`).
__path__: list[str] = []


class _OldPaths(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports ``asymmetry_qda.tagger.<module>`` as the module ``asymmetry_qda.tagging.<module>``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.startswith(OLD + "."):
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        # the import system returns what sys.modules holds under the old name once this has run
        sys.modules[module.__name__] = importlib.import_module(NEW + module.__name__[len(OLD):])


if not any(isinstance(finder, _OldPaths) for finder in sys.meta_path):
    sys.meta_path.append(_OldPaths())

warnings.warn("asymmetry_qda.tagger is now asymmetry_qda.tagging; the old name goes in the next release",
              DeprecationWarning, stacklevel=2)
