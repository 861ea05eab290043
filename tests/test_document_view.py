"""The coded-document view shows the stored text exactly, turn by turn, with every coding visible."""

from __future__ import annotations

import re
import warnings

import pytest

from asymmetry_qda import Project
from asymmetry_qda.display import Mark, Turn, _slots, render_document, view_text
from asymmetry_qda.errors import QDAWarning

from .conftest import REPO, SAMPLES


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    project = Project.create(tmp_path_factory.mktemp("view") / "sample.qda")
    project.ingest(SAMPLES / "transcripts", attributes=SAMPLES / "participants.csv", pipeline="blank")
    project.import_codings(SAMPLES / "codings", codebook=REPO / "codebooks" / "asymmetries.yaml")
    with warnings.catch_warnings():  # the blank pipeline: rules that need a parse are skipped, with warnings
        warnings.simplefilter("ignore", QDAWarning)
        project.code(REPO / "codebooks" / "asymmetries.yaml", pipeline="blank", progress=False)
    yield project
    project.close()


def test_the_view_reproduces_every_documents_stored_text_exactly(sample):
    for doc_id in sample.documents()["doc_id"]:
        assert view_text(sample.show(doc_id, jupyter=False)) == sample.text(doc_id), doc_id


def test_a_stretch_of_a_document_is_that_stretch_exactly(sample):
    text = sample.text("INT04")
    start, end = text.index("So this was, oh"), text.index("The hindsight police.") + len("The hindsight police.")
    assert view_text(sample.show("INT04", start=start, end=end, jupyter=False)) == text[start:end]
    assert view_text(sample.show("INT04", start=5, end=6, jupyter=False)) == text[5:6]


def test_each_piece_of_text_sits_at_its_offset(sample):
    text = sample.text("INT07")
    view = sample.show("INT07", jupyter=False)
    for offset, piece in re.findall(r'data-o="(\d+)"[^>]*>([^<]*)<', view):
        import html

        assert text[int(offset):int(offset) + len(html.unescape(piece))] == html.unescape(piece)


def test_coders_are_named_filterable_and_suggestions_drawn_dashed(sample):
    every = sample.show("INT04", jupyter=False)
    assert all(f"coded by {c}" in every for c in ("LT", "MK", "RS")) and "suggested by rule" in every
    assert "coders: LT, MK, RS" in every and "suggested, not yet reviewed" in every
    only_lt = sample.show("INT04", coders="LT", status=("confirmed",), jupyter=False)
    assert "coded by LT" in only_lt and "coded by MK" not in only_lt and "suggested by rule" not in only_lt
    assert "dashed" not in only_lt.split("suggested, not yet reviewed")[1]  # no dashed line under the words
    n_lt = len(sample.codings().query("doc_id == 'INT04' and coder_id == 'LT' and status == 'confirmed'"))
    assert only_lt.count("coded by LT") == n_lt and f"{n_lt} confirmed and 0 suggested codings shown" in only_lt


def test_interviewer_turns_are_set_apart_and_speakers_and_times_shown(sample):
    view = sample.show("INT04", jupyter=False)
    rows = [r for r in view.split('<div style="display: grid')[1:] if re.search(r'px\)"><span data-o', r)]  # with words
    asking = [r for r in rows if "background: #f3f3f3" in r]
    answering = [r for r in rows if "background: transparent" in r]
    turns = sample.segments(unit="turn", doc_id="INT04")
    assert len(asking) == int(turns["is_interviewer"].sum()) and len(answering) == int((~turns["is_interviewer"]).sum())
    assert "Insp. R: (02:40)" in view  # the label and time as the transcript gives them


def test_overlapping_codings_get_separate_lines_and_a_label_each():
    marks = [Mark(0, 10, "a"), Mark(5, 15, "b"), Mark(12, 20, "c"), Mark(0, 20, "d")]
    slots = _slots(marks)
    for i, m in enumerate(marks):
        for j, n in enumerate(marks):
            if i < j and m.start < n.end and n.start < m.end:
                assert slots[i] != slots[j]
    view = render_document("x" * 20, [Turn(0, 20, "P01")], marks)
    assert all(f">{code}</span><br>" in view for code in "abcd")  # one label per coding, in the margin


def test_the_view_is_self_contained_html():
    view = render_document("A <b>bold</b> claim & more", [Turn(0, 26, "P01")], [Mark(2, 13, "<i>x</i>", coder="<c>")])
    assert "<script" not in view and "<style" not in view and "http" not in view and "<link" not in view
    assert "&lt;b&gt;bold&lt;/b&gt;" in view and "&lt;i&gt;x&lt;/i&gt;" in view and "coded by &lt;c&gt;" in view
    assert view_text(view) == "A <b>bold</b> claim & more"
