"""Coding a project with the tagger, and the review workflow in which human decisions are final."""

from __future__ import annotations

import csv
import warnings

import pytest

from asymmetry_qda import InputError, NotFoundError, QDAWarning
from asymmetry_qda.backends import Local
from asymmetry_qda.cli import main
from asymmetry_qda.codebook import parse_codebook

from .conftest import snapshot

CODEBOOK = """
codebook: {name: Demo, version: "1"}
context:
  - {id: neg, category: negated, direction: forward, max_scope: 5, terms: [nobody, never, "n't"]}
  - {id: ant, category: anticipated, direction: forward, max_scope: 10, terms: [if]}
codes:
  - id: response
    label: Response
    definition: Blame against praise.
  - id: response.blame
    label: Blame
    definition: Held to account.
    rules:
      - {id: blame.dry, phrase: [out to dry], weight: 0.9}
      - {id: blame.desk, phrase: [on my desk], weight: 0.5}
  - id: response.praise
    label: Praise
    definition: Thanks.
    suppress_negated: false
    rules:
      - {id: praise.thanks, phrase: [said thanks]}
"""
TEXT = ("Interviewer: Was it fair? They hung you out to dry?\n\n"
        "P04: They hung me out to dry. Then it landed on my desk, out to dry again.\n"
        "Nobody hung me out to dry before that. Nobody said thanks either.\n\n"
        "Interviewer: Right.\n\n"
        "P04: If it goes wrong I'm out to dry.\n")


@pytest.fixture
def coded(project, write):
    project.ingest(write("INT04.txt", TEXT), pipeline="blank")
    report = project.code(parse_codebook(CODEBOOK), pipeline="blank", progress=False)
    return project, report


def test_one_suggestion_per_sentence_and_code_with_evidence_context_and_confidence(coded):
    project, report = coded
    assert (report.turns, report.matches, report.added_suggested, report.added_suppressed) == (2, 6, 4, 1)
    rows = project.suggestions(status=None)
    got = [(r.text, r.code_id, r.status, r.rule_id, r.confidence, r.context, len(r.evidence)) for r in rows.itertuples()]
    assert got == [
        ("They hung me out to dry.", "response.blame", "suggested", "blame.dry", 0.9, [], 1),
        ("Then it landed on my desk, out to dry again.", "response.blame", "suggested", "blame.dry",
         round(1 - 0.5 * 0.1, 4), [], 2),
        ("Nobody hung me out to dry before that.", "response.blame", "suppressed", "blame.dry", 0.45, ["negated"], 1),
        ("Nobody said thanks either.", "response.praise", "suggested", "praise.thanks", 0.5, ["negated"], 1),
        ("If it goes wrong I'm out to dry.", "response.blame", "suggested", "blame.dry", 0.9, ["anticipated"], 1),
    ]
    assert rows["speaker"].unique().tolist() == ["P04"]  # interviewer turns are skipped
    assert rows["theme"].unique().tolist() == ["response"]
    assert rows["codebook_hash"].unique().tolist() == [parse_codebook(CODEBOOK).content_hash]
    assert rows["pipeline"].str.startswith("blank:en spaCy").all()
    evidence = rows.iloc[1]["evidence"]
    text = project.text("INT04")
    assert [text[e["start"]:e["end"]] for e in evidence] == ["on my desk", "out to dry"]
    assert project.suggestions()["status"].unique().tolist() == ["suggested"]


def test_running_again_adds_nothing(coded):
    project, _ = coded
    before = project.codings(current_only=False)["coding_id"].tolist()
    again = project.code(parse_codebook(CODEBOOK), pipeline="blank", progress=False)
    assert (again.added_suggested, again.added_suppressed, again.already_coded) == (0, 0, 5)
    assert project.codings(current_only=False)["coding_id"].tolist() == before


def test_a_new_codebook_version_adds_only_what_is_new_and_never_touches_decisions(coded):
    project, _ = coded
    first = project.suggestions().iloc[0]["coding_id"]
    [accepted] = project.accept([first], coder="LT")
    rejected = project.reject(rule="praise.thanks", coder="LT", memo="not praise")
    v2 = parse_codebook(CODEBOOK.replace('version: "1"', 'version: "2"').replace(
        "[said thanks]", "[said thanks, hung you]"))
    report = project.code(v2, pipeline="blank", include_interviewer=True, progress=False)
    current = project.codings().set_index("coding_id")
    assert current.loc[accepted, "status"] == "confirmed" and current.loc[rejected[0], "status"] == "rejected"
    new = current[current["codebook_hash"] == v2.content_hash]
    assert report.added_suggested == len(new) > 0
    assert set(new["speaker"]) == {"Interviewer"}


def test_accept_reject_modify_append_rows_that_supersede(coded):
    project, _ = coded
    pending = project.suggestions()
    a, b, c = pending["coding_id"].tolist()[:3]
    [a2] = project.accept(a, coder="LT")
    [b2] = project.reject([b], coder="LT", memo="desk is routine talk")
    text = project.text("INT04")
    start = text.index("out to dry again")
    c2 = project.modify(c, coder="JH", start=start, end=start + len("out to dry"), code="response.praise")
    now = project.codings().set_index("coding_id")
    assert (now.loc[a2, "status"], now.loc[a2, "origin"], now.loc[a2, "coder_id"]) == ("confirmed", "rule", "LT")
    assert now.loc[b2, "status"] == "rejected"
    assert (now.loc[c2, "text"], now.loc[c2, "code_id"], now.loc[c2, "origin"]) == ("out to dry", "response.praise",
                                                                                   "human")
    assert not {a, b, c} & set(now.index)  # superseded rows are history, not current
    history = project.history(c2)
    assert history["coding_id"].tolist() == [c, c2] and history["status"].tolist() == ["suggested", "confirmed"]
    assert project.memos()["text"].tolist() == ["desk is routine talk"]
    with pytest.raises(InputError, match=f"coding {a}: is not current: it was superseded by {a2}"):
        project.reject([a], coder="LT")


def test_bulk_decisions_by_code_and_rule(coded):
    project, _ = coded
    accepted = project.accept(code="response.blame", coder="LT")
    assert len(accepted) == 3
    assert project.suggestions()["code_id"].tolist() == ["response.praise"]
    with pytest.raises(InputError, match="give exactly one of ids, rule= or code="):
        project.accept(coder="LT")
    with pytest.raises(NotFoundError, match="no coding 'nope'"):
        project.accept(["nope"], coder="LT")


def test_a_failing_decision_changes_nothing(coded):
    project, _ = coded
    good = project.suggestions()["coding_id"].iloc[0]
    before = snapshot(project)
    with pytest.raises(NotFoundError):
        project.accept([good, "nope"], coder="LT")
    assert snapshot(project) == before


@pytest.mark.parametrize(("unit", "expected"), [
    ("turn", "They hung me out to dry. Then it landed on my desk, out to dry again.\nNobody hung me out to dry before "
             "that. Nobody said thanks either."),
    ("span", "out to dry"),
])
def test_units(project, write, unit, expected):
    project.ingest(write("INT04.txt", TEXT), pipeline="blank")
    project.code(parse_codebook(CODEBOOK), pipeline="blank", unit=unit, progress=False)
    assert project.suggestions()["text"].iloc[0] == expected


def test_cli_code_and_codings(project, write, tmp_path, capsys):
    project.ingest(write("INT04.txt", TEXT), pipeline="blank")
    codebook = write("cb.yaml", CODEBOOK)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QDAWarning)
        assert main(["code", str(project.path), "--codebook", str(codebook), "--pipeline", "blank", "--quiet"]) == 0
    out = tmp_path / "codings.csv"
    assert main(["codings", str(project.path), "--out", str(out), "--status", "suggested,suppressed"]) == 0
    rows = list(csv.DictReader(open(out, encoding="utf-8", newline="")))
    assert list(rows[0]) == ["coding_id", "doc_id", "segment_id", "start", "end", "speaker", "code", "theme", "origin",
                             "status", "coder", "rule_id", "confidence", "context", "text"]
    assert len(rows) == 5 and rows[2]["context"] == "negated" and rows[0]["origin"] == "rule"
    assert main(["codings", str(project.path), "--out", "-", "--status", "bogus"]) == 2


def test_two_processes_give_the_same_suggestions(project, write):
    project.ingest(write("INT04.txt", TEXT), pipeline="blank")
    project.ingest(write("INT05.txt", TEXT.replace("P04", "P05")), pipeline="blank")
    one = project.code(parse_codebook(CODEBOOK), pipeline="blank", unit="span", progress=False)
    ids = sorted(project.codings()["coding_id"])
    other = project.code(parse_codebook(CODEBOOK), pipeline="blank", unit="span", backend=Local(n_process=2), progress=False)
    assert other.matches == one.matches and other.added_suggested == 0
    assert sorted(project.codings()["coding_id"]) == ids


def test_show_renders_codes_with_colours_and_marks_suggestions(coded):
    project, _ = coded
    project.add_codebook(parse_codebook(CODEBOOK.replace("    definition: Blame against praise.",
                                                         "    definition: Blame against praise.\n    colour: '#D62728'")))
    html = project.show("INT04", jupyter=False)
    assert "response.blame" in html and "#D62728" in html and "INT04" in html
    assert "suggested by rule blame.dry" in html and "dashed #D62728" in html  # suggestions drawn dashed
    only = project.show("INT04", codes="response.praise", jupyter=False)
    assert "response.blame" not in only and "response.praise" in only


def test_review_queue_decides_through_the_api(coded):
    project, _ = coded
    queue = project.review_queue(coder="LT")
    assert len(queue) == 4 and queue.remaining == 4
    assert "<mark>out to dry</mark>" in queue.html()
    first = queue.current["coding_id"]
    accepted = queue.accept(memo="clear case")
    queue.skip()
    rejected = queue.reject()
    changed = queue.change_code("response.praise")
    assert queue.current is None and "Queue done" in queue.html()
    now = project.codings().set_index("coding_id")
    assert now.loc[accepted, "status"] == "confirmed" and now.loc[rejected, "status"] == "rejected"
    assert now.loc[changed, "code_id"] == "response.praise"
    assert project.history(accepted)["coding_id"].tolist() == [first, accepted]
    widget = queue.widget()
    assert widget.children  # builds headlessly
