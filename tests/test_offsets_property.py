"""Property: for every stored segment, ``document.text[start:end]`` is exactly the segment's words.

Generated transcripts mix speaker-label styles, timestamps, headers, multi-line turns,
emoji, combining characters, CRLF and CR line endings, and BOMs of several encodings.
"""

from __future__ import annotations

import codecs
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from asymmetry_qda import Project
from asymmetry_qda.pipelines import sentence_pipeline
from asymmetry_qda.readers import LabelConfig, read_source
from asymmetry_qda.sentences import split_sentences

CONFIG = LabelConfig()
SPEAKERS = ["Interviewer", "P01", "Insp. R", "DCI M", "Interviewer 2", "R", "Sgt. D"]
EXTRA = ["😀", "👮🏽‍♀️", "e\u0301", "n\u0303", "’", "“", "—", "[laughs]", "\u00a0", "\t", "ß", "İ", "ﬁ"]

line_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r\n\x85\u2028\u2029\ufeff")
line = st.lists(st.one_of(st.text(line_chars, min_size=1, max_size=12), st.sampled_from(EXTRA)),
                min_size=1, max_size=8).map("".join)


@st.composite
def utterance(draw) -> str:
    lines = draw(st.lists(line, min_size=1, max_size=4))
    for extra in lines[1:]:
        assume(CONFIG.match_turn_start(extra) is None and CONFIG.match_timestamp_line(extra) is None)
    first = CONFIG.match_turn_start("X: " + lines[0])
    assume(first is not None and first.text_offset == 3 and first.timestamp is None)
    separators = draw(st.lists(st.sampled_from(["\n", "\n\n"]), min_size=len(lines) - 1, max_size=len(lines) - 1))
    text = lines[0] + "".join(sep + ln for sep, ln in zip(separators, lines[1:], strict=True))
    assume(text.strip())
    return text


@st.composite
def transcript(draw) -> tuple[str, list[tuple[str, str, str | None]]]:
    turns = draw(st.lists(st.tuples(st.sampled_from(SPEAKERS), utterance(),
                                    st.sampled_from([None, "[00:12:31] ", "(12:31) ", "00:01:02 "])),
                          min_size=1, max_size=6))
    assume(any(not CONFIG.is_interviewer(s) for s, _, _ in turns))
    parts = [draw(st.sampled_from(["", "# Interview\n*anonymised*\n\n"]))]
    expected = []
    for speaker, words, stamp in turns:
        if stamp is None:
            parts.append(f"{speaker}: {words}")
        elif stamp.startswith("("):
            parts.append(f"{speaker}: {stamp}{words}")
        else:
            parts.append(f"{stamp}{speaker}: {words}")
        parts.append(draw(st.sampled_from(["\n", "\n\n", "\n \n"])))
        expected.append((speaker, words.strip(), None if stamp is None else
                         {"[": "00:12:31", "(": "00:12:31", "0": "00:01:02"}[stamp[0]]))
    return "".join(parts), expected


def encode(text: str, newline: str, bom: str) -> bytes:
    text = text.replace("\n", newline)
    return {"none": text.encode("utf-8"), "utf-8": codecs.BOM_UTF8 + text.encode("utf-8"),
            "utf-16": text.encode("utf-16"), "utf-16-be": codecs.BOM_UTF16_BE + text.encode("utf-16-be")}[bom]


def check_sentences(text: str, turns) -> None:
    spans = split_sentences(text, [(t.start, t.end) for t in turns], nlp=sentence_pipeline("blank"))
    for turn, sentences in zip(turns, spans, strict=True):
        previous_end = turn.start
        for a, b in sentences:
            assert previous_end <= a < b <= turn.end
            assert text[a:b] == text[a:b].strip()
            previous_end = b
        covered = "".join(text[a:b] for a, b in sentences)
        assert "".join(covered.split()) == "".join(text[turn.start:turn.end].split())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(transcript(), st.sampled_from(["\n", "\r\n", "\r"]), st.sampled_from(["none", "utf-8", "utf-16", "utf-16-be"]))
def test_turn_offsets_give_back_the_words(generated, newline, bom):
    source, expected = generated
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "GEN.txt"
        path.write_bytes(encode(source, newline, bom))
        [doc] = read_source(path, labels=CONFIG)
    assert doc.text == source  # BOM gone, line endings normalised, nothing else changed
    got = [(t.speaker, doc.text[t.start:t.end], t.timestamp) for t in doc.turns]
    assert got == expected
    check_sentences(doc.text, doc.turns)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(transcript(), st.sampled_from(["\r\n", "\n"]), st.sampled_from(["none", "utf-8", "utf-16"]))
def test_every_stored_segment_is_its_text(generated, newline, bom):
    source, _ = generated
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "GEN.txt"
        path.write_bytes(encode(source, newline, bom))
        with Project.create(Path(folder) / "p.qda") as project:
            project.ingest(path, pipeline="blank")
            text = project.text("GEN")
            segments = project.segments()
    assert text == source
    assert len(segments) > 0
    for row in segments.itertuples():
        assert text[row.start:row.end] == row.text and row.text == row.text.strip() and row.text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(line, min_size=1, max_size=3).map("\n".join), min_size=1, max_size=5),
       st.sampled_from(["\n", "\r\n"]))
def test_field_note_paragraph_offsets(paragraphs, newline):
    paragraphs = [p for p in paragraphs if p.strip()]
    assume(paragraphs)
    source = "\n\n".join(paragraphs) + "\n"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "FN.txt"
        path.write_bytes(source.replace("\n", newline).encode())
        [doc] = read_source(path, labels=CONFIG, kind_of=lambda _: "fieldnote")
    texts = [doc.text[t.start:t.end] for t in doc.turns]
    expected = [block.strip() for p in paragraphs for block in _split_blank(p) if block.strip()]
    assert texts == expected
    check_sentences(doc.text, doc.turns)


def _split_blank(paragraph: str) -> list[str]:
    import re

    return re.split(r"\n[ \t]*\n", paragraph)


# -- the layouts of real exports (issue 19): each turn written in one layout, the words found back exactly ----
LAYOUT_SPEAKERS = ["Emma", "P01", "Sam Okafor", "Interviewer", "DCI M", "SPEAKER_01"]
LAYOUTS = {
    # name: (how a turn is written, what its timestamp reads as)
    "colon": (lambda s, w: f"{s}: {w}", None),
    "otter": (lambda s, w: f"{s}  0:05  \n{w}", "00:00:05"),
    "zoom_saved": (lambda s, w: f"[{s}] 11:02:09\n{w}", "11:02:09"),
    "podcast": (lambda s, w: f"**{s}** [00:01:02] {w}", "00:01:02"),
    "fathom": (lambda s, w: f"@0:25 - {s}\n{w}", "00:00:25"),
    "bracketed": (lambda s, w: f"[{s}] {w}", None),
    "bold_alone": (lambda s, w: f"**{s}:**\n{w}", None),
}


def _plain_line(text: str) -> bool:
    return (CONFIG.match_turn_start(text) is None and CONFIG.match_loose_turn_start(text) is None
            and CONFIG.match_turn_header(text) is None and CONFIG.match_marked_label(text) is None
            and CONFIG.match_timed_line(text) is None and CONFIG.match_timestamp_line(text) is None)


@st.composite
def layout_transcript(draw):
    name = draw(st.sampled_from(sorted(LAYOUTS)))
    write, stamp = LAYOUTS[name]
    n = draw(st.integers(min_value=2, max_value=6))
    turns = []
    for _ in range(n):
        lines = draw(st.lists(line, min_size=1, max_size=1 if name == "bracketed" else 3))
        lines = [ln.strip() for ln in lines]
        assume(all(ln and _plain_line(ln) for ln in lines))
        turns.append((draw(st.sampled_from(LAYOUT_SPEAKERS)), "\n".join(lines)))
    assume(any(not CONFIG.is_interviewer(s) for s, _ in turns))
    text = "\n\n".join(write(s, w) for s, w in turns) + "\n"
    return name, text, [(s, w, stamp) for s, w in turns]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(layout_transcript(), st.sampled_from(["\n", "\r\n"]))
def test_each_layout_gives_back_speakers_words_and_times(generated, newline):
    name, source, expected = generated
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "GEN.md"
        path.write_bytes(source.replace("\n", newline).encode("utf-8"))
        [doc] = read_source(path, labels=CONFIG)
    assert doc.text == source
    got = [(t.speaker, doc.text[t.start:t.end], t.timestamp) for t in doc.turns]
    assert got == expected, name
    check_sentences(doc.text, doc.turns)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.lists(st.tuples(line, st.integers(min_value=0, max_value=3)), min_size=1, max_size=12))
def test_speakerless_cues_keep_every_word_in_order_with_times(cues):
    cues = [(" ".join(text.split()), gap) for text, gap in cues]
    assume(all(text and "-->" not in text and "<" not in text and "&" not in text for text, _ in cues))
    assume(all(CONFIG.match_turn_start(text) is None for text, _ in cues))
    clock, blocks = 0, []
    for i, (text, gap) in enumerate(cues, 1):
        clock += gap
        blocks.append(f"{i}\n00:00:{clock:02d},000 --> 00:00:{clock:02d},500\n{text}\n")
        clock += 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "GEN.srt"
        path.write_text("\n".join(blocks), encoding="utf-8")
        [doc] = read_source(path, labels=CONFIG)
    segments = [doc.text[t.start:t.end] for t in doc.turns]
    assert all(s == s.strip() and s for s in segments)
    assert " ".join(segments).split() == " ".join(text for text, _ in cues).split()
    assert all(t.timestamp is not None for t in doc.turns)
