"""Code operations at scale: rename, move, merge, split, retire and undo on a project with 100k codings.

Run: ``.venv/bin/python benchmarks/bench_code_changes.py [--codings 100000]``

It ingests the sample transcripts (blank pipeline), stores the study codebook, and writes ``--codings``
confirmed codings spread over the sentences and the codebook's codes (one transaction, through the store's
one writer), then times each operation of :mod:`asymmetry_qda.code_changes` on it, each one transaction,
and prints how many codings it carried and its wall time. Target (issue 22): every operation under one
second on this 2-core machine with 100k codings. Exit status 1 if one is slower.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
import warnings
from pathlib import Path

from asymmetry_qda import Project, datasets
from asymmetry_qda.codebook import load_codebook
from asymmetry_qda.records import Coding, Origin, Status
from asymmetry_qda.store import codings as stored_codings
from asymmetry_qda.store.sqlite import utc_now

TARGET_SECONDS = 1.0


def build(folder: Path, n_codings: int) -> Path:
    path = folder / "scale.qda"
    book = load_codebook(datasets.study_codebook_path())
    with Project.create(path) as project, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        project.ingest(datasets.sample_path() / "transcripts", pipeline="blank")
        project.add_codebook(book)
        sentences = project.segments(unit="sentence", include_interviewer=False)
        shas = dict(zip(project.documents()["doc_id"], project.documents()["sha256"], strict=True))
        leaves = [c.id for c in book.codes if not book.descendants(c.id)]
        now = utc_now()
        rows = []
        for n in range(n_codings):
            s = sentences.iloc[n % len(sentences)]
            rows.append(Coding(uuid.uuid4().hex, s.doc_id, shas[s.doc_id], int(s.start), int(s.end),
                               leaves[n % len(leaves)], Origin.HUMAN, Status.CONFIRMED, ("LT", "MK", "RS")[n % 3],
                               segment_id=s.segment_id, created_at=now))
        with project.transaction() as db:
            for coder in ("LT", "MK", "RS"):
                stored_codings.register_coder(db, coder, now=now)
            stored_codings.insert_many(db, rows)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=100_000)
    args = parser.parse_args()
    slow = []
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        path = build(Path(folder), args.codings)
        print(f"built a project of {args.codings} codings in {time.perf_counter() - started:.1f} s")
        with Project.open(path) as project:
            codes = project.codings().groupby("code_id").size().sort_values(ascending=False)
            big, other, third = codes.index[:3]

            def chosen() -> list[str]:  # 1,000 current codings of the code, as a user picks them from codings()
                frame = project.codings()
                return frame.loc[frame["code_id"] == big, "coding_id"].head(1000).tolist()
            steps = [
                ("rename", lambda: project.rename_code(big, big + "_renamed", by="LT")),
                ("undo (rename)", lambda: project.undo_code_change(by="LT")),
                ("move", lambda: project.move_code(other, None, by="LT")),
                ("merge", lambda: project.merge_codes([third], big, by="LT")),
                ("split (1,000 codings)", lambda ids: project.split_code(big, ids, big + ".part", label="Part",
                                                                         definition="A part.", by="LT")),
                ("retire", lambda: project.retire_code(big + ".part", by="LT")),
                ("undo (retire)", lambda: project.undo_code_change(by="LT")),
            ]
            print(f"{'operation':<24}{'codings carried':>16}{'seconds':>10}")
            for name, run in steps:
                ids = chosen() if name.startswith("split") else None  # chosen before the clock starts
                started = time.perf_counter()
                carried = run(ids) if ids is not None else run()
                seconds = time.perf_counter() - started
                print(f"{name:<24}{len(carried):>16}{seconds:>10.3f}")
                if seconds >= TARGET_SECONDS:
                    slow.append(name)
    if slow:
        print(f"over {TARGET_SECONDS} s: {', '.join(slow)}")
    return 1 if slow else 0


if __name__ == "__main__":
    raise SystemExit(main())
