"""The text the audit never reports: placeholders, speaker labels, recording timestamps and safe terms.

:func:`prepare` marks, for one text, four nested sets of character positions
(:class:`Masks`): what is spoken around (labels and timestamps), what is
ignored (and bracketed placeholders), what is allowed (and the vocabulary's
phrases, the caller's ``allow`` and ``pseudonyms``) and what is blocked (and
the vocabulary's single words). A speaker label is masked only when it looks
like a label (``P01:``, ``Interviewer 2:``, ``Insp. R:``); ``Sergeant
Okafor:`` is audited like any other text.

Examples
--------
>>> from asymmetry_qda.anonymise.vocabulary import Vocabulary
>>> text = "[00:01:02] P01: I told [Sergeant A] and the IOPC.\\nSergeant Okafor: Right."
>>> masks = prepare(text, Vocabulary.of())
>>> masks.spoken.covers(0, 16), masks.ignored.covers(23, 35), masks.blocked.covers(44, 48)
(True, True, True)
>>> masks.spoken.touches(50, 65)
False
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..readers.labels import LabelConfig
from .vocabulary import LABEL_WORDS, RANK_TOKENS, Terms, Vocabulary, key

__all__ = ["PLACEHOLDER", "Mask", "Masks", "blank_out", "prepare"]

#: A bracketed placeholder ("[Sergeant A]", "[OFFICER-1]"): never reported, never pseudonymised again.
PLACEHOLDER = re.compile(r"\[[^\[\]\n]{0,80}\]")
#: A recording timestamp: hh:mm:ss anywhere, or (mm:ss) in brackets.
RECORDING_TS = re.compile(r"(?<![\w:.])\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?(?![\w:])"
                          r"|\((?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?\)")
_LABELS = LabelConfig()


class Mask:
    """A set of character positions in one text."""

    def __init__(self, size: int):
        self.bits = bytearray(size)

    def copy(self) -> "Mask":
        other = Mask(0)
        other.bits = bytearray(self.bits)
        return other

    def add(self, start: int, end: int) -> None:
        self.bits[start:end] = b"\x01" * (end - start)

    def covers(self, start: int, end: int) -> bool:
        return end > start and all(self.bits[start:end])

    def touches(self, start: int, end: int) -> bool:
        return any(self.bits[start:end])

    def free_runs(self, start: int, end: int) -> list[tuple[int, int]]:
        runs, run_start = [], None
        for i in range(start, end):
            if not self.bits[i] and run_start is None:
                run_start = i
            elif self.bits[i] and run_start is not None:
                runs.append((run_start, i))
                run_start = None
        if run_start is not None:
            runs.append((run_start, end))
        return runs


@dataclass(frozen=True, slots=True)
class Masks:
    """The four nested masks of one text."""

    spoken: Mask  # speaker labels and recording timestamps
    ignored: Mask  # ... and bracketed placeholders
    allowed: Mask  # ... and allowed strings, pseudonyms and the vocabulary's phrases ("Gold commander")
    blocked: Mask  # ... and the vocabulary's single words ("Gold", "IOPC")


def _placeholder_spans(text: str) -> Iterator[tuple[int, int]]:
    for m in PLACEHOLDER.finditer(text):
        yield m.span()


def _is_plain_label(label: str, vocabulary: frozenset[str]) -> bool:
    """``P01``, ``Interviewer 2``, ``Insp. R``, ``DCI M``: a label that names no one."""
    for word in label.replace("**", "").split():
        k = key(word).strip("()")
        if (k in LABEL_WORDS or k in RANK_TOKENS or k in vocabulary or len(k) == 1
                or re.fullmatch(r"[a-z]{0,4}\d+[a-z]?", k)):
            continue
        return False
    return True


def _label_spans(text: str, vocabulary: frozenset[str]) -> Iterator[tuple[int, int]]:
    """Speaker labels (with their timestamps) at line starts, and timestamp-only lines."""
    offset = 0
    for line in text.split("\n"):
        turn = _LABELS.match_turn_start(line)
        if turn is not None and _is_plain_label(turn.label, vocabulary):
            yield offset, offset + turn.text_offset
        elif turn is not None:
            # audit the label, but not the timestamp before it
            ts = re.match(r"^\s*(?:\[[^\]]*\]|\([^)]*\)|\d{1,2}:\d{2}(?::\d{2})?)\s*", line)
            if ts:
                yield offset, offset + ts.end()
        elif _LABELS.match_timestamp_line(line) is not None:
            yield offset, offset + len(line)
        offset += len(line) + 1


def prepare(text: str, vocabulary: Vocabulary, safe: Terms | None = None) -> Masks:
    """The masks of ``text``.

    Parameters
    ----------
    text
        One document's text.
    vocabulary
        The compiled vocabulary: its single words make labels plain and are
        blocked; its phrases are allowed unless ``safe`` is given.
    safe
        The allowed terms, when they are more than the vocabulary's phrases
        (with the caller's ``allow`` and ``pseudonyms``).
    """
    spoken = Mask(len(text))
    for s, e in _label_spans(text, vocabulary.tokens):
        spoken.add(s, e)
    for m in RECORDING_TS.finditer(text):
        spoken.add(*m.span())
    ignored = spoken.copy()
    for s, e in _placeholder_spans(text):
        ignored.add(s, e)
    allowed = ignored.copy()
    for s, e in (vocabulary.phrases if safe is None else safe).finditer(text):
        allowed.add(s, e)
    blocked = allowed.copy()
    for s, e in vocabulary.words.finditer(text):
        blocked.add(s, e)
    return Masks(spoken, ignored, allowed, blocked)


def blank_out(text: str, mask: Mask) -> str:
    """``text`` with the masked characters (but not line breaks) replaced by spaces.

    >>> mask = Mask(12)
    >>> mask.add(0, 4)
    >>> blank_out("P01: Hello.\\n", mask)
    '     Hello.\\n'
    """
    parts, last = [], 0
    for m in re.finditer(rb"\x01+", bytes(mask.bits)):
        parts += [text[last:m.start()], re.sub(r"[^\n]", " ", text[m.start():m.end()])]
        last = m.end()
    parts.append(text[last:])
    return "".join(parts)
