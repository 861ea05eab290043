"""How the readers do on real transcript exports that other people's programs wrote.

Run: ``.venv/bin/python benchmarks/bench_real_transcripts.py [--restored]``

(``--restored`` also scores the files of the manifest that are not copied here for their licence, once
``tests/data/real_transcripts/restore.py`` has put them back.)

Each copied file of ``tests/data/real_transcripts/manifest.json`` is ingested alone, with the defaults, into a
fresh project (sentence splitting by the blank pipeline: only turns are scored), and compared with what a person
counted in it (the manifest, made by someone who never saw the readers):

- a file whose unit is ``turn`` is right when it has the counted number of turns (runs of one speaker's
  segments, which is what a person counts when a program cuts one person's talk into timed blocks), exactly the
  counted speakers,
  and timestamps if and only if the file has them: on at least 90 % of its segments, or, in a file that
  stamps only some of its turns (an oral-history table with a time every few minutes), on at least 90 % of
  as many segments as the file has timestamps;
- a speakerless file (unit ``cue``, ``segment`` or ``paragraph``) is right when it has no speakers, is not
  collapsed into one segment (unless the file is one), and has a timestamp on its segments if the file has
  them;
- every file must keep its first and last spoken words (punctuation and spacing aside) inside its turns: no
  spoken word lost at either end, and no label or timestamp between them.

A file that is not read at all (an unsupported format, an error) is wrong, with the reason. The table prints
one row per file and the share that comes out right.
"""

from __future__ import annotations

import json
import re
import tempfile
import warnings
from pathlib import Path

import pandas as pd

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "real_transcripts"


def _squash(text: str) -> str:
    """Words only, in lower case: punctuation, apostrophes and spacing do not count."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold().replace("’", "").replace("'", "")).split())


def score_file(entry: dict, *, corpus: Path = CORPUS) -> dict:
    """Ingest one manifest entry's file alone and compare it with the counts; a row of the table."""
    from asymmetry_qda import Project, QDAError

    row = {"id": entry["id"], "producer": entry["producer"], "format": entry["format"], "unit": entry["unit"],
           "expected_turns": entry["turns"], "expected_speakers": len(entry["speakers"]),
           "turns": None, "segments": None, "speakers": None, "timestamped": None, "right": False, "why": ""}
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with Project.create(Path(folder) / "one.qda") as project:
                project.ingest(corpus / entry["file"], pipeline="blank")
                documents = project.documents()
                turns = project.segments(unit="turn")
                texts = {d: project.text(d) for d in documents["doc_id"]}
                text = " ".join(texts[r.doc_id][r.start:r.end] for r in turns.itertuples())
        except QDAError as exc:
            row["why"] = f"not read: {str(exc).splitlines()[0][:120]}"
            return row
    speakers = sorted({s for s in turns["speaker"].dropna()})
    # what a person counts as a turn: a run of one speaker's segments (Zoom and Otter cut one person's talk
    # into timed blocks, each a segment of its own so that no header line is inside a segment)
    runs = int((turns["speaker"].fillna("\0") != turns["speaker"].fillna("\0").shift()).sum()) if len(turns) else 0
    stamped = turns["timestamp"].notna().mean() if len(turns) else 0.0
    row.update(turns=runs, segments=len(turns), speakers=len(speakers), timestamped=round(float(stamped), 2))
    problems = []
    if entry["unit"] == "turn":
        if runs != entry["turns"]:
            problems.append(f"{runs} turns, not {entry['turns']}")
        if set(speakers) != {s.strip() for s in entry["speakers"]}:
            problems.append(f"speakers {speakers[:4]}{'...' if len(speakers) > 4 else ''}")
    else:
        if speakers:
            problems.append(f"speakers {speakers[:4]} in a speakerless file")
        if entry["turns"] > 1 and len(turns) < 2:
            problems.append(f"{entry['turns']} {entry['unit']}s collapsed into one segment")
    stamped_count = int(turns["timestamp"].notna().sum()) if len(turns) else 0
    if entry["timestamps"] and stamped_count < 0.9 * min(len(turns), entry["timestamps"]):
        problems.append(f"timestamps on {stamped:.0%} of the segments")
    if not entry["timestamps"] and stamped > 0:
        problems.append("timestamps where the file has none")
    squashed = _squash(text)
    for end in ("first_words", "last_words"):
        words = _squash(entry.get(end) or "")
        if words and words not in squashed:
            problems.append(f"{end.replace('_', ' ')} not in the text of its turns")
    row["right"] = not problems
    row["why"] = "; ".join(problems)
    return row


def score_corpus(corpus: Path = CORPUS, *, restored: bool = False) -> pd.DataFrame:
    """One row per copied file of the manifest (see the module docstring); with ``restored``, also the files
    that ``restore.py`` put back (those whose licence does not allow a copy here), where they are present."""
    entries = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    rows = [score_file(e, corpus=corpus) for e in entries if e.get("copied")]
    if restored:
        rows += [dict(score_file(dict(e, file=e["restore_to"]), corpus=corpus), restored=True) for e in entries
                 if not e.get("copied") and e.get("restore_to") and (corpus / e["restore_to"]).is_file()]
    return pd.DataFrame(rows)


def main() -> None:
    import sys

    table = score_corpus(restored="--restored" in sys.argv)
    with pd.option_context("display.max_rows", None, "display.width", 200, "display.max_colwidth", 70):
        print(table[["id", "format", "unit", "expected_turns", "turns", "expected_speakers", "speakers",
                     "timestamped", "right", "why"]].to_string(index=False))
    print(f"\nright with the defaults: {int(table['right'].sum())} of {len(table)} "
          f"({table['right'].mean():.0%}); producers: {table['producer'].nunique()}")


if __name__ == "__main__":
    main()
