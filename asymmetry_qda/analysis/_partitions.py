"""Splitting frames into aligned Dask partitions, for tables computed with ``backend="dask"``.

:func:`on_dask` splits one or more frames the same way, so that rows sharing a
document (or participant, or whatever key the caller names) land in the same
partition of every frame, runs a function on each set of aligned partitions
with ``dask.dataframe.map_partitions``, and returns the partial results in
partition order for the caller to add up (see
:func:`asymmetry_qda.analysis.code_frequencies` and
:func:`asymmetry_qda.analysis.cooccurrence`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..errors import InputError, Problem

__all__ = ["ROWS_PER_PARTITION", "check_backend_options", "on_dask", "only"]

#: With ``backend="dask"`` and ``npartitions=None``: at least one partition per worker, and one per this many rows.
ROWS_PER_PARTITION = 1_000_000


def check_backend_options(backend, client, npartitions):
    """``backend`` checked, and ``client`` and ``npartitions`` given only with the dask backend.

    Parameters
    ----------
    backend : Local, Dask, str or None
        The backend asked for (see :func:`asymmetry_qda.backends.backend_from`; the strings are deprecated).
    client : distributed.Client, str or None
        The Dask client or scheduler address given, if any (deprecated: ``Dask(client=...)``).
    npartitions : int or None
        The number of partitions given, if any.

    Returns
    -------
    Local or Dask
        The backend.
    """
    from ..backends import backend_from

    backend = backend_from(backend, client=client, npartitions=npartitions)
    if npartitions is not None and (isinstance(npartitions, bool) or not isinstance(npartitions, (int, np.integer))
                                    or npartitions < 1):
        raise InputError(Problem("npartitions", f"{npartitions!r} is not a whole number of partitions >= 1",
                                 fix="pass npartitions=None (one per worker, more for large frames) or e.g. 8"))
    return backend


def only(frame: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame | None:
    """The ``columns`` of ``frame`` that it has (what the partitions need: less to send to the workers).

    The frame's ``attrs`` (its coverage) stay behind: the client reads them, the partitions count rows; the
    rows themselves already are the covered documents' only (see :func:`~asymmetry_qda.analysis.load`).

    Parameters
    ----------
    frame : pandas.DataFrame or None
        The frame (None gives None).
    columns : list of str
        The columns wanted; those ``frame`` lacks are skipped.

    Returns
    -------
    pandas.DataFrame or None
    """
    if frame is None:
        return None
    kept = frame[[c for c in dict.fromkeys(columns) if c in frame.columns]]
    kept.attrs = {}
    return kept


def _blocks(frames: list[pd.DataFrame | None], columns: list[str]) -> tuple[list[np.ndarray | None], int]:
    """A block number per row of each frame: rows sharing a value of any of ``columns`` share a block (joined
    transitively, across frames); rows with no value at all share the last block. Blocks follow the sorted values
    of the first column where they can, so frames sorted by it give sorted block numbers."""
    from scipy import sparse
    from scipy.sparse import csgraph

    present = [frame for frame in frames if frame is not None]
    lengths = [len(frame) for frame in present]
    nodes, n_nodes = [], 0
    for column in columns:
        values = pd.concat([frame[column] if column in frame.columns else pd.Series([None] * len(frame), dtype=object)
                            for frame in present], ignore_index=True)
        try:
            found, uniques = pd.factorize(values, sort=True)
        except TypeError:  # values of several types
            found, uniques = pd.factorize(values)
        nodes.append(np.where(found >= 0, found + n_nodes, -1).astype(np.int64))
        n_nodes += len(uniques)
    anchor = np.full(sum(lengths), -1, np.int64)
    for node in reversed(nodes):
        anchor = np.where(node >= 0, node, anchor)
    if len(nodes) > 1:
        linked = [(anchor[keep], node[keep]) for node in nodes[1:] for keep in [(node >= 0) & (anchor >= 0)]]
        a = np.concatenate([pair[0] for pair in linked])
        b = np.concatenate([pair[1] for pair in linked])
        graph = sparse.coo_array((np.ones(len(a), np.int8), (a, b)), shape=(n_nodes, n_nodes))
        n_blocks, of_node = csgraph.connected_components(graph, directed=False)
        block = np.where(anchor >= 0, of_node[np.maximum(anchor, 0)], n_blocks)
    else:
        n_blocks = n_nodes
        block = np.where(anchor >= 0, anchor, n_nodes)
    pieces = iter(np.split(block, np.cumsum(lengths)[:-1]) if present else [])
    return [None if frame is None else next(pieces) for frame in frames], n_blocks + 1


def on_dask(client, frames: list[pd.DataFrame | None], keys: list[str], npartitions: int | None,
             function: Callable, **options) -> list:
    """``function(*frame_partitions, **options)`` for each partition, computed on ``client``'s cluster.

    Every frame (None: passed as None) is split the same way: rows sharing a value of a ``keys`` column go to
    the same partition (:func:`_blocks`), consecutive blocks to a partition, about the same number of rows in
    each. Partition ``p`` of every frame becomes partition ``p`` of a ``dask.dataframe`` with divisions
    ``0 .. npartitions - 1`` (the rows keep their order), and ``map_partitions`` runs ``function`` on the
    aligned partitions (index reset).

    Parameters
    ----------
    client : distributed.Client
        The client of the cluster.
    frames : list of pandas.DataFrame or None
        The frames, split alike.
    keys : list of str
        Columns whose shared values keep rows in one partition.
    npartitions : int or None
        The number of partitions (default: one per worker, and one per million rows).
    function : callable
        Run on each partition's frames.
    **options
        Keyword arguments passed to ``function``.

    Returns
    -------
    list
        Returns the results, in partition order.
    """
    import dask
    import dask.dataframe as dd

    from ..backends import n_workers

    blocks, n_blocks = _blocks(frames, keys)
    sizes = np.bincount(np.concatenate([b for b in blocks if b is not None] or [np.zeros(0, np.int64)]),
                        minlength=n_blocks)
    if npartitions is None:
        wanted = max(n_workers(client), -(-int(sizes.sum()) // ROWS_PER_PARTITION))
        npartitions = max(1, min(wanted, int(np.count_nonzero(sizes))))
    start = np.cumsum(sizes) - sizes
    of_block = np.minimum(start * npartitions // max(int(sizes.sum()), 1), npartitions - 1)
    divisions = (*range(npartitions), npartitions - 1)
    present = tuple(frame is not None for frame in frames)
    with dask.config.set({"dataframe.convert-string": False}):  # the partitions keep the frames' dtypes
        collections = []
        for frame, block in zip(frames, blocks, strict=True):
            if frame is None:
                continue
            pieces = _pieces(frame, of_block[block], npartitions)
            futures = client.scatter(pieces, hash=False)
            collections.append(dd.from_delayed(futures, meta=pieces[0].iloc[:0], divisions=divisions,
                                               verify_meta=False))
        partials = dd.map_partitions(_partial, *collections, function=function, present=present, options=options,
                                     meta=pd.DataFrame({"partial": pd.Series([], dtype=object)}),
                                     align_dataframes=False, enforce_metadata=False)
        return client.compute(partials).result()["partial"].tolist()


def _pieces(frame: pd.DataFrame, number: np.ndarray, npartitions: int) -> list[pd.DataFrame]:
    """``frame``'s rows of each partition number, in their order, indexed by the number."""
    if len(number) and np.any(number[1:] < number[:-1]):
        order = np.argsort(number, kind="stable")
        frame, number = frame.take(order), number[order]
    bounds = np.searchsorted(number, np.arange(npartitions + 1))
    return [frame.iloc[bounds[p]:bounds[p + 1]].set_axis(np.full(bounds[p + 1] - bounds[p], p, np.int64))
            for p in range(npartitions)]


def _partial(*frames: pd.DataFrame, function: Callable, present: tuple[bool, ...], options: dict) -> pd.DataFrame:
    given = iter(frames)
    args = [next(given).reset_index(drop=True) if here else None for here in present]
    return pd.DataFrame({"partial": pd.Series([function(*args, **options)], dtype=object)})
