"""Pseudonymisation: consistent pseudonyms, codings kept on their words, the key kept out, exports guarded."""

from __future__ import annotations

import json
import sqlite3
import stat
import tempfile
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asymmetry_qda import Project
from asymmetry_qda.anonymise.pseudonyms import OffsetMap, plan_pseudonyms, replace_spans, used_numbers
from asymmetry_qda.cli import main
from asymmetry_qda.errors import IdentifiersFound, InputError, QDAWarning

from .conftest import REPO, snapshot

INT01 = ("Interviewer: Who did you call?\n\n"
         "P01: I rang Sergeant Okafor first. Okafor said DCI Walsh would decide, and Walsh never rang back. "
         "We met at Lewisham nick on the Monday.\n\n"
         "Interviewer: And then?\n\n"
         "P01: Then it all landed on me, as usual, and nobody thanked anyone.\n")
INT02 = ("Interviewer: Tell me about the review.\n\n"
         "P02: Okafor was off, so PC 4471 took the call. You can reach me on 07700 900123 if you like.\n")
ORIGINALS = ("Okafor", "Walsh", "Lewisham", "4471", "07700 900123")


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QDAWarning)
        return function(*args, **kwargs)


@pytest.fixture
def study(tmp_path, write):
    """A project of two invented interviews with identifiers, hand codings and memos; keys live elsewhere."""
    (tmp_path / "keys").mkdir()
    (tmp_path / "project").mkdir()
    write("INT01.txt", INT01)
    write("INT02.txt", INT02)
    with Project.create(tmp_path / "project" / "study.qda") as p:
        p.ingest([tmp_path / "inputs" / "INT01.txt", tmp_path / "inputs" / "INT02.txt"], pipeline="blank")
        yield p


def _code(project, doc_id, quote, code="agency.responsibility", coder="LT", memo=None, occurrence=0):
    text = project.text(doc_id)
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return project.code_span(doc_id, start, start + len(quote), code, coder=coder, memo=memo)


def _findings(project):
    return _quiet(project.audit, pipeline="blank")


def _raw(path: Path) -> bytes:
    data = b""
    for suffix in ("", "-wal", "-shm"):
        part = path.with_name(path.name + suffix)
        if part.exists():
            data += part.read_bytes()
    return data


# --- planning ----------------------------------------------------------------------------------
def test_the_same_person_gets_the_same_pseudonym_in_every_document(study):
    plan = study.pseudonym_plan(_findings(study))
    by_original = plan.groupby("original")["pseudonym"].agg(set).to_dict()
    assert by_original["Okafor"] == {"[OFFICER-1]"} and by_original["Walsh"] == {"[OFFICER-2]"}
    assert by_original["Lewisham"] == {"[STATION-1]"} and by_original["4471"] == {"[COLLAR-1]"}
    assert by_original["07700 900123"] == {"[PHONE-1]"}
    # the bare "Okafor" in INT02 and the second "Walsh" are found by the sweep, not the audit
    swept = plan[plan["source"] == "same string"]
    assert {(d, o) for d, o in zip(swept.doc_id, swept.original)} >= {("INT02", "Okafor"), ("INT01", "Walsh")}
    texts = {d: study.text(d) for d in ("INT01", "INT02")}
    assert all(texts[d][s:e] == o for d, s, e, o in zip(plan.doc_id, plan.start, plan.end, plan.original))


def test_labels_numbers_and_linked_surnames():
    texts = {"a": "Mrs Patel met DI Julia Hargreaves. Later Hargreaves and Julia Hargreaves left. [OFFICER-4] too."}
    rows = [("Mrs Patel", "rank_name", "Patel"), ("DI Julia Hargreaves", "rank_name", "Julia Hargreaves"),
            ("Hargreaves", "person", "Hargreaves")]
    findings = []
    for text, kind, core in rows:
        start = texts["a"].index(text)
        findings.append({"doc_id": "a", "start": start, "end": start + len(text), "text": text, "kind": kind,
                         "severity": "high", "core_start": texts["a"].index(core, start),
                         "core_end": texts["a"].index(core, start) + len(core)})
    plan = plan_pseudonyms(pd.DataFrame(findings), texts)
    names = dict(zip(plan.original, plan.pseudonym))
    assert names["Patel"] == "[PERSON-1]"  # a civil title is not a police rank
    assert names["Julia Hargreaves"] == names["Hargreaves"] == "[OFFICER-5]"  # after [OFFICER-4] already used
    assert replace_spans(texts["a"], zip(plan.start, plan.end, plan.pseudonym)) == (
        "Mrs [PERSON-1] met DI [OFFICER-5]. Later [OFFICER-5] and [OFFICER-5] left. [OFFICER-4] too.")
    assert used_numbers(["[OFFICER-5] [PERSON-1]"], ["[DATE-2]"]) == {"DATE": 2, "OFFICER": 5, "PERSON": 1}


def test_stale_findings_and_bad_plans_are_refused_with_every_problem(study):
    findings = _findings(study)
    stale = findings.copy()
    stale.loc[0, "text"] = "Someone Else"
    with pytest.raises(InputError, match="the document changed since the audit"):
        study.pseudonym_plan(stale)
    plan = study.pseudonym_plan(findings)
    bad = plan.copy()
    bad.loc[0, "pseudonym"] = "Bob"
    bad.loc[1, "original"] = "nobody"
    with pytest.raises(InputError) as caught:
        study.pseudonymise(bad, key=study.path.parent.parent / "keys" / "k.json")
    assert len(caught.value.problems) == 2 and "not one bracketed term" in str(caught.value)


# --- the offset map ---------------------------------------------------------------------------
@st.composite
def _text_and_replacements(draw):
    words = draw(st.lists(st.sampled_from(["we", "Okafor", "rang", "Lewisham", "nick", "the", "DCI", "Walsh", ",",
                                           "é", "👮🏽‍♀️"]), min_size=1, max_size=30))
    text = " ".join(words)
    bounds = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=10))))
    pairs = [(a, b) for a, b in zip(bounds[::2], bounds[1::2]) if b > a]
    reps = [(a, b, draw(st.sampled_from(["[OFFICER-1]", "[S-2]", "[X]"]))) for a, b in pairs]
    return text, reps


@given(_text_and_replacements(), st.data())
def test_offsets_keep_every_span_on_the_same_words(case, data):
    text, reps = case
    new = replace_spans(text, reps)
    offsets = OffsetMap.build(reps)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    new_start, new_end, cut = offsets.span(start, end)
    inside = [(s - start, e - start, p) for s, e, p in reps if start <= s and e <= end]
    if not cut:
        # the same words, with each replaced stretch inside the span now its pseudonym
        assert new[new_start:new_end] == replace_spans(text[start:end], inside)
    else:
        # widened to whole pseudonyms: everything outside the replacements is unchanged, in order
        assert any(s < start < e or s < end < e for s, e, _ in reps)
        kept = [(s, e, p) for s, e, p in reps if s < end and start < e]
        lo, hi = min(start, *(s for s, _, _ in kept)), max(end, *(e for _, e, _ in kept))
        assert new[new_start:new_end] == replace_spans(text[lo:hi], [(s - lo, e - lo, p) for s, e, p in kept])


# --- the project, end to end ------------------------------------------------------------------
TRANSCRIPT_WORDS = ["I", "rang", "Sergeant", "Okafor", "and", "DCI", "Walsh", "at", "Lewisham", "nick", "then",
                    "Okafor", "said", "no", ".", "it", "lands", "on", "me", "PC", "4471", "again", ","]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TRANSCRIPT_WORDS), min_size=8, max_size=60),
       st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 40)), min_size=1, max_size=12),
       st.sampled_from(["expand", "shrink"]))
def test_pseudonymisation_keeps_every_coding_on_the_same_words(words, spans, boundary):
    text = "Interviewer: Go on.\n\nP01: " + " ".join(words) + "\n"
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / "keys").mkdir()
        (folder / "in").mkdir()
        (folder / "in" / "INT01.txt").write_text(text, encoding="utf-8")
        (folder / "project").mkdir()  # the key must be outside the project's folder
        with Project.create(folder / "project" / "p.qda") as project:
            project.ingest(folder / "in", pipeline="blank")
            stored = project.text("INT01")
            ids = {}
            for i, (at, length) in enumerate(spans):
                start = at % (len(stored) - 1)
                end = min(len(stored), start + length)
                ids[project.code_span("INT01", start, end, "agency.responsibility", coder="LT",
                                      memo=f"memo {i}")] = (start, end)
            plan = project.pseudonym_plan(_findings(project))
            reps = list(zip(plan.start, plan.end, plan.pseudonym))
            offsets = OffsetMap.build(reps)
            segments_before = project.segments()
            try:
                report = project.pseudonymise(plan, key=folder / "keys" / "k.json", boundary=boundary)
            except InputError as exc:  # shrink can leave nothing of a span that lies inside one name
                assert boundary == "shrink" and "nothing of the span is left" in str(exc)
                assert project.text("INT01") == stored
                return
            new_text = project.text("INT01")
            assert new_text == replace_spans(stored, reps)
            codings = project.codings().set_index("coding_id")
            memos = pd.read_sql_query('SELECT coding_id, start, "end" FROM memos', sqlite3.connect(project.path))
            memos = memos.set_index("coding_id")
            adjusted = set(report.adjusted.loc[report.adjusted["what"] == "coding", "id"])
            for coding_id, (start, end) in ids.items():
                row = codings.loc[coding_id]
                assert row.text == new_text[row.start:row.end]
                assert (memos.loc[coding_id, "start"], memos.loc[coding_id, "end"]) == (row.start, row.end)
                expected = offsets.span(start, end, boundary=boundary)
                assert (row.start, row.end) == expected[:2]
                assert (coding_id in adjusted) == expected[2]
                if not expected[2]:
                    inside = [(s - start, e - start, p) for s, e, p in reps if start <= s and e <= end]
                    assert row.text == replace_spans(stored[start:end], inside)
            segments = project.segments()
            assert list(segments.segment_id) == list(segments_before.segment_id)
            for old, new in zip(segments_before.itertuples(), segments.itertuples()):
                assert new.text == new_text[new.start:new.end]
                if not offsets.touches(old.start, old.end):
                    assert new.text == old.text


def test_nothing_of_the_originals_is_left_in_the_project_or_an_export(study, tmp_path):
    _code(study, "INT01", "I rang Sergeant Okafor first.", memo="Okafor again: check with walsh")
    _code(study, "INT02", "Okafor was off", code="response.blame", coder="MK")
    study.set_audit_lists(allow=["Monday"])
    findings = _findings(study)
    assert set(findings["severity"]) >= {"high"}
    report = study.pseudonymise(findings, key=tmp_path / "keys" / "study-key.json", by="LT")
    assert report.documents == 2 and len(report.adjusted) == 0
    assert "original" not in report.replacements.columns
    # what it prints names the key file, not the folder it is kept in; the report holds the path
    assert "key written to study-key.json" in str(report) and str(tmp_path) not in str(report)
    assert report.key == (tmp_path / "keys" / "study-key.json").resolve()
    # every original is gone from the project file, its journal and the audit cache (vacuumed)
    _findings(study)
    raw = _raw(study.path).lower()
    for original in ORIGINALS:
        assert original.lower().encode() not in raw, original
    memo = sqlite3.connect(study.path).execute("SELECT text FROM memos").fetchone()[0]
    assert memo == "[OFFICER-1] again: check with [OFFICER-2]"
    # the key holds them, readable only by its owner
    key_path = tmp_path / "keys" / "study-key.json"
    key = json.loads(key_path.read_text(encoding="utf-8"))
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert {o for e in key["entries"] for o in e["originals"]} == set(ORIGINALS)
    assert key["original_texts"] == {}
    assert all(study.text(r["doc_id"])[r["start"]:r["end"]] == r["pseudonym"] for r in key["replacements"])
    # and nothing leaves with an export
    out = study.export_qdpx(tmp_path / "study.qdpx")
    with zipfile.ZipFile(out) as archive:
        exported = b"".join(archive.read(n) for n in archive.namelist()).lower()
    for original in ORIGINALS:
        assert original.lower().encode() not in exported
    assert key["key_id"].encode() not in exported


def test_keep_original_puts_the_texts_in_the_key_only(study, tmp_path):
    study.pseudonymise(_findings(study), key=tmp_path / "keys" / "k.json", keep_original=True)
    key = json.loads((tmp_path / "keys" / "k.json").read_text(encoding="utf-8"))
    assert key["original_texts"]["INT01"][0]["text"] == INT01
    assert b"okafor" not in _raw(study.path).lower()


def test_the_key_must_not_sit_beside_the_project_and_must_be_this_projects(study, tmp_path):
    _findings(study)  # cached in the project before the snapshot
    before = snapshot(study)
    for bad, message in [(study.path.parent / "key.json", "beside the project"),
                         (tmp_path / "keys" / "key.txt", "JSON"), (tmp_path / "nowhere" / "k.json", "does not exist")]:
        with pytest.raises(InputError, match=message):
            study.pseudonymise(_findings(study), key=bad)
    (tmp_path / "keys" / "other.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match="not an asymmetry-qda pseudonym key"):
        study.pseudonymise(_findings(study), key=tmp_path / "keys" / "other.json")
    (tmp_path / "other").mkdir()
    with Project.create(tmp_path / "other" / "other.qda") as other:
        (tmp_path / "o").mkdir()
        (tmp_path / "o" / "X.txt").write_text("P01: DCI Walsh rang.\n", encoding="utf-8")
        other.ingest(tmp_path / "o", pipeline="blank")
        other.pseudonymise(_findings(other), key=tmp_path / "keys" / "theirs.json")
    with pytest.raises(InputError, match="the key of another project"):
        study.pseudonymise(_findings(study), key=tmp_path / "keys" / "theirs.json")
    assert snapshot(study) == before


def test_a_second_run_extends_the_key_and_reuses_its_pseudonyms(study, tmp_path, write):
    key = tmp_path / "keys" / "k.json"
    high = _findings(study)
    study.pseudonymise(high[high["kind"] == "rank_name"], key=key)
    write("INT03.txt", "Interviewer: And?\n\nP03: Sergeant Okafor again, and Inspector Morgan.\n")
    study.ingest(tmp_path / "inputs" / "INT03.txt", pipeline="blank")
    report = _quiet(study.pseudonymise, key=key, pipeline="blank")
    assert study.text("INT03") == "Interviewer: And?\n\nP03: Sergeant [OFFICER-1] again, and Inspector [OFFICER-3].\n"
    entries = {e["pseudonym"]: e["originals"] for e in json.loads(key.read_text(encoding="utf-8"))["entries"]}
    assert entries["[OFFICER-1]"] == ["Okafor"] and entries["[OFFICER-3]"] == ["Morgan"]
    assert "[STATION-1]" in set(report.replacements["pseudonym"])


def test_a_cut_through_a_coded_boundary_is_handled_as_asked(study, tmp_path):
    text = study.text("INT01")
    start = text.index("Sergeant Oka")
    cut = study.code_span("INT01", start, start + len("Sergeant Oka"), "agency.responsibility", coder="LT")
    _findings(study)
    before = snapshot(study)
    with pytest.raises(InputError, match=rf"coding {cut} \(INT01, agency.responsibility, by LT\).*cuts through"):
        study.pseudonymise(_findings(study), key=tmp_path / "keys" / "k.json", boundary="error")
    assert snapshot(study) == before and not (tmp_path / "keys" / "k.json").exists()
    report = study.pseudonymise(_findings(study), key=tmp_path / "keys" / "k.json", boundary="shrink")
    row = report.adjusted.set_index("id").loc[cut]
    assert row.action == "shrink" and row.what == "coding"
    coded = study.codings().set_index("coding_id").loc[cut, "text"]
    assert coded == "Sergeant "


def test_earlier_versions_and_their_codings_are_pseudonymised_too(study, tmp_path, write):
    old = _code(study, "INT01", "Okafor said DCI Walsh would decide")
    write("INT01.txt", INT01.replace("nobody thanked anyone", "nobody said well done"))
    study.ingest(tmp_path / "inputs" / "INT01.txt", replace=True, pipeline="blank")
    study.pseudonymise(_findings(study), key=tmp_path / "keys" / "k.json")
    history = study.codings(current_only=False)
    assert set(history.loc[history.coding_id == old, "text"]) == {"[OFFICER-1] said DCI [OFFICER-2] would decide"}
    current = study.codings()
    assert current["text"].tolist() == ["[OFFICER-1] said DCI [OFFICER-2] would decide"]
    assert b"walsh" not in _raw(study.path).lower()
    # bringing the original file back is allowed, but said out loud
    write("INT01.txt", INT01)
    with pytest.warns(QDAWarning) as caught:
        study.ingest(tmp_path / "inputs" / "INT01.txt", replace=True, pipeline="blank")
    said = [str(w.message) for w in caught]
    assert any("INT01 was pseudonymised, and INT01.txt replaces its text" in m for m in said)
    assert any("no longer match the replaced text" in m for m in said)  # the coding on the pseudonyms
    assert "Okafor" in study.text("INT01")


def test_a_failed_key_write_changes_nothing(study, tmp_path, monkeypatch):
    import asymmetry_qda.anonymise.rewrite as rewrite

    _code(study, "INT01", "Okafor said DCI Walsh would decide", memo="a memo")
    _findings(study)
    before = snapshot(study)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(rewrite, "write_text_atomically", broken)
    with pytest.raises(OSError, match="disk full"):
        study.pseudonymise(_findings(study), key=tmp_path / "keys" / "k.json")
    assert snapshot(study) == before
    # a failure after the key is written (as a failed commit would be) puts the key back as it was
    monkeypatch.undo()
    key = tmp_path / "keys" / "k.json"
    study.pseudonymise(_findings(study).query("kind == 'phone'"), key=key)
    kept = key.read_text(encoding="utf-8")
    findings = _findings(study)
    before = snapshot(study)
    monkeypatch.setattr(rewrite.os, "chmod", broken)
    with pytest.raises(OSError, match="disk full"):
        study.pseudonymise(findings, key=key)
    assert key.read_text(encoding="utf-8") == kept and snapshot(study) == before
    for statement in ("UPDATE codings SET start = 0", "DELETE FROM memos"):  # the triggers are back
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            with study._store.transaction() as db:
                db.execute(statement)


# --- the guard ----------------------------------------------------------------------------------
def test_the_guard_blocks_exports_until_findings_are_resolved(study, tmp_path):
    from asymmetry_qda.analysis import load, write_tables

    with pytest.raises(IdentifiersFound, match=r"refusing to write the \.qdpx.*'Sergeant Okafor' \(rank_name\)") as e:
        study.export_qdpx(tmp_path / "a.qdpx")
    assert not (tmp_path / "a.qdpx").exists() and len(e.value.findings) == len(study.unresolved_findings())
    with pytest.warns(QDAWarning, match="unresolved"):
        study.export_qdpx(tmp_path / "a.qdpx", allow_identifiers=True)
    # tables with quotes are guarded too; tables without quotes are not
    _code(study, "INT01", "Okafor said DCI Walsh would decide", code="failure.tolerable.complexity")
    _code(study, "INT01", "Walsh never rang back", code="remedy.discipline")
    data = load(study, codebook=REPO / "codebooks" / "asymmetries.yaml")
    with pytest.raises(IdentifiersFound, match="tables with quotes"):
        write_tables(data, tmp_path / "tables", figures=False)
    assert not (tmp_path / "tables").exists()
    # resolve: allow one, dismiss the rest with a reason, then the export goes ahead
    left = study.unresolved_findings()
    study.set_audit_lists(allow=["Okafor"])
    assert "Sergeant Okafor" not in set(study.unresolved_findings()["text"])
    with pytest.raises(InputError, match="needs a reason"):
        study.dismiss_findings(left, by="LT", reason=" ")
    ids = [f"{r.doc_id}:{r.start}-{r.end}" for r in study.unresolved_findings().itertuples()]
    assert study.dismiss_findings(ids, by="LT", reason="invented names in a test") == len(ids)
    assert study.unresolved_findings().empty and len(study.dismissals()) == len(ids)
    study.export_qdpx(tmp_path / "b.qdpx")
    walsh = study.audit().query("text == 'DCI Walsh'")
    study.pseudonymise(walsh, key=tmp_path / "keys" / "k.json")
    with pytest.raises(InputError, match="loaded before INT01 changed"):  # quotes loaded before pseudonymising
        write_tables(data, tmp_path / "tables", figures=False)
    data = load(study, codebook=REPO / "codebooks" / "asymmetries.yaml")
    write_tables(data, tmp_path / "tables", figures=False)
    quotes = (tmp_path / "tables" / "alignment_quotes.csv").read_text(encoding="utf-8")
    assert "DCI [OFFICER-1] would decide" in quotes and "Walsh" not in quotes
    with pytest.raises(InputError, match="not a current finding"):
        study.dismiss_findings(["INT01:0-3"], by="LT", reason="x")


def test_the_audit_is_cached_until_a_text_or_list_changes(study, monkeypatch):
    import asymmetry_qda.anonymise.audit as audit

    calls = []
    real = audit.audit_texts

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(audit, "audit_texts", counting)
    first = _findings(study)
    pd.testing.assert_frame_equal(_findings(study), first)
    assert len(calls) == 1
    study.set_audit_lists(allow=["Walsh"])
    _findings(study)
    assert len(calls) == 2


def _stand_in_ner(monkeypatch):
    """A rule-based stand-in for the trained recogniser, under a pipeline name of its own, that counts the texts
    it reads; the audit's "auto" loads it whatever is installed."""
    import spacy

    import asymmetry_qda.anonymise.audit as audit
    import asymmetry_qda.anonymise.guard as guard

    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler", name="ner").add_patterns(
        [{"label": "PERSON", "pattern": name} for name in ("Okafor", "Walsh")] + [{"label": "GPE", "pattern": "Lewisham"}])
    read, pipe = [], nlp.pipe

    def counting(texts, **kwargs):
        for doc in pipe(texts, **kwargs):
            read.append(doc.text)
            yield doc

    nlp.pipe = counting
    monkeypatch.setattr(audit, "_ner_pipeline", lambda name: nlp)
    monkeypatch.setattr(guard, "_memo_key", lambda pipeline: "stand-in 1.0")
    return nlp, read


def _kept(project):
    from asymmetry_qda.store.sqlite import store_of

    return sorted(r[0] for r in store_of(project).connection.execute("SELECT doc_id FROM ner_entities"))


def test_an_audit_after_a_change_reads_only_the_documents_that_changed(study, tmp_path, monkeypatch):
    from asymmetry_qda.store.sqlite import store_of

    nlp, read = _stand_in_ner(monkeypatch)
    first = study.audit()
    assert len(read) == 2 and _kept(study) == ["INT01", "INT02"]
    assert "Walsh" in set(first["text"]) and first["text"].str.contains("Lewisham").any()
    # the lists change the findings, not what NER reads: nothing is read again, and the findings are a full audit's
    read.clear()
    study.set_audit_lists(allow=["Lewisham"])
    listed = study.audit()
    assert read == [] and not listed["text"].str.contains("Lewisham").any() and len(listed) < len(first)
    pd.testing.assert_frame_equal(listed, study.audit(pipeline=nlp))  # a loaded pipeline: read whole, no memo
    # pseudonymising INT01 only drops its entities (they would tell where its originals stood) and keeps INT02's
    plan = study.pseudonym_plan(listed)
    study.pseudonymise(plan[plan["doc_id"] == "INT01"], key=tmp_path / "keys" / "k.json", by="LT")
    assert _kept(study) == ["INT02"]
    read.clear()
    after = study.audit()
    assert len(read) == 1 and "[OFFICER-" in read[0] and _kept(study) == ["INT01", "INT02"]
    pd.testing.assert_frame_equal(after, study.audit(pipeline=nlp))
    assert set(after["doc_id"]) == {"INT02"}
    # an audit of the whole project forgets documents it no longer holds; one document's audit keeps the rest
    with store_of(study).transaction() as db:
        db.execute("INSERT INTO ner_entities VALUES ('GONE', 'stand-in 1.0', 'x', '[]')")
    read.clear()
    study.audit(doc_id="INT02")
    assert read == [] and _kept(study) == ["GONE", "INT01", "INT02"]
    study.set_audit_lists(allow=[])
    study.audit()
    assert read == [] and _kept(study) == ["INT01", "INT02"]


def test_cli_plan_edit_apply_dismiss_and_guard(study, tmp_path, capsys):
    project, key = str(study.path), str(tmp_path / "keys" / "k.json")
    study.close()
    assert main(["export-qdpx", project, str(tmp_path / "x.qdpx")]) == 2
    assert "refusing to write the .qdpx" in capsys.readouterr().err
    assert main(["pseudonymise", project, "--key", key, "--dry-run", "--pipeline", "blank"]) == 2
    assert "--dry-run writes the plan to --out" in capsys.readouterr().err
    plan_csv = tmp_path / "keys" / "plan.csv"
    assert main(["pseudonymise", project, "--key", key, "--dry-run", "--out", str(plan_csv), "--pipeline", "blank"]) == 0
    plan = pd.read_csv(plan_csv, dtype=str)
    plan.loc[plan["original"] == "Walsh", "pseudonym"] = "[OFFICER-W]"
    plan = plan[plan["original"] != "07700 900123"]
    plan.to_csv(plan_csv, index=False)
    with Project.open(project) as p:
        assert "Okafor" in p.text("INT01")  # a dry run changes nothing
    assert main(["pseudonymise", project, "--key", key, "--plan", str(plan_csv), "--out",
                 str(tmp_path / "done.csv")]) == 0
    assert "pseudonymised" in capsys.readouterr().out
    assert "original" not in pd.read_csv(tmp_path / "done.csv").columns
    with Project.open(project) as p:
        assert "DCI [OFFICER-W] would decide" in p.text("INT01") and "07700 900123" in p.text("INT02")
        phone = p.unresolved_findings()
    (row,) = phone.itertuples()
    assert main(["audit", project, "--out", str(tmp_path / "keys" / "audit.csv"), "--pipeline", "blank",
                 "--dismiss", f"{row.doc_id}:{row.start}-{row.end}"]) == 2
    assert "--dismiss needs --by" in capsys.readouterr().err
    assert main(["audit", project, "--out", str(tmp_path / "keys" / "audit.csv"), "--pipeline", "blank",
                 "--dismiss", f"{row.doc_id}:{row.start}-{row.end}", "--by", "LT",
                 "--reason", "the study's own invented number"]) == 0
    assert main(["export-qdpx", project, str(tmp_path / "x.qdpx")]) == 0


@given(st.lists(st.text("abAB ", min_size=1, max_size=6).filter(str.strip), min_size=1, max_size=8),
       st.text("abAB .-", max_size=40))
def test_the_trie_alternation_matches_like_a_longest_first_alternation(words, text):
    import re

    from asymmetry_qda.anonymise.pseudonyms import literal_alternation

    forms = {" ".join(w.split()) for w in words}
    trie = re.compile(literal_alternation(words))
    naive = re.compile("|".join(r"\s+".join(map(re.escape, f.split())) for f in sorted(forms, key=len, reverse=True)))
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in naive.finditer(text)]
    for form in forms:
        assert trie.fullmatch(form)


def test_a_dismissal_lapses_when_its_text_changes(study, tmp_path, write):
    phone = _findings(study).query("kind == 'phone'")
    assert study.dismiss_findings(phone, by="LT", reason="the study's own invented number") == 1
    assert study.dismissals()[["doc_id", "text", "decided_by"]].values.tolist() == [
        ["INT02", "07700 900123", "LT"]]
    write("INT02.txt", INT02.replace("07700 900123", "07700 900999"))
    study.ingest(tmp_path / "inputs" / "INT02.txt", replace=True, pipeline="blank")
    assert study.dismissals().empty
