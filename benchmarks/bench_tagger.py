"""Tagger speed: words per second for each stage, on a synthetic interview-like corpus.

The corpus is made of turns of 2-8 sentences drawn at random (seeded) from the
participant turns of the bundled sample transcripts, repeated to the size asked.

Run: ``.venv/bin/python benchmarks/bench_tagger.py [--words 1000000] [--codebook codebooks/asymmetries.yaml]``

In one run it reports words per second for:

1. the blank tokenizer;
2. the bare trained pipeline as ``project.code`` loads it (no NER, no senter);
3. the same plus the codebook components (``qda_code_matcher`` + ``qda_context``);
4. rule-only mode: the codebook components on the blank fallback;
5. the stream that ``project.code`` reads, in one process and with ``n_process=2``
   (worker processes send back matches, not Docs);

and the peak resident memory of the process. Turns are streamed through
``nlp.pipe`` and discarded, as ``project.code`` does, so memory should not grow
with corpus size. Targets (issue 4): components add at most 15 % to the bare
pipeline; rule-only mode reaches 25 % of blank-tokenizer speed; two processes
reach 1.7x one.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
import warnings

import spacy

from asymmetry_qda.codebook import load_codebook
from asymmetry_qda.pipelines import resolve_model
from asymmetry_qda.tagging import UNUSED_COMPONENTS, build_pipeline
from asymmetry_qda.tagging.run import tag_stream


def corpus(words: int, seed: int = 7, samples: str = "data_samples/transcripts") -> list[str]:
    """Interview-like turns: each is 2-8 sentences drawn at random from the sample corpus's participant turns."""
    import re
    from pathlib import Path

    from asymmetry_qda.readers import LabelConfig, read_source

    sentences = []
    for path in sorted(Path(samples).iterdir()):
        for doc in read_source(path, labels=LabelConfig()):
            for turn in doc.turns:
                if not turn.is_interviewer:
                    text = doc.text[turn.start:turn.end]
                    sentences.extend(s for s in re.split(r"(?<=[.?!])\s+", text) if s.strip())
    rng = random.Random(seed)
    turns, count = [], 0
    while count < words:
        turn = " ".join(rng.choice(sentences) for _ in range(rng.randint(2, 8)))
        turns.append(turn)
        count += len(turn.split())
    return turns


def rate(nlp, turns: list[str], n_words: int, **kwargs) -> float:
    started = time.perf_counter()
    for doc in nlp.pipe(turns, batch_size=256, **kwargs):
        pass
    return n_words / (time.perf_counter() - started)


def stream_rate(codebook, turns: list[str], n_words: int, n_process: int, nlp) -> float:
    """Words per second of the stream ``project.code`` consumes (matches only, as it stores them)."""
    started = time.perf_counter()
    for _ in tag_stream(((t, None) for t in turns), codebook, nlp=nlp if n_process == 1 else None,
                        n_process=n_process):
        pass
    return n_words / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--codebook", default="codebooks/asymmetries.yaml")
    args = parser.parse_args()
    codebook = load_codebook(args.codebook)
    turns = corpus(args.words)
    n_words = sum(len(t.split()) for t in turns)
    print(f"corpus: {n_words:,} words in {len(turns):,} turns; codebook {codebook.name} {codebook.version}: "
          f"{len(codebook.rules)} rules")
    results = {}
    results["blank tokenizer"] = rate(spacy.blank("en"), turns, n_words)
    name = resolve_model("auto")
    bare = spacy.load(name, exclude=list(UNUSED_COMPONENTS))
    results["bare trained pipeline"] = rate(bare, turns, n_words)
    full = build_pipeline(codebook)
    results["trained + codebook components"] = rate(full, turns, n_words)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        blank = build_pipeline(codebook, pipeline="blank")
        results["rule-only (blank fallback)"] = rate(blank, turns, n_words)
    results["project.code stream, 1 process"] = stream_rate(codebook, turns, n_words, 1, full)
    results["project.code stream, n_process=2"] = stream_rate(codebook, turns, n_words, 2, full)
    for label, value in results.items():
        print(f"{label:38s} {value:12,.0f} words/s")
    overhead = results["bare trained pipeline"] / results["trained + codebook components"] - 1
    print(f"components add {overhead:.0%} to the bare pipeline (target <= 15%)")
    print(f"rule-only mode runs at {results['rule-only (blank fallback)'] / results['blank tokenizer']:.0%} of the "
          "blank tokenizer (target >= 25%)")
    two = results['project.code stream, n_process=2'] / results['project.code stream, 1 process']
    print(f"two processes: {two:.2f}x one (target >= 1.7x)")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
