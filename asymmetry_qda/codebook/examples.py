"""Testing a codebook like code: each code's examples must fire its rules, its counter-examples must not.

Examples run through the real tagger, context included: a negated mention of a
code that suppresses negation does not count as a match.

Examples
--------
>>> from asymmetry_qda.codebook import parse_codebook
>>> cb = parse_codebook('''
... codebook: {name: Demo, version: "1"}
... codes:
...   - {id: blame, label: Blame, definition: Held to account.,
...      examples: [They hung me out to dry.], counter_examples: [The washing was out to dry.],
...      rules: [{id: blame.dry, phrase: [hung me out to dry]}]}
... ''')
>>> summarise_examples(run_examples(cb, pipeline="blank"), cb)[["code_id", "status"]].to_dict("records")
[{'code_id': 'blame', 'status': 'pass'}]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from .._keywords import renamed
from .model import Codebook

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

EXAMPLE_COLUMNS = ["code_id", "kind", "text", "rules_fired", "rules_suppressed", "passed"]
SUMMARY_COLUMNS = ["code_id", "rules", "examples", "examples_matched", "counter_examples",
                   "counter_examples_clear", "status"]


@renamed(model="pipeline")
def run_examples(codebook: Codebook, *, pipeline: "str | Language" = "auto") -> pd.DataFrame:
    """One row per example and counter-example: which of the code's own rules fired, and whether it passed.

    The sentences go through the real tagger (:func:`asymmetry_qda.tagging.build_pipeline`), so context
    counts as it does when coding: a match that is suppressed (negated, for a rule or code with
    ``suppress_negated``) is listed under ``rules_suppressed`` and does not count. An example passes when
    at least one of its code's rules fires unsuppressed; a counter-example passes when none does. Codes
    without rules are manual: their examples are listed with ``passed`` empty.
    """
    from ..tagging import build_pipeline

    nlp = build_pipeline(codebook, pipeline=pipeline)
    items = [(code, kind, text) for code in codebook.codes
             for kind, texts in (("example", code.examples), ("counter_example", code.counter_examples))
             for text in texts]
    rows = []
    for (code, kind, text), doc in zip(items, nlp.pipe(t for _, _, t in items), strict=True):
        spans = [s for s in doc.spans["qda"] if s.label_ == code.id]
        kept = [s for s in spans if not ("negated" in s._.qda_context and code.suppresses_negated(s.kb_id_))]
        fired = sorted({s.kb_id_ for s in kept})
        suppressed = sorted({s.kb_id_ for s in spans} - set(fired))
        passed = None if not code.rules else (bool(fired) if kind == "example" else not fired)
        rows.append({"code_id": code.id, "kind": kind, "text": text, "rules_fired": fired,
                     "rules_suppressed": suppressed, "passed": passed})
    frame = pd.DataFrame(rows, columns=EXAMPLE_COLUMNS)
    frame["passed"] = frame["passed"].astype("boolean")
    return frame


def summarise_examples(results: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Per code: counts of examples matched and counter-examples left clear, and ``pass``/``fail``/``manual``.

    A code fails when any example is missed or any counter-example fires; a code
    with rules but no examples also fails (it is untested). Codes without rules
    are ``manual``.
    """
    rows = []
    for code in codebook.codes:
        code_id, n_rules = code.id, len(code.rules)
        part = results[results["code_id"] == code_id]
        ex = part[part["kind"] == "example"]
        ce = part[part["kind"] == "counter_example"]
        if not n_rules:
            status = "manual"
        elif ex.empty or not bool(part["passed"].fillna(False).all()):
            status = "fail"
        else:
            status = "pass"
        rows.append({"code_id": code_id, "rules": n_rules, "examples": len(ex),
                     "examples_matched": int(ex["passed"].fillna(False).sum()) if n_rules else 0,
                     "counter_examples": len(ce),
                     "counter_examples_clear": int(ce["passed"].fillna(False).sum()) if n_rules else 0,
                     "status": status})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
