"""The bundled human codings: three coders of six sample documents, importable, and agreeing as real coders do.

They are also the human reference for the tagger: its precision and recall on the sample are pinned here
as floors (first measurement, codebook 1.0.0: sentence level, micro P 0.69, R 0.44 against LT).
"""

from __future__ import annotations

import csv

import pytest

from asymmetry_qda import Project, QDAWarning
from asymmetry_qda.analysis import agreement, evaluate, load

from .conftest import REPO, SAMPLES, requires_model

CODINGS = SAMPLES / "codings"
CODERS = ("LT", "MK", "RS")
DOCUMENTS = ("FN01", "INT01", "INT02", "INT03", "INT04", "INT06")


def rows(coder: str) -> int:
    total = 0
    for path in sorted((CODINGS / coder).glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as handle:
            total += sum(1 for _ in csv.DictReader(handle))
    return total


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    project = Project.create(tmp_path_factory.mktemp("codings") / "sample.qda")
    project.ingest(SAMPLES / "transcripts", attributes=SAMPLES / "participants.csv", pipeline="blank")
    report = project.import_codings(CODINGS, codebook=REPO / "codebooks" / "asymmetries.yaml")
    yield project, report
    project.close()


def test_every_coder_coded_the_same_six_documents_and_every_row_imports(sample):
    project, report = sample
    for coder in CODERS:
        assert sorted(p.stem for p in (CODINGS / coder).glob("*.csv")) == sorted(DOCUMENTS)
    assert report.set_index("coder")["added"].to_dict() == {c: rows(c) for c in CODERS}
    assert project.import_codings(CODINGS)["added"].sum() == 0  # a second import adds nothing
    codings = project.codings()
    assert set(codings["coder_id"]) == set(CODERS) and (codings["origin"] == "human").all()


def test_the_coders_agree_as_trained_coders_do_not_perfectly_and_not_by_chance(sample):
    project, _ = sample
    data = load(project)
    with pytest.warns(QDAWarning, match="prevalence paradox"):  # rare codes: as in real studies
        table = agreement(data.codings, coders=list(CODERS), units=data.units, n_boot=200).set_index("code_id")
    pooled = table.loc["(pooled)"]
    assert 0.45 < pooled["krippendorff_alpha"] < 0.85  # substantial but imperfect
    assert pooled["percent_coded_only"] < 0.6 < pooled["percent"]  # uncoded text lifts raw agreement
    assert pooled["n_documents"] == 6


@requires_model
def test_tagger_precision_and_recall_against_the_lead_coder_on_the_sample(tmp_path):
    with Project.create(tmp_path / "s.qda") as project:
        project.ingest([SAMPLES / "transcripts" / f"{d}.txt" for d in DOCUMENTS])
        project.code(REPO / "codebooks" / "asymmetries.yaml", progress=False)
        project.import_codings(CODINGS / "LT")
        data = load(project, statuses=("confirmed", "suggested", "rejected"))
    micro = evaluate(data.codings, reference="LT", units=data.units).set_index("code_id").loc["(micro)"]
    assert micro["precision"] >= 0.6, micro.to_dict()
    assert micro["recall"] >= 0.35, micro.to_dict()
