"""Tagger speed: words per second for each stage, on a synthetic interview-like corpus.

Run: ``.venv/bin/python benchmarks/bench_tagger.py [--words 1000000] [--codebook codebooks/asymmetries.yaml]``

In one run it reports words per second for:

1. the blank tokenizer;
2. the bare trained pipeline as ``project.code`` loads it (no NER, no senter);
3. the same plus the codebook components (``qda_code_matcher`` + ``qda_context``);
4. rule-only mode: the codebook components on the blank fallback;
5. the full pipeline with ``n_process=2``;

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
from asymmetry_qda.nlp import resolve_model
from asymmetry_qda.tagger import UNUSED_COMPONENTS, build_pipeline

FILLER = [
    "Um, I mean, it's- it's hard to say really.", "We had a briefing at seven and then the radio went.",
    "So the sergeant was off sick and I had two probationers and a van that wouldn't start.",
    "I don't know, you'd have to ask the chief inspector about that one.", "[laughs] Anyway, where was I?",
    "The canteen shuts at two so we eat in the car, which is grim.", "My daughter's got her exams this week.",
    "It was raining, the custody suite was full, and we had three jobs waiting on the screen.",
]
THEMED = [
    "Whatever happens on my watch, it lands at my door, even the stuff I never saw.",
    "Nobody has ever had a go at me for that, to be fair.", "If this goes wrong it'll be me in front of the IOPC.",
    "You get a commendation at some awards night a year later and that's it.",
    "It was a close shave, honestly, and it got written up as a success.",
    "The first question is always whose fault it was, never what went wrong with the system.",
    "He'd done four nights on the trot and he forgot to book it in.",
    "We can't promise it will never go wrong, but the standards stay where they are.",
    "The local paper ran it on the front page and my phone didn't stop.",
]


def corpus(words: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    turns, count = [], 0
    while count < words:
        sentences = [rng.choice(THEMED if rng.random() < 0.2 else FILLER) for _ in range(rng.randint(2, 8))]
        turn = " ".join(sentences)
        turns.append(turn)
        count += len(turn.split())
    return turns


def rate(nlp, turns: list[str], n_words: int, **kwargs) -> float:
    started = time.perf_counter()
    for doc in nlp.pipe(turns, batch_size=256, **kwargs):
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
        blank = build_pipeline(codebook, model="blank")
        results["rule-only (blank fallback)"] = rate(blank, turns, n_words)
    results["trained + components, n_process=2"] = rate(full, turns, n_words, n_process=2)
    for label, value in results.items():
        print(f"{label:38s} {value:12,.0f} words/s")
    overhead = results["bare trained pipeline"] / results["trained + codebook components"] - 1
    print(f"components add {overhead:.0%} to the bare pipeline (target <= 15%)")
    print(f"rule-only mode runs at {results['rule-only (blank fallback)'] / results['blank tokenizer']:.0%} of the "
          "blank tokenizer (target >= 25%)")
    print(f"two processes: {results['trained + components, n_process=2'] / results['trained + codebook components']:.2f}x"
          " one (target >= 1.7x)")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
