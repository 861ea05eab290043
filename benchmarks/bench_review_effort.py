"""Review effort (issue 17): sentences read to find 80 % and 90 % of a code's instances, CAL against document order.

Simulates continuous active learning (:func:`asymmetry_qda.analysis.review_effort`) on

1. the evaluation corpus's ``dev`` split (446 sentences), against the adjudicated labels, leaf codes,
   with the rules' evidence and the codebook's examples as seed data;
2. the sample study's sentences coded by the lead coder LT (FN01, INT01-04, INT06), against LT's codings,
   with the rules' evidence from ``project.code``.

Prints one row per code and a summary: median sentences reviewed per code under CAL, in document order and
(expected) in a random order. The README's review-effort figures come from this script.

Run: ``.venv/bin/python benchmarks/bench_review_effort.py [--batch 10] [--model auto] [--only corpus|sample]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from asymmetry_qda.analysis import review_effort, summarise_effort
from asymmetry_qda.analysis._review_effort import corpus_review_effort
from asymmetry_qda.datasets import load_sample, study_codebook_path
from asymmetry_qda.errors import QDAWarning
from asymmetry_qda.evaluation_corpus import load_corpus


def sample_pool(model: str) -> tuple[list[str], pd.DataFrame, pd.DataFrame]:
    """The lead coder's documents of the sample: sentences in document order, LT's labels, the rules' evidence."""
    from asymmetry_qda import Project
    from asymmetry_qda.analysis import load
    from asymmetry_qda.suggester.training import sentence_features, training_set

    sample = load_sample()
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore", QDAWarning)
        with Project.create(Path(folder) / "sample.qda") as project:
            project.ingest(sample.transcripts, attributes=sample.participants, pipeline=model)
            project.code(sample.codebook, pipeline=model, progress=False)
            project.import_codings(sample.codings, codebook=sample.codebook)
            data = load(project, statuses=("confirmed", "suggested", "rejected", "suppressed"))
            features = sentence_features(data)
            X, Y = training_set(data, features, coders=["LT"])
    X = X.sort_values(["doc_id", "ordinal"], kind="stable")
    truth = (Y.loc[X.index] == 1).astype(int).reset_index(drop=True)
    evidence = X[[c for c in X.columns if c.startswith(("rule:", "context:"))]].reset_index(drop=True)
    return X["text"].tolist(), truth, evidence


def show(title: str, table: pd.DataFrame, took: float) -> None:
    print(f"\n== {title} ({took:.0f} s)")
    print(table.to_string(index=False))
    summary = summarise_effort(table)
    print(f"-- {int(summary['codes'])} codes with >= 3 instances, {int(summary['n_units'])} sentences each: median "
          "sentences reviewed per code")
    for t in ("0.8", "0.9"):
        print(f"   to find {float(t):.0%}: CAL {summary[f'median_cal_{t}']:.0f}, document order "
              f"{summary[f'median_document_{t}']:.0f}, random order (expected) {summary[f'median_random_{t}']:.0f}; "
              f"CAL needs fewer than document order for {summary[f'cal_fewer_{t}']:.0%} of codes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--model", default="auto")
    parser.add_argument("--only", choices=["corpus", "sample"], default=None)
    args = parser.parse_args()
    pd.set_option("display.width", 250)
    if args.only in (None, "corpus"):
        started = time.perf_counter()
        table = corpus_review_effort(load_corpus(), study_codebook_path(), split="dev", pipeline=args.model,
                                     batch_size=args.batch)
        show("evaluation corpus, dev split, adjudicated labels (leaf codes; rules' evidence and codebook seeds)",
             table, time.perf_counter() - started)
    if args.only in (None, "sample"):
        started = time.perf_counter()
        texts, truth, evidence = sample_pool(args.model)
        table = review_effort(texts, truth, evidence=evidence, batch_size=args.batch)
        show("sample study, lead coder LT's documents and codings (rules' evidence)", table,
             time.perf_counter() - started)


if __name__ == "__main__":
    main()
