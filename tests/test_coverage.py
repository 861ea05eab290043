"""Coverage-aware denominators: a table counts only the documents (and participants) the chosen coders coded.

The expectations are computed by hand: for the sample, the documents a coder coded are the names of the
quote tables in ``data_samples/codings/<coder>/``, their participants come from ``participants.csv``, and the
unit counts are the stored segments of those documents, counted with pandas (never with the functions under
test). A small invented project (three documents, coder A codes two) has its expected tables written out
literally.
"""

from __future__ import annotations

import json
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from asymmetry_qda import Project
from asymmetry_qda.analysis import (
    Coverage,
    alignment_quotes,
    build_tables,
    code_frequencies,
    code_matrix,
    cooccurrence,
    failure_alignment,
    group_balance,
    load,
    participant_balance,
    theme_poles,
    write_tables,
)
from asymmetry_qda.backends import Dask
from asymmetry_qda.cli import main
from asymmetry_qda.codebook import parse_codebook
from asymmetry_qda.errors import ArgumentError, QDAWarning

from .conftest import REPO, SAMPLES

CODEBOOK = REPO / "codebooks" / "asymmetries.yaml"


# ---------------------------------------------------------------------------------------------- by hand, from files


def documents_coded_by(coder: str) -> list[str]:
    """The documents ``coder`` coded: one quote table per document in data_samples/codings/<coder>/."""
    return sorted(path.stem for path in (SAMPLES / "codings" / coder).glob("*.csv"))


ATTRIBUTES = pd.read_csv(SAMPLES / "participants.csv", dtype=str)
ALL_DOCUMENTS = sorted(ATTRIBUTES["doc_id"])
LT_DOCUMENTS = documents_coded_by("LT")
LT_UNCODED = sorted(set(ALL_DOCUMENTS) - set(LT_DOCUMENTS))
LT_PEOPLE = sorted(ATTRIBUTES.loc[ATTRIBUTES["doc_id"].isin(LT_DOCUMENTS), "participant_id"].unique())
ALL_PEOPLE = sorted(ATTRIBUTES["participant_id"].unique())
LT_UNCODED_PEOPLE = sorted(set(ALL_PEOPLE) - set(LT_PEOPLE))


def test_the_hand_computed_sample_coverage_is_what_the_files_say():
    # guards the expectations themselves: six documents, FN03 is P04's second (uncoded) document
    assert LT_DOCUMENTS == ["FN01", "INT01", "INT02", "INT03", "INT04", "INT06"]
    assert len(ALL_DOCUMENTS) == 15 and len(ALL_PEOPLE) == 14
    assert LT_PEOPLE == ["G01", "P01", "P02", "P03", "P04", "P06"]
    assert "FN03" in LT_UNCODED and "P04" not in LT_UNCODED_PEOPLE


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("coverage") / "sample.qda"
    with Project.create(path) as project:
        project.ingest(SAMPLES / "transcripts", attributes=SAMPLES / "participants.csv", pipeline="blank")
        project.import_codings(SAMPLES / "codings", codebook=CODEBOOK)
    return path


@pytest.fixture(scope="module")
def segments(sample_path) -> pd.DataFrame:
    """The stored participant segments (the store's own table, not the analysis frames)."""
    with Project.open(sample_path) as project:
        return project.segments(include_interviewer=False)


@pytest.fixture(scope="module")
def lt(sample_path):
    with Project.open(sample_path) as project:
        return load(project, coders=["LT"], codebook=CODEBOOK)


@pytest.fixture(scope="module")
def lt_all(sample_path):
    with Project.open(sample_path) as project:
        return load(project, coders=["LT"], codebook=CODEBOOK, coverage="all")


def expected_units(segments: pd.DataFrame, unit: str, documents: list[str]) -> int:
    return int(((segments["unit"] == unit) & segments["doc_id"].isin(documents)).sum())


# ---------------------------------------------------------------------------------------------- the sample, LT alone


def test_load_names_the_documents_and_participants_lt_coded(lt):
    assert lt.coverage == "coded"
    assert list(lt.covered_documents) == LT_DOCUMENTS and list(lt.uncoded_documents) == LT_UNCODED
    assert list(lt.covered_participants) == LT_PEOPLE and list(lt.uncoded_participants) == LT_UNCODED_PEOPLE
    assert sorted(lt.units["doc_id"].unique()) == LT_DOCUMENTS
    assert set(lt.codings["doc_id"]) <= set(LT_DOCUMENTS) and set(lt.codings["coder_id"]) == {"LT"}
    coverage = lt.units.attrs["coverage"]
    assert isinstance(coverage, Coverage) and lt.codings.attrs["coverage"] is coverage
    assert coverage.uncoded_people["participant_id"].tolist() == LT_UNCODED_PEOPLE


def test_the_coverage_note_says_what_was_counted(lt, lt_all):
    assert lt.coverage_note == (
        "Denominators: the 6 of 15 documents (6 of 14 participants) coded by LT; the 9 documents not coded "
        "(FN02, FN03, INT05, INT07, INT08, INT09, INT10, INT11, INT12) are left out (coverage='all' counts them).")
    assert lt_all.coverage_note == (
        "Denominators: all 15 documents (14 participants) (coverage='all'), the 9 not coded by LT (FN02, FN03, "
        "INT05, INT07, INT08, INT09, INT10, INT11, INT12) included, their units counted as uncoded.")


def test_every_table_function_divides_by_lt_s_coded_documents_only(lt, segments):
    sentences = expected_units(segments, "sentence", LT_DOCUMENTS)
    turns = expected_units(segments, "turn", LT_DOCUMENTS)
    assert sentences > 100 and turns > 10  # the hand counts are real counts
    codings, units = lt.codings, lt.units
    freq = code_frequencies(codings, units=units)
    assert set(freq["units_total"]) == {sentences} and set(freq["participants_total"]) == {len(LT_PEOPLE)}
    assert set(freq["denominator"]) == {"all units of coded documents"}
    assert set(code_frequencies(codings, units=units, unit="turn")["units_total"]) == {turns}
    assert set(code_frequencies(codings, units=units, unit="document")["units_total"]) == {len(LT_DOCUMENTS)}
    assert set(code_frequencies(codings, units=units, unit="participant")["units_total"]) == {len(LT_PEOPLE)}
    by_leader = code_frequencies(codings, units=units, by="leader").drop_duplicates("leader")
    assert by_leader["units_total"].sum() == sentences and by_leader["participants_total"].sum() == len(LT_PEOPLE)
    assert freq.attrs["coverage"].note == lt.coverage_note
    assert list(code_matrix(codings, units=units, columns="doc_id").columns) == LT_DOCUMENTS
    assert list(code_matrix(codings, units=units, columns="participant_id").columns) == LT_PEOPLE
    for unit, n in [("sentence", sentences), ("turn", turns), ("window", sentences),
                    ("document", len(LT_DOCUMENTS)), ("participant", len(LT_PEOPLE))]:
        with _no_check():
            table = cooccurrence(codings, unit=unit, units=units, codes=["response.blame", "response.praise"])
        assert set(table["n_units"]) == {n}, unit
        assert table.attrs["coverage"] is units.attrs["coverage"]
    balance = participant_balance(codings, poles=theme_poles(lt.codebook), units=units)
    assert sorted(balance["participant_id"].unique()) == LT_PEOPLE
    overall = group_balance(balance, n_resamples=99).set_index("theme")
    assert (overall["n_participants"] + overall["n_without"] == len(LT_PEOPLE)).all()
    assert (overall["n_not_coded"] == len(LT_UNCODED_PEOPLE)).all()
    quotes = alignment_quotes(codings, codebook=lt.codebook, units=units, texts=lt.texts)
    assert set(quotes["doc_id"]) <= set(LT_DOCUMENTS)
    assert failure_alignment(codings, codebook=lt.codebook).attrs["coverage"].option == "coded"


@contextmanager
def _no_check():
    """The sample's rare and lopsided codes warn (c_caution, prevalence): those warnings are not tested here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QDAWarning)
        yield


def test_every_published_table_of_lt_s_codings_has_lt_s_denominators(lt, segments):
    sentences = expected_units(segments, "sentence", LT_DOCUMENTS)
    turns = expected_units(segments, "turn", LT_DOCUMENTS)
    with _no_check():
        tables = {t.name: t for t in build_tables(lt)}
    for table in tables.values():
        assert lt.coverage_note in table.note, table.name
    for name, table in tables.items():
        frame = table.frame
        if name.startswith("frequencies"):
            groups = [c for c in frame.columns if c not in (
                "code_id", "n_codings", "n_units", "units_total", "pct_units", "n_participants",
                "participants_total", "pct_participants", "unit", "denominator", "status")]
            totals = frame.drop_duplicates(groups) if groups else frame.iloc[:1]
            assert totals["units_total"].sum() == sentences, name
            assert totals["participants_total"].sum() == len(LT_PEOPLE), name
            pct = 100 * frame["n_units"] / frame["units_total"]
            np.testing.assert_allclose(frame["pct_units"], pct)
        elif name == "matrix_documents":
            assert list(frame.columns) == LT_DOCUMENTS
        elif name == "matrix_participants":
            assert list(frame.columns) == LT_PEOPLE
            assert ", ".join(LT_UNCODED_PEOPLE) in table.note
        elif name in ("cooccurrence_sentence", "cooccurrence_turn"):
            assert set(frame["n_units"]) == {sentences if name.endswith("sentence") else turns}, name
        elif name == "cooccurrence_turn_by_leader":
            assert frame.drop_duplicates("leader")["n_units"].sum() == turns
        elif name == "balance_participants":
            assert sorted(frame["participant_id"].unique()) == LT_PEOPLE
            assert ", ".join(LT_UNCODED_PEOPLE) in table.note
        elif name == "balance_groups":
            everyone = frame[frame["group"] == "all"]
            assert (everyone["n_participants"] + everyone["n_without"] == len(LT_PEOPLE)).all()
            assert (everyone["n_not_coded"] == len(LT_UNCODED_PEOPLE)).all()
            by_leader = frame[frame["group"].str.startswith("leader=")]
            assert (by_leader.groupby("theme")["n_not_coded"].sum() == len(LT_UNCODED_PEOPLE)).all()
        elif name == "alignment_quotes":
            assert set(frame["doc_id"]) <= set(LT_DOCUMENTS)
    assert {"frequencies", "matrix_participants", "cooccurrence_turn", "balance_groups"} <= set(tables)


def test_coverage_all_counts_every_document_as_before(lt_all, segments):
    sentences = expected_units(segments, "sentence", ALL_DOCUMENTS)
    assert sorted(lt_all.units["doc_id"].unique()) == ALL_DOCUMENTS
    freq = code_frequencies(lt_all.codings, units=lt_all.units)
    assert set(freq["units_total"]) == {sentences} and set(freq["participants_total"]) == {len(ALL_PEOPLE)}
    assert set(freq["denominator"]) == {"all units"}
    matrix = code_matrix(lt_all.codings, units=lt_all.units, columns="participant_id")
    assert list(matrix.columns) == ALL_PEOPLE and (matrix[LT_UNCODED_PEOPLE] == 0).all().all()
    balance = participant_balance(lt_all.codings, poles=theme_poles(lt_all.codebook), units=lt_all.units)
    assert sorted(balance["participant_id"].unique()) == ALL_PEOPLE
    groups = group_balance(balance, n_resamples=99)
    assert "n_not_coded" not in groups.columns  # the table as it was before coverage
    assert (groups["n_participants"] + groups["n_without"] == len(ALL_PEOPLE)).all()


def test_coverage_all_leaves_every_other_figure_as_it_was(lt, lt_all):
    # the codings are the same either way; only the units of uncoded documents are added
    pd.testing.assert_frame_equal(lt.codings, lt_all.codings)
    covered = lt_all.units[lt_all.units["doc_id"].isin(LT_DOCUMENTS)].reset_index(drop=True)
    pd.testing.assert_frame_equal(lt.units, covered)
    coded = code_frequencies(lt.codings, units=lt.units)
    on_covered = code_frequencies(lt_all.codings, units=covered.copy().assign())
    on_covered.attrs = {}
    columns = ["code_id", "n_codings", "n_units", "units_total", "pct_units", "n_participants",
               "participants_total", "pct_participants"]
    pd.testing.assert_frame_equal(coded[columns], on_covered[columns])


def test_everyone_s_coverage_is_any_human_coder(sample_path):
    with Project.open(sample_path) as project:
        data = load(project)
    # the three coders coded the same six documents
    assert list(data.covered_documents) == sorted(set(documents_coded_by("LT")) | set(documents_coded_by("MK"))
                                                  | set(documents_coded_by("RS")))
    assert "coded by a human coder" in data.coverage_note


def test_the_covered_documents_units_are_the_same_read_in_sql_or_filtered_after(sample_path, lt, monkeypatch):
    import asymmetry_qda.analysis._frame as frame_module

    assert set(lt.units["doc_id"]) == set(lt.covered_documents) and lt.uncoded_documents  # LT coded a part
    monkeypatch.setattr(frame_module, "_MOST_IDS_IN_SQL", 0)  # too many ids to name: every unit read, then cut
    with Project.open(sample_path) as project:
        every = load(project, coders=["LT"], codebook=CODEBOOK)
    pd.testing.assert_frame_equal(every.units, lt.units)
    pd.testing.assert_frame_equal(every.codings, lt.codings)


def test_a_bad_coverage_option_names_the_allowed_values(sample_path):
    with Project.open(sample_path) as project, pytest.raises(ArgumentError,
                                                             match="coverage: 'some' is not one of: coded, all"):
        load(project, coverage="some")


def test_the_dask_backend_gives_the_same_coverage_restricted_numbers(lt, segments):
    distributed = pytest.importorskip("distributed")
    sentences = expected_units(segments, "sentence", LT_DOCUMENTS)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        local = code_frequencies(lt.codings, units=lt.units, by="leader", roll_up=True)
        on_dask = code_frequencies(lt.codings, units=lt.units, by="leader", roll_up=True,
                                   backend=Dask(client), npartitions=3)
        pd.testing.assert_frame_equal(local, on_dask, check_exact=True)
        assert local.drop_duplicates("leader")["units_total"].sum() == sentences
        assert on_dask.attrs["coverage"] is lt.units.attrs["coverage"]
        with _no_check():
            local = cooccurrence(lt.codings, unit="turn", units=lt.units)
            on_dask = cooccurrence(lt.codings, unit="turn", units=lt.units, backend=Dask(client),
                                   npartitions=3)
        pd.testing.assert_frame_equal(local, on_dask, check_exact=True)
        assert set(on_dask["n_units"]) == {expected_units(segments, "turn", LT_DOCUMENTS)}


# ---------------------------------------------------------------------------------------------- export and CLI


def test_the_manifest_and_markdown_record_the_coverage(lt, sample_path, tmp_path):
    with _no_check():
        manifest = write_tables(lt, tmp_path / "tables", figures=False, allow_identifiers=True)
    assert manifest["options"]["coverage"] == "coded"
    assert manifest["coverage"] == {"option": "coded", "note": lt.coverage_note, "coded_by": "LT",
                                    "tagger_counts": False, "documents": 15, "participants": 14,
                                    "covered_documents": LT_DOCUMENTS, "uncoded_documents": LT_UNCODED,
                                    "covered_participants": LT_PEOPLE, "uncoded_participants": LT_UNCODED_PEOPLE}
    assert json.loads((tmp_path / "tables" / "manifest.json").read_text(encoding="utf-8"))["coverage"] == \
        manifest["coverage"]
    assert "Denominators: the 6 of 15 documents" in (tmp_path / "tables" / "tables.md").read_text(encoding="utf-8")


def test_the_cli_tables_coverage_flag(sample_path, segments, tmp_path, capsys):
    base = ["tables", str(sample_path), "--coders", "LT", "--no-figures", "--allow-identifiers", "--codebook",
            str(CODEBOOK)]
    with _no_check():
        assert main([*base, "--out", str(tmp_path / "coded")]) == 0
        assert "Denominators: the 6 of 15 documents" in capsys.readouterr().out
        assert main([*base, "--out", str(tmp_path / "all"), "--coverage", "all", "--json"]) == 0
    everything = json.loads(capsys.readouterr().out)
    coded = json.loads((tmp_path / "coded" / "manifest.json").read_text(encoding="utf-8"))
    assert coded["coverage"]["option"] == "coded" and coded["coverage"]["uncoded_documents"] == LT_UNCODED
    assert everything["coverage"]["option"] == "all" and everything["options"]["coverage"] == "all"
    totals = {name: set(pd.read_csv(tmp_path / name / "frequencies.csv")["units_total"]) for name in ("coded", "all")}
    assert totals == {"coded": {expected_units(segments, "sentence", LT_DOCUMENTS)},
                      "all": {expected_units(segments, "sentence", ALL_DOCUMENTS)}}
    with pytest.raises(SystemExit) as stop:
        main([*base, "--out", str(tmp_path / "bad"), "--coverage", "some"])
    assert stop.value.code == 2
    assert "invalid choice: 'some'" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------- an invented project

TEXTS = {
    "D1": "Interviewer: How was it?\n\nP01: I got the blame for all of it. Nobody said thanks. It was a long week.\n",
    "D2": "Interviewer: And then?\n\nP02: The boss praised us. Then she blamed me anyway.\n",
    "D3": "Interviewer: Tell me more.\n\nP03: We moved stations. The canteen shut. Parking is bad. I drive in.\n",
}
PEOPLE = ("doc_id,participant_id,pseudonym,rank,function,data_type\n"
          "D1,P01,Ash,Inspector,response,interview\nD2,P02,Bo,Sergeant,response,interview\n"
          "D3,P03,Cy,Constable,response,interview\n")
SMALL_CODEBOOK = parse_codebook("""
codebook: {name: T, version: "1"}
codes:
  - {id: response, label: Response, definition: Response., poles: {heavy: response.blame, light: response.praise}}
  - id: response.blame
    label: Blame
    definition: Blame.
    rules: [{id: r.blame, phrase: [got the blame]}]
  - {id: response.praise, label: Praise, definition: Praise.}
  - id: work
    label: Work
    definition: The workplace.
    rules: [{id: r.canteen, phrase: [canteen shut]}]
""")


@pytest.fixture
def small(project, write):
    """Three one-turn interviews: D1 (P01, 3 sentences), D2 (P02, 2), D3 (P03, 4). Coder A codes D1 and D2."""
    project.ingest([write(f"{d}.txt", text) for d, text in TEXTS.items()], attributes=write("people.csv", PEOPLE),
                   pipeline="blank")
    for doc_id, quote, code in [("D1", "I got the blame for all of it.", "response.blame"),
                                ("D2", "The boss praised us.", "response.praise"),
                                ("D2", "Then she blamed me anyway.", "response.blame")]:
        start = project.text(doc_id).index(quote)
        project.code_span(doc_id, start, start + len(quote), code, coder="A")
    return project


COLUMNS = ["code_id", "n_codings", "n_units", "units_total", "pct_units", "n_participants", "participants_total",
           "pct_participants", "unit", "denominator", "status"]


def test_the_small_project_s_frequencies_written_out(small):
    data = load(small, coders=["A"], codebook=SMALL_CODEBOOK)
    assert (data.covered_documents, data.uncoded_documents) == (("D1", "D2"), ("D3",))
    assert (data.covered_participants, data.uncoded_participants) == (("P01", "P02"), ("P03",))
    assert data.coverage_note == ("Denominators: the 2 of 3 documents (2 of 3 participants) coded by A; the one "
                                  "document not coded (D3) is left out (coverage='all' counts them).")
    expected = pd.DataFrame([
        ["response.blame", 2, 2, 5, 40.0, 2, 2, 100.0, "sentence", "all units of coded documents", "confirmed"],
        ["response.praise", 1, 1, 5, 20.0, 1, 2, 50.0, "sentence", "all units of coded documents", "confirmed"],
    ], columns=COLUMNS)
    table = code_frequencies(data.codings, units=data.units)
    pd.testing.assert_frame_equal(table, expected)
    everything = load(small, coders=["A"], coverage="all")
    expected_all = pd.DataFrame([
        ["response.blame", 2, 2, 9, 100 * 2 / 9, 2, 3, 100 * 2 / 3, "sentence", "all units", "confirmed"],
        ["response.praise", 1, 1, 9, 100 / 9, 1, 3, 100 / 3, "sentence", "all units", "confirmed"],
    ], columns=COLUMNS)
    pd.testing.assert_frame_equal(code_frequencies(everything.codings, units=everything.units), expected_all)


def test_the_small_project_lists_p03_as_not_coded_never_as_zeros(small):
    data = load(small, coders=["A"], codebook=SMALL_CODEBOOK)
    matrix = code_matrix(data.codings, units=data.units, columns="participant_id")
    expected = pd.DataFrame({"P01": [1, 0], "P02": [1, 1]}, index=pd.Index(["response.blame", "response.praise"],
                                                                            name="code_id"))
    expected.columns.name = "participant_id"
    pd.testing.assert_frame_equal(matrix, expected)
    assert matrix.attrs["coverage"].uncoded_participants == ("P03",)
    poles = theme_poles(SMALL_CODEBOOK)
    balance = participant_balance(data.codings, poles=poles, units=data.units)
    assert balance[["participant_id", "heavy", "light", "balance", "leaning"]].values.tolist() == [
        ["P01", 1, 0, 1.0, "heavy"], ["P02", 1, 1, 0.0, "even"]]
    groups = group_balance(balance, by="leader", n_resamples=99)
    assert groups[["group", "n_participants", "n_without", "n_not_coded"]].values.tolist() == [
        ["leader=True", 1, 0, 0], ["leader=False", 1, 0, 1]]  # P03, a constable, was not coded
    overall = group_balance(balance, n_resamples=99).iloc[0]
    assert (overall["n_participants"], overall["n_without"], overall["n_not_coded"]) == (2, 0, 1)
    # coverage="all": P03 is back as a participant with no coded units, as before
    everything = load(small, coders=["A"], coverage="all")
    matrix = code_matrix(everything.codings, units=everything.units, columns="participant_id")
    assert matrix["P03"].tolist() == [0, 0]
    old = participant_balance(everything.codings, poles=poles, units=everything.units)
    assert old.set_index("participant_id").loc["P03", "leaning"] == "no coded units"
    assert group_balance(old, n_resamples=99).iloc[0]["n_without"] == 1


def test_the_small_project_s_cooccurrence_counts_coded_units_only(small):
    data = load(small, coders=["A"])
    everything = load(small, coders=["A"], coverage="all")
    for unit, coded, every in [("sentence", 5, 9), ("turn", 2, 3), ("document", 2, 3), ("participant", 2, 3)]:
        assert cooccurrence(data.codings, unit=unit, units=data.units)["n_units"].tolist() == [coded], unit
        assert cooccurrence(everything.codings, unit=unit, units=everything.units)["n_units"].tolist() == [every]


def test_another_coder_s_document_is_not_a_s_and_any_human_covers_it(small):
    start = small.text("D3").index("We moved stations.")
    small.code_span("D3", start, start + len("We moved stations."), "work", coder="B")
    assert load(small, coders=["A"]).uncoded_documents == ("D3",)
    assert load(small).uncoded_documents == ()
    assert load(small, coders=["B"]).covered_documents == ("D3",)


def test_a_rejected_suggestion_and_an_overruled_coding_are_decisions_in_the_document(small):
    small.code(SMALL_CODEBOOK, pipeline="blank", progress=False)
    [canteen] = small.suggestions(code="work")["coding_id"]
    small.reject(canteen, coder="A")  # A read D3 and found nothing to code
    data = load(small, coders=["A"])
    assert data.covered_documents == ("D1", "D2", "D3") and data.uncoded_documents == ()
    assert code_frequencies(data.codings, units=data.units)["units_total"].tolist() == [9, 9]
    # B coded a sentence of D3 that A then changed: B's row is superseded, yet B worked in D3
    start = small.text("D3").index("Parking is bad.")
    mine = small.code_span("D3", start, start + len("Parking is bad."), "work", coder="B")
    small.modify(mine, coder="A", code="response.blame")
    only_b = load(small, coders=["B"])
    assert only_b.codings.empty and only_b.covered_documents == ("D3",)


def test_with_suggestions_the_documents_the_tagger_ran_over_count(small, write):
    small.ingest([write("D4.txt", "Interviewer: Anything else?\n\nP04: No. That is all.\n")], pipeline="blank")
    small.code(SMALL_CODEBOOK, pipeline="blank", progress=False)  # suggests in D3 only (A had D1's blame)
    assert set(small.suggestions()["doc_id"]) == {"D3"}
    time.sleep(1.1)  # ingest times are stored to the second: D5 comes after the run, so the tagger never saw it
    small.ingest([write("D5.txt", "Interviewer: Last one?\n\nP05: Yes. Thanks.\n")], pipeline="blank")
    data = load(small, coders=["A"], include_suggestions=True)
    # D3 holds a suggestion; the tagger ran over D4 and found nothing there, which is a finding, not a gap
    assert data.covered_documents == ("D1", "D2", "D3", "D4") and data.uncoded_documents == ("D5",)
    assert data.coverage_note.endswith("Suggestions are included, so the documents the tagger ran over count as "
                                       "coded.") and "coded by A or the tagger" in data.coverage_note
    assert load(small, coders=["A"]).covered_documents == ("D1", "D2")  # confirmed codings only: A's documents
