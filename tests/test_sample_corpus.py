"""The bundled sample corpus: size, coverage, formats, and no text taken from the study paper."""

from __future__ import annotations

import re

import pytest

from asymmetry_qda import Project
from asymmetry_qda.readers import LabelConfig, parse_text

from .conftest import SAMPLES

PAPER = SAMPLES.parents[1] / "shared" / "domain" / "asymmetries-of-leadership-paper.txt"


@pytest.fixture(scope="module")
def sample_project(tmp_path_factory):
    path = tmp_path_factory.mktemp("samples") / "sample.qda"
    with Project.create(path) as project:
        project.ingest(SAMPLES / "transcripts", attributes=SAMPLES / "participants.csv", pipeline="blank")
        yield project


def test_twelve_interviews_and_three_field_notes_of_800_to_2500_words(sample_project):
    docs = sample_project.documents()
    assert (docs["kind"] == "interview").sum() >= 12 and (docs["kind"] == "fieldnote").sum() >= 3
    turns = sample_project.segments(unit="turn")
    words = turns.groupby("doc_id")["text"].apply(lambda t: sum(len(x.split()) for x in t))
    assert words.between(800, 2500).all(), words[~words.between(800, 2500)]


def test_ranks_and_functions_span_the_study(sample_project):
    people = sample_project.participants()
    levels = set(people["rank_level"].dropna().astype(int))
    assert {1, 2, 3, 4, 5, 6} <= levels and max(levels) >= 7
    assert "staff" in set(people["track"].dropna())
    assert {"response", "neighbourhood", "investigation", "safeguarding", "corporate"} <= set(people["function"])
    leaders = people.set_index("participant_id")["leader"]
    assert bool(leaders["P02"]) and people.set_index("participant_id").loc["P02", "leader_source"] == "table"
    assert not bool(leaders["P01"])


def test_every_input_format_is_represented(sample_project):
    formats = set(sample_project.documents()["source_format"])
    assert {"txt", "md", "docx", "vtt", "csv"} <= formats


@pytest.mark.parametrize(("converted", "source"), [("INT05", "INT05.txt"), ("INT10", "INT10.txt")])
def test_converted_documents_have_the_turns_of_their_source(sample_project, converted, source):
    expected = parse_text((SAMPLES / "sources" / source).read_text(encoding="utf-8"), doc_id=converted,
                          labels=LabelConfig())
    stored = sample_project.segments(unit="turn", doc_id=converted)
    assert stored["speaker"].tolist() == [t.speaker for t in expected.turns]
    assert stored["text"].tolist() == [expected.text[t.start:t.end] for t in expected.turns]


# Words a coder would look for, per theme, reason and response of the study's Table One.
CUES = {
    "agency: responsibility": r"on my watch|lands at my door|it's mine|my patch",
    "agency: control": r"don't control|no control|can't control",
    "response: blame": r"\bblame|IOPC|hindsight",
    "response: praise": r"well done|commendation|thanked|award",
    "reason: personal fault": r"misconduct|Reg 17|whose fault|guilty before",
    "reason: complexity": r"complex|unpredictab|the system",
    "deviation": r"deliberate|on purpose|falsif",
    "inattention": r"tired|fatigue|slip",
    "lack of skill": r"never been trained|no training|skills thing|lack of skill|didn't know how",
    "innovation": r"trial|pilot|experiment",
    "response: discipline": r"disciplin",
    "response: refresher": r"refresher|briefing",
    "response: coaching/recruitment": r"coaching|mentor|recruit",
    "response: accept failure": r"failure-free|can't promise|never going to be",
    "response: promising practice": r"promising practice",
    "negated": r"nobody's ever|never had a complaint|no one's ever|wasn't anyone's fault|nobody was at fault",
    "hypothetical": r"\bif (?:it|this|that|a|she|he|we)\b[^.]{0,60}\b(?:I'd|it'd|it'll|would|we'd)",
}


@pytest.mark.parametrize("name", list(CUES))
def test_corpus_covers_each_theme_reason_and_response(sample_project, name):
    participant_talk = sample_project.segments(unit="turn", include_interviewer=False)
    hits = participant_talk[participant_talk["text"].str.contains(CUES[name], case=False, regex=True)]
    assert hits["doc_id"].nunique() >= 2, f"{name}: found in {sorted(hits['doc_id'].unique())}"


def test_planted_anonymisation_slips_are_present(sample_project):
    text = "\n".join(sample_project.text(d) for d in sample_project.documents()["doc_id"])
    for slip in ("Sergeant Okafor", "DCI Walsh", "Lewisham nick"):
        assert slip in text


@pytest.mark.skipif(not PAPER.exists(), reason="the study paper is not beside the repository")
def test_no_run_of_nine_words_is_shared_with_the_study_paper():
    def grams(text: str, n: int = 9) -> set[str]:
        words = re.findall(r"[a-z']+", text.lower())
        return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}

    paper = grams(PAPER.read_text(encoding="utf-8", errors="ignore"))
    repo = SAMPLES.parent
    files = [p for p in repo.rglob("*") if p.suffix in {".txt", ".md", ".csv", ".vtt", ".py", ".yaml", ".yml", ".jsonl"}
             and ".venv" not in p.parts and "build" not in p.parts]
    shared = {str(p.relative_to(repo)): sorted(grams(p.read_text(encoding="utf-8", errors="ignore")) & paper)[:2]
              for p in files}
    assert not {k: v for k, v in shared.items() if v}
