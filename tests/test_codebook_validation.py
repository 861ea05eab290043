"""Codebook loading: valid files load; every kind of mistake is reported, located, all at once."""

from __future__ import annotations

import pytest

from asymmetry_qda.codebook import load_codebook, parse_codebook
from asymmetry_qda.errors import InputError

GOOD = """\
codebook:
  name: Demo
  version: "0.1"
context:
  - {id: neg, category: negated, direction: forward, max_scope: 5, terms: [not, never]}
codes:
  - id: agency
    label: Agency
    definition: Responsibility against control.
    poles: {heavy: agency.responsibility, light: agency.control}
    colour: '#1f77b4'
  - id: agency.responsibility
    label: Responsibility
    definition: It lands at the leader's door.
    examples: [It all lands on my desk.]
    rules:
      - {id: door, tokens: [{LEMMA: land}, {LOWER: {IN: [at, on]}}, {POS: PRON, OP: "?"}, {LOWER: {IN: [door, desk]}}]}
      - {id: watch, phrase: [on my watch], weight: 0.8}
  - id: agency.control
    label: Control
    definition: How little is controlled.
  - id: remedy
    label: Remedy
    definition: Responses.
    fits: [agency.control]
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_codebook(text, source="cb.yaml")
    return [str(p) for p in caught.value.problems]


def test_a_good_codebook_loads_with_hierarchy_poles_rules_and_context(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text(GOOD, encoding="utf-8")
    cb = load_codebook(path)
    assert (cb.name, cb.version, len(cb)) == ("Demo", "0.1", 4)
    assert [c.id for c in cb.children("agency")] == ["agency.responsibility", "agency.control"]
    assert cb["agency"].poles.heavy == "agency.responsibility" and cb["agency"].colour == "#1F77B4"
    door, watch = cb["agency.responsibility"].rules
    assert door.kind == "tokens" and door.pattern[1] == {"LOWER": {"IN": ["at", "on"]}}  # 'on' is not True
    assert (watch.kind, watch.pattern, watch.weight, watch.match) == ("phrase", ("on my watch",), 0.8, "lower")
    assert cb["agency.responsibility"].suppress_negated and cb["agency.responsibility"].speakers == "participants"
    assert door.suppress_negated is None and cb["agency.responsibility"].suppresses_negated("door")
    kept = parse_codebook(GOOD.replace("weight: 0.8}", "weight: 0.8, suppress_negated: false}"))
    assert not kept["agency.responsibility"].suppresses_negated("watch")  # the rule's own setting wins
    assert kept["agency.responsibility"].suppresses_negated("door")       # the other rule follows the code
    assert cb.context[0].terms == ("not", "never") and cb.context[0].max_scope == 5
    assert cb["remedy"].fits == ("agency.control",)
    assert cb.content_hash == parse_codebook(GOOD.replace("\n", "\r\n")).content_hash  # line endings do not matter
    assert cb.content_hash != parse_codebook(GOOD.replace("0.1", "0.2")).content_hash


MISTAKES = [
    pytest.param(GOOD.replace("    colour: '#1f77b4'", "    color: '#1f77b4'"),
                 r"cb.yaml line 11: codes\[0\].color: unknown key 'color' \(did you mean 'colour'\?\). Fix: allowed keys: id, label",
                 id="unknown key"),
    pytest.param(GOOD.replace("  - id: agency.control", "  - id: agency.responsibility"),
                 r"cb.yaml line 19: codes\[2\].id: duplicate code id 'agency.responsibility' \(first on line 12\)",
                 id="duplicate id"),
    pytest.param(GOOD.replace("  - id: agency.control", "  - id: agncy.control"),
                 r"cb.yaml line 19: codes\[2\].id: the parent 'agncy' of 'agncy.control' is not a code", id="missing parent"),
    pytest.param(GOOD.replace("light: agency.control}", "light: remedy}"),
                 r"cb.yaml line 10: codes\[0\].poles.light: the light pole 'remedy' is not a child of 'agency'",
                 id="pole not a child"),
    pytest.param(GOOD.replace("light: agency.control}", "light: agency.kontrol}"),
                 r"codes\[0\].poles.light: the light pole 'agency.kontrol' is not a code", id="pole unknown"),
    pytest.param(GOOD.replace("{id: watch, phrase:", "{id: watch, regex:"),
                 r"cb.yaml line 18: codes\[1\].rules\[1\]: a rule has no kind. Fix: give exactly one of phrase, tokens, dependency",
                 id="unknown rule kind"),
    pytest.param(GOOD.replace("{LEMMA: land}", "{LEMA: land}"),
                 r"cb.yaml line 17: codes\[1\].rules\[0\].tokens\[0\].LEMA: token pattern of rule 'door' rejected by spaCy: "
                 r"Extra inputs are not permitted", id="token pattern rejected by spaCy"),
    pytest.param(GOOD.replace('{POS: PRON, OP: "?"}', '{POS: PRON, OP: "??"}'),
                 r"line 17: codes\[1\].rules\[0\].tokens\[2\].OP: token pattern of rule 'door' rejected by spaCy: ", id="bad OP"),
    pytest.param(GOOD.replace("weight: 0.8", "weight: 0.8, suppress_negated: sometimes"),
                 r"codes\[1\].rules\[1\].suppress_negated: suppress_negated must be true or false, not 'sometimes'. "
                 r"Fix: write true or false, or leave it out to follow the code's setting", id="rule suppress_negated"),
    pytest.param(GOOD.replace("weight: 0.8", "weight: high"),
                 r"codes\[1\].rules\[1\].weight: weight must be a number in \(0, 1\], not 'high'", id="wrong type weight"),
    pytest.param(GOOD.replace("    label: Control", "    label: [Control]"),
                 r"codes\[2\].label: label must be text, not a list", id="wrong type label"),
    pytest.param(GOOD.replace("colour: '#1f77b4'", "colour: blue"), r"colour 'blue' is not #RRGGBB", id="bad colour"),
    pytest.param(GOOD.replace("{id: watch,", "{id: door,"),
                 r"codes\[1\].rules\[1\].id: duplicate rule id 'door' \(first on line 17\)", id="duplicate rule id"),
    pytest.param(GOOD.replace("    label: Control\n", "    label: Control\n    label: Kontrol\n"),
                 r"cb.yaml line 21: codes\[2\].label: the key 'label' appears twice", id="duplicate yaml key"),
    pytest.param(GOOD.replace("direction: forward", "direction: sideways"),
                 r"cb.yaml line 5: context\[0\].direction: direction 'sideways' is not one of forward, backward, both, "
                 r"terminate, pseudo", id="context direction"),
    pytest.param(GOOD.replace("fits: [agency.control]", "fits: [agency.kontrol]"),
                 r"codes\[3\].fits\[0\]: fits 'agency.kontrol' is not a code", id="fits unknown"),
    pytest.param(GOOD.replace("    definition: How little is controlled.\n", ""),
                 r"codes\[2\].definition: definition is required", id="missing definition"),
    pytest.param(GOOD.replace("speakers", "x").replace("    label: Control", "    label: Control\n    speakers: everyone"),
                 r"speakers 'everyone' is not one of participants, interviewers, all", id="bad speakers"),
]


@pytest.mark.parametrize(("text", "message"), MISTAKES)
def test_each_kind_of_mistake_is_reported_with_file_line_and_fix(text, message):
    found = problems_of(text)
    assert any(__import__("re").search(message, p) for p in found), found


def test_dependency_pattern_rejected_by_spacy():
    text = GOOD.replace("      - {id: watch, phrase: [on my watch], weight: 0.8}",
                        "      - id: dep\n        dependency:\n          - {RIGHT_ID: v, RIGHT_ATTRS: {LEMMA: blame}}\n"
                        "          - {LEFT_ID: x, REL_OP: '>', RIGHT_ID: o, RIGHT_ATTRS: {DEP: dobj}}")
    [problem] = problems_of(text)
    assert "codes[1].rules[1].dependency: dependency pattern of rule 'dep' rejected by spaCy: [E101]" in problem
    assert problem.startswith("cb.yaml line 19:")


def test_three_mistakes_give_one_error_listing_three_located_problems():
    text = (GOOD.replace("colour: '#1f77b4'", "colur: '#1f77b4'")
            .replace("{LEMMA: land}", "{LEMA: land}")
            .replace("{id: watch,", "{id: door,"))
    with pytest.raises(InputError) as caught:
        parse_codebook(text, source="cb.yaml")
    message = str(caught.value)
    assert message.startswith("3 problems; nothing was written:")
    assert [p.line for p in caught.value.problems] == [11, 17, 18]


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(InputError, match=r"cb.yaml line 4: not valid YAML: expected ',' or '\]'.* \(while parsing a "
                                         r"flow sequence that starts on line 3\)"):
        parse_codebook("codebook: {name: x, version: '1'}\ncodes:\n  - id: [unclosed\n", source="cb.yaml")


def test_missing_sections_and_empty_file():
    found = problems_of("")
    assert any("the 'codebook' section (name, version) is missing" in p for p in found)
    assert any("the 'codes' section is missing" in p for p in found)


def test_bad_ids_are_reported():
    found = problems_of(GOOD.replace("  - id: remedy", "  - id: Remedy Codes"))
    assert any("id 'Remedy Codes' is not a dotted path of lower-case names" in p for p in found)
