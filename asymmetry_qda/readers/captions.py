"""Caption files: WebVTT (``.vtt``) and SubRip (``.srt``).

Each cue's text is read with its start time. The speaker comes from a WebVTT
voice tag (``<v Name>``, ``<v.class Name>``) or, as Zoom and Teams write it, a
``Name:`` prefix that matches the speaker-label pattern. Other tags
(``<i>``, ``<c.x>``, inline timestamps) are removed and HTML entities decoded.
Consecutive cues of the same speaker (or with no speaker) form one turn, whose
timestamp is the start of its first cue.

The stored text is the rendered transcript (``"Speaker: words"`` paragraphs,
see :func:`~asymmetry_qda.readers.base.render_utterances`), not the caption file
itself; cue timings are kept on the turns.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from ..errors import InputError, Problem
from ..textio import decode_text
from .base import Kind, ParsedDocument, Utterance, build_document, render_utterances
from .labels import LabelConfig, normalise_timestamp

_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+(?P<name>[^>]+)>")
_TAG = re.compile(r"</?[^>]*>")


def read_captions(path: Path, *, doc_id: str, labels: LabelConfig, kind: Kind | None) -> list[ParsedDocument]:
    decoded = decode_text(path.read_bytes(), source=path.name)
    fmt = path.suffix.lower().lstrip(".")
    cues = _cues(decoded.text, path.name, fmt)
    utterances = _merge(cues, labels)
    text, turns = render_utterances(utterances)
    if not turns:
        raise InputError(Problem(path.name, "the caption file has no cue text",
                                 fix="check that it is the right file, or leave it out"))
    return [build_document(doc_id=doc_id, text=text, turns=turns, kind=kind, labels=labels,
                           source_name=path.name, source_format=fmt, encoding=decoded.encoding)]


def _cues(text: str, source: str, fmt: str) -> list[tuple[str, str, int]]:
    """(start time, raw payload, line number) of each cue."""
    lines = text.split("\n")
    if fmt == "vtt" and not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        raise InputError(Problem(source, "a WebVTT file must start with the line 'WEBVTT'", line=1,
                                 fix="check the file's format, or rename it to .srt if it is SubRip"))
    cues: list[tuple[str, str, int]] = []
    i = 0
    while i < len(lines):
        m = _TIMING.match(lines[i])
        if m is None:
            i += 1
            continue
        start_line = i + 1
        payload: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip():
            payload.append(lines[i])
            i += 1
        cues.append((normalise_timestamp(m.group("start")), "\n".join(payload), start_line))
    if not cues:
        raise InputError(Problem(source, "no cue timing line such as '00:00:01.000 --> 00:00:04.000' was found",
                                 fix="check that the file is a WebVTT or SubRip caption file"))
    return cues


def _merge(cues: list[tuple[str, str, int]], labels: LabelConfig) -> list[Utterance]:
    utterances: list[Utterance] = []
    for timestamp, payload, line in cues:
        speaker = None
        voice = _VOICE.search(payload)
        if voice:
            speaker = voice.group("name").strip()
        words = html.unescape(_TAG.sub("", payload)).replace("\u200e", "").replace("\u200f", "")
        words = " ".join(part.strip() for part in words.split("\n") if part.strip())
        if speaker is None:
            hit = labels.match_turn_start(words)
            if hit is not None:
                speaker, words = hit.label, words[hit.text_offset:]
        if not words.strip():
            continue
        last = utterances[-1] if utterances else None
        if last is not None and (speaker is None or speaker == last.speaker):
            utterances[-1] = Utterance(last.speaker, f"{last.text} {words.strip()}", last.timestamp, last.line)
        else:
            utterances.append(Utterance(speaker, words.strip(), timestamp, line))
    return utterances
