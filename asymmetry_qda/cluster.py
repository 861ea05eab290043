"""Deprecated: the backends moved to :mod:`asymmetry_qda.backends` (``cluster`` only ever meant Dask).

``backend=Dask(client=..., n_workers=...)`` replaces ``backend="dask", client=..., workers=...``;
``from asymmetry_qda.cluster import dask_client`` keeps working for one release, with a
:class:`DeprecationWarning`.
"""

import warnings

from .backends import BACKENDS, check_backend, dask_client, n_workers  # noqa: F401

__all__ = ["BACKENDS", "check_backend", "dask_client", "n_workers"]

warnings.warn("asymmetry_qda.cluster is now asymmetry_qda.backends (backend=Dask(...)); the old name goes in the "
              "next release", DeprecationWarning, stacklevel=2)
