"""Where the work runs: in this process (:class:`Local`) or on a Dask cluster (:class:`Dask`).

Everything that can run on Dask (``project.code``, the co-occurrence and
frequency tables) takes ``backend=``: ``Local()`` (the default; for tagging,
``Local(n_process=4)`` spreads it over a pool of processes) or ``Dask(...)``,
whose ``client`` is a :class:`distributed.Client` of the user's own cluster,
an address of a running scheduler (``"tcp://10.0.0.5:8786"``), or ``None``
for a :class:`distributed.LocalCluster` of ``n_workers`` worker processes
(default one per core; single-threaded, since spaCy and the Python glue
around it hold the GIL), which is closed again afterwards. :class:`Dask` is
the one place that starts, joins and closes clusters.

The old forms (``backend="dask"``, ``client=...``, ``workers=...``,
``n_process=...``) still work for one release, with a :class:`DeprecationWarning`.

Dask is an optional dependency: ``pip install 'asymmetry_qda[dask]'``.

Examples
--------
>>> Local(n_process=2)
Local(n_process=2)
>>> Dask(client="tcp://10.0.0.5:8786")
Dask(client='tcp://10.0.0.5:8786', n_workers=None)
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._keywords import outside
from .errors import InputError, Problem

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client

__all__ = ["BACKENDS", "Dask", "Local", "backend_from", "check_backend", "dask_client", "n_workers"]

#: The old string forms of a backend: ``local``, this process (and ``n_process`` for tagging); ``dask``, a cluster.
BACKENDS: tuple[str, ...] = ("local", "dask")


@dataclass(frozen=True)
class Local:
    """Run in this process; tagging with ``n_process`` > 1 uses a pool of that many worker processes.

    Parameters
    ----------
    n_process : int, default 1
        Processes that tag (the tables always run in this process).
    """

    n_process: int = 1

    def __post_init__(self):
        if not isinstance(self.n_process, int) or self.n_process < 1:
            raise InputError(Problem("n_process", f"{self.n_process!r} is not a whole number >= 1",
                                     fix="use 1 or more"))


@dataclass(frozen=True)
class Dask:
    """Run on a Dask cluster: the user's own, a running scheduler's, or a local one started for the call.

    Parameters
    ----------
    client : distributed.Client, str or None
        A client of a running cluster, a scheduler's address, or ``None`` for a local cluster of
        ``n_workers`` single-threaded worker processes (default one per core), closed afterwards.
    n_workers : int, optional
        The size of that local cluster.
    """

    client: "Client | str | None" = None
    n_workers: int | None = None

    @contextmanager
    def start(self) -> Iterator["Client"]:
        """A client for this backend (see :func:`dask_client`), the cluster closed on exit if started here."""
        with dask_client(self.client, n_workers=self.n_workers) as client:
            yield client

    @staticmethod
    def workers(client: Any) -> int:
        """How many workers the cluster of ``client`` has now (at least 1)."""
        return n_workers(client)


def backend_from(backend: "Local | Dask | str | None", **old: Any) -> Local | Dask:
    """The backend object ``backend`` (and the old keywords given with it) stands for.

    Parameters
    ----------
    backend : Local, Dask, str or None
        A backend object; ``None`` for :class:`Local` (or what the old keywords say); the old strings
        ``"local"`` and ``"dask"``, with a :class:`DeprecationWarning`.
    **old
        The old keywords given (a value of None: not given): ``n_process`` of the local backend,
        ``client`` and ``workers`` (or ``n_workers``) of the Dask backend, and any other option that
        only the Dask backend takes (``batch_turns``, ``npartitions``), checked but not kept.

    Returns
    -------
    Local or Dask

    Examples
    --------
    >>> backend_from(None)
    Local(n_process=1)
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DeprecationWarning)
    ...     backend_from("local", n_process=2)
    Local(n_process=2)
    """
    keys = {"client", "workers", "n_workers", "n_process"}
    given = {name: value for name, value in old.items() if name in keys and value is not None}
    if isinstance(backend, (Local, Dask)):
        if given:
            kind = type(backend).__name__
            raise InputError(Problem("backend", f"{', '.join(given)} cannot be given beside backend={kind}(...)",
                                     fix=f"pass them inside it, e.g. {kind}({next(iter(given))}=...)"))
        if isinstance(backend, Dask):
            _require_distributed()
        else:
            dask_only = [name for name, value in old.items() if name not in keys and value is not None]
            if dask_only:
                raise InputError(Problem("backend", f"{' and '.join(dask_only)} go with the Dask backend",
                                         fix="pass backend=Dask(...) with them, or leave them out"))
        return backend
    name = "local" if backend is None else backend  # the old default
    check_backend(name, **{k: v for k, v in old.items() if k != "n_process"})
    if name == "local":
        made: Local | Dask = Local(1 if old.get("n_process") is None else old["n_process"])
    else:
        made = Dask(old.get("client"), old.get("workers", old.get("n_workers")))
    if backend is not None or given:
        shown = ", ".join(f"{k}={v!r}" for k, v in [("backend", backend), *given.items()] if v is not None)
        warnings.warn(f"{shown} is deprecated and will be removed in the next release; use backend={made!r}",
                      DeprecationWarning, stacklevel=outside())
    return made


def check_backend(backend: str, **dask_options) -> str:
    """``backend`` if it is one of :data:`BACKENDS`, else a clear error; so is a ``dask_options`` value given
    (not None) with the local backend.

    >>> check_backend("local", client=None)
    'local'
    """
    if backend not in BACKENDS:
        raise InputError(Problem("backend", f"{backend!r} is not one of {', '.join(BACKENDS)}",
                                 fix="pass backend=Local() (default) or backend=Dask(...)"))
    given = [name for name, value in dask_options.items() if value is not None]
    if backend == "local" and given:
        names = ", ".join(dask_options)
        raise InputError(Problem("backend", f"{' and '.join(names.rsplit(', ', 1))} are options of the dask backend",
                                 fix="pass backend=Dask(...) with them, or leave them out"))
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
