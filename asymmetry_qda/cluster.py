"""Dask clusters for large corpora: the one place that starts, joins and closes them.

Everything that can run on Dask (``project.code(backend="dask")``, the
co-occurrence and frequency tables with ``backend="dask"``) takes a
``client``: a :class:`distributed.Client` of the user's own cluster, an
address of a running scheduler (``"tcp://10.0.0.5:8786"``), or ``None`` for
a :class:`distributed.LocalCluster` sized to this machine (one single-threaded
worker process per core: spaCy and the Python glue around it hold the GIL, so
processes, not threads, give parallelism), which is closed again afterwards.

Dask is an optional dependency: ``pip install 'asymmetry_qda[dask]'``.

Examples
--------
>>> from asymmetry_qda.cluster import BACKENDS, check_backend
>>> BACKENDS
('local', 'dask')
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .errors import InputError, Problem

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client

__all__ = ["BACKENDS", "check_backend", "dask_client", "n_workers"]

#: ``local``: this process (and ``n_process`` for tagging); ``dask``: a Dask cluster.
BACKENDS: tuple[str, ...] = ("local", "dask")


def check_backend(backend: str, **dask_options) -> str:
    """``backend`` if it is one of :data:`BACKENDS`, else a clear error; so is a ``dask_options`` value given
    (not None) with the local backend.

    >>> check_backend("local", client=None)
    'local'
    """
    if backend not in BACKENDS:
        raise InputError(Problem("backend", f"{backend!r} is not one of {', '.join(BACKENDS)}",
                                 fix="pass backend='local' (default) or backend='dask'"))
    given = [name for name, value in dask_options.items() if value is not None]
    if backend == "local" and given:
        names = ", ".join(dask_options)
        raise InputError(Problem("backend", f"{' and '.join(names.rsplit(', ', 1))} are options of the dask backend",
                                 fix="pass backend='dask' with them, or leave them out"))
    if backend == "dask":
        _require_distributed()
    return backend


def _require_distributed():
    try:
        import dask.dataframe  # noqa: F401 - the tables need it
        import distributed
    except ImportError as exc:
        raise InputError(Problem("backend", f"the dask backend needs Dask and its distributed scheduler, which are "
                                 f"not installed here ({exc})", fix="pip install 'asymmetry_qda[dask]'")) from exc
    return distributed


@contextmanager
def dask_client(client: "Client | str | None" = None, *, n_workers: int | None = None) -> Iterator["Client"]:
    """A Dask client: the one given, one connected to an address, or a new local cluster (closed on exit).

    A local cluster has ``n_workers`` single-threaded worker processes
    (default: one per core) and listens on 127.0.0.1 only (the dashboard on a
    free port, so two clusters never clash).
    """
    distributed = _require_distributed()
    if client is not None and not isinstance(client, (str, distributed.Client)):
        raise InputError(Problem("client", f"{type(client).__name__} is not a distributed.Client or an address",
                                 fix="pass client=distributed.Client(...), an address such as "
                                     "'tcp://10.0.0.5:8786', or None for a local cluster"))
    if isinstance(client, distributed.Client):
        yield client
        return
    if isinstance(client, str):
        try:
            connected = distributed.Client(client, timeout="20s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise InputError(Problem(client, f"no Dask scheduler answered there ({exc})",
                                     fix="check the address (tcp://HOST:8786) and that the scheduler runs")) from exc
        try:
            yield connected
        finally:
            connected.close()
        return
    workers = n_workers or (os.cpu_count() or 1)
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0", silence_logs=40) as cluster, \
            distributed.Client(cluster, set_as_default=False) as local:
        yield local


def n_workers(client: Any) -> int:
    """How many workers the cluster has now (at least 1)."""
    return max(1, len(client.scheduler_info().get("workers", {})))
