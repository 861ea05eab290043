"""Sentence segments inside turns, with exact offsets.

Each turn is split into paragraphs at blank lines first (a sentence never
crosses a paragraph break), then spaCy splits each paragraph into sentences.
Sentence spans are trimmed of surrounding white space and cover every
non-space character of the turn.

Examples
--------
>>> text = "P01: It lands at my door. Every time.\\n"
>>> split_sentences(text, [(5, 37)], nlp=sentence_pipeline("blank"))
[[(5, 25), (26, 37)]]
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from .pipelines import sentence_pipeline
from .readers.base import paragraph_spans

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

__all__ = ["doc_punctuation_sentence_starts", "punctuation_sentence_starts", "sentence_pipeline", "split_sentences"]

_SENTENCE_ENDS = frozenset({".", "!", "?", "…", "..."})
_CLOSERS = frozenset({'"', "'", "”", "’", ")", "]", "»"})


def punctuation_sentence_starts(words: Sequence[str]) -> list[int]:
    """Indices of the tokens that start a sentence, by punctuation alone.

    A sentence ends after ``.``, ``!``, ``?`` or ``…`` and any closing quotes or
    brackets that follow. Used where no sentence boundaries were set by the
    pipeline and a cheap, predictable cut is enough.

    >>> punctuation_sentence_starts(["It", "landed", ".", '"', "Never", "again", "!", '"'])
    [0, 4]
    """
    return _starts(words, _SENTENCE_ENDS, _CLOSERS)


def doc_punctuation_sentence_starts(doc) -> list[int]:
    """:func:`punctuation_sentence_starts` for a spaCy ``Doc``, on token ids (no Token objects are made)."""
    ends, closers = _punctuation_ids()
    return _starts(doc.to_array("ORTH").tolist() if len(doc) else [], ends, closers)


@cache
def _punctuation_ids() -> tuple[frozenset[int], frozenset[int]]:
    from spacy.strings import get_string_id

    return frozenset(map(get_string_id, _SENTENCE_ENDS)), frozenset(map(get_string_id, _CLOSERS))


def _starts(items, ends, closers) -> list[int]:
    starts, ended = [0] if len(items) else [], False
    for i, item in enumerate(items):
        if ended and item not in closers and item not in ends:
            starts.append(i)
            ended = False
        if item in ends:
            ended = True
    return starts


def split_sentences(
    text: str,
    turns: Sequence[tuple[int, int]],
    *,
    nlp: "Language",
    batch_size: int = 256,
) -> list[list[tuple[int, int]]]:
    """For each turn ``(start, end)`` of ``text``, the ``(start, end)`` of its sentences."""
    pieces: list[tuple[int, int, int]] = []  # (turn index, paragraph start, paragraph end)
    for i, (start, end) in enumerate(turns):
        pieces.extend((i, s, e) for s, e in paragraph_spans(text, start, end))
    longest = max((e - s for _, s, e in pieces), default=0)
    if longest >= nlp.max_length:
        nlp.max_length = longest + 1
    result: list[list[tuple[int, int]]] = [[] for _ in turns]
    docs = nlp.pipe((text[s:e] for _, s, e in pieces), batch_size=batch_size)
    for (i, s, e), doc in zip(pieces, docs, strict=True):
        starts = [s + sent.start_char for sent in doc.sents]
        result[i].extend(_spans_from_starts(text, _keep_openers_with_their_sentence(text, starts), e))
    return result


_OPENERS = frozenset("([{“‘«")


def _keep_openers_with_their_sentence(text: str, starts: list[int]) -> list[int]:
    """Move each sentence start back over opening brackets and quotes left at the end of the sentence before.

    Statistical and rule-based splitters both cut ``"for that. [laughs] Anyway."``
    after the ``[``; transcripts are full of such bracketed annotations.
    """
    fixed: list[int] = []
    for n, start in enumerate(starts):
        if n > 0:
            floor = fixed[-1]
            k = start
            while True:
                j = k
                while j > floor and text[j - 1].isspace():
                    j -= 1
                if j > floor and text[j - 1] in _OPENERS:
                    k = j - 1
                else:
                    break
            if k == floor or not text[floor:k].strip():
                continue  # the previous "sentence" was only openers: merge it into this one
            start = k
        fixed.append(start)
    return fixed


def _spans_from_starts(text: str, starts: list[int], end: int) -> list[tuple[int, int]]:
    spans = []
    for a, b in zip(starts, [*starts[1:], end], strict=True):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            spans.append((a, b))
    return spans
