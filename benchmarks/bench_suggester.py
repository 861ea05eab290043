"""Training the code suggester (issue 23): CPU and wall time of ``Project.train_suggester`` on the sample, and its
cross-validated scores.

Builds a scratch copy of the bundled sample project the way the notebooks do (ingest the 15 documents, tag them
with the study codebook, import the three coders' codings), then times, each as CPU seconds (this process and
its waited-for children, ``time.process_time`` and ``os.times``) and wall seconds:

1. ``features``: the training set as ``train`` builds it (decisions, sentence features, ``training_set``,
   ``model_input``);
2. ``vectorizer``: the estimator's TF-IDF and evidence features alone (``fit_transform``);
3. ``fit``: ``CodeSuggester(**params).fit(X, Y)`` on that training set;
4. ``train_suggester``: the whole ``project.train_suggester(**params)`` (the above and storing the version).

Then scores the model out of sample: ``GroupKFold`` by participant (``--folds``, default 5), the same folds
every run, one model fitted per training fold with the same parameters, and per learned code, over the held-out
units with a human decision on it: average precision of the probabilities (threshold-free), F1 of
:meth:`CodeSuggester.predict` (the model's own thresholds) and the Brier score (calibration). The summary line
gives the means over codes and the micro F1; ``--json`` writes every figure, to compare two runs.

Run: ``.venv/bin/python benchmarks/bench_suggester.py [--model auto] [--threshold 0.5|cv] [--coders LT]
[--folds 5] [--repeat 1] [--profile 25] [--json out.json]``
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import tempfile
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from asymmetry_qda.datasets import load_sample
from asymmetry_qda.errors import QDAWarning


def cpu_seconds() -> float:
    """CPU seconds of this process (all threads) and of its children that were waited for."""
    times = os.times()
    return time.process_time() + times.children_user + times.children_system


@contextmanager
def timed(figures: dict, name: str):
    cpu, wall = cpu_seconds(), time.perf_counter()
    yield
    figures[name] = {"cpu_s": cpu_seconds() - cpu, "wall_s": time.perf_counter() - wall}


def sample_project(folder: Path, model: str):
    from asymmetry_qda import Project

    sample = load_sample()
    project = Project.create(folder / "sample.qda")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        project.ingest(sample.transcripts, attributes=sample.participants, pipeline=model)
        project.code(sample.codebook, pipeline=model, progress=False)
        project.import_codings(sample.codings, codebook=sample.codebook)
    return project


def training_inputs(project, coders):
    from asymmetry_qda.suggester import service
    from asymmetry_qda.suggester.training import sentence_features, training_set

    data = service._decisions(project)
    features = sentence_features(data)
    X, Y = training_set(data, features, coders=coders)
    return X, service.model_input(X), Y


def scores(X: pd.DataFrame, inputs: pd.DataFrame, Y: pd.DataFrame, params: dict, n_folds: int) -> pd.DataFrame:
    """Per code: out-of-sample average precision, F1 and Brier score over ``GroupKFold`` by participant."""
    from sklearn.metrics import average_precision_score, brier_score_loss, f1_score
    from sklearn.model_selection import GroupKFold

    from asymmetry_qda.suggester import CodeSuggester

    groups = X["participant_id"].fillna(X["doc_id"]).astype(str).to_numpy()
    proba = pd.DataFrame(np.nan, index=Y.index, columns=Y.columns)
    guess = pd.DataFrame(np.nan, index=Y.index, columns=Y.columns)
    for train, test in GroupKFold(n_splits=n_folds).split(inputs, groups=groups):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", QDAWarning)
            model = CodeSuggester(**params).fit(inputs.iloc[train], Y.iloc[train])
        codes = list(model.classes_)
        proba.iloc[test, [Y.columns.get_loc(c) for c in codes]] = model.predict_proba(inputs.iloc[test])
        guess.iloc[test, [Y.columns.get_loc(c) for c in codes]] = model.predict(inputs.iloc[test])
    rows = []
    for code in Y.columns:
        known = Y[code].notna() & proba[code].notna()
        truth = (Y.loc[known, code] == 1).astype(int).to_numpy()
        if truth.sum() == 0 or known.sum() < len(Y) * 0.5:  # learned in too few folds to score
            continue
        p, g = proba.loc[known, code].to_numpy(), guess.loc[known, code].to_numpy().astype(int)
        rows.append({"code_id": code, "n_units": int(known.sum()), "support": int(truth.sum()),
                     "average_precision": average_precision_score(truth, p),
                     "f1": f1_score(truth, g, zero_division=0), "brier": brier_score_loss(truth, p),
                     "tp": int((truth & g).sum()), "fp": int(((1 - truth) & g).sum()),
                     "fn": int((truth & (1 - g)).sum())})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="auto", help="spaCy pipeline for ingest and tagging (auto or blank)")
    parser.add_argument("--coders", nargs="*", default=None, help="whose decisions count (default: every coder)")
    parser.add_argument("--threshold", default="0.5", help="CodeSuggester threshold: a number or cv")
    parser.add_argument("--min-examples", type=int, default=5)
    parser.add_argument("--folds", type=int, default=5, help="outer GroupKFold folds for the scores (0: no scores)")
    parser.add_argument("--repeat", type=int, default=1, help="time the fit this many times, report the best")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions of one fit")
    parser.add_argument("--json", default=None, help="write every figure to this file")
    args = parser.parse_args()
    from asymmetry_qda.suggester import CodeSuggester

    threshold = args.threshold if args.threshold == "cv" else float(args.threshold)
    params = {"min_examples": args.min_examples, "threshold": threshold}
    figures: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        project = sample_project(Path(folder), args.model)
        print(f"sample project built in {time.perf_counter() - started:.1f} s (not counted)")
        with project:
            with timed(figures, "features"):
                X, inputs, Y = training_inputs(project, args.coders)
            estimator = CodeSuggester(**params)
            with timed(figures, "vectorizer"):
                estimator._make_features(list(inputs.columns[1:])).fit_transform(inputs)
            best = None
            for _ in range(args.repeat):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", QDAWarning)
                    with timed(figures, "fit"):
                        fitted = CodeSuggester(**params).fit(inputs, Y)
                best = figures["fit"] if best is None or figures["fit"]["cpu_s"] < best["cpu_s"] else best
            figures["fit"] = best
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", QDAWarning)
                with timed(figures, "train_suggester"):
                    trained = project.train_suggester(coders=args.coders, progress=False, **params)
            if args.profile:
                profiler = cProfile.Profile()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", QDAWarning)
                    profiler.runcall(CodeSuggester(**params).fit, inputs, Y)
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
                pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
    print(f"{len(inputs)} training sentences, {len(Y.columns)} codes, {len(fitted.classes_)} learned "
          f"(min_examples={args.min_examples}, threshold={threshold!r}, coders={args.coders or 'all'}); "
          f"model {trained.version[:12]}")
    print(f"{'step':16s} {'CPU s':>8s} {'wall s':>8s}")
    for name, value in figures.items():
        print(f"{name:16s} {value['cpu_s']:8.2f} {value['wall_s']:8.2f}")
    out = {"params": {k: v for k, v in params.items()}, "coders": args.coders, "n_units": len(inputs),
           "n_codes_learned": len(fitted.classes_), "timings": figures,
           "thresholds": {str(k): float(v) for k, v in fitted.thresholds_.items()}}
    if args.folds:
        with timed(figures, "scores"):
            table = scores(X, inputs, Y, params, args.folds)
        micro_tp, micro_fp, micro_fn = table["tp"].sum(), table["fp"].sum(), table["fn"].sum()
        micro_f1 = 2 * micro_tp / (2 * micro_tp + micro_fp + micro_fn) if micro_tp else 0.0
        pd.set_option("display.width", 200)
        print(f"\nout-of-sample scores, GroupKFold({args.folds}) by participant "
              f"({figures['scores']['cpu_s']:.0f} CPU s):")
        print(table.round(3).to_string(index=False))
        print(f"mean over {len(table)} codes: average precision {table['average_precision'].mean():.3f}, "
              f"F1 {table['f1'].mean():.3f}, Brier {table['brier'].mean():.4f}; micro F1 {micro_f1:.3f}")
        out["scores"] = table.to_dict("records")
        out["summary"] = {"mean_average_precision": float(table["average_precision"].mean()),
                          "mean_f1": float(table["f1"].mean()), "mean_brier": float(table["brier"].mean()),
                          "micro_f1": float(micro_f1)}
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1, default=float), encoding="utf-8")


if __name__ == "__main__":
    main()
