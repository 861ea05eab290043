"""asymmetry_qda.datasets: the bundled sample study and study codebook, packaged first, the checkout as fallback."""

from __future__ import annotations

from pathlib import Path

import pytest

from asymmetry_qda import datasets
from asymmetry_qda.errors import NotFoundError

from .conftest import REPO, SAMPLES


@pytest.fixture(autouse=True)
def _fresh_lookup():
    datasets._data_root.cache_clear()
    yield
    datasets._data_root.cache_clear()


def _fake_data(root: Path) -> Path:
    (root / "data_samples").mkdir(parents=True)
    (root / "data_samples" / "participants.csv").write_text("doc_id\n", encoding="utf-8")
    (root / "codebooks").mkdir()
    (root / "codebooks" / "asymmetries.yaml").write_text("# fake\n", encoding="utf-8")
    return root


def test_in_a_source_checkout_the_repository_folders_are_used():
    assert datasets.sample_path() == SAMPLES
    assert datasets.study_codebook_path() == REPO / "codebooks" / "asymmetries.yaml"


def test_the_sample_holds_fifteen_documents_their_attributes_and_three_coders():
    sample = datasets.load_sample()
    assert sample.root == datasets.sample_path()
    assert len(sample.documents) == 15 and sample.documents["path"].map(Path.is_file).all()
    assert sorted(sample.documents["doc_id"]) == sorted(sample.attributes["doc_id"])
    assert set(sample.documents["format"]) == {"txt", "md", "docx", "vtt", "csv"}
    assert sample.coders == ("LT", "MK", "RS")
    assert {p.name for p in datasets.sample_codings("MK").iterdir()} == \
        {"FN01.csv", "INT01.csv", "INT02.csv", "INT03.csv", "INT04.csv", "INT06.csv"}
    assert sample.participants == datasets.sample_participants() and sample.participants.is_file()
    assert sample.transcripts == datasets.sample_transcripts() and sample.codings == datasets.sample_codings()


def test_the_study_codebook_loads_and_validates():
    codebook = datasets.study_codebook()
    assert codebook.codes and datasets.study_codebook_path() == datasets.load_sample().codebook


def test_an_unknown_coder_is_refused_with_the_coders_there_are():
    with pytest.raises(NotFoundError, match=r"'ZZ'.*LT, MK, RS"):
        datasets.sample_codings("ZZ")


def test_the_packaged_copy_is_preferred_to_the_checkout(tmp_path, monkeypatch):
    package = tmp_path / "site-packages" / "asymmetry_qda"
    _fake_data(package / "_data")
    monkeypatch.setattr(datasets.resources, "files", lambda name: package)
    assert datasets.sample_path() == package / "_data" / "data_samples"
    assert datasets.study_codebook_path() == package / "_data" / "codebooks" / "asymmetries.yaml"


def test_without_either_copy_the_error_says_where_it_looked_and_how_to_fix_it(tmp_path, monkeypatch):
    package = tmp_path / "lib" / "asymmetry_qda"
    package.mkdir(parents=True)
    monkeypatch.setattr(datasets.resources, "files", lambda name: package)
    monkeypatch.setattr(datasets, "__file__", str(package / "datasets.py"))
    with pytest.raises(NotFoundError, match=r"_data.*source checkout.*Fix: reinstall"):
        datasets.sample_path()
