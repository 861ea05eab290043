"""Testing a codebook like code: each code's examples must fire its rules, its counter-examples must not.

Until the tagger exists, examples run through the codebook's matchers alone
(no negation or context handling), on the analysis pipeline.

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
>>> summarise_examples(run_examples(cb, model="blank"), cb)[["code_id", "status"]].to_dict("records")
[{'code_id': 'blame', 'status': 'pass'}]
"""

from __future__ import annotations

import pandas as pd

from ..nlp import analysis_pipeline
from .matching import RuleMatcher
from .model import Codebook

EXAMPLE_COLUMNS = ["code_id", "kind", "text", "rules_fired", "passed"]
SUMMARY_COLUMNS = ["code_id", "rules", "examples", "examples_matched", "counter_examples",
                   "counter_examples_clear", "status"]


def run_examples(codebook: Codebook, *, model: str = "auto") -> pd.DataFrame:
    """One row per example and counter-example: which of the code's own rules fired, and whether it passed.

    An example passes when at least one of its code's rules fires on it; a
    counter-example passes when none does. Codes without rules are manual: their
    examples are listed with ``passed`` empty.
    """
    nlp = analysis_pipeline(model)
    matcher = RuleMatcher(codebook, nlp)
    items = [(code, kind, text) for code in codebook.codes
             for kind, texts in (("example", code.examples), ("counter_example", code.counter_examples))
             for text in texts]
    rows = []
    for (code, kind, text), doc in zip(items, nlp.pipe(t for _, _, t in items), strict=True):
        fired = sorted({m.rule_id for m in matcher(doc) if m.code_id == code.id})
        passed = None if not code.rules else (bool(fired) if kind == "example" else not fired)
        rows.append({"code_id": code.id, "kind": kind, "text": text, "rules_fired": fired, "passed": passed})
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
