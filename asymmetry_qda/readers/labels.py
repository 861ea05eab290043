"""Speaker labels, interviewer labels and timestamps in transcripts.

A turn starts at the beginning of a line with an optional timestamp, a speaker
label, a colon and at least one space or tab, optionally followed by another
timestamp::

    Interviewer: So how long have you been in the job?
    [00:12:31] P07: Twenty years, nearly.
    Insp. R: (12:31) Well, um...
    **DCI M:** Markdown bold labels are accepted too.

The default label is one to four words, each starting with a capital letter or
a digit (``P07``, ``Insp. R``, ``DCI M``, ``Interviewer 2``). Pass your own
regular expression as ``label_pattern`` when transcripts use something else.

Examples
--------
>>> config = LabelConfig()
>>> m = config.match_turn_start("[00:12:31] P07: Twenty years.")
>>> (m.label, m.timestamp, m.text_offset)
('P07', '00:12:31', 16)
>>> config.is_interviewer("Interviewer 2"), config.is_interviewer("P07")
(True, False)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import InputError, Problem

#: Labels that mark the interviewer unless the user gives their own list.
DEFAULT_INTERVIEWER_LABELS: tuple[str, ...] = (
    "Interviewer", "Interviewer 1", "Interviewer 2", "Interviewer 3",
    "Int", "I", "Q", "Researcher", "Moderator", "Facilitator",
)

DEFAULT_LABEL_PATTERN = r"[A-Z0-9][\w'’.\-]*(?: [A-Z0-9][\w'’.\-]*){0,3}"

_TS_CORE = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_BRACKETED_TS = rf"\[{_TS_CORE}\]|\({_TS_CORE}\)"
_BARE_TS = r"\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?"
_ANY_TS = rf"(?:{_BRACKETED_TS}|{_BARE_TS})"
#: seconds from the start in brackets, as some diarisation pipelines write them: [2.8s]
_SECONDS_TS = r"\[\d+(?:\.\d+)?s\]"
_LINE_TS = rf"(?:{_BRACKETED_TS}|{_BARE_TS}|{_SECONDS_TS})"
_TIMESTAMP_LINE = re.compile(rf"^[ \t]*(?P<ts>{_LINE_TS})[ \t]*$")
#: a line that starts with a time and goes on with words: "00:00:06 Hello, and welcome", "[2.8s] Okay."
_TIMED_LINE = re.compile(rf"^[ \t]*(?P<ts>{_LINE_TS})[ \t]+(?=\S)")
#: the default label with a lower-case first letter allowed, for labels that are marked off ("[id1] words")
#: or recur ("interviewer: ..." on several lines)
_LOOSE_LABEL_PATTERN = r"[A-Za-z0-9][\w'’.\-]*(?: [A-Za-z0-9][\w'’.\-]*){0,3}"
#: a role after a label, as Zoom writes it: "Emma Lee (Host):", "Sam (SL):"
_ROLE = r"(?:[ \t]*\([^()\n]{1,24}\))?"
#: bracketed words at a line start that are transcribers' notes, not speakers
_NOT_SPEAKERS = frozenset({
    "inaudible", "unclear", "indistinct", "crosstalk", "cross talk", "overlapping", "overtalk", "laughs",
    "laughter", "laughing", "laugh", "pause", "long pause", "silence", "music", "applause", "noise", "coughs",
    "cough", "sighs", "sigh", "redacted", "interruption", "break", "end", "beginning", "background noise",
    "phone rings", "no audio", "audio cuts out", "foreign", "blank_audio", "sound",
})


def normalise_timestamp(raw: str) -> str:
    """``[12:31]``, ``(12:31)``, ``0:12:31`` and ``00:12:31,5`` as ``HH:MM:SS[.fff]``.

    Two fields are minutes and seconds; three are hours, minutes and seconds.

    A time in seconds (``[2.8s]``) is written as a clock time.

    >>> normalise_timestamp("(12:31)"), normalise_timestamp("1:02:03,5"), normalise_timestamp("[62.8s]")
    ('00:12:31', '01:02:03.5', '00:01:02.8')
    """
    core = raw.strip("[]() \t").replace(",", ".")
    if core.endswith("s") and ":" not in core:
        whole, _, fraction = core[:-1].partition(".")
        minutes, seconds = divmod(int(whole), 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours:02d}:{minutes:02d}:{seconds:02d}" + (f".{fraction}" if fraction else "")
    fraction = ""
    if "." in core:
        core, fraction = core.split(".", 1)
        fraction = "." + fraction
    parts = [int(p) for p in core.split(":")]
    if len(parts) == 2:
        parts.insert(0, 0)
    hours, minutes, seconds = parts
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{fraction}"


def _without_groups(pattern: str) -> str:
    """``pattern`` with its capturing groups (numbered or named) made non-capturing, so that it cannot clash
    with the groups of the turn pattern around it. Escapes (``\\(``) and character classes (``[(]``) are
    left alone; a back-reference by number or name cannot survive that and is refused.

    >>> _without_groups(r"(Dr|Prof)\\. \\w+ \\(\\w+\\)")
    '(?:Dr|Prof)\\\\. \\\\w+ \\\\(\\\\w+\\\\)'
    >>> _without_groups(r"(?P<who>[A-Z][a-z]+)[(]?")
    '(?:[A-Z][a-z]+)[(]?'
    """
    out, i, n, in_class = [], 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 < n and (pattern[i + 1].isdigit() and pattern[i + 1] != "0" or pattern[i + 1] == "g"):
                raise InputError(Problem("label_pattern", f"{pattern!r} refers back to a group "
                                         f"({pattern[i:i + 2]}...), which cannot work inside the turn pattern",
                                         fix="write the label pattern without back-references"))
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
            out.append(c)
        elif c == "[":
            in_class = True
            out.append(c)
            if pattern[i + 1:i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1:i + 2] == "]":  # a ']' first in a class is a literal
                out.append("]")
                i += 1
        elif c == "(" and not pattern.startswith("(?", i):
            out.append("(?:")
        elif pattern.startswith("(?P<", i):
            out.append("(?:")
            i = pattern.index(">", i)
        elif pattern.startswith("(?P=", i):
            raise InputError(Problem("label_pattern", f"{pattern!r} refers back to a named group, which cannot "
                                     "work inside the turn pattern",
                                     fix="write the label pattern without back-references"))
        else:
            out.append(c)
        i += 1
    return "".join(out)


@dataclass(frozen=True, slots=True)
class TurnStart:
    """A line that starts a turn: its label, timestamp, and where the words begin."""

    label: str
    timestamp: str | None
    text_offset: int  # offset of the first character of the words within the line


@dataclass(frozen=True)
class LabelConfig:
    """How speaker labels, interviewer labels and timestamps are recognised.

    Parameters
    ----------
    interviewer_labels
        Labels (compared without case, surrounding space or markdown ``**``)
        that mark interviewer turns. ``None`` uses
        :data:`DEFAULT_INTERVIEWER_LABELS`; a list replaces it.
    label_pattern
        Regular expression for one speaker label (without the colon).
    """

    interviewer_labels: tuple[str, ...] | None = None
    label_pattern: str = DEFAULT_LABEL_PATTERN
    _turn_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _header_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _loose_turn_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _marked_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _time_first_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _interviewers: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            label_re = re.compile(self.label_pattern)
        except re.error as exc:
            raise InputError(Problem("label_pattern", f"{self.label_pattern!r} is not a valid "
                                     f"regular expression ({exc})",
                                     fix="escape special characters such as '.' or '('")) from None
        pattern = _without_groups(self.label_pattern) if label_re.groups else self.label_pattern
        loose = _LOOSE_LABEL_PATTERN if self.label_pattern == DEFAULT_LABEL_PATTERN else pattern

        def turn(label: str) -> re.Pattern[str]:
            # leading spaces, a time, markdown bold around the time and label ("**[00:18] SPEAKER_01:**"), a
            # role after the label ("Sam (SL):"), the colon, another time
            return re.compile(
                rf"^[ \t]*(?P<bold0>\*\*)?(?:(?P<ts1>{_ANY_TS})[ \t]+)?(?P<bold>\*\*)?(?P<label>{label}{_ROLE})"
                rf"(?:\*\*)?[ \t]*:(?(bold)(?:\*\*)?)(?(bold0)(?:\*\*)?)"
                # the words after the label, or (a bold label alone on its line: "**SPEAKER_00:**") below it
                rf"(?:[ \t]+(?:(?P<ts2>{_ANY_TS})[ \t]+)?|(?(bold)[ \t]*$|(?(bold0)[ \t]*$|(?!))))")

        object.__setattr__(self, "_turn_re", turn(pattern))
        object.__setattr__(self, "_loose_turn_re", turn(loose))
        # a label marked off by brackets or bold, then the words: "[id1] hello", "**Sam** Right."
        object.__setattr__(self, "_marked_re", re.compile(
            rf"^[ \t]*(?:\[(?P<b>{loose})\]|\*\*(?P<s>{loose})\*\*)[ \t]+(?=\S)(?![\[(]?{_TS_CORE})"))
        # a turn header: the label and a time, with the words on the next lines (Otter: "Emma  0:05"; Zoom's
        # saved transcript: "[Emma] 11:02:09"), or after it on the same line when the label is marked off
        # ("**Emma** [00:00:05] Hello"), so that ordinary talk starting "Meeting 10:30 ..." is not a header
        # a name in brackets may hold what a label may not: "[Birje, Shreya]", "[ATL - Room 2]"
        header = (
            rf"^(?:(?P<open>\*\*|\[)(?P<marked>{pattern}|(?<=\[)[^\[\]\n:]{{1,60}}(?=\]))(?:\*\*|\])"
            rf"|(?P<plain>{pattern}))[ \t]+"
            rf"[\[(]?(?P<ts>{_TS_CORE})[\])]?"
            rf"(?:[ \t]*$|(?(open)(?:(?<=[\])])[ \t]*|[ \t]+)(?=\S)|(?!)))"
        )
        object.__setattr__(self, "_header_re", re.compile(header))
        # the time first, a dash, the name alone on the line (Fathom: "@0:25 - Nicole Howard", "12:40 - Chris");
        # the name may carry a role or an e-mail address in brackets
        object.__setattr__(self, "_time_first_re", re.compile(
            rf"^[ \t]*@?[\[(]?(?P<ts>{_TS_CORE})[\])]?[ \t]+[-–—][ \t]+"
            rf"(?P<label>{pattern}(?:[ \t]*\([^()\n]{{1,48}}\))?)[ \t]*$"))
        labels = DEFAULT_INTERVIEWER_LABELS if self.interviewer_labels is None else self.interviewer_labels
        object.__setattr__(self, "_interviewers", frozenset(_label_key(x) for x in labels))

    @classmethod
    def build(cls, interviewer_labels: Iterable[str] | None = None,
              label_pattern: str | None = None) -> "LabelConfig":
        """Build from user options, where ``None`` means "the default"."""
        return cls(
            interviewer_labels=None if interviewer_labels is None else tuple(interviewer_labels),
            label_pattern=label_pattern or DEFAULT_LABEL_PATTERN,
        )

    def match_turn_start(self, line: str) -> TurnStart | None:
        """The turn that ``line`` starts, or ``None`` if it continues a turn."""
        return _turn_start(self._turn_re.match(line))

    def match_loose_turn_start(self, line: str) -> TurnStart | None:
        """Like :meth:`match_turn_start`, but a default label may start with a lower-case letter
        (``interviewer: ...``). Such a label is a speaker only where it recurs: the caller decides.

        >>> LabelConfig().match_loose_turn_start("respondent: yes").label
        'respondent'
        """
        return _turn_start(self._loose_turn_re.match(line))

    def match_marked_label(self, line: str) -> TurnStart | None:
        """The turn that a line starting with a bracketed or bold label and no colon starts, or ``None``.

        Transcribers' notes (``[inaudible]``, ``[laughs]``) are not labels.

        >>> config = LabelConfig()
        >>> [(m.label, m.text_offset) for m in map(config.match_marked_label,
        ...     ["[id1] hello, I like it", "**Sam** Right.", "[laughs] yes", "[00:12] hi", "[2.8s] Okay."]) if m]
        [('id1', 6), ('Sam', 8)]
        """
        m = self._marked_re.match(line)
        if m is None or _TIMED_LINE.match(line):
            return None
        label = (m.group("b") or m.group("s")).strip()
        if label.casefold() in _NOT_SPEAKERS:
            return None
        return TurnStart(label=label, timestamp=None, text_offset=m.end())

    @staticmethod
    def match_timed_line(line: str) -> TurnStart | None:
        """A line that starts with a time and goes on with words, as a turn without a label (``label=""``).

        >>> m = LabelConfig.match_timed_line("00:00:06 Hello, and welcome")
        >>> (m.timestamp, m.text_offset)
        ('00:00:06', 9)
        """
        m = _TIMED_LINE.match(line)
        if m is None:
            return None
        return TurnStart(label="", timestamp=normalise_timestamp(m.group("ts")), text_offset=m.end())

    def match_turn_header(self, line: str) -> TurnStart | None:
        """The turn that a header line (a label and a time, no colon) starts, or ``None``.

        >>> config = LabelConfig()
        >>> [(m.label, m.timestamp, m.text_offset) for m in map(config.match_turn_header,
        ...     ["Unknown Speaker  0:35  ", "[G3P1] 19:00:41", "**Kelly** [00:01:02] Hi all",
        ...      "[Birje, Shreya] 10:02:11", "@0:25 - Nicole Howard", "12:40 - Matt Kerns (mk@example.org)"]) if m]
        [('Unknown Speaker', '00:00:35', 23), ('G3P1', '19:00:41', 15), ('Kelly', '00:01:02', 21), \
('Birje, Shreya', '10:02:11', 24), ('Nicole Howard', '00:00:25', 21), ('Matt Kerns (mk@example.org)', '00:12:40', 35)]
        >>> config.match_turn_header("Meeting 10:30 was moved"), config.match_turn_header("P01: 10:30")
        (None, None)
        """
        m = self._header_re.match(line)
        if m is None:
            m = self._time_first_re.match(line)
            if m is None:
                return None
            return TurnStart(label=m.group("label").strip(), timestamp=normalise_timestamp(m.group("ts")),
                             text_offset=m.end())
        return TurnStart(label=(m.group("marked") or m.group("plain")).strip(),
                         timestamp=normalise_timestamp(m.group("ts")), text_offset=m.end())

    @staticmethod
    def match_timestamp_line(line: str) -> str | None:
        """The timestamp if ``line`` holds nothing else, else ``None``."""
        m = _TIMESTAMP_LINE.match(line)
        return normalise_timestamp(m.group("ts")) if m else None

    def is_interviewer(self, label: str) -> bool:
        return _label_key(label) in self._interviewers


def _turn_start(m: re.Match[str] | None) -> TurnStart | None:
    """The turn a match of the turn pattern starts: its label, its timestamp (before or after the label)."""
    if m is None:
        return None
    raw_ts = m.group("ts1") or m.group("ts2")
    return TurnStart(label=m.group("label").strip(), timestamp=normalise_timestamp(raw_ts) if raw_ts else None,
                     text_offset=m.end())


def _label_key(label: str) -> str:
    """A label as compared with the interviewer labels: case, markdown ``**``, spacing, a number written
    against the word (``Interviewer1``) and a role in parentheses after it (Zoom's ``Interviewer (Host)``)
    do not count.

    >>> [_label_key(x) for x in ("**Interviewer 2**", "Interviewer1", "interviewer (Host)", "P07")]
    ['interviewer 2', 'interviewer 1', 'interviewer', 'p07']
    """
    key = " ".join(label.strip().strip("*").split()).casefold()
    key = re.sub(r"\s*\([^()]{1,24}\)$", "", key) or key
    return re.sub(r"^([^\W\d_]{2,})(\d+)$", r"\1 \2", key)
