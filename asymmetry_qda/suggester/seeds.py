"""Seed data for the code suggester: the codebook's own examples and counter-examples.

A code's ``examples`` are sentences that a coder would give the code, and its
``counter_examples`` sentences that look like it but are not it (the codebook
tests them against the rules: ``asymmetry-qda codebook test``). Before anybody
has coded much, they are the only labelled talk there is, so
:func:`codebook_seed` turns them into training rows that sit beside the human
decisions:

- an example is a positive (``1``) of its code, a plain negative (``0``) of the
  codes on other branches, and *unknown* (missing) for its code's ancestors and
  descendants and for the codes it implies (a coder may well give those too);
- a counter-example is a hard negative (``-1``) of its code and unknown for every
  other code (it is often another code's talk on purpose).

Examples
--------
>>> from asymmetry_qda.codebook import parse_codebook
>>> cb = parse_codebook('''
... codebook: {name: Demo, version: "1"}
... codes:
...   - {id: blame, label: Blame, definition: Held to account., examples: [They hung me out to dry.],
...      counter_examples: [The washing was out to dry.]}
...   - {id: praise, label: Praise, definition: Thanked., examples: [The boss said well done.]}
... ''')
>>> X, Y = codebook_seed(cb, evidence=False)
>>> X["text"].tolist()
['They hung me out to dry.', 'The washing was out to dry.', 'The boss said well done.']
>>> Y.to_dict("list")
{'blame': [1.0, -1.0, 0.0], 'praise': [0.0, nan, 1.0]}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._keywords import renamed

__all__ = ["codebook_seed"]


def _related(code_id: str, other: str) -> bool:
    return code_id == other or code_id.startswith(other + ".") or other.startswith(code_id + ".")


@renamed(model="pipeline")
def codebook_seed(codebook, *, evidence: bool = True, pipeline: str = "auto") -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(X, Y)``: one row per example and counter-example of ``codebook``, labelled as the module says.

    ``X`` has ``text``, ``code`` (whose example it is) and ``kind`` (``example`` or ``counter_example``),
    and with ``evidence`` the tagger's ``rule:``/``context:`` columns for it (one unit per text, tagged
    with the spaCy ``pipeline`` as the project's units are; ``model=`` is its old name, deprecated).
    ``Y`` has one float column per code with an example or a counter-example: 1, 0, -1 or NaN (unknown).
    """
    rows = [(code.id, kind, text) for code in codebook.codes
            for kind, texts in (("example", code.examples), ("counter_example", code.counter_examples))
            for text in texts]
    X = pd.DataFrame(rows, columns=["code", "kind", "text"])[["text", "code", "kind"]]
    codes = sorted({code_id for code_id, _, _ in rows})
    implied = getattr(codebook, "implications", {}) or {}
    Y = np.full((len(rows), len(codes)), np.nan)
    for i, (code_id, kind, _) in enumerate(rows):
        for j, other in enumerate(codes):
            if other == code_id:
                Y[i, j] = 1.0 if kind == "example" else -1.0
            elif kind == "example" and not _related(code_id, other) and other not in implied.get(code_id, ()):
                Y[i, j] = 0.0
    if evidence and rows:
        from ..tagging.evidence import evidence_columns, judge_units

        keys = [f"seed{i}" for i in range(len(rows))]
        judged = judge_units([(k, text, [0]) for k, (_, _, text) in zip(keys, rows, strict=True)], codebook,
                             pipeline=pipeline)
        found = evidence_columns(judged, pd.MultiIndex.from_arrays([keys, [1] * len(keys)]))
        X = pd.concat([X, found.reset_index(drop=True)], axis=1)
    return X, pd.DataFrame(Y, columns=codes)
