import pytest

from asymmetry_qda.errors import InputError
from asymmetry_qda.readers.labels import LabelConfig, normalise_timestamp


@pytest.mark.parametrize(
    ("line", "label", "timestamp", "words"),
    [
        ("Interviewer: So, how long?", "Interviewer", None, "So, how long?"),
        ("P07: Twenty years.", "P07", None, "Twenty years."),
        ("Insp. R: Well, um...", "Insp. R", None, "Well, um..."),
        ("DCI M: Right.", "DCI M", None, "Right."),
        ("Interviewer 2: Goodness.", "Interviewer 2", None, "Goodness."),
        ("[00:12:31] P07: Yes.", "P07", "00:12:31", "Yes."),
        ("00:12:31 P07: Yes.", "P07", "00:12:31", "Yes."),
        ("Insp. R: (12:31) So...", "Insp. R", "00:12:31", "So..."),
        ("**DCI M:** Bold label.", "DCI M", None, "Bold label."),
        ("**Interviewer**: Bold, colon outside.", "Interviewer", None, "Bold, colon outside."),
        ("Sgt. D:\tTabbed.", "Sgt. D", None, "Tabbed."),
        # layouts of real exports (issue 19)
        ("  P07: An indented label.", "P07", None, "An indented label."),
        ("Sam Okafor (SL): Zoom's role after the name.", "Sam Okafor (SL)", None, "Zoom's role after the name."),
        ("**[00:18] SPEAKER_01:** Bold around time and label.", "SPEAKER_01", "00:00:18", "Bold around time and label."),
        ("**SPEAKER_00:**", "SPEAKER_00", None, ""),  # a bold label alone on its line: the words are below
    ],
)
def test_turn_starts(line, label, timestamp, words):
    hit = LabelConfig().match_turn_start(line)
    assert hit is not None
    assert (hit.label, hit.timestamp, line[hit.text_offset:]) == (label, timestamp, words)


@pytest.mark.parametrize(
    "line",
    [
        "and then he said: no way",       # lower case: not a label
        "So the thing is: nobody knows",  # more than four words before the colon
        "P07:",  # a plain label alone on its line is not a turn start ("Notes:" in a field note)
        "P07:no space after the colon",
        "http://example.org",
        "12:31 is when it happened",
    ],
)
def test_continuation_lines_are_not_turn_starts(line):
    assert LabelConfig().match_turn_start(line) is None


def test_interviewer_labels_default_and_replacement():
    default = LabelConfig()
    assert default.is_interviewer("interviewer") and default.is_interviewer("**Q**") and default.is_interviewer("I")
    assert not default.is_interviewer("P01")
    custom = LabelConfig.build(["Researcher A"])
    assert custom.is_interviewer("researcher  a")
    assert not custom.is_interviewer("Interviewer")


def test_custom_label_pattern_and_bad_regex():
    config = LabelConfig.build(label_pattern=r"speaker \d+")
    assert config.match_turn_start("speaker 3: hello").label == "speaker 3"
    assert config.match_turn_start("Interviewer: hello") is None
    with pytest.raises(InputError, match="label_pattern: '\\(' is not a valid regular expression"):
        LabelConfig.build(label_pattern="(")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("[00:12:31]", "00:12:31"), ("(12:31)", "00:12:31"), ("1:02:03,5", "01:02:03.5"), ("00:00:01.200", "00:00:01.200")],
)
def test_timestamps_are_normalised(raw, expected):
    assert normalise_timestamp(raw) == expected


def test_timestamp_only_line():
    assert LabelConfig.match_timestamp_line("  [01:02:03]  ") == "01:02:03"
    assert LabelConfig.match_timestamp_line("[01:02:03] P01: hi") is None


@pytest.mark.parametrize(("pattern", "line", "label"), [
    (r"(Dr|Prof) [A-Z]\w+", "Dr Okoro: It lands on me.", "Dr Okoro"),
    (r"[A-Z]\w+ \([A-Z]+\)", "Sam (SL): We start at six.", "Sam (SL)"),          # an escaped '(' stays escaped
    (r"(?P<name>[A-Z]\w+)[(]?\w*[)]?", "Sam(SL): We start at six.", "Sam(SL)"),  # a '(' in a class stays
    (r"([A-Z]\w+) \((SL|PS)\)", "Sam (PS): We start at six.", "Sam (PS)"),
])
def test_a_label_pattern_with_groups_escapes_and_classes_matches_as_written(pattern, line, label):
    match = LabelConfig(label_pattern=pattern).match_turn_start(line)
    assert match is not None and match.label == label


def test_a_label_pattern_that_refers_back_to_a_group_is_refused_with_a_fix():
    with pytest.raises(InputError, match="back-references"):
        LabelConfig(label_pattern=r"([A-Z])\w+\1")


@pytest.mark.parametrize(("label", "interviewer"), [
    ("Interviewer1", True), ("interviewer 2", True), ("**Interviewer**", True), ("Interviewer (Host)", True),
    ("Moderator (SL)", True), ("P07", False), ("Interviewee1", False), ("Interviewers", False),
])
def test_interviewer_labels_allow_a_number_against_the_word_and_a_role_after_it(label, interviewer):
    assert LabelConfig().is_interviewer(label) is interviewer


def test_a_role_suffix_read_with_a_label_pattern_still_marks_the_interviewer():
    config = LabelConfig(label_pattern=r"[A-Z]\w+(?: \([A-Za-z]+\))?")
    match = config.match_turn_start("Interviewer (Host): Shall we start?")
    assert match.label == "Interviewer (Host)" and config.is_interviewer(match.label)
