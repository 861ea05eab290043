"""Coding a project with the rule tagger: stream turns through the pipeline, store one suggestion per (unit, code).

Turns (paragraphs in field notes) are read from the project one at a time and
passed through ``nlp.pipe(..., as_tuples=True)``, so the corpus is never held in
memory. A turn longer than :data:`~asymmetry_qda.pipelines.MAX_PIECE_CHARS` characters
(a field note or transcript without paragraph breaks) is tagged in pieces cut
at its stored sentence starts, or else at white space (see
:func:`~asymmetry_qda.pipelines.piece_spans`), and every offset is mapped back to the
document; a turn is never too long for spaCy. Each rule match is assigned to
its *unit*: the stored sentence that contains its first character
(``unit="sentence"``), its turn (``"turn"``), or
the exact matched words (``"span"``). All matches of one code in one unit make
one suggestion, which keeps every match as evidence (rule id, offsets, context).

Status
    ``suppressed`` when every match of the code in the unit is negated and its
    rule suppresses negated matches (the rule's ``suppress_negated``, else the
    code's, true by default): the suggestion is recorded so that it can be
    inspected, but is not offered for review; otherwise ``suggested``. A
    negation suppresses only the code it covers: "we didn't go down the
    disciplinary route, it was some retraining" still suggests retraining.

Confidence
    ``1 - prod(1 - w_i * f_i)`` over the unit's matches that count, where
    ``w_i`` is the rule's weight and ``f_i`` a context factor: 1 for plain and
    anticipated talk (anticipated blame is blame), 0.8 for reported speech, 0.5
    for a negated match (counted only by rules that keep negated matches, and
    by suppressed suggestions, whose matches are all negated).

Idempotence
    A suggestion's id is a UUID5 of the document text's hash, the unit offsets
    and the code. A unit that already holds a current coding of that code (a
    suggestion, or any human decision) gets nothing new, so running again adds
    nothing and a new codebook version only adds what is new.
"""

from __future__ import annotations

import bisect
import json
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .._keywords import renamed
from ..errors import InputError, Problem, QDAWarning
from ..pipelines import MAX_PIECE_CHARS, is_language, piece_spans, pipeline_label
from ..progress import progress_bar
from ..records import Coding, Origin
from ..store import codings as stored_codings
from ..store import meta as stored_meta
from ..store import runs as stored_runs
from ..store.sqlite import utc_now
from . import build_pipeline
from .matches import TaggedMatch, matches_of

if TYPE_CHECKING:  # pragma: no cover
    import sqlite3

    from spacy.language import Language

    from ..backends import Dask, Local
    from ..codebook import Codebook

Unit = Literal["sentence", "turn", "span"]
UNITS: tuple[str, ...] = ("sentence", "turn", "span")
CONTEXT_FACTOR = {"anticipated": 1.0, "reported": 0.8, "negated": 0.5}
TAGGER = "tagger"
_SUGGESTION_NS = uuid.UUID("6f1d7a8e-2c39-5b0e-9d57-1b4a0c7e3f21")


@dataclass
class _Turn:
    doc_id: str
    text_sha256: str
    segment_id: str
    start: int
    is_interviewer: bool
    sentences: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, segment_id)
    # a turn too long for one piece is tagged in pieces: ``start`` is then the piece's start, ``span`` the whole
    # turn's (start, end), and ``first`` marks the turn's first piece (turns are counted once)
    span: tuple[int, int] | None = None
    first: bool = True


@dataclass
class CodeRunReport:
    """What a coding run did."""

    run_id: str
    codebook_hash: str
    pipeline: str
    unit: str
    turns: int = 0
    matches: int = 0
    added_suggested: int = 0
    added_suppressed: int = 0
    already_coded: int = 0

    def summary(self) -> str:
        return (f"coded {self.turns} turns with {self.pipeline}: {self.matches} rule matches; "
                f"added {self.added_suggested} suggestions and {self.added_suppressed} suppressed (negated) ones "
                f"at unit {self.unit!r}; {self.already_coded} units already held that code")

    def __str__(self) -> str:
        return self.summary()


def suggestion_id(text_sha256: str, start: int, end: int, code_id: str) -> str:
    """The stable id of the suggestion of ``code_id`` for ``[start, end)`` of one document text."""
    return uuid.uuid5(_SUGGESTION_NS, f"{text_sha256}:{start}:{end}:{code_id}").hex


def _turns(db: "sqlite3.Connection", include_interviewer: bool,
           limit: int = MAX_PIECE_CHARS) -> Iterator[tuple[str, _Turn]]:
    """(turn text, turn) in document order, streamed from the store one document at a time.

    A turn longer than ``limit`` characters comes as several ``(piece text, turn)`` pairs, cut at its
    sentences' starts where possible (see :class:`_Turn`).
    """
    current, text, sentences = None, "", {}
    for doc_id, segment_id, start, end, is_interviewer, sha in stored_runs.turn_rows(db, include_interviewer):
        if doc_id != current:  # only the current document's text and sentences are held
            current = doc_id
            text = stored_runs.document_text(db, doc_id)
            sentences = {}
            for s_start, s_end, s_id, parent in stored_runs.sentence_rows(db, doc_id):
                sentences.setdefault(parent, []).append((s_start, s_end, s_id))
        turn_sentences = sentences.get(segment_id, [])
        if end - start <= limit:
            yield text[start:end], _Turn(doc_id, sha, segment_id, start, bool(is_interviewer), turn_sentences)
            continue
        pieces = piece_spans(text[start:end], limit, boundaries=[s - start for s, _, _ in turn_sentences])
        for n, (piece_start, piece_end) in enumerate(pieces):
            yield text[start + piece_start:start + piece_end], _Turn(
                doc_id, sha, segment_id, start + piece_start, bool(is_interviewer), turn_sentences,
                span=(start, end), first=n == 0)


@renamed(model="pipeline")
def code_project(
    store,
    codebook: "Codebook",
    *,
    pipeline: "str | Language" = "auto",
    unit: Unit = "sentence",
    include_interviewer: bool = False,
    n_process: int | None = None,
    batch_size: int = 64,
    progress: bool | None = None,
    backend: "Local | Dask | str | None" = None,
    client=None,
    workers: int | None = None,
    batch_turns: int | None = None,
) -> CodeRunReport:
    """Run the tagger over a project's turns and store new suggestions (see the module docstring).

    ``backend=Local()`` (the default) tags in this process (``Local(n_process=4)``:
    a process pool) and writes everything in one transaction. ``backend=Dask(...)``
    tags on a Dask cluster (its ``client``: a ``distributed.Client``, a scheduler
    address, or None for a local cluster of ``n_workers`` processes, default one
    per core; see :mod:`asymmetry_qda.backends` and :mod:`asymmetry_qda.tagging.dask_run`) and commits one
    transaction per batch of whole documents (``batch_turns`` turns), so an
    interrupted run keeps whole batches and running again adds only the rest.
    Both backends store the same suggestions with the same ids. The old forms ``n_process=``,
    ``backend="dask"``, ``client=`` and ``workers=`` still work for this release, with a
    :class:`DeprecationWarning`.

    ``pipeline`` is a spaCy pipeline's name (``"auto"``, ``"blank"``, a package) or a ``spacy.Language``
    already loaded, which tags in this process only (``n_process=1``, the local backend), and to which the
    qda components are added (see :func:`~asymmetry_qda.tagging.build_pipeline`). ``model=`` is its old
    name, still taken for this release with a :class:`DeprecationWarning`.
    """
    from ..backends import Local, backend_from

    if unit not in UNITS:
        raise InputError(Problem("unit", f"{unit!r} is not one of {', '.join(UNITS)}",
                                 fix="use sentence, turn or span"))
    chosen = backend_from(backend, n_process=n_process, client=client, workers=workers,
                          batch_turns=batch_turns)
    local = isinstance(chosen, Local)
    processes = chosen.n_process if local else 1 if n_process is None else n_process
    if is_language(pipeline) and (processes > 1 or not local):
        raise InputError(Problem("pipeline", "a loaded spaCy pipeline tags in this process only",
                                 fix="pass the pipeline's name (e.g. 'auto') to tag with n_process > 1 or on Dask"))
    nlp = build_pipeline(codebook, pipeline=pipeline)
    label = pipeline_label(nlp)
    db = store.connection
    codes = {c.id: c for c in codebook.codes}
    want_interviewer = include_interviewer or any(c.speakers != "participants" for c in codebook.codes)
    total = stored_runs.count_turns(db, want_interviewer)
    report = CodeRunReport(uuid.uuid4().hex, codebook.content_hash, label, unit)
    options = {"model": pipeline if isinstance(pipeline, str) else label, "unit": unit,
               "include_interviewer": include_interviewer, "n_process": processes,
               "backend": "local" if local else "dask"}
    turns = _turns(db, want_interviewer, limit=max(1, min(MAX_PIECE_CHARS, nlp.max_length)))
    if local:
        stream = tag_stream(turns, codebook, pipeline=pipeline, nlp=nlp, n_process=processes, batch_size=batch_size)
        grouped: dict[tuple[str, str, int, int, str], dict] = {}
        for (length, matches), turn in _progress(stream, total, progress):
            _group(grouped, report, turn, length, matches, codes, unit, include_interviewer)
        now = utc_now()
        with store.transaction() as write:
            _start_run(write, codebook, report, label, options, now)
            _write_suggestions(write, grouped, codes, codebook, label, report, now)
            _finish_run(write, report)
        return report

    from .dask_run import DEFAULT_BATCH_TURNS, tag_batches_on_dask

    batch_turns = DEFAULT_BATCH_TURNS if batch_turns is None else batch_turns
    if not isinstance(batch_turns, int) or isinstance(batch_turns, bool) or batch_turns < 1:
        raise InputError(Problem("batch_turns", f"{batch_turns!r} is not a whole number >= 1", fix="use e.g. 64"))
    bar = _progress_bar(total, progress)
    with chosen.start() as dask:
        with store.transaction() as write:  # the run is recorded first: an interrupted run shows as unfinished
            _start_run(write, codebook, report, label, {**options, "batch_turns": batch_turns}, utc_now(),
                       finished=False)
        for batch in tag_batches_on_dask(turns, codebook, pipeline=pipeline, label=label, client=dask,
                                          batch_turns=batch_turns, batch_size=batch_size):
            grouped = {}
            for (length, matches), turn in batch:
                _group(grouped, report, turn, length, matches, codes, unit, include_interviewer)
            with store.transaction() as write:
                _write_suggestions(write, grouped, codes, codebook, label, report, utc_now())
                _finish_run(write, report, finished=False)
            if bar is not None:
                bar.update(sum(turn.first for _, turn in batch))
    if bar is not None:
        bar.close()
    with store.transaction() as write:
        _finish_run(write, report)
    return report


def _group(grouped: dict, report: CodeRunReport, turn: _Turn, length: int, matches, codes, unit: str,
           include_interviewer: bool) -> None:
    """Add one turn's (or piece's) matches to ``grouped``: one entry per (document, unit, code) with its evidence."""
    report.turns += turn.first
    for match in matches:
        code = codes[match.code_id]
        if not _speaker_ok(code.speakers, turn.is_interviewer, include_interviewer):
            continue
        report.matches += 1
        start, end = turn.start + match.start, turn.start + match.end
        unit_start, unit_end, segment_id = _unit_of(turn, start, end, unit, length)
        key = (turn.doc_id, turn.text_sha256, unit_start, unit_end, code.id)
        entry = grouped.setdefault(key, {"segment_id": segment_id, "evidence": []})
        entry["evidence"].append({"rule_id": match.rule_id, "start": start, "end": end, "weight": match.weight,
                                  "context": list(match.context), "triggers": list(match.triggers)})


def _start_run(write, codebook: "Codebook", report: CodeRunReport, label: str, options: dict, now: str, *,
               finished: bool = True) -> None:
    stored_meta.add_codebook(write, content_hash=codebook.content_hash, name=codebook.name,
                             version=codebook.version, content=codebook.content, now=now)
    stored_codings.register_coder(write, TAGGER, kind="rule", name="asymmetry_qda rule tagger", now=now)
    stored_runs.start_run(write, run_id=report.run_id, codebook_hash=codebook.content_hash, pipeline=label,
                          options=json.dumps(options), now=now, finished=finished)


def _finish_run(write, report: CodeRunReport, *, finished: bool = True) -> None:
    """Record the suggestions added so far, and when the run finished (``finished``)."""
    stored_runs.finish_run(write, report.run_id, n_added=report.added_suggested + report.added_suppressed,
                           finished=finished, now=utc_now())


def _write_suggestions(write, grouped: dict, codes, codebook: "Codebook", label: str, report: CodeRunReport,
                       now: str) -> None:
    """Insert one suggestion per grouped (document, unit, code) that no current coding already covers.

    Runs inside the write transaction: a document whose text changed since it
    was tagged (another process pseudonymised or replaced it meanwhile) gets no
    suggestions from this run, and a warning says to run again.
    """
    current = stored_runs.document_hashes(write)
    changed: set[str] = set()
    for (doc_id, sha, start, end, code_id), entry in grouped.items():
        if current.get(doc_id) != sha:
            changed.add(doc_id)
            continue
        # (the document's text is ``sha``, checked above: CURRENT holds)
        if stored_runs.has_current_coding(write, doc_id, start, end, code_id):
            report.already_coded += 1
            continue
        status, context, confidence, best = _judge(codes[code_id], entry["evidence"])
        stored_codings.insert(write, Coding(
            suggestion_id(sha, start, end, code_id), doc_id, sha, start, end, code_id, Origin.RULE, status, TAGGER,
            rule_id=best, confidence=confidence, context=json.dumps(context), evidence=json.dumps(entry["evidence"]),
            segment_id=entry["segment_id"], codebook_hash=codebook.content_hash, pipeline=label,
            run_id=report.run_id, created_at=now), or_ignore=True)
        if status == "suggested":
            report.added_suggested += 1
        else:
            report.added_suppressed += 1
    if changed:
        warnings.warn(f"{len(changed)} document(s) changed while they were being tagged ({', '.join(sorted(changed))}:"
                      " another process replaced or pseudonymised them), so this run stored no suggestions for them. "
                      "Fix: run code again", QDAWarning, stacklevel=4)


@renamed(model="pipeline")
def tag_stream(items, codebook: "Codebook", *, pipeline: "str | Language" = "auto", nlp=None, n_process: int = 1,
               batch_size: int = 64, chunk_size: int = 256):
    """Tag ``(text, context)`` pairs, yielding ``((len(text), matches), context)`` in input order.

    With ``n_process > 1`` the texts go in chunks to a pool of worker processes,
    each of which builds the pipeline once and sends back only the matches
    (not whole ``Doc`` objects, whose serialisation would cost more than the
    tagging), so the work spreads over the cores. ``nlp`` is a pipeline already built by
    :func:`~asymmetry_qda.tagging.build_pipeline`; without it one is built from ``pipeline`` (a name, or a
    ``spacy.Language`` for ``n_process=1``).
    """
    if n_process == 1:
        nlp = nlp or build_pipeline(codebook, pipeline=pipeline)
        for doc, context in nlp.pipe(items, as_tuples=True, batch_size=batch_size):
            yield (len(doc.text), matches_of(doc)), context
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if not isinstance(pipeline, str):
        raise InputError(Problem("pipeline", "a loaded spaCy pipeline tags in this process only",
                                 fix="pass the pipeline's name (e.g. 'auto') to tag with n_process > 1"))

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=n_process, mp_context=multiprocessing.get_context(method),
                             initializer=_init_worker, initargs=(codebook.content, pipeline)) as pool:
        pending = []
        for chunk in _chunks(items, chunk_size):
            contexts = [context for _, context in chunk]
            pending.append((pool.submit(_tag_chunk, [text for text, _ in chunk], batch_size), contexts))
            while len(pending) > 2 * n_process:  # keep the workers busy without reading the corpus ahead
                yield from _drain(pending.pop(0))
        for item in pending:
            yield from _drain(item)


def _drain(item):
    future, contexts = item
    yield from zip(future.result(), contexts, strict=True)


def _chunks(items, size: int):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_WORKER_NLP = None


def _init_worker(codebook_text: str, pipeline: str) -> None:
    import warnings as _warnings

    from ..codebook import parse_codebook

    global _WORKER_NLP
    _exit_with_parent()
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")  # the parent process has already warned
        _WORKER_NLP = build_pipeline(parse_codebook(codebook_text, source="codebook"), pipeline=pipeline)


def _exit_with_parent(interval: float = 1.0) -> None:
    """In a pool worker: end this process when the parent is gone (killed with -9, it cannot end its pool)."""
    import os
    import threading
    import time

    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="qda-exit-with-parent", daemon=True).start()


def _tag_chunk(texts: list[str], batch_size: int) -> list[tuple[int, list[TaggedMatch]]]:
    import warnings as _warnings

    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        return [(len(doc.text), matches_of(doc)) for doc in _WORKER_NLP.pipe(texts, batch_size=batch_size)]


def _speaker_ok(speakers: str, is_interviewer: bool, include_interviewer: bool) -> bool:
    if speakers == "all":
        return True
    if speakers == "interviewers":
        return is_interviewer
    return not is_interviewer or include_interviewer


def _unit_of(turn: _Turn, start: int, end: int, unit: str, length: int) -> tuple[int, int, str]:
    if unit == "span":
        return start, end, turn.segment_id
    if unit == "sentence" and turn.sentences:
        i = bisect.bisect_right([s[0] for s in turn.sentences], start) - 1
        s_start, s_end, s_id = turn.sentences[max(i, 0)]
        if s_start <= start < s_end:  # the sentence holding the match's first character
            return s_start, s_end, s_id
    if turn.span is not None:  # a piece of a long turn: the unit is still the whole turn
        return turn.span[0], turn.span[1], turn.segment_id
    return turn.start, turn.start + length, turn.segment_id


def _judge(code, evidence: list[dict]) -> tuple[str, list[str], float, str]:
    # a negation suppresses only the match it covers, and only for a rule that suppresses negated matches
    # (the rule's own suppress_negated, else its code's): the unit is suppressed when nothing else is left
    counted = [e for e in evidence if not ("negated" in e["context"] and code.suppresses_negated(e["rule_id"]))]
    if counted:
        status = "suggested"
    else:
        counted, status = evidence, "suppressed"
    miss = 1.0
    for e in counted:
        factor = min([CONTEXT_FACTOR[f] for f in e["context"] if f in CONTEXT_FACTOR], default=1.0)
        miss *= 1.0 - (e["weight"] or 1.0) * factor
    context = sorted({f for e in counted for f in e["context"]})
    best = max(counted, key=lambda e: (e["weight"] or 0, -e["start"]))["rule_id"]
    return status, context, round(1.0 - miss, 4), best


def _progress(stream, total: int, progress: bool | None):
    bar = _progress_bar(total, progress)
    if bar is None:
        return stream

    def counted():
        with bar:
            for item in stream:
                bar.update(1 if item[1].first else 0)
                yield item

    return counted()


def _progress_bar(total: int, progress: bool | None):
    return progress_bar(total, unit="turn", desc="coding", progress=progress)
