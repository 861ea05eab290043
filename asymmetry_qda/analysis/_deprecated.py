"""The module paths of earlier releases (``asymmetry_qda.analysis.quotes``, ...), kept for one release.

Each old path is a stand-in module registered in :data:`sys.modules`: every name
read from it comes from the private module that now holds it, with a
:class:`DeprecationWarning` that names the import to use instead. The stand-ins
hold nothing themselves, so the package's functions that share an old module's
name (``agreement``, ``cooccurrence``, ``quotes``, ``review_effort``,
``validity``) stay functions, and an old path costs nothing until it is used
(``figures`` imports matplotlib only when a name is read from it).
"""

from __future__ import annotations

import importlib
import sys
import types
import warnings

#: The module names of earlier releases; each now lives in ``_<name>``.
OLD_MODULES = ("agreement", "alignment", "balance", "cooccurrence", "counts", "evaluation", "figures", "frame",
               "partitions", "quotes", "report", "review_effort", "styling", "validity")


class DeprecatedModule(types.ModuleType):
    """An old module path that forwards every name to its new home and warns.

    Parameters
    ----------
    old : str
        The old dotted module name, e.g. ``"asymmetry_qda.analysis.quotes"``.
    new : str
        The private module that holds the names now, e.g. ``"asymmetry_qda.analysis._quotes"``.
    public : frozenset of str
        The names the package itself publishes: the warning for those says to import
        them from the package.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     from asymmetry_qda.analysis.counts import code_frequencies
    >>> code_frequencies.__module__, caught[0].category.__name__
    ('asymmetry_qda.analysis._counts', 'DeprecationWarning')
    """

    def __init__(self, old: str, new: str, public: frozenset[str]):
        super().__init__(old, f"Deprecated: use {old.rpartition('.')[0]} instead.")
        # kept outside the module's namespace, so every name read goes through __getattr__
        object.__setattr__(self, "_forward", (new, public))

    def __getattr__(self, name: str):
        new, public = object.__getattribute__(self, "_forward")
        if name.startswith("__"):
            raise AttributeError(name)
        package = self.__name__.rpartition(".")[0]
        instead = f"from {package} import {name}" if name in public else f"the package {package}"
        warnings.warn(f"{self.__name__} is deprecated and will be removed in the next release; use {instead}",
                      DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(new), name)

    def __dir__(self) -> list[str]:
        new, _ = object.__getattribute__(self, "_forward")
        return sorted(n for n in dir(importlib.import_module(new)) if not n.startswith("_"))


def install(package: str, public: frozenset[str]) -> None:
    """Register a :class:`DeprecatedModule` for each of :data:`OLD_MODULES` under ``package``.

    Parameters
    ----------
    package : str
        The package the old modules sat in, ``"asymmetry_qda.analysis"``.
    public : frozenset of str
        The package's ``__all__``.
    """
    for old in OLD_MODULES:
        sys.modules.setdefault(f"{package}.{old}", DeprecatedModule(f"{package}.{old}", f"{package}._{old}", public))
