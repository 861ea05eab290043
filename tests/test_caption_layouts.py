"""Caption files as real programs write them: speakerless cues, rolling captions, names on their own line,
irregular timing lines. Every file here is invented; the real exports are scored in test_real_transcripts."""

from __future__ import annotations

from asymmetry_qda.readers import LabelConfig, read_source
from asymmetry_qda.readers.timed import Piece, group_pieces, paragraph_breaks

LABELS = LabelConfig()


def read(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    [doc] = read_source(path, labels=LABELS)
    return doc, [(doc.text[t.start:t.end], t.speaker, t.timestamp) for t in doc.turns]


def srt(*cues):
    return "\n".join(f"{i}\n{start} --> {end}\n{words}\n" for i, (start, end, words) in enumerate(cues, 1))


def test_speakerless_cues_become_paragraphs_at_sentence_ends_with_their_first_time(tmp_path):
    doc, turns = read(tmp_path, "talk.srt", srt(
        ("00:00:01,000", "00:00:03,000", "So we went down to the"),
        ("00:00:03,000", "00:00:05,000", "station, and nobody was there."),
        ("00:00:05,100", "00:00:07,000", "Nobody at all."),
        ("00:00:07,000", "00:00:08,000", "And then"),
        ("00:00:11,000", "00:00:12,000", "the sergeant rang.")))
    assert doc.kind == "fieldnote"
    assert turns == [("So we went down to the station, and nobody was there.", None, "00:00:01.000"),
                     ("Nobody at all.", None, "00:00:05.100"),
                     ("And then", None, "00:00:07.000"),  # a pause of 3 s ends a paragraph
                     ("the sergeant rang.", None, "00:00:11.000")]
    assert "paragraphs at sentence ends and pauses" in doc.outcome()


def test_cues_with_speakers_still_merge_into_turns(tmp_path):
    _, turns = read(tmp_path, "t.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Interviewer>Why?\n\n"
                    "00:02.000 --> 00:03.000\n<v P01>Because.\n\n00:03.000 --> 00:04.000\n<v P01>That's all.\n")
    assert turns == [("Why?", "Interviewer", "00:00:01.000"), ("Because. That's all.", "P01", "00:00:02.000")]


def test_unpunctuated_pieces_are_a_paragraph_each():
    pieces = [Piece("so yeah we went", 0, 1), Piece("down there and", 1, 2), Piece("it was fine", 2, 3)]
    assert paragraph_breaks(pieces) == [0, 1, 2]
    assert [u.timestamp for u in group_pieces(pieces)] == ["00:00:00", "00:00:01", "00:00:02"]


def test_a_long_run_without_a_sentence_end_is_cut_at_a_cue(tmp_path):
    pieces = [Piece("word " * 60 + ("." if i % 10 == 9 else ""), i, i + 1) for i in range(10)]
    breaks = paragraph_breaks(pieces)
    assert 1 < len(breaks) < 10 and all(len(" ".join(p.text for p in pieces[a:b])) <= 1000 + 301
                                        for a, b in zip(breaks, breaks[1:]))


ROLLING = """WEBVTT
Kind: captions
Language: en

00:00:01.000 --> 00:00:03.000 align:start position:0%
 
so<00:00:01.500><c> the</c><00:00:02.000><c> inspector</c>

00:00:03.000 --> 00:00:03.010 align:start position:0%
so the inspector
 

00:00:03.010 --> 00:00:05.000 align:start position:0%
so the inspector
said<00:00:04.000><c> it's</c><c.colorE5E5E5><00:00:04.500><c> on me</c></c>

00:00:05.000 --> 00:00:05.010 align:start position:0%
said it's on me
 

00:00:05.010 --> 00:00:07.000 align:start position:0%
said it's on me
every<00:00:06.000><c> time</c>
"""


def test_rolling_captions_keep_each_line_once(tmp_path):
    doc, turns = read(tmp_path, "auto.en.vtt", ROLLING)
    assert turns == [("so the inspector", None, "00:00:01.000"), ("said it's on me", None, "00:00:03.010"),
                     ("every time", None, "00:00:05.010")]
    assert "rolling captions" in doc.outcome()


def test_uploaded_captions_that_repeat_a_line_once_are_not_rolling(tmp_path):
    _, turns = read(tmp_path, "up.srt", srt(("00:00:01,000", "00:00:02,000", "Yes."),
                                            ("00:00:02,000", "00:00:03,000", "Yes."),
                                            ("00:00:03,000", "00:00:04,000", "No, I said it."),
                                            ("00:00:04,000", "00:00:05,000", "Right."),
                                            ("00:00:05,000", "00:00:06,000", "Fine.")))
    assert [t[0] for t in turns] == ["Yes.", "Yes.", "No, I said it.", "Right.", "Fine."]


def test_a_name_on_the_first_line_of_cues_is_the_speaker(tmp_path):
    doc, turns = read(tmp_path, "call.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nSam Jones\nWhy did you go?\n\n"
                      "00:00:02.000 --> 00:00:04.000\nPriya\nBecause I was told to.\n\n"
                      "00:00:04.000 --> 00:00:05.000\nSam Jones\nBy whom?\n\n"
                      "00:00:05.000 --> 00:00:06.000\nPriya\nThe duty inspector.\n")
    assert turns == [("Why did you go?", "Sam Jones", "00:00:01.000"),
                     ("Because I was told to.", "Priya", "00:00:02.000"),
                     ("By whom?", "Sam Jones", "00:00:04.000"), ("The duty inspector.", "Priya", "00:00:05.000")]
    assert "a name on each cue's first line" in doc.outcome()


def test_two_line_cues_of_talk_are_not_names(tmp_path):
    _, turns = read(tmp_path, "lec.srt", srt(("00:00:01,000", "00:00:02,000", "Well\nthat was the job."),
                                             ("00:00:02,000", "00:00:03,000", "And\nit still is.")))
    assert [t[1] for t in turns] == [None, None]


def test_irregular_timing_lines_are_read(tmp_path):
    # Teams' unpadded times with a voice tag, and a cue not followed by a blank line
    _, turns = read(tmp_path, "teams.vtt", "WEBVTT\n\n0:0:0.0 --> 0:0:0.570\n<v Ann Lee>Okay.</v>\n"
                    "0:0:0.570 --> 0:0:2.10\n<v Bo Chan>Hi, everyone.</v>\n")
    assert turns == [("Okay.", "Ann Lee", "00:00:00.0"), ("Hi, everyone.", "Bo Chan", "00:00:00.570")]


def test_srt_cue_number_without_a_blank_line_is_not_text(tmp_path):
    _, turns = read(tmp_path, "x.srt", "1\n00:00:01,000 --> 00:00:02,000\nFirst bit.\n2\n"
                    "00:00:02,000 --> 00:00:03,000\nSecond bit.\n")
    assert [t[0] for t in turns] == ["First bit.", "Second bit."]


def test_a_live_captioner_rewriting_from_the_start_is_kept_once(tmp_path):
    cues = [("00:00:00,000", "00:00:02,000", "Good morning."), ("00:00:02,000", "00:00:04,000", "Morning.")]
    doc, turns = read(tmp_path, "live.srt", srt(*cues, *cues, ("00:00:04,000", "00:00:05,000", "Sit down.")))
    assert [t[0] for t in turns] == ["Good morning.", "Morning.", "Sit down."]
    assert "2 repeated cues" in doc.outcome()


def test_an_unnamed_cue_among_named_ones_is_nobodys_turn_not_the_neighbours(tmp_path):
    cues = "".join(f"{i}\n00:00:0{i},000 --> 00:00:0{i},900\n{words}\n\n" for i, words in enumerate(
        ["Interviewer: Why?", "Ann Lee: Because.", "Yes. Okay.", "Ann Lee: That is all.", "Interviewer: Thanks.",
         "Ann Lee: Fine."], 1))
    doc, turns = read(tmp_path, "zoom.srt", cues)
    assert [t[1] for t in turns] == ["Interviewer", "Ann Lee", None, "Ann Lee", "Interviewer", "Ann Lee"]
    assert any("1 turn has no speaker" in note for note in doc.notes)


def test_where_names_come_only_when_the_speaker_changes_an_unnamed_cue_continues(tmp_path):
    cues = "".join(f"{i}\n00:00:0{i},000 --> 00:00:0{i},900\n{words}\n\n" for i, words in enumerate(
        ["Interviewer: Why did you", "go there?", "Ann Lee: Because", "I was sent.", "It was my shift."], 1))
    _, turns = read(tmp_path, "cc.srt", cues)
    assert turns == [("Why did you go there?", "Interviewer", "00:00:01.000"),
                     ("Because I was sent. It was my shift.", "Ann Lee", "00:00:03.000")]


def test_a_line_said_again_and_again_is_talk_without_per_word_times(tmp_path):
    _, turns = read(tmp_path, "yes.srt", srt(*[(f"00:00:0{i},000", f"00:00:0{i},900", "No.") for i in range(1, 5)]))
    assert [t[0] for t in turns] == ["No.", "No.", "No.", "No."]


def test_a_transcript_without_speakers_says_so(tmp_path):
    doc, _ = read(tmp_path, "w.srt", srt(("00:00:01,000", "00:00:02,000", "Hello."),
                                         ("00:00:02,000", "00:00:03,000", "Hi.")))
    [warning] = doc.warnings
    assert warning.startswith("a transcript in which no speaker is named") and "diarised" in warning
    doc, _ = read(tmp_path, "v.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ann>Hello.\n\n"
                  "00:02.000 --> 00:03.000\n<v Bo>Hi.\n")
    assert not any("no speaker is named" in w for w in doc.warnings)
