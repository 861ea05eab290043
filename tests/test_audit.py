"""The anonymisation audit: identifiers planted in invented transcripts are found, placeholders and vocabulary are not.

The invented interviews and field notes are in ``tests/data/audit/``; ``planted.yaml`` lists what was planted
in them (with the kind the audit must give) and what must never be flagged.
"""

from __future__ import annotations

import re
import warnings
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest
import yaml

import asymmetry_qda.anonymise
from asymmetry_qda.anonymise import COLUMNS, KINDS, RULES, STUDY_VOCABULARY, audit_texts, read_word_list, scan_patterns
from asymmetry_qda.errors import ArgumentError, InputError, QDAWarning

from .conftest import SAMPLES, requires_model

AUDIT_DATA = Path(__file__).resolve().parent / "data" / "audit"
MANIFEST = yaml.safe_load((AUDIT_DATA / "planted.yaml").read_text(encoding="utf-8"))
SETTINGS = MANIFEST["settings"]
FIXTURES = {doc_id: (AUDIT_DATA / f"{doc_id}.txt").read_text(encoding="utf-8") for doc_id in MANIFEST["documents"]}
SAMPLE_TXT = sorted((SAMPLES / "transcripts").glob("*.txt"))

MODELS = ["blank", pytest.param("auto", marks=requires_model)]


def _quiet_audit(texts, **options):
    """(frame, messages of the QDAWarnings given): cached runs must not swallow a warning test's warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = audit_texts(texts, **options)
    return frame, [str(w.message) for w in caught if issubclass(w.category, QDAWarning)]


@lru_cache(maxsize=None)
def fixture_audit(model: str):
    return _quiet_audit(FIXTURES, pipeline=model, **SETTINGS)


@lru_cache(maxsize=None)
def sample_audit(model: str):
    return _quiet_audit({p.stem: p.read_text(encoding="utf-8") for p in SAMPLE_TXT}, pipeline=model)


def occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(re.escape(needle), text)]


def recall_by_kind(frame: pd.DataFrame, key: str, *, contain: bool) -> dict[str, tuple[int, int, list[str]]]:
    """kind -> (found, planted, missed) over every occurrence of every planted string.

    A planted string is found when a finding of the right kind contains it (patterns: the finding may add a
    word like "the", never lose one) or, for NER kinds (``contain=False``), overlaps it.
    """
    counts: dict[str, list] = defaultdict(lambda: [0, 0, []])
    for doc_id, spec in MANIFEST["documents"].items():
        rows = frame[frame.doc_id == doc_id]
        for needle, kind in spec[key]:
            spans = occurrences(FIXTURES[doc_id], needle)
            assert spans, f"{needle!r} is not in {doc_id}"
            for s, e in spans:
                right = rows[rows.kind == kind]
                hit = ((right.start <= s) & (right.end >= e)) if contain else ((right.start < e) & (right.end > s))
                counts[kind][1] += 1
                if hit.any():
                    counts[kind][0] += 1
                else:
                    got = rows[(rows.start < e) & (rows.end > s)][["text", "kind"]].values.tolist()
                    counts[kind][2].append(f"{doc_id}: {needle!r} (found as {got})")
    return {k: (v[0], v[1], v[2]) for k, v in counts.items()}


def print_recall(title: str, recall: dict) -> None:
    print(f"\n{title}")
    for kind, (found, planted, missed) in sorted(recall.items()):
        print(f"  {kind:14} {found}/{planted} = {found / planted:.2f}" + (f"  missed: {missed}" if missed else ""))


# --- the planted fixtures ----------------------------------------------------------------------------------
def test_fixtures_are_short_invented_interviews():
    for doc_id, text in FIXTURES.items():
        assert 200 <= len(text.split()) <= 400, doc_id


@pytest.mark.parametrize("model", MODELS)
def test_every_pattern_kind_planted_is_found(model):
    frame, _ = fixture_audit(model)
    recall = recall_by_kind(frame, "planted", contain=True)
    print_recall(f"pattern kinds, model={model}", recall)
    planted_kinds = set(recall)
    assert planted_kinds >= {"rank_name", "collar_number", "phone", "email", "postcode", "vehicle_reg", "url",
                             "handle", "date", "time", "street", "station", "place", "force", "deny_list"}
    assert {k: found / planted for k, (found, planted, _) in recall.items()} == {k: 1.0 for k in recall}, \
        {k: missed for k, (_, _, missed) in recall.items() if missed}


@requires_model
def test_ner_kinds_planted_are_mostly_found():
    frame, _ = fixture_audit("auto")
    recall = recall_by_kind(frame, "planted_ner", contain=False)
    print_recall("NER-only kinds, model=auto", recall)
    assert set(recall) == {"person", "place"}
    for kind, (found, planted, missed) in recall.items():
        assert found / planted >= 0.8, (kind, missed)


@pytest.mark.parametrize("model", MODELS)
def test_nothing_on_the_must_not_flag_list_is_flagged(model):
    frame, _ = fixture_audit(model)
    checked, flagged = 0, []
    for doc_id, spec in MANIFEST["documents"].items():
        rows = frame[frame.doc_id == doc_id]
        for needle in spec["not_flagged"]:
            spans = occurrences(FIXTURES[doc_id], needle)
            assert spans, f"{needle!r} is not in {doc_id}"
            for s, e in spans:
                checked += 1
                over = rows[(rows.start < e) & (rows.end > s) & (rows.kind != "deny_list")]
                flagged += [(doc_id, needle, t) for t in over.text]
    print(f"\nmust-not-flag occurrences checked: {checked}, flagged: {len(flagged)}")
    assert flagged == []


@pytest.mark.parametrize("model", MODELS)
def test_rows_are_exact_sorted_and_do_not_overlap(model):
    frame, _ = fixture_audit(model)
    assert list(frame.columns) == list(COLUMNS)
    assert frame.start.dtype == "int64" and frame.end.dtype == "int64"
    for row in frame.itertuples():
        text = FIXTURES[row.doc_id]
        assert text[row.start:row.end] == row.text
        assert row.kind in KINDS
        assert row.severity in ("high", "medium", "low")
        assert row.source == "deny_list" or re.fullmatch(r"(pattern\.[a-z_]+|ner\.[A-Z]+)", row.source)
        assert "\n" not in row.context and row.text in row.context
        assert len(row.context) <= len(row.text) + 80
    assert frame.equals(frame.sort_values(["doc_id", "start"], kind="stable").reset_index(drop=True))
    assert not frame.duplicated(["doc_id", "start", "end"]).any()
    plain = frame[frame.kind != "deny_list"]
    for doc_id, rows in plain.groupby("doc_id"):
        ends = rows.end.to_numpy()
        assert (rows.start.to_numpy()[1:] >= ends[:-1]).all(), doc_id


@pytest.mark.parametrize("model", MODELS)
def test_severity_of_the_planted_kinds(model):
    frame, _ = fixture_audit(model)
    severity = frame.groupby("kind").severity.unique().map(set).to_dict()
    for kind in ("rank_name", "collar_number", "phone", "email", "postcode", "station", "deny_list"):
        assert severity[kind] == {"high"}, kind
    for kind in ("vehicle_reg", "url", "handle", "date", "time", "street", "place", "force"):
        assert severity[kind] == {"medium"}, kind


@requires_model
def test_a_rank_and_name_beats_the_person_entity_on_the_same_name():
    text = "P01: I told Sergeant Okafor and then Detective Inspector Julia Hargreaves about it."
    frame, _ = _quiet_audit({"d": text})
    assert frame[["text", "kind", "source"]].values.tolist() == [
        ["Sergeant Okafor", "rank_name", "pattern.rank_name"],
        ["Detective Inspector Julia Hargreaves", "rank_name", "pattern.rank_name"]]


# --- the real sample ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", MODELS)
def test_the_planted_slips_in_the_sample_are_found_high(model):
    frame, _ = sample_audit(model)
    for doc_id, slip in [("INT02", "Sergeant Okafor"), ("INT12", "DCI Walsh"), ("INT12", "Lewisham nick")]:
        rows = frame[(frame.doc_id == doc_id) & (frame.text == slip)]
        assert len(rows) == 1, (doc_id, slip)
        assert rows.severity.iloc[0] == "high"


def test_the_sample_read_by_the_readers_gives_the_same_slips():
    from asymmetry_qda.readers import LabelConfig, read_source

    texts = {d.doc_id: d.text for name in ("INT02.txt", "INT12.txt")
             for d in read_source(SAMPLES / "transcripts" / name, labels=LabelConfig())}
    found = {(doc_id, f.text, f.kind) for doc_id, text in texts.items() for f in scan_patterns(text)}
    assert found >= {("INT02", "Sergeant Okafor", "rank_name"), ("INT12", "DCI Walsh", "rank_name"),
                     ("INT12", "Lewisham nick", "station")}


@pytest.mark.parametrize("model", MODELS)
def test_findings_on_the_whole_sample_and_no_placeholder_flagged(model):
    frame, _ = sample_audit(model)
    print(f"\ntotal findings on the {len(SAMPLE_TXT)} .txt sample transcripts (model={model}): {len(frame)}")
    print(frame.groupby(["kind", "severity"]).size().to_string())
    placeholders = 0
    for path in SAMPLE_TXT:
        text = path.read_text(encoding="utf-8")
        rows = frame[frame.doc_id == path.stem]
        assert [text[s:e] for s, e in zip(rows.start, rows.end)] == rows.text.tolist()
        for m in re.finditer(r"\[[^\]\n]*\]", text):
            placeholders += 1
            assert not ((rows.start < m.end()) & (rows.end > m.start())).any(), (path.stem, m.group())
        for m in re.finditer(r"(?m)^(?:\[[\d:]+\] )?(?:Interviewer(?: \d)?|P\d+|[A-Z][a-z]*\.? [A-Z]):", text):
            assert not ((rows.start < m.end()) & (rows.end > m.start())).any(), (path.stem, m.group())
    assert placeholders > 100
    assert len(frame) >= 3


# --- allow, deny, pseudonyms -------------------------------------------------------------------------------
TALK = ("P04: I rang Sergeant Okafor, then PC Kaur. Kaur said the nick at Brixton was shut, "
        "so it went to [Sergeant Okafor] instead.\n")


def _blank(texts, **options):
    with pytest.warns(QDAWarning, match="no named-entity recogniser"):
        return audit_texts(texts, pipeline="blank", **options)


def test_without_settings_the_names_are_found():
    frame = _blank({"d": TALK})
    assert frame[["text", "kind"]].values.tolist() == [
        ["Sergeant Okafor", "rank_name"], ["PC Kaur", "rank_name"], ["Brixton", "station"]]


def test_pseudonyms_are_not_flagged_exactly_and_inside_findings():
    frame = _blank({"d": TALK}, pseudonyms=["okafor", "PC KAUR"])
    assert frame.text.tolist() == ["Brixton"]


def test_allow_entries_are_exact_case_insensitive_strings():
    frame = _blank({"d": TALK}, allow=["BRIXTON", "Kaur"])
    assert frame.text.tolist() == ["Sergeant Okafor"]
    # an allow entry is a whole string: "Okaf" allows nothing
    assert _blank({"d": TALK}, allow=["Okaf"]).text.tolist() == ["Sergeant Okafor", "PC Kaur", "Brixton"]


def test_deny_entries_are_always_found_even_in_placeholders_and_allowed_text():
    text = TALK + "Interviewer: And okafor was there? [OKAFOR nods]\n"
    frame = _blank({"d": text}, deny=["Okafor", "okafor"], allow=["Okafor"], pseudonyms=["Okafor"])
    deny = frame[frame.kind == "deny_list"]
    assert deny.text.tolist() == ["Okafor", "Okafor", "okafor", "OKAFOR"]
    assert set(deny.severity) == {"high"} and set(deny.source) == {"deny_list"}
    assert [text[s:e] for s, e in zip(deny.start, deny.end)] == deny.text.tolist()
    assert "Sergeant Okafor" not in frame.text.tolist()  # allowed: only the deny-list hit is reported
    # a deny hit inside a longer finding is reported beside it, not instead of it
    frame = _blank({"d": "She was with DCI Anne Okafor-Walsh and Okafor."}, deny=["Okafor"])
    assert frame[["text", "kind"]].values.tolist() == [["DCI Anne Okafor-Walsh", "rank_name"],
                                                       ["Okafor", "deny_list"], ["Okafor", "deny_list"]]


def test_deny_is_whole_word():
    frame = _blank({"d": "Annie and Ann went to Annerley."}, deny=["Ann"])
    assert frame.text.tolist() == ["Ann"]


# --- what is not a finding ---------------------------------------------------------------------------------
NOT_FINDINGS = [
    "Interviewer: So what happened next?\nP01: The sergeant said no.\nInsp. R: (00:04) Testing.\n",
    "[00:12:31] Sgt. D: Er, one, two.\n**DCI M:** Markdown labels too.\n00:01:02\nP02: 12:31:05 on the tape.",
    "a DCI I worked with, the sergeant, a PC for 11 years, the Chief Inspector, the duty inspector",
    "[Sergeant A] and [PC B] took him to [Station B]; [name] lives on [street] in [borough].",
    "The IOPC, IPCC, PSD, CPS, HMICFRS, the Met, the Federation, a PCSO, the SLT, the Chief, Gold commander, "
    "Silver and Bronze, Professional Standards, the Home Office, College of Policing.",
    "three o'clock in the morning, at two, in May 2021, last Tuesday, 1000 hours of training, 2.15 metres",
    "the high street, the Crown Court, a Fire station, the Retail Park, our station, posted to Response",
    "Sgt. D told me, Sergeant's exam, Inspector exam, the Superintendents' Association",
]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("text", NOT_FINDINGS, ids=range(len(NOT_FINDINGS)))
def test_placeholders_labels_ranks_and_vocabulary_are_not_findings(model, text):
    frame, _ = _quiet_audit({"d": text}, pipeline=model)
    assert frame.empty, frame[["text", "kind", "source"]].values.tolist()


def test_a_label_that_names_someone_is_audited():
    frame = _blank({"d": "Sergeant Okafor: Right.\nMonday 14th March: arrived early.\nP01: Fine.\n"})
    assert frame[["text", "kind"]].values.tolist() == [["Sergeant Okafor", "rank_name"],
                                                       ["Monday 14th March", "date"]]


def test_the_vocabulary_list_is_documented_and_holds_the_study_terms():
    for term in ("IOPC", "IPCC", "PSD", "CPS", "HMICFRS", "Met", "the Federation", "PCSO", "SLT",
                 "Gold commander", "Silver commander", "Bronze commander", "the Chief"):
        assert term in STUDY_VOCABULARY


def test_the_vocabulary_is_the_packaged_word_list():
    packaged = Path(asymmetry_qda.anonymise.__file__).parent / "data" / "vocabulary.txt"
    assert read_word_list(packaged) == STUDY_VOCABULARY
    assert not [t for t in STUDY_VOCABULARY if t.startswith("#") or t != t.strip()]
    pd.testing.assert_frame_equal(_blank(FIXTURES, vocabulary=list(STUDY_VOCABULARY), **SETTINGS),
                                  _blank(FIXTURES, **SETTINGS))


def test_another_study_passes_its_own_vocabulary():
    text = "I joined Kent Police in 2015 and was posted to Bronze."
    assert [f.text for f in scan_patterns(text)] == ["Kent Police"]
    assert [f.text for f in scan_patterns(text, vocabulary=["Kent Police", "Bronze"])] == []
    assert [f.text for f in scan_patterns(text, vocabulary=())] == ["Kent Police", "Bronze"]
    frame = _blank({"d": text}, vocabulary=["Kent Police"])
    assert frame[["text", "kind"]].values.tolist() == [["Bronze", "place"]]


def test_a_word_list_file_has_one_entry_a_line_and_comments(tmp_path):
    path = tmp_path / "vocabulary.txt"
    path.write_text("\ufeff# our study's world\nKent Police\n\n   # the county\n  Kent  \nA&E\n", encoding="utf-8")
    assert read_word_list(path) == ("Kent Police", "Kent", "A&E")
    with pytest.raises(InputError, match="missing.txt"):
        read_word_list(tmp_path / "missing.txt")


def test_no_word_of_the_studys_force_or_area_is_in_the_anonymise_code():
    # the study's own words live in anonymise/data/vocabulary.txt; the rules' examples are invented identifiers
    study = re.compile(r"\b(?:Met|Metropolitan|MPS|London|Scotland Yard|New Scotland Yard|MOPAC)\b")
    code = Path(asymmetry_qda.anonymise.__file__).parent
    assert [(p.name, m.group()) for p in sorted(code.glob("*.py")) for m in study.finditer(p.read_text("utf-8"))] == []


# --- the rules ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_every_rule_finds_its_example(rule):
    assert rule.id.startswith("pattern.") and rule.kind in KINDS and rule.description
    assert rule.finds in rule.example
    assert [(f.text, f.kind, f.source) for f in scan_patterns(rule.example)] == [(rule.finds, rule.kind, rule.id)]


BRIEF_EXAMPLES = [
    ("Sergeant Okafor", "rank_name"), ("DCI Walsh", "rank_name"), ("Insp. Hughes", "rank_name"),
    ("PC Kaur", "rank_name"), ("PC 4471", "collar_number"), ("collar number 312", "collar_number"),
    ("warrant no. 123456", "collar_number"), ("AB12 CDE", "vehicle_reg"), ("14th March", "date"),
    ("03/04/2021", "date"), ("Tuesday the 3rd", "date"), ("2.15am", "time"), ("14:30", "time"),
    ("Acacia Road", "street"), ("High Street", "street"), ("Mill Lane", "street"), ("Lewisham nick", "station"),
    ("Brixton station", "station"), ("+44 7700 900123", "phone"), ("(020) 7946 0958", "phone"),
    ("SW1A 1AA", "postcode"), ("https://example.org/a?b=1", "url"), ("@Lewisham_MPS", "handle"),
    ("a.n.other@example.co.uk", "email"), ("0300 hours", "time"), ("PC 123AB", "collar_number"),
    ("Det. Sgt. O'Brien", "rank_name"), ("A/Insp McDonald", "rank_name"), ("Thames Valley Police", "force"),
]


@pytest.mark.parametrize(("needle", "kind"), BRIEF_EXAMPLES, ids=[n for n, _ in BRIEF_EXAMPLES])
def test_brief_examples_in_a_sentence(needle, kind):
    text = f"P03: Well, it was {needle}, I think."
    assert [(f.text, f.kind) for f in scan_patterns(text)] == [(needle, kind)]


def test_at_a_time_and_the_12_hour_clock():
    assert [f.text for f in scan_patterns("we left at 2.15, it cost £2.15, back by 4pm")] == ["2.15", "4pm"]


# --- warnings and bad arguments ----------------------------------------------------------------------------
def test_blank_pipeline_warns_once_for_all_documents():
    with pytest.warns(QDAWarning) as record:
        frame = audit_texts({"a": "PC 4471", "b": "DCI Walsh", "c": "nothing"}, pipeline="blank")
    assert len([w for w in record if issubclass(w.category, QDAWarning)]) == 1
    assert "only" in str(record[0].message) or "patterns" in str(record[0].message)
    assert frame.doc_id.tolist() == ["a", "b"]


def test_a_given_pipeline_without_ner_warns():
    import spacy

    with pytest.warns(QDAWarning, match="named-entity"):
        frame = audit_texts({"a": "Call 07700 900123."}, pipeline=spacy.blank("en"))
    assert frame.kind.tolist() == ["phone"]


@requires_model
def test_a_given_trained_pipeline_runs_ner_without_warning():
    import spacy

    from asymmetry_qda.pipelines import resolve_model

    nlp = spacy.load(resolve_model("auto"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = audit_texts({"a": "P01: I rang Grace Adeyemi about it."}, pipeline=nlp)
    assert frame[["text", "kind", "source"]].values.tolist() == [["Grace Adeyemi", "person", "ner.PERSON"]]


def test_auto_without_a_trained_pipeline_falls_back_to_patterns_with_one_warning(monkeypatch):
    from asymmetry_qda.anonymise import audit

    monkeypatch.setattr(audit, "resolve_model", lambda model: "blank:en")
    with pytest.warns(QDAWarning) as record:
        frame = audit_texts({"a": FIXTURES["INTA01"], "b": FIXTURES["INTA02"]})
    assert len(record) == 1 and "only by the patterns" in str(record[0].message)
    assert "person" not in set(frame.kind) and {"rank_name", "phone", "station"} <= set(frame.kind)


def test_context_is_one_line_and_clipped_at_the_edges():
    frame = _blank({"d": "PC 4471\n\nwas\tthere", "e": "x" * 100 + " DCI Walsh " + "y" * 100})
    assert frame.context.tolist() == ["PC 4471 was there", "x" * 39 + " DCI Walsh " + "y" * 39]


def test_a_single_vocabulary_word_after_a_rank_is_a_surname():
    text = "Sergeant Gold ran it, the Gold commander agreed, and Inspector May came in May."
    assert [(f.text, f.kind) for f in scan_patterns(text)] == [("Sergeant Gold", "rank_name"),
                                                               ("Inspector May", "rank_name")]


def test_recording_timestamps_are_not_clock_times():
    text = "P01: (12:31) It was on the tape at 00:14:02, and we went in at 14:05.\n[00:15:10]\n"
    assert [f.text for f in scan_patterns(text)] == ["14:05"]


def test_empty_input_gives_an_empty_frame_with_the_columns():
    frame = _blank({})
    assert list(frame.columns) == list(COLUMNS) and frame.empty


@pytest.mark.parametrize("call", [
    lambda: audit_texts(["P01: hello"], pipeline="blank"),
    lambda: audit_texts({"a": 3}, pipeline="blank"),
    lambda: audit_texts({1: "x"}, pipeline="blank"),
    lambda: audit_texts({"a": "x"}, pipeline="blank", allow="Okafor"),
    lambda: audit_texts({"a": "x"}, pipeline="blank", deny=[""]),
    lambda: audit_texts({"a": "x"}, pipeline="blank", pseudonyms=[None]),
    lambda: audit_texts({"a": "x"}, pipeline=3),
    lambda: audit_texts({"a": "x"}, pipeline=object()),
    lambda: scan_patterns(b"bytes"),
    lambda: audit_texts({"a": "x"}, pipeline="blank", vocabulary="IOPC"),
    lambda: scan_patterns("x", vocabulary=["IOPC", " "]),
], ids=["list", "value", "key", "allow-str", "deny-empty", "pseudonym-none", "model", "nlp", "scan-bytes",
        "vocabulary-str", "vocabulary-blank"])
def test_bad_arguments(call):
    with pytest.raises(ArgumentError):
        call()
