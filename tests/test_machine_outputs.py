"""Speech recognisers' machine outputs (.json, .tsv): Whisper, WhisperX, faster-whisper, AWS Transcribe. Every
file here is invented except in the last tests, which read the real exports of tests/data/real_transcripts/ and
compare them with what a person counted in them (manifest.json)."""

from __future__ import annotations

import json

import pytest

from asymmetry_qda.errors import InputError
from asymmetry_qda.readers import SUPPORTED_EXTENSIONS, LabelConfig, read_source

from .conftest import REPO

LABELS = LabelConfig()
CORPUS = REPO / "tests" / "data" / "real_transcripts"


def read(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    [doc] = read_source(path, labels=LABELS)
    return doc, [(doc.text[t.start:t.end], t.speaker, t.timestamp) for t in doc.turns]


def whisper(*segments):
    """openai-whisper JSON of ``(start, end, text[, speaker])`` segments."""
    out = []
    for i, (start, end, words, *speaker) in enumerate(segments):
        segment = {"id": i, "seek": 0, "start": start, "end": end, "text": words, "tokens": [50364, 50414]}
        out.append({**segment, "speaker": speaker[0]} if speaker else segment)
    return {"text": "".join(s[2] for s in segments), "segments": out, "language": "en"}


def test_json_and_tsv_are_supported_extensions():
    assert {".json", ".tsv"} <= set(SUPPORTED_EXTENSIONS)


def test_whisper_json_segments_become_paragraphs_at_sentence_ends_and_pauses(tmp_path):
    doc, turns = read(tmp_path, "lesson.json", whisper(
        (0.0, 2.5, " So we went down to the"),
        (2.5, 4.0, " station, and nobody was there."),
        (4.1, 6.0, " Nobody at all. And then"),
        (9.0, 11.0, " the sergeant rang.")))
    assert doc.kind == "fieldnote" and doc.doc_id == "lesson" and doc.source_format == "json"
    assert turns == [("So we went down to the station, and nobody was there.", None, "00:00:00"),
                     ("Nobody at all. And then", None, "00:00:04.100"),  # a pause of 3 s ends a paragraph
                     ("the sergeant rang.", None, "00:00:09")]
    assert doc.text == ("So we went down to the station, and nobody was there.\n\nNobody at all. And then\n\n"
                        "the sergeant rang.\n")
    assert doc.layout == "Whisper JSON, speakerless segments in paragraphs at sentence ends and pauses"
    assert "field note, 3 paragraphs; layout: json, Whisper JSON" in doc.outcome()


def test_whisper_json_with_speakers_merges_a_speakers_segments_and_finds_the_interviewer(tmp_path):
    doc, turns = read(tmp_path, "int01.json", whisper(
        (0.0, 1.5, " How long have you", "Interviewer"),
        (1.5, 2.0, " been here?", "Interviewer"),
        (2.2, 5.0, " Six years.", "P01"),
        (5.0, 7.25, " Nearly seven.", "P01"),
        (8.0, 9.0, " Thanks.", "Interviewer")))
    assert doc.kind == "interview"
    assert turns == [("How long have you been here?", "Interviewer", "00:00:00"),
                     ("Six years. Nearly seven.", "P01", "00:00:02.200"),
                     ("Thanks.", "Interviewer", "00:00:08")]
    assert [t.is_interviewer for t in doc.turns] == [True, False, True]
    assert doc.text.startswith("Interviewer: How long have you been here?\n\nP01: Six years. Nearly seven.\n")


def test_whisperx_diarised_json_keeps_the_speaker_labels(tmp_path):
    words = [{"word": "Hello", "start": 0.1, "end": 0.4, "score": 0.9, "speaker": "SPEAKER_00"}]
    data = {"segments": [
        {"start": 0.1, "end": 1.2, "text": " Hello, thanks for joining.", "words": words, "speaker": "SPEAKER_00"},
        {"start": 1.5, "end": 3.0, "text": " Happy to be here.", "words": [], "speaker": "SPEAKER_01"},
        {"start": 3.0, "end": 4.5, "text": " It was a long drive.", "words": [], "speaker": "SPEAKER_01"},
        {"start": 4.6, "end": 5.0, "text": " Right.", "words": []},  # no speaker assigned: nobody's, kept apart
        {"start": 5.5, "end": 6.0, "text": " So tell me.", "words": [], "speaker": "SPEAKER_00"}],
        "word_segments": words, "language": "en"}
    doc, turns = read(tmp_path, "dx.json", data)
    assert turns == [("Hello, thanks for joining.", "SPEAKER_00", "00:00:00.100"),
                     ("Happy to be here. It was a long drive.", "SPEAKER_01", "00:00:01.500"),
                     ("Right.", None, "00:00:04.600"),
                     ("So tell me.", "SPEAKER_00", "00:00:05.500")]
    assert doc.layout == "WhisperX JSON with 2 diarised speakers"
    assert not any(t.is_interviewer for t in doc.turns)  # SPEAKER_00 is not guessed to be the interviewer
    assert any("no interviewer turn" in w and "SPEAKER_00" in w for w in doc.warnings)


def test_whisperx_json_without_diarisation_is_speakerless_paragraphs(tmp_path):
    words = [{"word": "Yes.", "start": 0.0, "end": 0.5, "score": 0.9}]
    doc, turns = read(tmp_path, "wx.json", {"segments": [{"start": 0.0, "end": 0.5, "text": " Yes."}],
                                            "word_segments": words})
    assert turns == [("Yes.", None, "00:00:00")]
    assert doc.layout.startswith("WhisperX JSON, speakerless")


def test_a_diarised_speaker_with_one_turn_gets_no_note_about_label_patterns(tmp_path):
    doc, turns = read(tmp_path, "three.json", {"segments": [
        {"start": 0.0, "end": 1.0, "text": " Hi.", "speaker": "SPEAKER_00"},
        {"start": 1.0, "end": 2.0, "text": " Hello.", "speaker": "SPEAKER_01"},
        {"start": 2.0, "end": 3.0, "text": " Sorry I'm late.", "speaker": "SPEAKER_02"},
        {"start": 3.0, "end": 4.0, "text": " Sit down.", "speaker": "SPEAKER_00"},
        {"start": 4.0, "end": 5.0, "text": " Thanks.", "speaker": "SPEAKER_01"}]})
    assert [t[1] for t in turns] == ["SPEAKER_00", "SPEAKER_01", "SPEAKER_02", "SPEAKER_00", "SPEAKER_01"]
    assert not any("occurs only once" in n or "line None" in n for n in doc.notes)


def test_faster_whisper_segment_list(tmp_path):
    doc, turns = read(tmp_path, "fw.json", [{"id": 1, "start": 0.0, "end": 2.0, "text": " One thing."},
                                            {"id": 2, "start": 2.0, "end": 3.0, "text": " Another."}])
    assert turns == [("One thing.", None, "00:00:00"), ("Another.", None, "00:00:02")]
    assert doc.layout.startswith("faster-whisper JSON segment list, speakerless")


def aws_item(content, start=None, end=None, speaker=None):
    if start is None:
        return {"alternatives": [{"confidence": "0.0", "content": content}], "type": "punctuation"}
    item = {"start_time": start, "end_time": end, "alternatives": [{"confidence": "0.99", "content": content}],
            "type": "pronunciation"}
    return {**item, "speaker_label": speaker} if speaker else item


def aws(items, segments=None):
    results = {"transcripts": [{"transcript": "ignored"}], "items": items}
    if segments is not None:
        results["speaker_labels"] = {"speakers": len({s[0] for s in segments}), "segments": [
            {"start_time": a, "end_time": b, "speaker_label": who,
             "items": [{"start_time": t, "end_time": "0", "speaker_label": who} for t in starts]}
            for who, a, b, starts in segments]}
    return {"jobName": "job", "accountId": "XXXXXXXXXXXX", "results": results, "status": "COMPLETED"}


def test_aws_transcribe_with_speaker_labels_assigns_words_by_time(tmp_path):
    items = [aws_item("Why", "0.5", "0.7"), aws_item("did", "0.7", "0.8"), aws_item("you", "0.8", "1.0"),
             aws_item("stay", "1.0", "1.3"), aws_item("?"),
             aws_item("Well", "2.0", "2.3"), aws_item(","), aws_item("money", "2.4", "2.9"), aws_item("."),
             aws_item("Mostly", "3.5", "3.9"), aws_item("."),  # in no segment's items: by the segment's span
             aws_item("Okay", "5.0", "5.4"), aws_item(".")]
    segments = [("spk_0", "0.5", "1.3", ["0.5", "0.7", "0.8", "1.0"]),
                ("spk_1", "2.0", "2.9", ["2.4"]),  # "Well" (2.0) is not listed: the segment's span holds it
                ("spk_1", "3.5", "3.9", []),
                ("spk_0", "5.0", "5.4", ["5.0"])]
    doc, turns = read(tmp_path, "job.json", aws(items, segments))
    assert turns == [("Why did you stay?", "spk_0", "00:00:00.500"),
                     ("Well, money. Mostly.", "spk_1", "00:00:02"),
                     ("Okay.", "spk_0", "00:00:05")]
    assert doc.layout == "AWS Transcribe JSON with 2 diarised speakers"
    assert not any("occurs only once" in n for n in doc.notes)


def test_aws_transcribe_item_level_speaker_labels_are_read(tmp_path):
    items = [aws_item("Hi", "0.1", "0.3", "spk_0"), aws_item("."), aws_item("Hello", "0.5", "0.9", "spk_1"),
             aws_item("there", "0.9", "1.2", "spk_1"), aws_item("!")]
    _, turns = read(tmp_path, "job2.json", aws(items))
    assert turns == [("Hi.", "spk_0", "00:00:00.100"), ("Hello there!", "spk_1", "00:00:00.500")]


def test_aws_transcribe_without_speaker_labels_cuts_at_sentence_ends(tmp_path):
    items = [aws_item("It", "0.0", "0.2"), aws_item("rained", "0.2", "0.6"), aws_item("."),
             aws_item("We", "0.8", "0.9"), aws_item("stayed", "0.9", "1.3"), aws_item("in", "1.3", "1.4"),
             aws_item("."), aws_item("Then", "6.25", "6.5"), aws_item("sun", "6.5", "7.0")]
    doc, turns = read(tmp_path, "plain.json", aws(items))
    assert doc.kind == "fieldnote"
    assert turns == [("It rained.", None, "00:00:00"), ("We stayed in.", None, "00:00:00.800"),
                     ("Then sun", None, "00:00:06.250")]
    assert doc.layout == "AWS Transcribe JSON, speakerless segments in paragraphs at sentence ends and pauses"


def test_whisper_tsv_times_are_milliseconds(tmp_path):
    doc, turns = read(tmp_path, "talk.tsv", "start\tend\ttext\n31\t2434\tOK, so welcome to the\n"
                      "2434\t4000\tshow.\n\n4000\t4100\n4100\t5000\tThanks.\n")  # a row without words
    assert turns == [("OK, so welcome to the show.", None, "00:00:00.031"), ("Thanks.", None, "00:00:04.100")]
    assert [t.line for t in doc.turns] == [2, 6]
    assert doc.layout == "Whisper TSV (times in milliseconds), speakerless segments in paragraphs at sentence ends " \
                         "and pauses"


def test_tsv_times_with_a_decimal_point_are_seconds_and_a_speaker_column_is_read(tmp_path):
    doc, turns = read(tmp_path, "secs.tsv", "speaker\tstart\tend\ttext\nInterviewer\t0.5\t2.0\tWhy?\n"
                      "P02\t2.25\t4\tBecause.\nP02\t00:00:04.000\t00:00:05.000\tThat's all.\n")
    # "4" has no decimal point: milliseconds, as whisper writes them
    assert turns == [("Why?", "Interviewer", "00:00:00.500"), ("Because. That's all.", "P02", "00:00:02.250")]
    assert doc.layout == "Whisper TSV (times in milliseconds and seconds and clock times) with 2 diarised speakers"


def test_tsv_seconds_only(tmp_path):
    doc, turns = read(tmp_path, "s.tsv", "start\tend\ttext\n0.0\t11.0\tAsk not.\n")
    assert turns == [("Ask not.", None, "00:00:00")]
    assert doc.layout.startswith("Whisper TSV (times in seconds)")


@pytest.mark.parametrize("name, content, expected", [
    ("cut.json", '{"segments": [\n  {"start": 0.0, "end": 1.0,\n   "text": " Hi"\n',
     r"cut\.json line 4: this is not valid JSON"),
    ("settings.json", {"theme": "dark", "fontSize": 12},
     r"settings\.json: this JSON is not a speech recogniser's transcript \(its top level is an object with keys "
     r"'theme', 'fontSize'\); \.json is read as openai-whisper or WhisperX JSON.*AWS Transcribe.*Fix: export the "
     r"transcript as \.srt, \.vtt or \.txt.*leave it out \(a folder ingest skips such a file"),
    ("manifest.json", [{"id": "a", "file": "x.vtt"}],
     r"manifest\.json: this JSON is not a speech recogniser's transcript \(its top level is a list of 1 items"),
    ("api.json", {"text": "Hello there."}, r"api\.json: this JSON holds a transcript's 'text' but no timed "
     r"'segments'.*Fix: ask for response_format 'verbose_json'"),
    ("badtime.json", {"segments": [{"start": 0, "end": 1, "text": "a"}, {"start": "soon", "end": 2, "text": "b"}]},
     r"badtime\.json: segment 2 of 'segments': start is 'soon', not a number of seconds"),
    ("badseg.json", {"segments": ["hello"]}, r"badseg\.json: segment 1 of 'segments' is not an object with a 'text'"),
    ("silence.json", {"text": "", "segments": [], "language": "en"},
     r"silence\.json: this Whisper JSON file holds no words"),
    ("awstime.json", aws([aws_item("Hi", "zero", "0.3")]),
     r"awstime\.json: results\.items item 1: start_time is 'zero', not a number of seconds"),
    ("awsword.json", aws([{"type": "pronunciation", "start_time": "0", "end_time": "1"}]),
     r"awsword\.json: results\.items item 1 has no alternatives\[0\]\.content"),
    ("noheader.tsv", "0\t11000\tAnd so my fellow Americans\n",
     r"noheader\.tsv line 1: the first row must be a header naming the columns start, end and text .*found '0', "
     r"'11000', 'And so my fellow Americans'"),
    ("badms.tsv", "start\tend\ttext\n0\t1000\tFine.\n1000\t2 s\tNot fine.\n",
     r"badms\.tsv line 3: the end time '2 s' is not a number"),
    ("short.tsv", "start\tend\ttext\n0 1000 Spaces, not tabs.\n",
     r"short\.tsv line 2: this row has 1 tab-separated cell"),
    ("header.tsv", "start\tend\ttext\n", r"header\.tsv: this Whisper TSV file holds no words"),
])
def test_errors_name_the_file_and_line(tmp_path, name, content, expected):
    with pytest.raises(InputError, match=expected):
        read(tmp_path, name, content)


def test_invalid_json_error_carries_the_line(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text('{\n  "segments": [\n    {"start": 0.0,, "end": 1.0}\n  ]\n}\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_source(path, labels=LABELS)
    [problem] = caught.value.problems
    assert (problem.source, problem.line) == ("cut.json", 3)


def test_a_folder_with_an_unrelated_json_skips_it_and_lists_it_but_a_named_file_is_refused(project, write):
    write("INT07.txt", "Interviewer: Why?\n\nP07: Because.\n")
    write("talk.json", json.dumps(whisper((0.0, 1.0, " Hello."))))
    manifest = write("manifest.json", json.dumps([{"id": "x", "file": "a.vtt"}]))
    with pytest.raises(InputError) as caught:
        project.ingest(manifest, pipeline="blank")
    [problem] = caught.value.problems
    assert problem.source == "manifest.json" and "not a speech recogniser's transcript" in problem.message
    assert "leave it out" in problem.fix
    assert project.documents().empty
    report = project.ingest(manifest.parent, pipeline="blank")
    assert sorted(report.documents["doc_id"]) == ["INT07", "talk"]
    [skipped] = [s for s in report.skipped_files if "manifest.json" in s]
    assert "not a transcript: this JSON is not a speech recogniser's transcript" in skipped


REAL = {"whisper_jfk_json", "whisper_jfk_tsv", "whisper_lesson_json", "whisperx_deepdive_tsv", "aws_json_speakers"}


def _squash(text):
    return " ".join("".join(c if c.isalnum() else " " for c in text.casefold().replace("'", "")).split())


@pytest.mark.parametrize("entry", [e for e in json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
                                   if e["id"] in REAL], ids=lambda e: e["id"])
def test_real_recogniser_outputs_match_what_a_person_counted(entry):
    [doc] = read_source(CORPUS / entry["file"], labels=LABELS)
    speakers = [t.speaker for t in doc.turns]
    runs = sum(1 for i, s in enumerate(speakers) if i == 0 or s != speakers[i - 1])
    assert sorted({s for s in speakers if s}) == sorted(entry["speakers"])
    if entry["unit"] == "turn":
        assert runs == entry["turns"] and doc.kind == "interview"
    else:
        assert doc.kind == "fieldnote" and (len(doc.turns) >= 2) == (entry["turns"] >= 2)
    assert all(t.timestamp for t in doc.turns) == bool(entry["timestamps"])
    words = _squash(" ".join(doc.text[t.start:t.end] for t in doc.turns))
    assert words.startswith(_squash(entry["first_words"])) and words.endswith(_squash(entry["last_words"]))
    for t in doc.turns:  # offsets: each turn is exactly its words, its label (if any) right before it
        assert doc.text[t.start:t.end] == doc.text[t.start:t.end].strip() != ""
        assert doc.text[:t.start].endswith(f"{t.speaker}: " if t.speaker else "\n") or t.start == 0


def test_real_whisper_json_segments_are_all_kept_in_order():
    data = json.loads((CORPUS / "whisper" / "english_lesson.json").read_text(encoding="utf-8"))
    [doc] = read_source(CORPUS / "whisper" / "english_lesson.json", labels=LABELS)
    joined = " ".join(doc.text[t.start:t.end] for t in doc.turns)
    assert joined == " ".join(s["text"].strip() for s in data["segments"])
    assert doc.turns[1].timestamp == "00:00:35.400"  # segment 5, after the first sentence end at a segment end
