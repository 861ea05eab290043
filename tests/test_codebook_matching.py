"""Rule matching (phrase on lower case or lemma, token and dependency patterns) and the example runner."""

from __future__ import annotations

import pytest
import spacy

from asymmetry_qda import QDAWarning
from asymmetry_qda.codebook import RuleMatcher, parse_codebook
from asymmetry_qda.codebook.examples import run_examples, summarise_examples
from asymmetry_qda.pipelines import analysis_pipeline

from .conftest import requires_model

CB = parse_codebook("""
codebook: {name: Demo, version: "1"}
codes:
  - id: blame
    label: Blame
    definition: Being held to account.
    examples: ["They hung her out to dry.", "It landed on my desk again.", "PSD blamed the sergeant."]
    counter_examples: ["The washing was out to dry.", "The parcel landed on the doormat."]
    rules:
      - {id: blame.dry, tokens: [{LEMMA: hang}, {OP: "?"}, {LOWER: out}, {LOWER: to}, {LOWER: dry}]}
      - {id: blame.desk, phrase: ["land on my desk"], match: lemma, weight: 0.7}
      - id: blame.verb
        dependency:
          - {RIGHT_ID: v, RIGHT_ATTRS: {LEMMA: blame, POS: VERB}}
          - {LEFT_ID: v, REL_OP: ">", RIGHT_ID: o, RIGHT_ATTRS: {DEP: dobj}}
  - id: manual
    label: Manual
    definition: Coded by hand.
    examples: ["Anything at all."]
""")


@requires_model
def test_each_rule_kind_matches_with_provenance():
    nlp = analysis_pipeline("auto")
    matcher = RuleMatcher(CB, nlp)
    doc = nlp("They hung her out to dry, and it landed on my desk. PSD blamed the sergeant.")
    found = [(m.rule_id, doc.text[m.start_char:m.end_char], m.weight) for m in matcher(doc)]
    assert found == [("blame.dry", "hung her out to dry", 1.0), ("blame.desk", "landed on my desk", 0.7),
                     ("blame.verb", "blamed the sergeant", 1.0)]


def test_without_annotations_rules_that_need_them_are_skipped_with_one_warning_naming_them():
    nlp = spacy.blank("en")
    with pytest.warns(QDAWarning, match=r"lower case instead: blame.desk"):
        matcher = RuleMatcher(CB, nlp)
    with pytest.warns(QDAWarning, match=r"rules need, so 2 were skipped .*: blame.dry, blame.verb") as caught:
        matcher(nlp("PSD blamed the sergeant."))
        matcher(nlp("PSD blamed the sergeant again."))
    assert len([w for w in caught if "skipped" in str(w.message)]) == 1
    assert [m.rule_id for m in matcher(nlp("It will land on my desk."))] == ["blame.desk"]


@requires_model
def test_examples_and_counter_examples_are_run_through_the_rules():
    results = run_examples(CB)
    summary = summarise_examples(results, CB).set_index("code_id")
    assert summary.loc["blame", "status"] == "pass"
    assert summary.loc["blame", ["examples", "examples_matched", "counter_examples", "counter_examples_clear"]].tolist() \
        == [3, 3, 2, 2]
    assert summary.loc["manual", "status"] == "manual"


@requires_model
def test_a_missed_example_or_firing_counter_example_fails_the_code():
    broken = parse_codebook(CB.content.replace('"The parcel landed on the doormat."', '"It landed on my desk."')
                            .replace('"PSD blamed the sergeant."', '"Nobody could say who was at fault."'))
    results = run_examples(broken)
    failed = results[results["passed"].eq(False)]
    assert failed[["kind", "text"]].values.tolist() == [["example", "Nobody could say who was at fault."],
                                                        ["counter_example", "It landed on my desk."]]
    assert summarise_examples(results, broken).set_index("code_id").loc["blame", "status"] == "fail"


def test_a_code_with_rules_but_no_examples_fails_as_untested():
    cb = parse_codebook('codebook: {name: D, version: "1"}\ncodes:\n  - {id: a, label: A, definition: x., '
                        'rules: [{id: r, phrase: [x]}]}\n')
    assert summarise_examples(run_examples(cb, pipeline="blank"), cb)["status"].tolist() == ["fail"]


@requires_model
@pytest.mark.parametrize("model", ["blank", pytest.param("auto", marks=requires_model)])
def test_anchor_and_window_shortcuts_find_exactly_what_plain_matchers_find(model):
    """The RuleMatcher skips rules whose anchor word is absent, runs the rest only on windows around it
    that hold every other word the rule needs, and skips rules whose annotations are missing; a plain
    Matcher / DependencyMatcher per rule over the whole document is the reference. On the blank pipeline
    the reference drops the rules the RuleMatcher warns it skipped for missing annotations."""
    import random
    import warnings

    from spacy.matcher import DependencyMatcher, Matcher

    from asymmetry_qda.codebook import load_codebook
    from asymmetry_qda.readers import LabelConfig, read_source

    from .conftest import REPO, SAMPLES

    study = load_codebook(REPO / "codebooks" / "asymmetries.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QDAWarning)
        nlp = analysis_pipeline(model)
        fast = RuleMatcher(study, nlp)
    sentences = [t for c in study.codes for t in (*c.examples, *c.counter_examples)]
    random.Random(3).shuffle(sentences)
    texts = [" ".join(sentences[i:i + 6]) for i in range(0, len(sentences), 6)]
    if model == "blank":  # and the sample transcripts, turn by turn
        for path in sorted((SAMPLES / "transcripts").glob("INT0[1-4].txt")):
            texts += [d.text[t.start:t.end] for d in read_source(path, labels=LabelConfig()) for t in d.turns]
    docs = list(nlp.pipe(texts))
    reference = []
    for rule in study.rules:
        if rule.kind == "tokens":
            matcher = Matcher(nlp.vocab)
            matcher.add(rule.id, [rule.pattern], greedy="LONGEST")
            reference.append((rule.id, matcher, False))
        elif rule.kind == "dependency":
            matcher = DependencyMatcher(nlp.vocab)
            matcher.add(rule.id, [rule.pattern])
            reference.append((rule.id, matcher, True))
    pattern_rules = {r.id for r in study.rules if r.kind != "phrase"}
    skipped: set[str] = set()
    for doc in docs:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", QDAWarning)
            got = {(m.rule_id, m.start, m.end) for m in fast(doc) if m.rule_id in pattern_rules}
        if caught:
            assert "were skipped" in str(caught[0].message)
        skipped = set(fast.skipped_rules)
        expected = set()
        for rule_id, matcher, dependency in reference:
            if rule_id in skipped:
                continue
            for match in matcher(doc):
                if dependency:
                    expected.add((rule_id, min(match[1]), max(match[1]) + 1))
                else:
                    expected.add((rule_id, match[1], match[2]))
        assert got == expected, doc.text
    assert len(pattern_rules - skipped) > (100 if model == "blank" else 300)
    assert (model == "blank") == bool(skipped)
