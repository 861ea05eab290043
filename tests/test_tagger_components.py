"""The spaCy components: matches in doc.spans with provenance, and ConText marking.

Dependency rules and parse-based negation run on hand-built parsed Docs; the rest on
the blank pipeline; a few checks use the trained pipeline when it is installed."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from asymmetry_qda import QDAWarning
from asymmetry_qda.codebook import parse_codebook
from asymmetry_qda.tagging import build_pipeline

from .conftest import requires_model

CB = parse_codebook("""
codebook: {name: Demo, version: "1"}
context:
  - {id: neg, category: negated, direction: forward, max_scope: 4, terms: [nobody, never, not, "n't"]}
  - {id: neg.after, category: negated, direction: backward, max_scope: 3, terms: ["never happened"]}
  - {id: neg.pseudo, category: negated, direction: pseudo, terms: ["not only"]}
  - {id: neg.stop, category: negated, direction: terminate, terms: [but]}
  - {id: ant, category: hypothetical, direction: forward, max_scope: 10, terms: [if]}
  - {id: rep, category: reported, direction: forward, max_scope: 6, terms: [said]}
codes:
  - id: blame
    label: Blame
    definition: Held to account.
    rules:
      - {id: blame.dry, phrase: [hung me out to dry, hung him out to dry]}
      - {id: blame.front, phrase: [in front of the iopc]}
      - id: blame.verb
        dependency:
          - {RIGHT_ID: v, RIGHT_ATTRS: {LEMMA: blame}}
          - {LEFT_ID: v, REL_OP: ">", RIGHT_ID: o, RIGHT_ATTRS: {DEP: dobj}}
  - id: best
    label: Best practice
    definition: Has not gone wrong yet.
    rules:
      - {id: best.yet, phrase: ["has n't gone wrong yet", "hasn't gone wrong yet"]}
  - id: fried
    label: Fried
    definition: A test code that shares words with blame.
    rules:
      - {id: fried.dry, phrase: [out to dry]}
""")


@pytest.fixture(scope="module")
def blank():
    with pytest.warns(QDAWarning, match="skipped"):
        nlp = build_pipeline(CB, pipeline="blank")
        nlp("warm up: PSD blamed me.")  # the one warning about the dependency rule is given here
    return nlp


def tagged(nlp, text):
    doc = nlp(text)
    return doc, [(s.text, s._.qda_code, s._.qda_rule, sorted(s._.qda_context)) for s in doc.spans["qda"]]


def test_matches_go_to_doc_spans_with_code_rule_and_weight(blank):
    doc, found = tagged(blank, "They hung me out to dry.")
    assert found == [("hung me out to dry", "blame", "blame.dry", []), ("out to dry", "fried", "fried.dry", [])]
    assert doc.ents == () and doc.spans["qda"][0]._.qda_weight == 1.0


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("Nobody ever hung me out to dry.", ["negated"]),               # forward trigger within scope
        ("Nobody on the whole team or in the building hung me out to dry.", []),  # beyond max_scope 4
        ("Nobody said much but they hung me out to dry.", ["reported"]),  # 'but' ends the negation
        ("Not only hung me out to dry, they sacked me.", []),          # pseudo trigger
        ("They hung me out to dry. Never again.", []),                 # other sentence
        ("Hung me out to dry? Never happened.", []),                   # other sentence, backward
        ("They hung me out to dry never happened.", ["negated"]),      # backward trigger
        ("If it goes wrong they'll hang me out to dry.", []),          # no match: phrase is lower-case exact
        ("If it goes wrong they hung me out to dry.", ["anticipated"]),
        ("She said they hung me out to dry.", ["reported"]),
    ],
)
def test_context_window_on_a_blank_pipeline(blank, text, flags):
    _, found = tagged(blank, text)
    blame = [f for f in found if f[1] == "blame"]
    assert [f[3] for f in blame] == ([flags] if "hung me" in text.lower() else [])


def test_a_trigger_inside_the_match_does_not_mark_it(blank):
    _, found = tagged(blank, "Best practice means it hasn't gone wrong yet.")
    assert found == [("hasn't gone wrong yet", "best", "best.yet", [])]


def test_overlapping_matches_on_the_same_words_keep_their_own_values(blank):
    doc, _ = tagged(blank, "Nobody hung him out to dry.")
    spans = {s._.qda_code: s for s in doc.spans["qda"]}
    assert spans["blame"]._.qda_rule == "blame.dry" and spans["fried"]._.qda_rule == "fried.dry"
    assert spans["blame"]._.qda_triggers == ("neg",)


def parsed(nlp, words, heads, deps, lemmas, pos):
    doc = Doc(nlp.vocab, words=words, heads=heads, deps=deps, lemmas=lemmas, pos=pos,
              sent_starts=[True] + [False] * (len(words) - 1))
    for name in ("qda_code_matcher", "qda_context"):
        doc = nlp.get_pipe(name)(doc)
    return doc


def test_dependency_rules_and_parse_based_negation_on_a_hand_built_parse(blank):
    # "Nobody at the station in all those years ever blamed me ." : nobody is the subject of blamed
    words = ["Nobody", "at", "the", "station", "in", "all", "those", "years", "ever", "blamed", "me", "."]
    heads = [9, 0, 3, 1, 9, 7, 7, 4, 9, 9, 9, 9]
    deps = ["nsubj", "prep", "det", "pobj", "prep", "predet", "det", "pobj", "advmod", "ROOT", "dobj", "punct"]
    lemmas = ["nobody", "at", "the", "station", "in", "all", "those", "year", "ever", "blame", "I", "."]
    pos = ["PRON", "ADP", "DET", "NOUN", "ADP", "DET", "DET", "NOUN", "ADV", "VERB", "PRON", "PUNCT"]
    doc = parsed(blank, words, heads, deps, lemmas, pos)
    [span] = [s for s in doc.spans["qda"] if s._.qda_rule == "blame.verb"]
    assert span.text == "blamed me"
    assert span._.qda_context == frozenset({"negated"})  # 9 tokens away: beyond the window, inside the subtree


def test_parse_scope_does_not_reach_another_clause(blank):
    # "I did n't care , PSD blamed me ." : the negation belongs to 'care', not to 'blamed'
    words = ["I", "did", "n't", "care", ",", "PSD", "blamed", "me", "."]
    heads = [3, 3, 3, 6, 6, 6, 6, 6, 6]
    deps = ["nsubj", "aux", "neg", "ccomp", "punct", "nsubj", "ROOT", "dobj", "punct"]
    lemmas = ["I", "do", "not", "care", ",", "PSD", "blame", "I", "."]
    pos = ["PRON", "AUX", "PART", "VERB", "PUNCT", "PROPN", "VERB", "PRON", "PUNCT"]
    doc = parsed(blank, words, heads, deps, lemmas, pos)
    [span] = [s for s in doc.spans["qda"] if s._.qda_rule == "blame.verb"]
    assert span._.qda_context == frozenset()


def test_components_save_and_load_their_codebook(blank, tmp_path):
    blank.to_disk(tmp_path / "pipeline")
    assert (tmp_path / "pipeline" / "qda_code_matcher" / "codebook.yaml").read_text(encoding="utf-8") == CB.content
    with pytest.warns(QDAWarning):
        loaded = spacy.load(tmp_path / "pipeline")
        doc = loaded("Nobody hung me out to dry.")
    assert [(s._.qda_rule, sorted(s._.qda_context)) for s in doc.spans["qda"]][0] == ("blame.dry", ["negated"])


def test_a_component_without_rules_says_how_to_fix_it():
    nlp = spacy.blank("en")
    nlp.add_pipe("qda_code_matcher")
    with pytest.raises(ValueError, match=r"no rules loaded. Fix: call nlp.get_pipe\('qda_code_matcher'\).add_rules"):
        nlp("text")


@requires_model
def test_trained_pipeline_leaves_out_ner_and_marks_the_study_examples():
    from asymmetry_qda.codebook import load_codebook

    from .conftest import REPO

    nlp = build_pipeline(load_codebook(REPO / "codebooks" / "asymmetries.yaml"))
    assert "ner" not in nlp.pipe_names and nlp.pipe_names[-2:] == ["qda_code_matcher", "qda_context"]
    doc = nlp("If this goes wrong it'll be me in front of the IOPC.")
    blame = [s for s in doc.spans["qda"] if s._.qda_code == "response.blame"]
    assert blame and all("anticipated" in s._.qda_context and "negated" not in s._.qda_context for s in blame)
    doc = nlp("Nobody has ever had a go at me for that.")
    blame = [s for s in doc.spans["qda"] if s._.qda_code == "response.blame"]
    assert blame and all("negated" in s._.qda_context for s in blame)


def test_parse_scope_stops_at_a_coordinated_clause(blank):
    # "Nobody knows why , and PSD blamed me ." : 'blamed' is a conjunct of 'knows'
    words = ["Nobody", "knows", "why", ",", "and", "PSD", "blamed", "me", "."]
    heads = [1, 1, 1, 1, 1, 6, 1, 6, 1]
    deps = ["nsubj", "ROOT", "advmod", "punct", "cc", "nsubj", "conj", "dobj", "punct"]
    lemmas = ["nobody", "know", "why", ",", "and", "PSD", "blame", "I", "."]
    pos = ["PRON", "VERB", "ADV", "PUNCT", "CCONJ", "PROPN", "VERB", "PRON", "PUNCT"]
    doc = parsed(blank, words, heads, deps, lemmas, pos)
    [span] = [s for s in doc.spans["qda"] if s._.qda_rule == "blame.verb"]
    assert span._.qda_context == frozenset()


def test_a_negation_inside_a_dependency_match_but_not_matched_marks_it(blank):
    # a rule that matches subject, verb and object: in "They never blamed him" the span runs from 'They' to
    # 'him', so 'never' lies inside it without being one of its words; it modifies the matched verb
    cb = parse_codebook("""
codebook: {name: Demo, version: "1"}
context:
  - {id: neg, category: negated, direction: forward, max_scope: 4, terms: [never]}
codes:
  - id: blame
    label: Blame
    definition: Held to account.
    rules:
      - id: blame.who
        dependency:
          - {RIGHT_ID: v, RIGHT_ATTRS: {LEMMA: blame}}
          - {LEFT_ID: v, REL_OP: ">", RIGHT_ID: s, RIGHT_ATTRS: {DEP: nsubj}}
          - {LEFT_ID: v, REL_OP: ">", RIGHT_ID: o, RIGHT_ATTRS: {DEP: dobj}}
""")
    with pytest.warns(QDAWarning, match="skipped"):
        nlp = build_pipeline(cb, pipeline="blank")
        nlp("warm up")
    pos = ["PRON", "ADV", "VERB", "PRON", "PUNCT"]
    never = parsed(nlp, ["They", "never", "blamed", "him", "."], [2, 2, 2, 2, 2],
                   ["nsubj", "neg", "ROOT", "dobj", "punct"], ["they", "never", "blame", "he", "."], pos)
    [span] = never.spans["qda"]
    assert span.text == "They never blamed him" and span._.qda_context == frozenset({"negated"})
    plain = parsed(nlp, ["They", "really", "blamed", "him", "."], [2, 2, 2, 2, 2],
                   ["nsubj", "advmod", "ROOT", "dobj", "punct"], ["they", "really", "blame", "he", "."], pos)
    assert [s._.qda_context for s in plain.spans["qda"]] == [frozenset()]


def test_a_trigger_phrase_with_its_own_verb_negates_what_that_verb_governs(blank):
    # "It was late , and I do n't buy that PSD blamed me ." : 'buy' is a conjunct of 'was'; the trigger negates
    # the head of its own 'n't' ('buy'), whose subtree holds the claim, not the clause it is coordinated with
    cb = parse_codebook("""
codebook: {name: Demo, version: "1"}
context:
  - {id: rejected, category: negated, direction: forward, max_scope: 3, terms: ["don't buy"]}
codes:
  - id: blame
    label: Blame
    definition: Held to account.
    rules:
      - id: blame.verb
        dependency:
          - {RIGHT_ID: v, RIGHT_ATTRS: {LEMMA: blame}}
          - {LEFT_ID: v, REL_OP: ">", RIGHT_ID: o, RIGHT_ATTRS: {DEP: dobj}}
""")
    with pytest.warns(QDAWarning, match="skipped"):
        nlp = build_pipeline(cb, pipeline="blank")
        nlp("warm up")
    words = ["It", "was", "late", ",", "and", "I", "do", "n't", "buy", "that", "PSD", "blamed", "me", "."]
    heads = [1, 1, 1, 1, 1, 8, 8, 8, 1, 11, 11, 8, 11, 1]
    deps = ["nsubj", "ROOT", "acomp", "punct", "cc", "nsubj", "aux", "neg", "conj", "mark", "nsubj", "ccomp",
            "dobj", "punct"]
    lemmas = ["it", "be", "late", ",", "and", "I", "do", "not", "buy", "that", "PSD", "blame", "I", "."]
    pos = ["PRON", "AUX", "ADJ", "PUNCT", "CCONJ", "PRON", "AUX", "PART", "VERB", "SCONJ", "PROPN", "VERB", "PRON",
           "PUNCT"]
    doc = parsed(nlp, words, heads, deps, lemmas, pos)
    [span] = doc.spans["qda"]
    assert span.text == "blamed me" and span._.qda_context == frozenset({"negated"})


def test_the_old_package_name_still_works_with_one_deprecation_warning():
    import importlib
    import sys
    import warnings

    import asymmetry_qda.tagging.run

    for name in [m for m in sys.modules if m == "asymmetry_qda.tagger" or m.startswith("asymmetry_qda.tagger.")]:
        sys.modules.pop(name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = importlib.import_module("asymmetry_qda.tagger")
        import asymmetry_qda.tagger.evidence as old_evidence
        from asymmetry_qda.tagger.run import code_project
    assert [str(w.message) for w in caught] == [
        "asymmetry_qda.tagger is now asymmetry_qda.tagging; the old name goes in the next release"]
    assert caught[0].category is DeprecationWarning
    assert old.build_pipeline is build_pipeline
    assert code_project is asymmetry_qda.tagging.run.code_project
    assert old_evidence is sys.modules["asymmetry_qda.tagging.evidence"]
    assert sys.modules["asymmetry_qda.tagger.run"] is asymmetry_qda.tagging.run
