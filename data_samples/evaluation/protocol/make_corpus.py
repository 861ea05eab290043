"""Build the evaluation corpus from the writers' files (run once, before the coding).

    python data_samples/evaluation/protocol/make_corpus.py

Reads ``raw/writer-*.jsonl``, checks every line, shuffles the excerpts with a fixed seed and gives them
neutral ids (``E001``...), so a coder can tell neither the writer nor the code an excerpt was written for.
Writes:

* ``excerpts.jsonl``: every excerpt with its id, sentences, split, and the writer's metadata (writer,
  target code, categories, the codes the writer meant and the codes the speaker denies); the coders
  never saw this file;
* ``protocol/for-coding.md``: what the coders saw: ids and numbered sentences, nothing else.

The split (``dev`` or ``test``) is fixed by a seeded hash of the excerpt id (see
:func:`asymmetry_qda.evaluation_corpus.split_of`), decided before anyone coded anything.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent
SEED = 20261203
CATEGORIES = {"explicit", "implicit", "negated", "hypothetical", "reported", "distractor_sense", "distractor_plain"}


def main() -> int:
    sys.path.insert(0, str(CORPUS.parents[1]))
    from asymmetry_qda.evaluation_corpus import split_of

    definitions = (HERE / "definitions.md").read_text(encoding="utf-8")
    codes = {line.split("`")[1] for line in definitions.splitlines() if line.startswith("#") and "`" in line}
    rows, problems = [], []
    for path in sorted((CORPUS / "raw").glob("writer-*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{path.name} line {n}: not JSON ({exc})")
                continue
            sentences = [s.strip() for s in item.get("sentences", []) if isinstance(s, str) and s.strip()]
            if not 1 <= len(sentences) <= 6:
                problems.append(f"{path.name} line {n}: {len(sentences)} sentences (1 to 6 expected)")
            unknown = [c for key in ("codes", "negated", "also") for c in item.get(key, []) if c not in codes]
            unknown += [] if item.get("target") in codes | {"none"} else [item.get("target")]
            if unknown:
                problems.append(f"{path.name} line {n}: unknown code(s) {unknown}")
            bad = set(item.get("categories", [])) - CATEGORIES
            if bad:
                problems.append(f"{path.name} line {n}: unknown categories {sorted(bad)}")
            rows.append({"writer_id": item["id"], "writer": path.stem.split("-", 1)[1], "sentences": sentences,
                         "target": item.get("target"), "writer_codes": sorted(set(item.get("codes", []))),
                         "writer_negated": sorted(set(item.get("negated", []))),
                         "writer_also": sorted(set(item.get("also", []))),
                         # an excerpt in which the writer made the speaker deny a code is a negated item,
                         # whatever else the writer called it (13 excerpts were listed only as implicit,
                         # hypothetical or reported)
                         "categories": sorted(set(item.get("categories", []))
                                              | ({"negated"} if item.get("negated") else set())),
                         "note": item.get("note", "")})
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    random.Random(SEED).shuffle(rows)
    with open(CORPUS / "excerpts.jsonl", "w", encoding="utf-8", newline="\n") as out:
        for i, row in enumerate(rows, start=1):
            row = {"excerpt_id": f"E{i:03d}", **row}
            row["split"] = split_of(row["excerpt_id"])
            out.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
    with open(HERE / "for-coding.md", "w", encoding="utf-8", newline="\n") as out:
        out.write("# Excerpts to code\n\nEach excerpt is one interviewee's answer; code each numbered sentence.\n\n")
        for i, row in enumerate(rows, start=1):
            out.write(f"## E{i:03d}\n\n")
            for n, sentence in enumerate(row["sentences"], start=1):
                out.write(f"{n}. {sentence}\n")
            out.write("\n")
    print(f"{len(rows)} excerpts, {sum(len(r['sentences']) for r in rows)} sentences")
    return 0


if __name__ == "__main__":
    sys.exit(main())
