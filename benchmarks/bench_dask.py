"""Coding a project on one process, a process pool and Dask: words per second and the overhead of Dask.

Run: ``.venv/bin/python benchmarks/bench_dask.py [--words 1000000] [--small 20000] [--model auto|blank]``

It writes a synthetic corpus (turns of 2-8 sentences drawn, seeded, from the
sample transcripts' participant turns, as ``bench_tagger.py`` does) as
interview transcripts of about 5,000 words each, ingests them once, and then
codes a fresh copy of that project with the study codebook:

1. ``backend="local"``, one process;
2. ``backend="local", n_process=2`` (a process pool);
3. ``backend="dask"`` on a ``LocalCluster`` of 2 worker processes, timed with
   and without starting the cluster (the cluster is started once and given as
   ``client`` for the second figure).

Words are the participant words of the coded turns. Every run must store the
same suggestions (the ids are compared). The same is done on a small corpus
(``--small`` words) to show Dask's fixed costs.

Measured on the 2-core development machine (1,032,562 words, trained
pipeline): one process 134.2 s (7,693 words/s); ``n_process=2`` 74.5 s
(1.80x); Dask with 2 workers 90.3 s with the cluster started by the call
(1.49x), 86.2 s on a running cluster (1.56x); starting the cluster 1.6 s. On
20,673 words: 5.5 s, 5.4 s, 8.3 s and 5.1 s. On two cores the driver
(reading turns, grouping matches, writing) shares the cores with the
workers, so neither reaches 2x; Dask pays for loading the pipeline on its
workers and its scheduler, and earns it back only with more cores than one
machine has.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import tempfile
import time
import warnings
from pathlib import Path

from bench_tagger import corpus

from asymmetry_qda import Project

REPO = Path(__file__).resolve().parents[1]
CODEBOOK = REPO / "codebooks" / "asymmetries.yaml"


def build(folder: Path, words: int) -> tuple[Path, int]:
    """A project of synthetic interviews of about 5,000 words each; returns its path and its word count."""
    turns = corpus(words, samples=str(REPO / "data_samples" / "transcripts"))
    (folder / "in").mkdir()
    doc, size, count = [], 0, 0
    for i, turn in enumerate(turns):
        doc.append(f"Interviewer: And then?\n\nP{i % 90 + 1:02d}: {turn}\n\n")
        size += len(turn.split())
        if size >= 5000 or i == len(turns) - 1:
            (folder / "in" / f"INT{count:05d}.txt").write_text("".join(doc), encoding="utf-8")
            doc, size, count = [], 0, count + 1
    path = folder / "corpus.qda"
    with Project.create(path) as project:
        project.ingest(folder / "in", pipeline="blank")
        n_words = int(project.info().loc["total", "words"])
    return path, n_words


def timed(template: Path, folder: Path, name: str, model: str, **options) -> tuple[float, set]:
    path = folder / f"{name}.qda"
    shutil.copy(template, path)
    with Project.open(path) as project:
        start = time.perf_counter()
        project.code(CODEBOOK, pipeline=model, progress=False, **options)
        seconds = time.perf_counter() - start
    ids = {r[0] for r in sqlite3.connect(path).execute("SELECT coding_id FROM codings")}
    path.unlink()
    return seconds, ids


def measure(words: int, model: str) -> None:
    import distributed

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        template, n_words = build(folder, words)
        rows = []
        one, reference = timed(template, folder, "one", model)
        rows.append(("local, 1 process", one))
        two, ids = timed(template, folder, "two", model, n_process=2)
        assert ids == reference
        rows.append(("local, n_process=2", two))
        with_start, ids = timed(template, folder, "dask", model, backend="dask", workers=2)
        assert ids == reference
        rows.append(("dask, 2 workers, cluster started by the call", with_start))
        start = time.perf_counter()
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                      dashboard_address="127.0.0.1:0", silence_logs=50) as cluster, \
                distributed.Client(cluster, set_as_default=False) as client:
            startup = time.perf_counter() - start
            warm, ids = timed(template, folder, "dask-client", model, backend="dask", client=client)
            assert ids == reference
        rows.append(("dask, 2 workers, running cluster given", warm))
    print(f"\n{n_words:,} participant words, model={model}, {len(reference):,} suggestions (same ids every run)")
    for label, seconds in rows:
        print(f"  {label:<48} {seconds:7.1f} s  {n_words / seconds:>9,.0f} words/s  {one / seconds:4.2f}x")
    print(f"  starting a 2-worker LocalCluster: {startup:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=20_000)
    parser.add_argument("--model", default="auto")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    for words in (args.small, args.words):
        measure(words, args.model)


if __name__ == "__main__":
    main()
