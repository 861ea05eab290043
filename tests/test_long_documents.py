"""Documents and turns longer than spaCy's max_length: audited, exported and coded in pieces, offsets exact.

spaCy refuses a text over ``nlp.max_length`` (1,000,000 characters) with E088.
The audit's NER and the tagger give the pipeline pieces of at most
``MAX_PIECE_CHARS`` characters cut at paragraph, line, sentence or word
boundaries, and map every offset back. The NER stand-in here is a blank
pipeline with an entity ruler named ``ner``: as fast as the tokenizer, as
strict about ``max_length`` as a trained pipeline.
"""

from __future__ import annotations

import random
import re
import warnings

import pandas as pd
import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language

import asymmetry_qda.anonymise.audit as audit
from asymmetry_qda import Project, QDAWarning
from asymmetry_qda.anonymise.audit import audit_texts
from asymmetry_qda.cli import main
from asymmetry_qda.pipelines import MAX_PIECE_CHARS, piece_spans

from .conftest import SAMPLES, requires_model

PIECES: list[int] = []  # the length of every text the stand-in pipeline saw


@Language.component("test_long_documents_piece_length")
def _piece_length(doc):
    PIECES.append(len(doc.text))
    return doc


def _ner_stand_in() -> Language:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Julia Hargreaves"},
                        {"label": "GPE", "pattern": "Croydon"}])
    nlp.add_pipe("test_long_documents_piece_length")
    return nlp


def _field_note(paragraphs: int = 4000, seed: int = 1) -> str:
    """The findings' repro: ~1.3 MB of plain paragraphs, with identifiers at the start, the middle and the end."""
    rng = random.Random(seed)
    words = "the shift sergeant blamed me for it when the inspector was not there".split()
    body = [" ".join(rng.choice(words) for _ in range(60)) + "." for _ in range(paragraphs)]
    body[0] = "I rang Sergeant Okafor at Lewisham nick. " + body[0]
    body[paragraphs // 2] += " Julia Hargreaves was posted to Croydon."
    body[-1] += " Then DCI Walsh said Julia Hargreaves knew."
    return "\n\n".join(body) + "\n"


# --- the chunker -------------------------------------------------------------------------------
_WORD = st.text(alphabet="abcXYZ.", min_size=1, max_size=5)
_GAP = st.sampled_from([" ", "  ", "\n", "\n\n", " \n\n ", "\t"])


@st.composite
def _texts(draw):
    words = draw(st.lists(_WORD, min_size=0, max_size=60))
    gaps = [draw(_GAP) for _ in words]
    text = "".join(w + g for w, g in zip(words, gaps, strict=True))
    if draw(st.booleans()):
        text = text.rstrip()
    word_starts = [m.start() for m in re.finditer(r"\S+", text)]
    boundaries = draw(st.lists(st.sampled_from(word_starts), unique=True)) if word_starts else []
    return text, sorted(boundaries)


@settings(max_examples=300, deadline=None)
@given(case=_texts(), limit=st.integers(min_value=6, max_value=40))
def test_pieces_tile_the_text_and_what_is_found_in_them_maps_back_exactly(case, limit):
    text, boundaries = case
    pieces = piece_spans(text, limit, boundaries=boundaries)
    # the pieces tile the text, in order, none longer than the limit
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(e1 == s2 for (_, e1), (s2, _) in zip(pieces, pieces[1:]))
    assert all(0 < e - s <= limit for s, e in pieces) or text == ""
    # a cut falls on a given boundary or at white space: words (at most 5 characters here) are never split
    for s, e in pieces[:-1]:
        assert e in boundaries or text[e - 1].isspace() or text[e].isspace(), (text, pieces)
    # so whatever is found in the pieces, offsets shifted by the piece's start, is what is found in the whole
    found = [(s + m.start(), s + m.end(), m.group()) for s, e in pieces for m in re.finditer(r"\S+", text[s:e])]
    assert found == [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]
    assert all(text[a:b] == word for a, b, word in found)


def test_a_short_text_is_one_piece_and_a_text_without_white_space_is_cut_hard():
    assert piece_spans("short text", 100) == [(0, 10)]
    assert piece_spans("", 100) == [(0, 0)]
    assert piece_spans("x" * 25, 10) == [(0, 10), (10, 20), (20, 25)]
    assert piece_spans("aaaa bbbb\n\ncc dd ee", 12) == [(0, 11), (11, 19)]  # the blank line before the space
    with pytest.raises(ValueError, match="limit"):
        piece_spans("text", 0)


# --- the audit ---------------------------------------------------------------------------------
def test_a_field_note_over_a_million_characters_is_audited_with_exact_offsets():
    text = _field_note()
    assert len(text) > 1_250_000
    nlp = _ner_stand_in()
    PIECES.clear()
    findings = audit_texts({"FN99": text, "FN00": "A short note: Julia Hargreaves rang."}, pipeline=nlp)
    assert len(PIECES) > 12 and max(PIECES) <= MAX_PIECE_CHARS  # no piece reached spaCy's max_length
    assert all(text[s:e] == t for d, s, e, t in zip(findings.doc_id, findings.start, findings.end, findings.text)
               if d == "FN99")
    got = {(r.text, r.kind) for r in findings[findings.doc_id == "FN99"].itertuples()}
    assert got == {("Sergeant Okafor", "rank_name"), ("Lewisham nick", "station"), ("DCI Walsh", "rank_name"),
                   ("Julia Hargreaves", "person"), ("Croydon", "place")}
    people = findings[(findings.doc_id == "FN99") & (findings.kind == "person")]
    assert len(people) == 2 and people.start.iloc[-1] > len(text) - 50  # the last one, at the very end
    assert findings[findings.doc_id == "FN00"].text.tolist() == ["Julia Hargreaves"]


def test_a_document_is_found_the_same_in_pieces_as_whole(monkeypatch):
    text = _field_note(paragraphs=120, seed=3)
    whole = audit_texts({"FN": text}, pipeline=_ner_stand_in())
    monkeypatch.setattr(audit, "MAX_PIECE_CHARS", 700)
    PIECES.clear()
    pieced = audit_texts({"FN": text}, pipeline=_ner_stand_in())
    assert len(PIECES) > 50
    pd.testing.assert_frame_equal(pieced, whole)


@requires_model
def test_the_trained_pipeline_finds_the_same_in_pieces_as_whole(monkeypatch):
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted((SAMPLES / "transcripts").glob("*.txt"))[:6]}
    whole = audit_texts(texts)
    monkeypatch.setattr(audit, "MAX_PIECE_CHARS", 1000)
    pd.testing.assert_frame_equal(audit_texts(texts), whole)


def test_segments_export_of_a_project_with_a_long_field_note(tmp_path, monkeypatch, capsys):
    """The findings' repro: init, ingest a 1.3 MB field note, export segments (the guard runs the audit)."""
    (tmp_path / "FN99.txt").write_text(_field_note(), encoding="utf-8")
    monkeypatch.setattr(audit, "_ner_pipeline", lambda name: _ner_stand_in())
    project = str(tmp_path / "f.qda")
    assert main(["init", project]) == 0
    assert main(["ingest", project, str(tmp_path / "FN99.txt"), "--pipeline", "blank"]) == 0
    capsys.readouterr()
    assert main(["segments", project, "--out", str(tmp_path / "s.csv"), "--allow-identifiers"]) == 0
    assert "E088" not in capsys.readouterr().err
    segments = pd.read_csv(tmp_path / "s.csv", keep_default_na=False)
    assert len(segments) > 4000
    with Project.open(project) as p:
        found = p.unresolved_findings()
        assert set(found.text) == {"Sergeant Okafor", "Lewisham nick", "DCI Walsh", "Julia Hargreaves"}
        text = p.text("FN99")
        assert all(text[s:e] == t for s, e, t in zip(found.start, found.end, found.text))


# --- the tagger --------------------------------------------------------------------------------
CODEBOOK = """
codebook: {name: Long turns, version: "1"}
codes:
  - id: blame
    label: Blame
    definition: Carrying the can.
    rules:
      - {id: blame.can, phrase: [carry the can]}
  - id: buck
    label: Buck
    definition: Where the buck stops.
    rules:
      - {id: buck.stops, phrase: [the buck stops]}
"""


def test_a_turn_over_a_million_characters_is_coded_in_pieces_with_exact_offsets(tmp_path):
    rng = random.Random(2)
    words = "the shift sergeant blamed me for it when the inspector was not there".split()
    sentences = [" ".join(rng.choice(words) for _ in range(30)).capitalize() + "." for _ in range(7000)]
    for i in (0, 3333, 5000):
        sentences.insert(i, "I always carry the can for it.")
    sentences.append("In the end the buck stops with me.")
    text = " ".join(sentences) + "\n"  # one paragraph: a field note of one turn
    assert len(text) > 1_100_000
    (tmp_path / "FN98.txt").write_text(text, encoding="utf-8")
    (tmp_path / "cb.yaml").write_text(CODEBOOK, encoding="utf-8")
    with Project.create(tmp_path / "p.qda") as p:
        p.ingest([tmp_path / "FN98.txt"], pipeline="blank")
        assert len(p.segments(unit="turn")) == 1
        with warnings.catch_warnings():
            warnings.simplefilter("error", QDAWarning)
            report = p.code(tmp_path / "cb.yaml", pipeline="blank", unit="span", progress=False)
        assert report.turns == 1 and report.matches == 4
        codings = p.codings().sort_values("start")
        stored = p.text("FN98")
        assert [stored[s:e] for s, e in zip(codings.start, codings.end)] == ["carry the can"] * 3 + ["the buck stops"]
        assert list(codings.start) == [m.start() for m in re.finditer("carry the can|the buck stops", stored)]
        # at unit "turn" the suggestion covers the whole turn, not one piece of it
        p.code(tmp_path / "cb.yaml", pipeline="blank", unit="turn", progress=False)
        turn = p.segments(unit="turn").iloc[0]
        turns = p.codings().query("end - start > 100")
        assert set(zip(turns.start, turns.end)) == {(turn.start, turn.end)} and len(turns) == 2
