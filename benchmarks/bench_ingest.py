"""Ingestion speed and memory: words per second for a synthetic transcript.

Run: ``.venv/bin/python benchmarks/bench_ingest.py [--megabytes 5] [--model auto|blank]``

It writes a synthetic interview of the given size, ingests it into a fresh project and
prints the wall time, words per second and peak memory (``ru_maxrss``) of the process.
Targets: a 5 MB transcript ingests in under a minute on one core with the trained
pipeline, and peak memory stays under 2 GB.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from asymmetry_qda import Project

TURNS = (
    "Interviewer: And what happened next, when the call came in? [00:12:31]\n\n"
    "P01: Well, um, I- I went straight there. It's my shift, so it lands on me, doesn't it? "
    "Nobody's ever said well done for that. [laughs] Anyway, the sergeant was, er, off sick, "
    "so it was me and two probationers and a van that wouldn't start.\n"
    "And then the duty inspector rings, and you know what the first question is.\n\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=5.0)
    parser.add_argument("--model", default="auto")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "LONG.txt"
        text = TURNS * int(args.megabytes * 1_000_000 / len(TURNS) + 1)
        path.write_text(text, encoding="utf-8")
        words = len(text.split())
        size_mb = path.stat().st_size / 1e6
        with Project.create(Path(folder) / "bench.qda") as project:
            started = time.perf_counter()
            report = project.ingest(path, pipeline=args.model)
            seconds = time.perf_counter() - started
            segmenter = project.documents()["segmenter"].iloc[0]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    row = report.documents.iloc[0]
    print(f"file: {size_mb:.1f} MB, {words:,} words, "
          f"{row['turns']:,} turns, {row['sentences']:,} sentences")
    print(f"segmenter: {segmenter}")
    print(f"ingest: {seconds:.1f} s, {words / seconds:,.0f} words/s, peak memory {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
