"""Timed pieces of talk (caption cues, a recogniser's segments) made into turns or paragraphs.

Caption files and speech recognisers cut talk by time, not by meaning: a cue or
segment is a few seconds long and often stops mid-sentence. Where the pieces
name their speakers, a speaker's consecutive pieces form one turn. A piece
without a speaker continues the turn before it where names are given only when
the speaker changes; where at least :data:`NAMED_SHARE` of the pieces name
their speaker (Zoom, Teams, a diariser), an unnamed piece is a turn of its own
without a speaker rather than a guess at the neighbour's. Where no piece names a
speaker, the pieces are joined into paragraphs: a paragraph ends with the first
piece whose words end a sentence (``.``, ``?``, ``!``, ``…``), before a pause
of :data:`PAUSE` seconds or more, or once it holds :data:`MAX_CHARS`
characters. Pieces with no sentence punctuation at all (automatic captions:
fewer than one sentence end in :data:`UNPUNCTUATED` pieces) give no sentence to
end at, so each piece is a paragraph of its own. Each turn or paragraph starts at
the time of its first piece, so that no sentence is cut across two segments
and every segment keeps its time.

Examples
--------
>>> pieces = [Piece("Excuse me, how do I get", 0.0, 2.0), Piece("to the station?", 2.0, 4.0),
...           Piece("Take the bus.", 4.0, 6.0), Piece("Thank you", 9.0, 10.0)]
>>> [(u.text, u.timestamp) for u in group_pieces(pieces)]
[('Excuse me, how do I get to the station?', '00:00:00'), ('Take the bus.', '00:00:04'), ('Thank you', '00:00:09')]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .base import Utterance

#: a pause (seconds between one piece's end and the next one's start) that ends a paragraph
PAUSE = 2.0
#: a paragraph without a sentence end is closed at the first piece boundary past this many characters
MAX_CHARS = 1000
#: share of pieces naming a speaker from which an unnamed piece is a turn of its own, not the one before's
NAMED_SHARE = 0.8
#: pieces per sentence end below which the pieces count as unpunctuated
UNPUNCTUATED = 20
_SENTENCE_END = re.compile(r"[.?!…][\"'’”)\]]*$")


@dataclass(frozen=True, slots=True)
class Piece:
    """One timed piece of talk: a caption cue's words or a recogniser's segment.

    ``start`` and ``end`` are seconds from the start of the recording (``None``
    when the source has no times); ``timestamp`` is the start as written in the
    file, normalised (``HH:MM:SS[.fff]``); it defaults to ``start`` as a clock time.
    """

    text: str
    start: float | None = None
    end: float | None = None
    speaker: str | None = None
    line: int | None = None
    timestamp: str | None = None

    @property
    def clock(self) -> str | None:
        return self.timestamp if self.timestamp is not None else clock_time(self.start)


def clock_time(seconds: float | None) -> str | None:
    """``seconds`` as ``HH:MM:SS`` with milliseconds when it has them.

    >>> clock_time(3725.5), clock_time(11.0), clock_time(None)
    ('01:02:05.500', '00:00:11', None)
    """
    if seconds is None:
        return None
    millis = round(seconds * 1000)
    whole, fraction = divmod(millis, 1000)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}" + (f".{fraction:03d}" if fraction else "")


def clock_seconds(clock: str) -> float:
    """Seconds of a normalised ``HH:MM:SS[.fff]`` time (see :func:`~.labels.normalise_timestamp`).

    >>> clock_seconds("01:02:05.500")
    3725.5
    """
    hours, minutes, seconds = clock.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends with sentence-final punctuation (closing quotes and brackets aside)."""
    return _SENTENCE_END.search(text.rstrip()) is not None


def paragraph_breaks(pieces: Sequence[Piece]) -> list[int]:
    """Indices of the pieces that start a paragraph, for pieces without speakers (see the module docstring).

    >>> paragraph_breaks([Piece("One."), Piece("two"), Piece("three."), Piece("four")])
    [0, 1, 3]
    >>> paragraph_breaks([Piece("so yeah"), Piece("it was fine"), Piece("then we left")])
    [0, 1, 2]
    """
    if sum(ends_sentence(p.text) for p in pieces) < len(pieces) / UNPUNCTUATED:
        return list(range(len(pieces)))
    breaks: list[int] = []
    length = 0
    for i, piece in enumerate(pieces):
        if i == 0:
            breaks.append(0)
        else:
            before = pieces[i - 1]
            paused = (before.end is not None and piece.start is not None and piece.start - before.end >= PAUSE)
            if ends_sentence(before.text) or paused or length >= MAX_CHARS:
                breaks.append(i)
                length = 0
        length += len(piece.text) + 1
    return breaks


def group_pieces(pieces: Sequence[Piece]) -> list[Utterance]:
    """Turns (when any piece names a speaker) or paragraphs (when none does) from timed pieces.

    Empty pieces are skipped. Words of joined pieces are separated by one space.
    """
    pieces = [p for p in pieces if p.text.strip()]
    utterances: list[Utterance] = []
    named = sum(1 for p in pieces if p.speaker)
    if named:
        # where (nearly) every piece names its speaker, one that does not is nobody's in particular and stands
        # alone; where names are given only when the speaker changes, an unnamed piece continues the turn
        continues = named < NAMED_SHARE * len(pieces)
        for p in pieces:
            words = p.text.strip()
            last = utterances[-1] if utterances else None
            if last is not None and (p.speaker == last.speaker or (p.speaker is None and continues)):
                utterances[-1] = Utterance(last.speaker, f"{last.text} {words}", last.timestamp, last.line)
            else:
                utterances.append(Utterance(p.speaker, words, p.clock, p.line))
        return utterances
    breaks = paragraph_breaks(pieces) + [len(pieces)]
    for a, b in zip(breaks, breaks[1:]):
        first = pieces[a]
        utterances.append(Utterance(None, " ".join(p.text.strip() for p in pieces[a:b]), first.clock, first.line))
    return utterances
