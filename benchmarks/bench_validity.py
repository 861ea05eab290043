"""Validity on talk the rules were not written from: the blind evaluation corpus (issue 17).

Tags every excerpt of ``data_samples/evaluation/`` with the study codebook and scores the rule
suggestions against the adjudicated human labels on one split, sentence by sentence, at theme, pole and
leaf level, beside the two human coders against the same adjudication, the coders' agreement with
each other (the human ceiling), and the learned suggester (``model``, ``rules+model``; with
``--semantic`` also reading sentence embeddings) trained on the dev split and the codebook's examples.
See :func:`asymmetry_qda.analysis.validity` for every figure's definition.

Run: ``.venv/bin/python benchmarks/bench_validity.py [--split test] [--model auto] [--boot 1000] [--semantic]
[--no-learned]``

Score on ``test`` only; write and tune rules against ``dev`` and never read the test split's errors.
The README's validity figures come from this script.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from asymmetry_qda.analysis import validity_report
from asymmetry_qda.analysis._validity import LEARNED
from asymmetry_qda.evaluation_corpus import human_agreement, load_corpus

SHOWN = ["candidate", "level", "precision", "recall", "f1", "macro_f1", "kappa", "kappa_ci_low", "kappa_ci_high",
         "distractor_fp_rate", "negated_fp_rate", "recall_implicit", "recall_negated", "recall_hypothetical",
         "recall_reported", "recall_explicit"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "test", "all"], default="test")
    parser.add_argument("--model", default="auto")
    parser.add_argument("--codebook", default=None)
    parser.add_argument("--boot", type=int, default=1000)
    parser.add_argument("--semantic", action="store_true", help="the learned suggester reads sentence embeddings")
    parser.add_argument("--no-learned", dest="learned", action="store_false", help="rules and coders only")
    args = parser.parse_args()
    split = None if args.split == "all" else args.split
    corpus = load_corpus()
    started = time.perf_counter()
    table = validity_report(corpus, codebook=args.codebook, pipeline=args.model, split=split, n_boot=args.boot,
                            learned=LEARNED if args.learned else (), semantic=args.semantic)
    took = time.perf_counter() - started
    pd.set_option("display.width", 250)
    print(f"split {args.split}: {int(table['n_excerpts'].iloc[0])} excerpts, {int(table['n_sentences'].iloc[0])} "
          f"sentences; reference = adjudicated labels; {args.boot} bootstrap resamples; {took:.1f} s")
    print(table[SHOWN].round(3).to_string(index=False))
    print("\nhuman ceiling: coder A against coder B, pooled over code x sentence decisions")
    for level in ("theme", "pole", "leaf"):
        row = human_agreement(corpus, level=level, split=split).set_index("code").loc["(pooled)"]
        print(f"  {level:6s} kappa {row['cohen_kappa']:.3f}  alpha {row['krippendorff_alpha']:.3f}  "
              f"percent {row['percent']:.3f}")


if __name__ == "__main__":
    main()
