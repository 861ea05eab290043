"""Hostile codebooks are refused fast, located, with every other problem; REGEX matching is bounded.

Covers the reliability findings Y4 (billion laughs), Y5 (recursive alias), Y7
(invalid REGEX), Y8 (ReDoS) and Y10 (hundreds of wildcards). The files that
would hang or exhaust memory if a guard broke are checked through the CLI in a
subprocess with a generous timeout, so a regression fails instead of hanging.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from asymmetry_qda.codebook import Code, Codebook, Rule, load_codebook, parse_codebook
from asymmetry_qda.codebook.matching import MAX_REGEX_TEXT, RuleMatcher
from asymmetry_qda.codebook.patterns import (
    MAX_OPTIONAL_STEPS,
    MAX_PATTERN_TOKENS,
    MAX_WILDCARDS,
    check_pattern,
    regex_risk,
)
from asymmetry_qda.errors import InputError

REPO = Path(__file__).resolve().parents[1]
HEAD = "codebook: {name: Demo, version: '1'}\n"


def laughs(levels: int) -> str:
    """A billion laughs: ``levels`` lists of ten aliases of the list before, in a key nobody reads."""
    lines = ["x:", "  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return HEAD + "\n".join(lines) + "\ncodes:\n  - {id: a, label: A, definition: d}\n"


def with_rule(tokens, *, kind: str = "tokens", extra: str = "") -> str:
    """A one-code codebook whose one rule has this pattern (on line 8), with ``extra`` code keys before it."""
    return (HEAD + "codes:\n  - id: a\n    label: A\n    definition: d\n" + extra
            + f"    rules:\n      - id: r\n        {kind}: {json.dumps(tokens)}\n")


def problems_of(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_codebook(text, source="cb.yaml")
    return [str(p) for p in caught.value.problems]


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "asymmetry_qda", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO)


# -- YAML: anchors, aliases, depth, tags (Y4, Y5) ---------------------------------------------
def test_a_billion_laughs_is_refused_at_the_first_anchor_with_the_fix():
    [problem] = problems_of(laughs(3))  # small: were it expanded, still only 1,000 items
    assert problem.startswith("cb.yaml line 3: an anchor (&a0): anchors and aliases are not allowed in a codebook")
    assert "Fix: write the values out in full" in problem


def test_refusal_comes_before_any_alias_is_expanded(tmp_path):
    # Twelve levels would expand to 10**12 items: only a refusal at compose time can finish.
    path = tmp_path / "laughs.yaml"
    path.write_text(laughs(12), encoding="utf-8")
    result = run_cli("codebook", "validate", str(path))
    assert result.returncode == 2, result.stderr
    assert "laughs.yaml line 3: an anchor (&a0)" in result.stderr + result.stdout
    assert "internal error" not in result.stderr


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(HEAD + "codes:\n  - &c {id: a, label: A, definition: d, examples: *c}\n",
                 "cb.yaml line 3: an anchor (&c)", id="recursive alias"),
    pytest.param(HEAD + "codes: *nowhere\n", "cb.yaml line 2: an alias (*nowhere)", id="undefined alias"),
    pytest.param(HEAD + "base: &b {label: A}\ncodes:\n  - {<<: *b, id: a, definition: d}\n",
                 "cb.yaml line 2: an anchor (&b)", id="merge key"),
    pytest.param(HEAD + "codes:\n  - id: a\n    label: A\n    definition: d\n    rules:\n"
                 "      - {id: r, tokens: [{LOWER: x}, {OP: *star}]}\n",
                 "cb.yaml line 7: an alias (*star)", id="unquoted star"),
])
def test_every_anchor_or_alias_is_refused_with_its_line(text, expected):
    [problem] = problems_of(text)
    assert problem.startswith(expected), problem
    assert "quote a literal *" in problem


def test_deep_nesting_and_unknown_tags_are_input_errors_not_crashes():
    [deep] = problems_of(HEAD + "codes: " + "[" * 5000 + "]" * 5000 + "\n")
    assert deep.startswith("cb.yaml line 2: the YAML is nested more than 64 levels deep")
    [tag] = problems_of(HEAD + "codes: !foo bar\n")
    assert tag.startswith("cb.yaml line 2: not valid YAML: could not determine a constructor for the tag '!foo'")
    assert "remove the tag" in tag


def test_quoted_stars_and_ampersands_are_still_plain_text():
    cb = parse_codebook(HEAD + "codes:\n  - id: a\n    label: 'A & B'\n    definition: '*really* &c.'\n"
                        "    rules: [{id: r, tokens: [{LOWER: x}, {OP: '*'}, {LOWER: y}]}]\n")
    assert (cb["a"].label, cb["a"].definition) == ("A & B", "*really* &c.")
    assert cb["a"].rules[0].pattern[1] == {"OP": "*"}


# -- REGEX values (Y7, Y8) --------------------------------------------------------------------
def test_an_invalid_regex_is_reported_with_the_other_problems_of_the_file():
    text = with_rule([{"TEXT": {"REGEX": "(unclosed"}}, {"LOWR": "x"}], extra="    colour: blue\n")
    found = problems_of(text)
    assert len(found) == 3, found
    assert any("cb.yaml line 6: codes[0].colour: colour 'blue' is not #RRGGBB" in p for p in found)
    assert any(p.startswith("cb.yaml line 9: codes[0].rules[0].tokens[1].LOWR: token pattern of rule 'r' "
                            "rejected by spaCy") for p in found)
    [regex] = [p for p in found if "REGEX" in p]
    assert regex.startswith("cb.yaml line 9: codes[0].rules[0].tokens[0].TEXT.REGEX: token pattern of rule 'r': "
                            "REGEX '(unclosed' is not a valid regular expression: missing ), unterminated subpattern")


@pytest.mark.parametrize(("spec", "where"), [
    pytest.param({"LOWER": {"REGEX": {"NOT_IN": ["ok", "[z"]}}}, (0, "LOWER", "REGEX", "NOT_IN", 1), id="NOT_IN"),
    pytest.param({"LOWER": {"REGEX": {"IN": ["^(a+)+$"]}}}, (0, "LOWER", "REGEX", "IN", 0), id="IN"),
    pytest.param({"NORM": {"REGEX": "*a"}}, (0, "NORM", "REGEX"), id="other attribute"),
    pytest.param({"_": {"mood": {"REGEX": "(?P<x"}}}, (0, "_", "mood", "REGEX"), id="extension"),
])
def test_regexes_are_checked_wherever_they_are(spec, where):
    [problem] = check_pattern([spec])
    assert problem.path == where and not problem.by_spacy
    assert problem.message.startswith("REGEX ")


def test_regexes_in_dependency_patterns_are_checked():
    pattern = [{"RIGHT_ID": "v", "RIGHT_ATTRS": {"LEMMA": {"REGEX": "(x"}}}]
    found = problems_of(with_rule(pattern, kind="dependency"))
    assert any("codes[0].rules[0].dependency[0].RIGHT_ATTRS.LEMMA.REGEX: dependency pattern of rule 'r': "
               "REGEX '(x' is not a valid regular expression" in p for p in found), found


@pytest.mark.parametrize("regex", [
    r"^(a+)+$", r"(a*)*b", r"^(\w+\s?)*$", r"(a|aa)+$", r"^(a|a)+$", r"^(\d+|\d+\.\d+)+$", r"(a{1,5}){2,9}b",
    r"(?:.*)*x", r"\w*\w*\w*!", r".*.*x", "a?" * 25 + "a" * 25, r"(?=(a+)+b)",
])
def test_catastrophic_regexes_are_refused_at_validation(regex):
    [problem] = problems_of(with_rule([{"TEXT": {"REGEX": regex}}]))
    assert "codes[0].rules[0].tokens[0].TEXT.REGEX: token pattern of rule 'r': REGEX" in problem
    assert re.search(r"can take (exponential|a very long) time on a long word", problem), problem
    assert "Fix: " in problem


@pytest.mark.parametrize("regex", [
    "^(praise|praised|praising|praises)$", "^prais", "ing$", ".*ness$", r"^\d+(?:-\d+)*$", r"^colou?r$",
    r"^(?:re|un)?\w+ed$", r"^[A-Z][a-z]+$", r"^https?://\S+$", r"^(?:a|ab)+$", r"(?:[ab]|b)+c", r"(\w)\1",
])
def test_ordinary_regexes_pass(regex):
    assert regex_risk(regex) is None
    parse_codebook(with_rule([{"LOWER": {"REGEX": regex}}]))


def test_the_redos_rule_is_refused_by_the_cli_before_coding(tmp_path):
    path = tmp_path / "redos.yaml"
    path.write_text(with_rule([{"TEXT": {"REGEX": "^(a+)+$"}}]), encoding="utf-8")
    result = run_cli("codebook", "validate", str(path))
    assert result.returncode == 2
    assert "redos.yaml line 8: codes[0].rules[0].tokens[0].TEXT.REGEX" in result.stderr
    assert "internal error" not in result.stderr


def test_a_codebook_built_in_code_cannot_bring_a_redos_rule_to_the_matcher():
    rule = Rule("r", "a", "tokens", [{"TEXT": {"REGEX": "^(a+)+$"}}])
    codebook = Codebook("Demo", "1", (Code("a", "A", "d", rules=(rule,)),), source="built")
    with pytest.raises(InputError, match=r"built: rule 'r': REGEX '\^\(a\+\)\+\$' can take exponential time"):
        RuleMatcher(codebook, spacy.blank("en"))


def test_a_regex_is_not_tried_on_a_token_longer_than_the_cap():
    nlp = spacy.blank("en")
    cb = parse_codebook(with_rule([{"TEXT": {"REGEX": "^a+b?$"}}]))
    matcher = RuleMatcher(cb, nlp)
    short, long_ = "a" * MAX_REGEX_TEXT, "a" * (MAX_REGEX_TEXT + 1)
    assert [m.rule_id for m in matcher(nlp(f"I said {short} then."))] == ["r"]
    assert matcher(nlp(f"I said {long_} then.")) == []


def test_the_cap_also_holds_for_regex_lists_and_dependency_rules():
    nlp = spacy.blank("en")
    listed = RuleMatcher(parse_codebook(with_rule([{"LOWER": {"REGEX": {"IN": ["^x", "^a+$"]}}}])), nlp)
    assert len(listed(nlp("a" * 20))) == 1 and listed(nlp("a" * (MAX_REGEX_TEXT + 5))) == []
    spacy_dep = RuleMatcher(parse_codebook(with_rule([{"RIGHT_ID": "v", "RIGHT_ATTRS": {"ORTH": {"REGEX": "^a+$"}}}],
                                                     kind="dependency")), nlp)
    inner = spacy_dep._guarded[0].matcher._matcher
    assert [type(p.value).__name__ for p in inner._extra_predicates] == ["_BoundedRegex"]


@pytest.mark.filterwarnings("ignore::asymmetry_qda.errors.QDAWarning")  # a blank pipeline skips some rules
def test_the_study_codebooks_regex_rule_still_fires():
    nlp = spacy.blank("en")
    matcher = RuleMatcher(load_codebook(REPO / "codebooks" / "asymmetries.yaml"), nlp)
    fired = {m.rule_id for m in matcher(nlp("Nobody praised the team, they praised the boss."))}
    assert "response.praise.praise_word" in fired


# -- size of a pattern (Y10) ------------------------------------------------------------------
def test_a_hundred_wildcards_are_refused_with_the_limit_and_a_fix():
    found = problems_of(with_rule([{"LOWER": "blame"}] + [{"OP": "*"}] * 100))
    assert any("line 8: codes[0].rules[0].tokens: token pattern of rule 'r': the pattern has 100 unbounded operators "
               f"(*, + or {{n,}}); at most {MAX_WILDCARDS} are allowed" in p for p in found), found
    assert any(f"the pattern spans up to 101 tokens (a {{n,m}} operator counts m); at most {MAX_PATTERN_TOKENS}" in p
               for p in found), found


@pytest.mark.parametrize(("ops", "ok"), [
    pytest.param(["*"] * MAX_WILDCARDS, True, id="at the wildcard limit"),
    pytest.param(["*", "+", "{2,}"] + ["*"] * (MAX_WILDCARDS - 2), False, id="over the wildcard limit"),
    pytest.param(["?"] * MAX_OPTIONAL_STEPS, True, id="at the optional limit"),
    pytest.param(["{0,18}", "?", "{1,3}"], False, id="over the optional limit"),
    pytest.param([None] * (MAX_PATTERN_TOKENS - 1), True, id="at the length limit"),
    pytest.param([None] * (MAX_PATTERN_TOKENS - 2) + ["{2}"], False, id="over the length limit"),
])
def test_limits_are_exact(ops, ok):
    pattern = [{"LOWER": "blame"}] + [{"IS_ALPHA": True} if op is None else {"IS_ALPHA": True, "OP": op}
                                      for op in ops]
    assert (check_pattern(pattern) == []) is ok, check_pattern(pattern)


def test_lower_case_keys_count_too():  # spaCy accepts {lower: x, op: '*'} and {regex: ...}
    [wildcards] = check_pattern([{"lower": "blame"}] + [{"op": "*"}] * (MAX_WILDCARDS + 1))
    assert f"{MAX_WILDCARDS + 1} unbounded operators" in wildcards.message
    [regex] = check_pattern([{"lower": {"regex": "^(a+)+$"}}])
    assert regex.path == (0, "lower", "regex") and "exponential" in regex.message


def test_a_dependency_pattern_with_too_many_nodes_is_refused():
    nodes = [{"RIGHT_ID": "n0", "RIGHT_ATTRS": {"LEMMA": "blame"}}]
    nodes += [{"LEFT_ID": f"n{i - 1}", "REL_OP": ">", "RIGHT_ID": f"n{i}", "RIGHT_ATTRS": {"DEP": "dobj"}}
              for i in range(1, MAX_PATTERN_TOKENS + 1)]
    [problem] = problems_of(with_rule(nodes, kind="dependency"))
    assert f"the pattern has {MAX_PATTERN_TOKENS + 1} nodes; at most {MAX_PATTERN_TOKENS}" in problem


def test_the_study_codebook_is_well_within_the_limits():
    cb = load_codebook(REPO / "codebooks" / "asymmetries.yaml")
    patterns = [r.pattern for r in cb.rules if r.kind == "tokens"] + [t.tokens for t in cb.context if t.tokens]
    assert patterns and all(check_pattern(p) == [] for p in patterns)
    assert max(sum(spec.get("OP") in ("*", "+") for spec in p) for p in patterns) < MAX_WILDCARDS


@pytest.mark.parametrize(("name", "tokens", "expected"), [
    pytest.param("stars2000.yaml", [{"LOWER": "blame"}] + [{"OP": "*"}] * 2000, "2000 unbounded operators",
                 id="2000 wildcards"),
    pytest.param("range.yaml", [{"LOWER": "blame"}, {"OP": "{0,100000000}"}, {"LOWER": "me"}],
                 "spans up to 100000002 tokens", id="a huge {0,m}"),
])
def test_huge_patterns_are_refused_by_the_cli_without_building_them(tmp_path, name, tokens, expected):
    path = tmp_path / name
    path.write_text(with_rule(tokens), encoding="utf-8")
    result = run_cli("codebook", "validate", str(path))
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr and "internal error" not in result.stderr
