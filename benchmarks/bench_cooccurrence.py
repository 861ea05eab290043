"""Co-occurrence speed and memory on a large random unit × code matrix.

Run: ``.venv/bin/python benchmarks/bench_cooccurrence.py [--units 1000000] [--codes 60] [--density 0.03] [--dask]``

It builds a seeded random binary sparse matrix (units × codes at the given
density) and reports the time of a bare ``X.T @ X``, the time of
:func:`~asymmetry_qda.analysis.cooccurrence_from_matrix` (every
measure, every pair; best of 5), and the peak memory the call adds (tracemalloc)
next to the size of X's non-zero storage, at the full size and at a quarter of
it, to show that memory grows with the non-zeros. Separately it times
:func:`unit_matrix` and :func:`cooccurrence` on a synthetic tidy codings frame of
the same density (one coding per coded sentence, with a units frame), and shows
how the Fisher p-values' cost depends on N (scipy's hypergeometric, from Boost,
is exact by prime factorisation up to N = 104,729, slower per pair as N grows).
The tidy calls are also timed on the codings in random row order (load() sorts them by document and
place; a random order takes the sorting path that building X then needs).
Target: ``cooccurrence_from_matrix`` within 0.3 s at 1,000,000 × 60 at 3 %; ``cooccurrence`` from the tidy
frames within 0.3 s and within 2x ``cooccurrence_from_matrix`` (issue 23).

With ``--dask`` it also times ``cooccurrence(..., backend="dask")`` (and
``code_frequencies``) on a :class:`distributed.LocalCluster` of ``--workers``
single-threaded worker processes (default 2): the cluster's start-up
separately, then each call on the running cluster (best of ``--dask-repeats``)
next to the local call, on a small tidy frame (about ``--small`` codings) and
on the full one, with the overhead (dask - local) and the ratio. Each dask
table is checked equal, bit for bit, to the local one.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd
from scipy import sparse, stats

from asymmetry_qda.analysis import code_frequencies, cooccurrence, cooccurrence_from_matrix, unit_matrix
from asymmetry_qda.errors import QDAWarning

TARGET_SECONDS = 0.3
SENTENCES_PER_DOC = 1_000
SENTENCES_PER_TURN = 5
DOCS_PER_PARTICIPANT = 5


def random_matrix(n_units: int, n_codes: int, density: float, seed: int = 0) -> sparse.csr_array:
    """Seeded binary csr matrix (int32) with about ``density`` of its cells set."""
    rng = np.random.default_rng(seed)
    return sparse.random_array((n_units, n_codes), density=density, format="csr", dtype=np.int32, rng=rng,
                               data_sampler=lambda size: np.ones(size, np.int32))


def best_of(repeats: int, function) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


def peak_added(function) -> int:
    """Bytes of the highest memory use (tracemalloc) above what was in use before the call."""
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


def storage(X: sparse.csr_array) -> int:
    return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes


def synthetic_tidy(X: sparse.csr_array, codes: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A codings frame with one coding per non-zero of X (row = sentence) and the matching units frame."""
    n_units = X.shape[0]
    coo = X.tocoo()
    row, column = coo.coords
    doc = row // SENTENCES_PER_DOC
    n_docs = int(np.ceil(n_units / SENTENCES_PER_DOC))
    doc_names = np.array([f"D{d:05d}" for d in range(n_docs)], dtype=object)
    participant = np.array([f"P{d // DOCS_PER_PARTICIPANT:04d}" for d in range(n_docs)], dtype=object)
    leader = np.arange(n_docs) // DOCS_PER_PARTICIPANT % 3 == 0
    ordinal = row % SENTENCES_PER_DOC
    codings = pd.DataFrame({
        "coding_id": np.arange(len(row)).astype(str), "doc_id": doc_names[doc], "kind": "interview",
        "participant_id": participant[doc], "start": ordinal * 100, "end": ordinal * 100 + 80,
        "code_id": np.array(codes, dtype=object)[column], "status": "confirmed",
        "turn": ordinal // SENTENCES_PER_TURN, "turn_last": ordinal // SENTENCES_PER_TURN,
        "sentence": ordinal, "sentence_last": ordinal, "leader": leader[doc]})
    every = np.arange(n_units)
    units = pd.DataFrame({"doc_id": doc_names[every // SENTENCES_PER_DOC], "unit": "sentence",
                          "ordinal": every % SENTENCES_PER_DOC, "start": every % SENTENCES_PER_DOC * 100,
                          "end": every % SENTENCES_PER_DOC * 100 + 100,
                          "participant_id": participant[every // SENTENCES_PER_DOC], "kind": "interview",
                          "leader": leader[every // SENTENCES_PER_DOC]})
    return codings, units


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--codes", type=int, default=60)
    parser.add_argument("--density", type=float, default=0.03)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dask", action="store_true", help="also time the dask backend on a LocalCluster")
    parser.add_argument("--workers", type=int, default=2, help="with --dask: worker processes")
    parser.add_argument("--small", type=int, default=10_000, help="with --dask: codings of the small frame")
    parser.add_argument("--dask-repeats", type=int, default=3)
    args = parser.parse_args()
    codes = [f"theme{k // 10}.code{k:02d}" for k in range(args.codes)]
    print("command: " + " ".join([sys.executable, *sys.argv]))

    X = random_matrix(args.units, args.codes, args.density)
    pairs = args.codes * (args.codes - 1) // 2
    print(f"matrix: {X.shape[0]:,} units x {X.shape[1]} codes, {X.nnz:,} non-zeros "
          f"({X.nnz / (X.shape[0] * X.shape[1]):.2%}), {pairs:,} pairs\n")

    bare, _ = best_of(args.repeats, lambda: (X.T @ X).toarray())
    full, table = best_of(args.repeats, lambda: cooccurrence_from_matrix(X, codes))
    assert len(table) == pairs
    print(f"{'step':<44}{'best of ' + str(args.repeats):>12}")
    print(f"{'bare X.T @ X (sparse, int32)':<44}{bare:>10.3f} s")
    print(f"{'cooccurrence_from_matrix (all measures)':<44}{full:>10.3f} s   "
          f"target <= {TARGET_SECONDS} s: {'met' if full <= TARGET_SECONDS else 'NOT MET'}")

    print(f"\n{'units':>12}{'non-zeros':>12}{'X storage':>12}{'peak added':>12}{'peak / storage':>16}")
    for n in (args.units // 4, args.units):
        part = X if n == args.units else random_matrix(n, args.codes, args.density, seed=1)
        peak = peak_added(lambda part=part: cooccurrence_from_matrix(part, codes))
        print(f"{n:>12,}{part.nnz:>12,}{storage(part) / 1e6:>10.1f}MB{peak / 1e6:>10.1f}MB"
              f"{peak / storage(part):>16.2f}")

    # Boost's exact hypergeometric method (used by scipy for N <= 104,729) costs more per pair as N grows.
    print(f"\n{'units':>12}{'cooccurrence_from_matrix':>26}{'of which hypergeom.sf':>24}")
    for n in (10_000, 100_000, 200_000):
        part = random_matrix(n, args.codes, args.density, seed=2)
        seconds, _ = best_of(args.repeats, lambda part=part: cooccurrence_from_matrix(part, codes))
        counts = np.asarray(part.sum(axis=0)).ravel()
        i, j = np.triu_indices(args.codes, k=1)
        n_ab = (part.T @ part).toarray()[i, j]
        sf, _ = best_of(args.repeats, lambda: stats.hypergeom.sf(n_ab - 1, n, counts[i], counts[j]))
        print(f"{n:>12,}{seconds:>24.3f} s{sf:>22.3f} s")

    codings, units = synthetic_tidy(X, codes)
    shuffled = codings.sample(frac=1, random_state=0).reset_index(drop=True)
    built, (matrix, rows, columns) = best_of(args.repeats, lambda: unit_matrix(codings, units=units))
    assert matrix.shape == X.shape and matrix.nnz == X.nnz
    whole, tidy = best_of(args.repeats, lambda: cooccurrence(codings, units=units))
    by_leader, grouped = best_of(args.repeats, lambda: cooccurrence(codings, units=units, by="leader"))
    unsorted, mixed = best_of(args.repeats, lambda: cooccurrence(shuffled, units=units))
    pd.testing.assert_frame_equal(tidy, mixed, check_exact=True)
    full, _ = best_of(args.repeats, lambda: cooccurrence_from_matrix(X, codes))  # again, next to the tidy calls
    print(f"\ntidy frames: {len(codings):,} codings, {len(units):,} sentence units, "
          f"{codings['doc_id'].nunique():,} documents (text columns as load() gives them: "
          f"{codings['doc_id'].dtype}); best of {args.repeats}; x = / cooccurrence_from_matrix ({full:.3f} s)")
    for name, seconds, rows_out in [("unit_matrix (sentence, units=)", built, None),
                                    ("cooccurrence (sentence, units=, all)", whole, len(tidy)),
                                    ("cooccurrence (sentence, units=, by=leader)", by_leader, len(grouped)),
                                    ("the same, codings in random order", unsorted, len(mixed))]:
        met = seconds <= TARGET_SECONDS and seconds <= 2 * full
        met = "" if rows_out is None else f"   target <= {TARGET_SECONDS} s and <= 2x: {'met' if met else 'NOT MET'}"
        print(f"{name:<44}{seconds:>10.3f} s {seconds / full:>5.1f}x{met}")
    if args.dask:
        small_units = max(SENTENCES_PER_DOC, round(args.small / (args.codes * args.density)))
        small = synthetic_tidy(random_matrix(small_units, args.codes, args.density, seed=3), codes)
        dask_timings(args, {"small": small, "large": (codings, units)})


def dask_timings(args, frames: dict[str, tuple[pd.DataFrame, pd.DataFrame]]) -> None:
    """Local and dask backends on each frame, the cluster running (its start-up timed apart)."""
    import distributed

    warnings.simplefilter("ignore", QDAWarning)  # c_caution: the same in both backends, checked below
    started = time.perf_counter()
    cluster = distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=40)
    client = distributed.Client(cluster, set_as_default=False)
    start_up = time.perf_counter() - started
    print(f"\ndask: LocalCluster of {args.workers} single-threaded worker processes, start-up {start_up:.2f} s "
          f"(not counted below; best of {args.dask_repeats}, npartitions=None: one per worker, more for large frames)")
    calls = [("cooccurrence (sentence, units=)", cooccurrence, {}),
             ("cooccurrence (sentence, units=, by=leader)", cooccurrence, {"by": "leader"}),
             ("cooccurrence (document, units=)", cooccurrence, {"unit": "document"}),
             ("code_frequencies (sentence, units=)", code_frequencies, {})]
    print(f"{'frame':<8}{'codings':>11}  {'call':<44}{'local':>9}{'dask':>9}{'overhead':>10}{'dask/local':>12}")
    try:
        for size, (codings, units) in frames.items():
            for name, function, options in calls:
                local_seconds, local = best_of(args.dask_repeats, lambda: function(codings, units=units, **options))
                dask_seconds, on_dask = best_of(args.dask_repeats, lambda: function(
                    codings, units=units, backend="dask", client=client, **options))
                pd.testing.assert_frame_equal(local, on_dask, check_exact=True)
                print(f"{size:<8}{len(codings):>11,}  {name:<44}{local_seconds:>8.3f}s{dask_seconds:>8.3f}s"
                      f"{dask_seconds - local_seconds:>+9.3f}s{dask_seconds / local_seconds:>11.2f}x")
    finally:
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()
