"""Adjudication of the two coders' labels (run after both coders finished).

    python data_samples/evaluation/protocol/adjudicate.py prepare   # writes protocol/disagreements.md
    python data_samples/evaluation/protocol/adjudicate.py merge     # writes codings/adjudicated.csv

``prepare`` lists every sentence on which coders A and B gave different sets of codes, with the whole
excerpt for context and the two sets side by side (as "coder 1" and "coder 2", in an order that varies
with a seeded hash of the sentence, so the adjudicator cannot learn which coder is which).
The adjudicator writes ``protocol/adjudicator.csv`` (``excerpt_id,sentence,code``): the final codes of
each listed sentence (a sentence with no row gets no code). ``merge`` then writes the adjudicated
labels: the agreed sentences' codes as both coders gave them, and the adjudicator's for the rest.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent


def _sets(name: str) -> dict[tuple[str, int], frozenset[str]]:
    frame = pd.read_csv(CORPUS / "codings" / f"{name}.csv", dtype={"excerpt_id": str, "code": str})
    out: dict[tuple[str, int], set[str]] = {}
    for row in frame.itertuples(index=False):
        out.setdefault((row.excerpt_id, int(row.sentence)), set()).add(row.code.strip())
    return {k: frozenset(v) for k, v in out.items()}


def _excerpts() -> list[dict]:
    return [json.loads(line) for line in (CORPUS / "excerpts.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _disagreements() -> list[tuple[str, int]]:
    a, b = _sets("A"), _sets("B")
    return sorted(k for k in set(a) | set(b) if a.get(k, frozenset()) != b.get(k, frozenset()))


def prepare() -> None:
    a, b = _sets("A"), _sets("B")
    listed = _disagreements()
    by_excerpt: dict[str, list[int]] = {}
    for excerpt_id, sentence in listed:
        by_excerpt.setdefault(excerpt_id, []).append(sentence)
    lines = ["# Sentences the two coders coded differently", "",
             "For each listed sentence, decide its final codes from `definitions.md` and the coder brief's rules.",
             "Write them to `adjudicator.csv` (`excerpt_id,sentence,code`; no row = no code).", ""]
    for excerpt in _excerpts():
        if excerpt["excerpt_id"] not in by_excerpt:
            continue
        lines.append(f"## {excerpt['excerpt_id']}")
        lines.append("")
        for n, sentence in enumerate(excerpt["sentences"], start=1):
            lines.append(f"{n}. {sentence}")
        lines.append("")
        for n in by_excerpt[excerpt["excerpt_id"]]:
            key = (excerpt["excerpt_id"], n)
            first, second = sorted(a.get(key, ())), sorted(b.get(key, ()))
            if hashlib.sha256(f"{key}".encode()).digest()[0] % 2:
                first, second = second, first
            lines.append(f"- sentence {n}: coder 1 {first or ['(none)']}; coder 2 {second or ['(none)']}")
        lines.append("")
    (HERE / "disagreements.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"{len(listed)} sentences in {len(by_excerpt)} excerpts to adjudicate")


def merge() -> None:
    a, b = _sets("A"), _sets("B")
    listed = set(_disagreements())
    decided = pd.read_csv(HERE / "adjudicator.csv", dtype={"excerpt_id": str, "code": str})
    stray = {(r.excerpt_id, int(r.sentence)) for r in decided.itertuples(index=False)} - listed
    if stray:
        sys.exit(f"adjudicator.csv decides sentences nobody disagreed on: {sorted(stray)[:5]}")
    rows = [(e, n, c) for (e, n), codes in a.items() if (e, n) not in listed and codes == b.get((e, n)) for c in codes]
    rows += [(r.excerpt_id, int(r.sentence), r.code.strip()) for r in decided.itertuples(index=False)]
    frame = pd.DataFrame(sorted(set(rows)), columns=["excerpt_id", "sentence", "code"])
    frame.to_csv(CORPUS / "codings" / "adjudicated.csv", index=False, lineterminator="\n")
    print(f"{len(frame)} adjudicated labels ({len(listed)} sentences decided by the adjudicator)")


if __name__ == "__main__":
    {"prepare": prepare, "merge": merge}[sys.argv[1]]()
